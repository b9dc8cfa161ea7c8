package locale

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// Header values past these limits are ignored: a browser sends a handful
// of languages, anything more is noise or an attack.
const (
	maxAcceptLength  = 1024
	maxAcceptEntries = 16
)

// Negotiate picks the language to answer in from supported: the explicit
// choice (?lang=) first, then the one remembered in the cookie, then the
// browser's Accept-Language by quality, then fallback. A value names a
// supported language when it is one or is a regional variant of one
// ("ar-EG" for "ar", "fr-CA" for "fr"). Unknown or malformed values are
// skipped, never an error. The result is an element of supported, or
// fallback.
func Negotiate(explicit, cookie, acceptLanguage string, supported []string, fallback string) string {
	for _, s := range []string{explicit, cookie} {
		if tag, ok := parseTag(s); ok {
			if i := match(tag, supported); i >= 0 {
				return supported[i]
			}
		}
	}
	for _, want := range parseAccept(acceptLanguage) {
		if want == "*" {
			// Any language will do, and the rest rank lower.
			return fallback
		}
		if tag, ok := parseTag(want); ok {
			if i := match(tag, supported); i >= 0 {
				return supported[i]
			}
		}
	}
	return fallback
}

// parseAccept returns the language ranges of an Accept-Language header,
// best first, in header order among equals, dropping q=0 ("not this one")
// and entries that do not parse. Unlike language.ParseAcceptLanguage, one
// bad entry does not discard the whole header.
func parseAccept(header string) []string {
	if len(header) > maxAcceptLength {
		return nil
	}
	type ranged struct {
		lang string
		q    float64
	}
	var out []ranged
	for entry := range strings.SplitSeq(header, ",") {
		if len(out) == maxAcceptEntries {
			break
		}
		lang, params, _ := strings.Cut(entry, ";")
		lang = strings.TrimSpace(lang)
		if lang == "" {
			continue
		}
		q, ok := quality(params)
		if !ok || q == 0 {
			continue
		}
		out = append(out, ranged{lang, q})
	}
	slices.SortStableFunc(out, func(a, b ranged) int { return cmp.Compare(b.q, a.q) })
	langs := make([]string, len(out))
	for i, r := range out {
		langs[i] = r.lang
	}
	return langs
}

// quality reads the q parameter from ";q=0.8;other=x", 1 when absent.
func quality(params string) (float64, bool) {
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 || v > 1 {
			return 0, false
		}
		q = v
	}
	return q, true
}

// parseTag parses a BCP 47 tag leniently ("ar_EG", "FR-ca"); it refuses
// empty, malformed and undetermined ones.
func parseTag(s string) (language.Tag, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return language.Und, false
	}
	tag, err := language.Parse(s)
	if err != nil {
		return language.Und, false
	}
	if _, conf := tag.Base(); conf != language.Exact { // und, x-private
		return language.Und, false
	}
	return tag, true
}

// match returns the index in supported of the best language for want, or
// -1: the same language, script and region; else the same language and
// script with no region (fr-CA reads fr); else any region of it (pt-PT
// reads pt-BR). Scripts are compared after filling in the likely one, so
// zh-TW (Traditional) never reads zh (Simplified), nor sr-Latn sr.
func match(want language.Tag, supported []string) int {
	wb, _ := want.Base()
	ws, _ := want.Script()
	wr, wrConf := want.Region()
	best, bestRank := -1, 0
	for i, s := range supported {
		have, ok := parseTag(s)
		if !ok {
			continue
		}
		hb, _ := have.Base()
		hs, _ := have.Script()
		if hb != wb || hs != ws {
			continue
		}
		hr, hrConf := have.Region()
		rank := 1 // another region
		switch {
		case hrConf == language.Exact && wrConf == language.Exact && hr == wr,
			hrConf != language.Exact && wrConf != language.Exact:
			return i
		case hrConf != language.Exact:
			rank = 2 // the language without a region
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	return best
}
