package kb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Doc is one translation of an article as a Markdown file with front
// matter: what import reads, export writes and the starter content is
// written in. One file per article and language, named SLUG.LANG.md.
//
//	---
//	slug: spid
//	language: it
//	title: Come ottenere lo SPID
//	summary: L'identità digitale per i servizi pubblici online.
//	category: identita-digitale
//	category_name: Identità digitale
//	status: published
//	review_by: 2027-01-31
//	owner: admin@example.org
//	shared: true
//	sources:
//	  - https://www.spid.gov.it/
//	---
//	Il corpo in Markdown…
type Doc struct {
	Slug, Language, Title, Summary string
	Category, CategoryName         string
	Status                         string // "": the article's, draft for a new one
	ReviewBy                       string // YYYY-MM-DD, "" when not set
	Owner                          string // an e-mail address of a user
	Shared                         bool
	Sources                        []string
	Body                           string
}

// Article statuses.
const (
	StatusDraft     = "draft"     // seen only by staff in the console
	StatusPublished = "published" // in the help centre
	StatusInternal  = "internal"  // staff only: search in the console, never citizens
)

// ValidStatus reports whether s is an article status.
func ValidStatus(s string) bool {
	return s == StatusDraft || s == StatusPublished || s == StatusInternal
}

// ParseDate reads a YYYY-MM-DD date as midnight UTC.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, model.Invalid(field, "kb.error_date", "not a date such as 2027-01-31", map[string]any{"Field": field})
	}
	return t, nil
}

// ParseDoc reads a Markdown file with front matter. name is for messages.
func ParseDoc(name string, data []byte) (*Doc, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	if !strings.HasPrefix(text, "---\n") {
		return nil, fmt.Errorf("%s: no front matter (the file must start with a line ---)", name)
	}
	head, body, ok := strings.Cut(text[4:], "\n---\n")
	if !ok {
		if h, found := strings.CutSuffix(text[4:], "\n---"); found {
			head, body, ok = h, "", true
		}
	}
	if !ok {
		return nil, fmt.Errorf("%s: the front matter has no closing line ---", name)
	}
	d := &Doc{Body: strings.TrimLeft(body, "\n")}
	lines := strings.Split(head, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") {
			return nil, fmt.Errorf("%s: front matter line %d: want key: value", name, i+2)
		}
		key, val = strings.TrimSpace(key), unquote(strings.TrimSpace(val))
		switch key {
		case "slug":
			d.Slug = val
		case "language":
			d.Language = val
		case "title":
			d.Title = val
		case "summary":
			d.Summary = val
		case "category":
			d.Category = val
		case "category_name":
			d.CategoryName = val
		case "status":
			d.Status = val
		case "review_by":
			d.ReviewBy = val
		case "owner":
			d.Owner = val
		case "shared":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, fmt.Errorf("%s: shared: want true or false", name)
			}
			d.Shared = b
		case "sources":
			if val != "" {
				return nil, fmt.Errorf("%s: sources: list the addresses on the next lines, each as '  - URL'", name)
			}
			for i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "- ") {
				i++
				d.Sources = append(d.Sources, unquote(strings.TrimSpace(strings.TrimSpace(lines[i])[2:])))
			}
		default:
			return nil, fmt.Errorf("%s: unknown front matter key %q", name, key)
		}
	}
	if d.Slug == "" || d.Language == "" || d.Title == "" {
		return nil, fmt.Errorf("%s: slug, language and title are required", name)
	}
	if d.Status != "" && !ValidStatus(d.Status) {
		return nil, fmt.Errorf("%s: status: want draft, published or internal", name)
	}
	return d, nil
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}

// quote writes a value on one line, quoted when it could be misread.
func quote(s string) string {
	if s == "" || strings.ContainsAny(s, "\n\r") || strings.HasPrefix(s, `"`) || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	return s
}

// Format writes d as a Markdown file with front matter that ParseDoc
// reads back.
func (d *Doc) Format() []byte {
	var b strings.Builder
	b.WriteString("---\n")
	kv := func(k, v string) {
		if v != "" {
			b.WriteString(k + ": " + quote(v) + "\n")
		}
	}
	kv("slug", d.Slug)
	kv("language", d.Language)
	kv("title", d.Title)
	kv("summary", d.Summary)
	kv("category", d.Category)
	kv("category_name", d.CategoryName)
	kv("status", d.Status)
	kv("review_by", d.ReviewBy)
	kv("owner", d.Owner)
	if d.Shared {
		b.WriteString("shared: true\n")
	}
	if len(d.Sources) > 0 {
		b.WriteString("sources:\n")
		for _, s := range d.Sources {
			b.WriteString("  - " + quote(s) + "\n")
		}
	}
	b.WriteString("---\n")
	b.WriteString(d.Body)
	if !strings.HasSuffix(d.Body, "\n") {
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// FileName is the name export gives d: SLUG.LANG.md.
func (d *Doc) FileName() string { return d.Slug + "." + d.Language + ".md" }
