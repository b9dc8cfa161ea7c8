package locale

import (
	"fmt"
	"slices"
	"strings"
)

// Problem is a flaw in a translation that loading tolerates (the text falls
// back to English) but a release should not ship with.
type Problem struct {
	Lang string // the catalog at fault, such as "ar"
	Key  string
	Text string
}

func (p Problem) String() string { return p.Lang + ".json: " + p.Key + ": " + p.Text }

// Check compares every catalog with English: each must have exactly the
// keys English has, a plural value where English has one, with the forms
// its language's plural rule needs and no form the rule never picks, and
// no argument English does not provide. English itself is checked for its
// plural forms. Problems come by language, in English's key order.
func (b *Bundle) Check() []Problem {
	src := b.catalogs[Source]
	var out []Problem
	for _, lang := range b.langs {
		c := b.catalogs[lang]
		rule := b.printers[lang].rule
		add := func(key, format string, args ...any) {
			out = append(out, Problem{Lang: lang, Key: key, Text: fmt.Sprintf(format, args...)})
		}
		for _, key := range src.order {
			want := src.entries[key]
			got := c.entries[key]
			if got == nil {
				add(key, "missing")
				continue
			}
			switch {
			case want.plural && !got.plural:
				add(key, "English has plural forms; give them as an object like {\"one\": …, \"other\": …}")
			case !want.plural && got.plural:
				add(key, "English has a single text; give one text, not plural forms")
			case got.plural:
				for cat := range numCategories {
					switch {
					case got.forms[cat] == nil && rule.required.has(cat):
						add(key, "missing the plural form %q", cat)
					case got.forms[cat] != nil && !rule.used.has(cat):
						add(key, "the plural form %q is never used in this language", cat)
					}
				}
			}
			if extra := without(got.names(), want.names()); len(extra) > 0 {
				add(key, "uses %s, which English does not provide", strings.Join(extra, ", "))
			}
		}
		for _, key := range c.order {
			if src.entries[key] == nil {
				add(key, "not in %s.json; add it there first, or remove it", Source)
			}
		}
	}
	return out
}

// without returns the elements of a not in b; both sorted.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, "{{."+s+"}}")
		}
	}
	return out
}
