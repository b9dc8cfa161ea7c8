package locale

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func mustLoad(t testing.TB) *Bundle {
	t.Helper()
	b, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b
}

func loadMap(t testing.TB, files map[string]string) *Bundle {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	b, err := LoadFS(fsys)
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	return b
}

// The release gate: every catalog has exactly English's keys, the plural
// forms its language needs, and only arguments English provides.
func TestCatalogsComplete(t *testing.T) {
	b := mustLoad(t)
	for _, p := range b.Check() {
		t.Error(p)
	}
}

func TestLanguages(t *testing.T) {
	b := mustLoad(t)
	got := b.Languages()
	want := []string{"ar", "en", "es", "fr", "it"}
	if !slices.Equal(got, want) {
		t.Errorf("Languages() = %v, want %v", got, want)
	}
	got[0] = "xx"
	if b.Languages()[0] != "ar" {
		t.Error("Languages() returned the bundle's own slice")
	}
	for lang, want := range map[string]bool{"it": true, "ar": true, "en": true, "de": false, "ar-EG": false, "": false} {
		if got := b.Supported(lang); got != want {
			t.Errorf("Supported(%q) = %v, want %v", lang, got, want)
		}
	}
}

func TestPrinterMeta(t *testing.T) {
	b := mustLoad(t)
	tests := []struct{ lang, wantLang, name, dir string }{
		{"it", "it", "Italiano", "ltr"},
		{"en", "en", "English", "ltr"},
		{"fr", "fr", "Français", "ltr"},
		{"es", "es", "Español", "ltr"},
		{"ar", "ar", "العربية", "rtl"},
		{"ar-EG", "ar", "العربية", "rtl"},
		{"fr_CA", "fr", "Français", "ltr"},
		{"de", "en", "English", "ltr"},
		{"", "en", "English", "ltr"},
		{"<script>", "en", "English", "ltr"},
	}
	for _, tt := range tests {
		p := b.Printer(tt.lang)
		if got := p.Lang(); got != tt.wantLang {
			t.Errorf("Printer(%q).Lang() = %q, want %q", tt.lang, got, tt.wantLang)
		}
		if got := p.Name(); got != tt.name {
			t.Errorf("Printer(%q).Name() = %q, want %q", tt.lang, got, tt.name)
		}
		if got := p.Dir(); got != tt.dir {
			t.Errorf("Printer(%q).Dir() = %q, want %q", tt.lang, got, tt.dir)
		}
	}
}

// Every message of every catalog renders with the arguments it names,
// whichever plural form is picked, to plain text with no template left.
func TestEveryMessageRenders(t *testing.T) {
	b := mustLoad(t)
	samples := map[string]any{
		"Count": 3, "Kind": "contact", "Field": "email", "Min": 12, "Max": 1000, "Limit": "10 MB",
		"Value": "2026-02-30", "Name": "Amina", "Actor": "Marco", "Minutes": 15,
		// the knowledge base's
		"Query": "spid", "Wanted": "العربية", "Shown": "Italiano", "Language": "English",
		// the benefit screener's
		"Done": 4, "Left": 6, "Total": 5, "Date": "01/03/2026", "On": "01/03/2026", "Who": "Marco", "Version": "2026.1+local.2",
		"Revision": 2, "Names": "NASpI, Assegno sociale",
		// channels'
		"Reason": "file type not accepted", "Choices": "webhook, polling",
		// the phone line's
		"Duration": "0:42",
		// the chat's transcripts
		"Email": "amina@example.org", "Number": 42, "Zone": "Europe/Rome",
	}
	for _, lang := range b.Languages() {
		c := b.catalogs[lang]
		for _, key := range c.order {
			if strings.HasPrefix(key, metaPrefix) {
				continue // data, not text
			}
			e := c.entries[key]
			for cat, m := range e.forms {
				if m == nil {
					continue
				}
				name := lang + ":" + key + "#" + category(cat).String()
				got := m.text
				if m.tmpl != nil {
					args := map[string]any{}
					for _, n := range m.names {
						v, ok := samples[n]
						if !ok {
							t.Errorf("%s: reads {{.%s}}, which this test has no sample for", name, n)
							v = "x"
						}
						args[n] = v
					}
					tmpl, err := m.tmpl.Clone()
					if err != nil {
						t.Fatal(err)
					}
					var sb strings.Builder
					if err := tmpl.Option("missingkey=error").Execute(&sb, args); err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					got = sb.String()
				}
				if strings.TrimSpace(got) == "" || strings.ContainsAny(got, "{}") || strings.Contains(got, "<no value>") {
					t.Errorf("%s renders %q", name, got)
				}
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	b := mustLoad(t)
	var wg sync.WaitGroup
	for _, lang := range b.Languages() {
		wg.Go(func() {
			p := b.Printer(lang)
			for i := range 200 {
				if p.N("count.conversations", i, nil) == "count.conversations" {
					t.Errorf("%s: N fell back to the key", lang)
					return
				}
				p.T("error.not_found", map[string]any{"Kind": "contact"})
			}
		})
	}
	wg.Wait()
}
