// Package locale translates the desk's text into the language of the person
// reading it, and formats numbers and dates their way.
//
// Catalogs are flat JSON files embedded from catalogs/, one per language
// and named by its BCP 47 tag (it.json, ar.json, pt-BR.json). Keys are
// "area.thing"; a value is a text/template string reading named arguments
// ({{.Kind}}), or an object of CLDR plural categories selected by the
// Count argument:
//
//	"login.title": "Accedi",
//	"count.conversations": {"one": "{{.Count}} conversazione", "other": "{{.Count}} conversazioni"}
//
// English (en.json) is the source of truth: a key missing in a language
// falls back to English, then to the key itself. The meta.* keys describe
// the language (native name, text direction, number separators, date
// layouts), so adding a language is adding a file. Messages are plain text;
// escaping them is the job of the caller's html/template.
package locale

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Source is the language every other catalog is translated from.
const Source = "en"

//go:embed catalogs/*.json
var embedded embed.FS

// Bundle holds every catalog, parsed once. It is immutable and safe for
// concurrent use.
type Bundle struct {
	langs    []string // sorted
	printers map[string]*Printer
	catalogs map[string]*catalog
}

// Load parses the catalogs built into the binary.
func Load() (*Bundle, error) {
	sub, err := fs.Sub(embedded, "catalogs")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS parses every *.json file at the root of fsys, which must include
// en.json. Malformed JSON, templates that do not parse and plural values
// without "other" are errors; missing translations are not (they fall back
// to English, and Check reports them).
func LoadFS(fsys fs.FS) (*Bundle, error) {
	files, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("locale: %w", err)
	}
	b := &Bundle{printers: make(map[string]*Printer), catalogs: make(map[string]*catalog)}
	for _, f := range files {
		name := f.Name()
		if f.IsDir() || path.Ext(name) != ".json" {
			continue
		}
		lang := strings.TrimSuffix(name, ".json")
		tag, err := language.Parse(lang)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: the file name is not a language tag", name)
		}
		if tag.String() != lang {
			return nil, fmt.Errorf("locale: %s: name the file %s.json", name, tag)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locale: %w", err)
		}
		c, err := parseCatalog(lang, data)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		b.catalogs[lang] = c
		b.langs = append(b.langs, lang)
	}
	if b.catalogs[Source] == nil {
		return nil, fmt.Errorf("locale: %s.json is missing", Source)
	}
	slices.Sort(b.langs)

	src := newPrinter(b.catalogs[Source], nil)
	b.printers[Source] = src
	for lang, c := range b.catalogs {
		if lang != Source {
			b.printers[lang] = newPrinter(c, src)
		}
	}
	return b, nil
}

// Languages returns the tags of the loaded catalogs, sorted.
func (b *Bundle) Languages() []string { return slices.Clone(b.langs) }

// Supported reports whether lang has a catalog of its own.
func (b *Bundle) Supported(lang string) bool {
	_, ok := b.printers[lang]
	return ok
}

// Printer returns the printer for lang. A tag with a region or script the
// bundle lacks gets its language ("ar-EG" gets "ar"); anything else gets
// English. Pick lang with Negotiate first.
func (b *Bundle) Printer(lang string) *Printer {
	if p, ok := b.printers[lang]; ok {
		return p
	}
	if tag, ok := parseTag(lang); ok {
		if i := match(tag, b.langs); i >= 0 {
			return b.printers[b.langs[i]]
		}
	}
	return b.printers[Source]
}
