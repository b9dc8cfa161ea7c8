package locale

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadFSErrors(t *testing.T) {
	const en = `{"a.b": "x"}`
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error
	}{
		{"no English", map[string]string{"it.json": `{"a.b": "x"}`}, "en.json is missing"},
		{"malformed JSON", map[string]string{"en.json": `{"a.b": "x",}`}, "en.json: line 1"},
		{"not an object", map[string]string{"en.json": `["a.b"]`}, `want "{"`},
		{"trailing data", map[string]string{"en.json": `{} {}`}, "after the closing brace"},
		{"duplicate key", map[string]string{"en.json": "{\n\"a.b\": \"x\",\n\"a.b\": \"y\"\n}"}, `line 3: key "a.b" appears twice`},
		{"key without area", map[string]string{"en.json": `{"title": "x"}`}, `key "title": want lowercase`},
		{"key with capitals", map[string]string{"en.json": `{"Login.Title": "x"}`}, `key "Login.Title"`},
		{"key with empty word", map[string]string{"en.json": `{"login..title": "x"}`}, `key "login..title"`},
		{"empty text", map[string]string{"en.json": `{"a.b": " "}`}, "the text is empty"},
		{"number", map[string]string{"en.json": `{"a.b": 3}`}, "a string or an object of plural forms"},
		{"array", map[string]string{"en.json": `{"a.b": ["x"]}`}, "a string or an object of plural forms"},
		{"bad template", map[string]string{"en.json": `{"a.b": "{{.Count"}`}, `key "a.b"`},
		{"define", map[string]string{"en.json": `{"a.b": "{{define \"x\"}}y{{end}}z"}`}, "define and block"},
		{"plural without other", map[string]string{"en.json": `{"a.b": {"one": "x"}}`}, `needs an "other" form`},
		{"unknown category", map[string]string{"en.json": `{"a.b": {"several": "x", "other": "y"}}`}, `"several" is not a plural category`},
		{"duplicate category", map[string]string{"en.json": `{"a.b": {"one": "x", "one": "y", "other": "z"}}`}, `"one" appears twice`},
		{"category not a string", map[string]string{"en.json": `{"a.b": {"one": 1, "other": "z"}}`}, `"one": the value must be a string`},
		{"bad plural template", map[string]string{"en.json": `{"a.b": {"one": "{{if}}", "other": "z"}}`}, `plural category "one"`},
		{"plural meta", map[string]string{"en.json": `{"meta.name": {"other": "x"}}`}, "meta.name\": the value must be a string"},
		{"bad direction", map[string]string{"en.json": `{"meta.dir": "up"}`}, `meta.dir is "up"`},
		{"empty minus", map[string]string{"en.json": `{"meta.minus": ""}`}, "meta.minus is empty"},
		{"same separators", map[string]string{"en.json": `{"meta.decimal": ",", "meta.group": ","}`}, "are both"},
		{"bad date layout", map[string]string{"en.json": `{"meta.date": "dd/mm/yyyy"}`}, "meta.date is"},
		{"file name not a tag", map[string]string{"en.json": en, "italian!.json": en}, "italian!.json: the file name is not a language tag"},
		{"file name not canonical", map[string]string{"en.json": en, "pt-br.json": en}, "name the file pt-BR.json"},
		{"deprecated tag", map[string]string{"en.json": en, "iw.json": en}, "name the file he.json"},
		{"bad translation", map[string]string{"en.json": en, "it.json": `{"a.b": "{{end}}"}`}, "it.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := LoadFS(fsys)
			if err == nil {
				t.Fatalf("LoadFS succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFS error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadFSIgnoresOtherFiles(t *testing.T) {
	b := loadMap(t, map[string]string{
		"en.json":        `{"a.b": "x"}`,
		"README.md":      "# not a catalog",
		"drafts/de.json": `{"a.b": "y"}`,
	})
	if got := b.Languages(); !slices.Equal(got, []string{"en"}) {
		t.Errorf("Languages() = %v, want [en]", got)
	}
}

// A new language is a new file: with no meta.* of its own it gets its tag
// as name and English's formats.
func TestNewLanguageIsAFile(t *testing.T) {
	b := loadMap(t, map[string]string{
		"en.json":    `{"meta.name": "English", "meta.dir": "ltr", "meta.group": ",", "a.b": "Hello"}`,
		"pt-BR.json": `{"a.b": "Olá"}`,
	})
	if !b.Supported("pt-BR") {
		t.Fatal("pt-BR not supported")
	}
	p := b.Printer("pt")
	for _, c := range []struct{ got, want string }{
		{p.Lang(), "pt-BR"},
		{p.Name(), "pt-BR"},
		{p.Dir(), "ltr"},
		{p.T("a.b", nil), "Olá"},
		{p.FormatInt(1234), "1,234"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestWalkFields(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"{{.Kind}} not found", []string{"Kind"}},
		{"{{if .Limit}}max {{.Limit}}{{else}}{{.Other}}{{end}}", []string{"Limit", "Other"}},
		{"{{range .Items}}{{.}}{{end}}", []string{"Items"}},
		{"{{with .User}}{{.Name}}{{end}} {{$.Count}}", []string{"Count", "Name", "User"}},
		{"{{printf \"%d\" .Count | print}} {{.A.B}}", []string{"A", "Count"}},
		{"{{(.X).Y}}", []string{"X"}},
	}
	for _, tt := range tests {
		m, err := parseMessage("t", tt.text)
		if err != nil {
			t.Fatalf("parseMessage(%q): %v", tt.text, err)
		}
		if !slices.Equal(m.names, tt.want) {
			t.Errorf("names of %q = %v, want %v", tt.text, m.names, tt.want)
		}
	}
}
