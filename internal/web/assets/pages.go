package assets

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sync"

	"github.com/sportello/sportello/internal/locale"
)

// Pages holds a surface's page templates: each page parsed once with the
// layout, and per language a clone whose functions are bound to that
// language's printer. A language's clones are made at its first use: an
// idle server keeps one copy, not one per language. Safe for concurrent
// use.
type Pages struct {
	base  map[string]*template.Template // page → template parsed with the source language
	funcs func(*locale.Printer) template.FuncMap
	b     *locale.Bundle

	mu    sync.Mutex
	langs map[string]map[string]*template.Template // language → page → clone
}

// ParsePages parses each of names (name.html next to layout in fsys)
// together with layout. Parsing happens once; a language's clone only
// rebinds the functions funcs gives for it.
func ParsePages(fsys fs.FS, layout string, names []string, b *locale.Bundle, funcs func(*locale.Printer) template.FuncMap) (*Pages, error) {
	dir := path.Dir(layout)
	ps := &Pages{base: map[string]*template.Template{}, funcs: funcs, b: b, langs: map[string]map[string]*template.Template{}}
	for _, name := range names {
		t, err := template.New(name).Funcs(funcs(b.Printer(locale.Source))).
			ParseFS(fsys, layout, path.Join(dir, name+".html"))
		if err != nil {
			return nil, err
		}
		ps.base[name] = t
	}
	// Clone once now, so a broken template fails at start and not at the
	// first request in some language.
	if _, err := ps.set(locale.Source); err != nil {
		return nil, err
	}
	return ps, nil
}

// set returns the templates of lang, cloning them at first use.
func (ps *Pages) set(lang string) (map[string]*template.Template, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if set, ok := ps.langs[lang]; ok {
		return set, nil
	}
	p := ps.b.Printer(lang)
	if p.Lang() != lang {
		return nil, fmt.Errorf("no language %q", lang)
	}
	set := make(map[string]*template.Template, len(ps.base))
	for name, t := range ps.base {
		clone, err := t.Clone()
		if err != nil {
			return nil, err
		}
		set[name] = clone.Funcs(ps.funcs(p))
	}
	ps.langs[lang] = set
	return set, nil
}

// Execute runs template tmpl of page set in lang (English when the
// language has none) into a buffer, so that a failure never sends half a
// page.
func (ps *Pages) Execute(lang, set, tmpl string, data any) ([]byte, error) {
	pages, err := ps.set(lang)
	if err != nil {
		if pages, err = ps.set(locale.Source); err != nil {
			return nil, err
		}
	}
	t := pages[set]
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
