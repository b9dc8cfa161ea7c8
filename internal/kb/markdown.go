// Package kb holds what the knowledge base needs without a database:
// Markdown rendered to sanitised HTML, the limits of an article, the
// Markdown file with front matter that import and export exchange, and
// the folding of text and queries for full-text search.
package kb

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/sportello/sportello/internal/model"
)

// Limits of an article translation.
const (
	TitleMax   = 200     // characters
	SummaryMax = 500     // characters
	BodyMax    = 100_000 // characters of Markdown: a long guide, not a book
	ImagesMax  = 10      // images in one article
)

var (
	mdOnce   sync.Once
	md       goldmark.Markdown
	policy   *bluemonday.Policy
	imageRE  = regexp.MustCompile(`!\[[^\]]*\]\(\s*<?([^)\s>]*)`)
	schemeRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

func setup() {
	// Raw HTML in the source is dropped by goldmark (no WithUnsafe), and
	// what comes out passes the sanitiser anyway: scripts, frames, event
	// handlers, styles and javascript: links never reach a page.
	md = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	policy = bluemonday.UGCPolicy()
	policy.AllowURLSchemes("https", "http", "mailto", "tel")
	policy.RequireNoFollowOnLinks(false)
	policy.AddTargetBlankToFullyQualifiedLinks(false)
}

// Render turns an article's Markdown into sanitised HTML.
func Render(source string) template.HTML {
	mdOnce.Do(setup)
	var buf bytes.Buffer
	if err := md.Convert([]byte(source), &buf); err != nil {
		// goldmark fails only on writer errors; show the text escaped.
		return template.HTML("<p>" + template.HTMLEscapeString(source) + "</p>")
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised just above
}

// CheckBody validates the Markdown of an article: length, valid text, and
// its images, which must be few and linked over HTTPS (an embedded data:
// image would make the page heavy).
func CheckBody(field, body string) error {
	if err := model.CheckText(field, body, true, BodyMax); err != nil {
		return err
	}
	imgs := imageRE.FindAllStringSubmatch(body, -1)
	if len(imgs) > ImagesMax {
		return model.Invalid(field, "kb.error_images", "too many images in one article", map[string]any{"Limit": ImagesMax})
	}
	for _, m := range imgs {
		u := strings.ToLower(m[1])
		if schemeRE.MatchString(u) && !strings.HasPrefix(u, "https:") {
			return model.Invalid(field, "kb.error_image_url", "images must be linked over https", nil)
		}
	}
	return nil
}

// Excerpt is the start of an article's text, without Markdown, cut at a
// word boundary under max characters.
func Excerpt(source string, max int) string {
	text := strings.Join(strings.Fields(PlainText(source)), " ")
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	r := []rune(text)[:max]
	s := string(r)
	if i := strings.LastIndexByte(s, ' '); i > max/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,.;:") + "…"
}

var (
	mdLinkRE   = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdSyntaxRE = regexp.MustCompile("(?m)^\\s{0,3}(#{1,6}|>|[-*+]|\\d+[.)])\\s+|[*_`~|]+")
)

// PlainText strips the common Markdown syntax from source, keeping link
// texts and dropping their addresses: what search indexes and excerpts
// show.
func PlainText(source string) string {
	s := mdLinkRE.ReplaceAllString(source, "$1")
	s = mdSyntaxRE.ReplaceAllString(s, " ")
	return s
}
