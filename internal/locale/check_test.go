package locale

import (
	"slices"
	"testing"
)

// The checker behind TestCatalogsComplete, on catalogs broken on purpose:
// it must name every missing key, extra key and wrong plural.
func TestCheckFindsProblems(t *testing.T) {
	b := loadMap(t, map[string]string{
		"en.json": `{
			"meta.name": "English",
			"a.title": "Title",
			"a.count": {"one": "{{.Count}} item", "other": "{{.Count}} items"},
			"a.kind": "{{.Kind}} not found"
		}`,
		"it.json": `{
			"meta.name": "Italiano",
			"a.count": {"one": "{{.Count}} elemento", "other": "{{.Count}} elementi"},
			"a.kind": "{{.Tipo}} non trovato",
			"a.extra": "In più"
		}`,
		"ar.json": `{
			"meta.name": "العربية",
			"a.title": "عنوان",
			"a.count": {"one": "عنصر واحد", "two": "عنصران", "other": "{{.Count}} عنصر"},
			"a.kind": {"other": "{{.Kind}}"}
		}`,
		"fr.json": `{
			"meta.name": "Français",
			"a.title": "Titre",
			"a.count": "{{.Count}} éléments",
			"a.kind": "{{.Kind}} introuvable"
		}`,
		"es.json": `{
			"meta.name": "Español",
			"a.title": "Título",
			"a.count": {"one": "{{.Count}} elemento", "two": "{{.Count}} elementos", "many": "{{.Count}} de elementos", "other": "{{.Count}} elementos"},
			"a.kind": "{{.Kind}} no encontrado"
		}`,
		"de.json": `{
			"meta.name": "Deutsch",
			"a.title": "Titel",
			"a.count": {"other": "{{.Count}} Elemente"},
			"a.kind": "{{.Kind}} nicht gefunden"
		}`,
	})
	var got []string
	for _, p := range b.Check() {
		got = append(got, p.String())
	}
	want := []string{
		`ar.json: a.count: missing the plural form "zero"`,
		`ar.json: a.count: missing the plural form "few"`,
		`ar.json: a.count: missing the plural form "many"`,
		`ar.json: a.kind: English has a single text; give one text, not plural forms`,
		`de.json: a.count: missing the plural form "one"`,
		`es.json: a.count: the plural form "two" is never used in this language`,
		`fr.json: a.count: English has plural forms; give them as an object like {"one": …, "other": …}`,
		`it.json: a.title: missing`,
		`it.json: a.kind: uses {{.Tipo}}, which English does not provide`,
		`it.json: a.extra: not in en.json; add it there first, or remove it`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Check() =\n%s\nwant\n%s", lines(got), lines(want))
	}
}

func TestCheckSourcePlurals(t *testing.T) {
	b := loadMap(t, map[string]string{
		"en.json": `{"a.count": {"other": "{{.Count}} items"}, "a.zero": {"zero": "none", "one": "one", "other": "many"}}`,
	})
	var got []string
	for _, p := range b.Check() {
		got = append(got, p.String())
	}
	want := []string{
		`en.json: a.count: missing the plural form "one"`,
		`en.json: a.zero: the plural form "zero" is never used in this language`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Check() =\n%s\nwant\n%s", lines(got), lines(want))
	}
}

func lines(ss []string) string {
	var out string
	for _, s := range ss {
		out += "\t" + s + "\n"
	}
	return out
}
