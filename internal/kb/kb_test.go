package kb

import (
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/sportello/sportello/internal/model"
)

func TestRenderSanitises(t *testing.T) {
	tests := []struct{ in, bad string }{
		{"<script>alert(1)</script>", "<script"},
		{"<iframe src=\"https://evil.example\"></iframe>", "<iframe"},
		{"<img src=x onerror=alert(1)>", "onerror"},
		{"[click](javascript:alert(1))", "javascript:"},
		{"[click](JaVaScRiPt:alert(1))", "avascript:"},
		{"<a href=\"https://x.example\" onclick=\"steal()\">x</a>", "onclick"},
		{"![x](data:image/svg+xml;base64,PHN2Zz4=)", "data:"},
	}
	for _, tt := range tests {
		got := string(Render(tt.in))
		if strings.Contains(strings.ToLower(got), strings.ToLower(tt.bad)) {
			t.Errorf("Render(%q) = %q, still holds %q", tt.in, got, tt.bad)
		}
	}
	got := string(Render("## Titolo\n\nVai su [SPID](https://www.spid.gov.it/).\n\n- uno\n- due"))
	for _, want := range []string{"<h2", `href="https://www.spid.gov.it/"`, "<li>uno</li>"} {
		if !strings.Contains(got, want) {
			t.Errorf("Render kept no %q: %s", want, got)
		}
	}
}

func TestCheckBody(t *testing.T) {
	tests := []struct {
		body, key string
	}{
		{"Testo.", ""},
		{"", "error.validation.required"},
		{strings.Repeat("a", BodyMax+1), "error.validation.too_long"},
		{strings.Repeat("![x](https://a.example/x.png)\n", ImagesMax+1), "kb.error_images"},
		{"![x](http://a.example/x.png)", "kb.error_image_url"},
		{"![x](data:image/png;base64,AAAA)", "kb.error_image_url"},
		{"![x](/static/x.png)", ""},
	}
	for _, tt := range tests {
		err := CheckBody("body", tt.body)
		got := ""
		if e, ok := model.AsError(err); ok {
			got = e.Key
		} else if err != nil {
			got = err.Error()
		}
		if got != tt.key {
			t.Errorf("CheckBody(%.40q) = %q, want %q", tt.body, got, tt.key)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		q, lang string
		want    []string
	}{
		{"come ottenere lo SPID", "it", []string{"ottener", "spid"}},
		{"how to get SPID", "en", []string{"get", "spid"}},
		{"Città documenti", "it", []string{"citt", "document"}},
		{"benefits", "en", []string{"benefit"}},
		{`"spid" OR NEAR(x) * -- ' ; <script>`, "en", []string{"spid", "near", "x", "script"}},
		{"come", "it", []string{"come"}}, // a stop word alone still searches
		{"الهوية الرقمية", "ar", []string{"الهوية", "الرقمية"}},
		{"", "it", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, term := range Terms(tt.q, tt.lang) {
			got = append(got, term.Stem)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Terms(%q, %s) = %q, want %q", tt.q, tt.lang, got, tt.want)
		}
	}
}

func TestDocRoundTrip(t *testing.T) {
	d := &Doc{
		Slug: "spid", Language: "it", Title: "Come ottenere lo SPID", Summary: "Identità: digitale",
		Category: "identita", CategoryName: "Identità digitale", Status: StatusPublished,
		ReviewBy: "2027-01-31", Owner: "a@example.org", Shared: true,
		Sources: []string{"https://www.spid.gov.it/", "https://www.agid.gov.it/"},
		Body:    "## Cos'è\n\nTesto.\n",
	}
	got, err := ParseDoc(d.FileName(), d.Format())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, d)
	}
}

func TestParseDocErrors(t *testing.T) {
	for _, in := range []string{
		"no front matter",
		"---\nslug: x\n",
		"---\nslug: x\nlanguage: it\n---\nbody",
		"---\nslug: x\nlanguage: it\ntitle: T\ncolour: red\n---\n",
		"---\nslug: x\nlanguage: it\ntitle: T\nshared: maybe\n---\n",
	} {
		if _, err := ParseDoc("x.md", []byte(in)); err == nil {
			t.Errorf("ParseDoc(%q) accepted it", in)
		}
	}
}

func FuzzParseDoc(f *testing.F) {
	f.Add([]byte("---\nslug: spid\nlanguage: it\ntitle: T\nsources:\n  - https://x\n---\nBody"))
	f.Add([]byte("---\r\nslug: \"a:b\"\r\n---"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDoc("f.md", data)
		if err != nil {
			return
		}
		again, err := ParseDoc("f.md", d.Format())
		if err != nil {
			t.Fatalf("formatted doc does not parse: %v", err)
		}
		if again.Slug != d.Slug || again.Title != d.Title || again.Language != d.Language {
			t.Fatalf("round trip changed %+v into %+v", d, again)
		}
	})
}

func FuzzRender(f *testing.F) {
	f.Add("<script>x</script>[a](javascript:b)")
	f.Add("<img src=x onerror=y>")
	f.Fuzz(func(t *testing.T, s string) {
		out := strings.ToLower(string(Render(s)))
		for _, bad := range []string{"<script", "<iframe", " onerror=", " onclick=", "href=\"javascript:"} {
			if strings.Contains(out, bad) {
				t.Fatalf("Render(%q) holds %q: %s", s, bad, out)
			}
		}
	})
}

// FuzzTerms: whatever a citizen types, the terms handed to an engine's
// query syntax hold only letters and digits.
func FuzzTerms(f *testing.F) {
	f.Add(`"spid" OR x* NEAR( ' ; -- :* & | !`, "it")
	f.Add("come ottenere lo SPID", "it")
	f.Add("الهوية", "ar")
	f.Fuzz(func(t *testing.T, q, lang string) {
		terms := Terms(q, lang)
		if len(terms) > MaxTerms {
			t.Fatalf("%d terms", len(terms))
		}
		for _, term := range terms {
			for _, s := range []string{term.Word, term.Stem} {
				if s == "" {
					t.Fatalf("empty term from %q", q)
				}
				for _, r := range s {
					if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
						t.Fatalf("term %q from %q holds %q", s, q, r)
					}
				}
			}
		}
	})
}
