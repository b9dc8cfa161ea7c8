package assets

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"

	"github.com/sportello/sportello/internal/locale"
)

// Pages holds a surface's page templates: per language, each page parsed
// with the layout and with its functions bound to that language's printer.
// It is read-only once built.
type Pages map[string]map[string]*template.Template // language → page → template

// ParsePages parses each of names (name.html next to layout in fsys)
// together with layout, then clones the set for every language of b with
// the functions funcs gives for that language. Parsing happens once; a
// clone only rebinds the functions.
func ParsePages(fsys fs.FS, layout string, names []string, b *locale.Bundle, funcs func(*locale.Printer) template.FuncMap) (Pages, error) {
	dir := path.Dir(layout)
	base := map[string]*template.Template{}
	for _, name := range names {
		t, err := template.New(name).Funcs(funcs(b.Printer(locale.Source))).
			ParseFS(fsys, layout, path.Join(dir, name+".html"))
		if err != nil {
			return nil, err
		}
		base[name] = t
	}
	out := Pages{}
	for _, lang := range b.Languages() {
		p := b.Printer(lang)
		set := map[string]*template.Template{}
		for name, t := range base {
			clone, err := t.Clone()
			if err != nil {
				return nil, err
			}
			set[name] = clone.Funcs(funcs(p))
		}
		out[p.Lang()] = set
	}
	return out, nil
}

// Execute runs template tmpl of page set in lang (English when the
// language has none) into a buffer, so that a failure never sends half a
// page.
func (ps Pages) Execute(lang, set, tmpl string, data any) ([]byte, error) {
	t := ps[lang][set]
	if t == nil {
		t = ps[locale.Source][set]
	}
	if t == nil {
		return nil, fmt.Errorf("no page %q", set)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Args turns a template's "Name", value, "Other", value… into the
// arguments of a translated message.
func Args(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}
