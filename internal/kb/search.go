package kb

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and takes the accents off (é → e, and the Arabic
// short vowels), so that "citta" finds "città". Both engines index and
// query folded text, so neither needs an accent extension.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// MaxTerms bounds the words of a query that count; a pasted paragraph is
// cut, not an error.
const MaxTerms = 8

// Term is a word of a query: as typed (folded), and cut to a stem shared
// by its singular and plural ("documenti" and "documento" both give
// "document"), for engines without a stemmer of their own to match as a
// prefix.
type Term struct{ Word, Stem string }

// Terms splits a query into the folded words that search uses: letters
// and digits only (so nothing of the query reaches an engine's syntax),
// without the language's most common words.
func Terms(query, lang string) []Term {
	words := strings.FieldsFunc(Fold(query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	stop := stopwords[lang]
	var out []Term
	seen := map[string]bool{}
	for _, w := range words {
		if stop[w] && len(words) > 1 {
			continue
		}
		st := stem(w, lang)
		if seen[st] {
			continue
		}
		seen[st] = true
		out = append(out, Term{Word: w, Stem: st})
		if len(out) == MaxTerms {
			break
		}
	}
	return out
}

// IndexText is text as the SQLite index keeps it: folded, each word cut
// to the stem Terms gives it, so that singular and plural meet without
// the cost of prefix queries.
func IndexText(text, lang string) string {
	words := strings.FieldsFunc(Fold(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = stem(w, lang)
	}
	return strings.Join(words, " ")
}

// stem takes a plural or gender ending off a word of a Latin-script
// language, leaving at least four letters: enough for prefix matching,
// not a real stemmer.
func stem(w, lang string) string {
	if len([]rune(w)) <= 4 {
		return w
	}
	var endings []string
	switch lang {
	case "it":
		endings = []string{"i", "e", "a", "o"}
	case "es":
		endings = []string{"es", "s", "a", "o"}
	case "fr":
		endings = []string{"es", "s", "x", "e"}
	case "en":
		endings = []string{"ies", "es", "s"}
	default:
		return w
	}
	for _, e := range endings {
		if strings.HasSuffix(w, e) && len([]rune(w))-len([]rune(e)) >= 4 {
			return strings.TrimSuffix(w, e)
		}
	}
	return w
}

// stopwords are the common words each language's search ignores.
var stopwords = map[string]map[string]bool{
	"it": set("a ad al alla alle allo ai agli che chi ci come con cosa da dal dalla dei del della delle dello di dove e ed gli i il in la le lo ma mi ne nei nel nella non o per perche piu qual quale quando se si sono su sul sulla ti tra un una uno vi"),
	"en": set("a an and are as at be by can do does for from how i in is it my of on or the to what when where which who why with you your"),
	"fr": set("a au aux avec ce comment de des du elle en est et il je la le les leur ma mon ne ou par pas pour qu que qui quoi sa se son sur un une vous"),
	"es": set("a al como con cual cuando de del donde el en es la las lo los mi no o para por que quien se su un una y"),
	"ar": set("في من على الى إلى عن ما كيف هل و او أو ان أن"),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[Fold(w)] = true
	}
	return m
}
