package eligibility

import (
	"math"
	"strconv"
	"strings"
)

// Text is a sentence in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang ("fr", or "fr-CA" falling back to "fr"),
// else in Italian, else in English, else "".
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if s := t[base]; s != "" {
			return s
		}
	}
	if s := t["it"]; s != "" {
		return s
	}
	return t["en"]
}

func (t Text) empty() bool { return t["it"] == "" && t["en"] == "" }

// fill replaces {name} with vars[name]; unknown names stay as written.
func fill(s string, vars map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		name := s[i+1 : i+j]
		v, ok := vars[name]
		if !ok {
			b.WriteString(s[:i+j+1])
		} else {
			b.WriteString(s[:i])
			b.WriteString(v)
		}
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// placeholders lists the {names} in s.
func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, s[i+1:i+j])
		s = s[i+j+1:]
	}
}

// numberFormat holds a language's separators, the same as the locale
// package's catalogs (this package may not import it).
type numberFormat struct {
	group, decimal string
	euroFirst      bool // "€10" rather than "10 €"
	date           string
}

func formatFor(lang string) numberFormat {
	base, _, _ := strings.Cut(lang, "-")
	switch base {
	case "en":
		return numberFormat{group: ",", decimal: ".", euroFirst: true, date: "2 Jan 2006"}
	case "fr":
		return numberFormat{group: "\u202f", decimal: ",", date: "02/01/2006"}
	case "ar":
		return numberFormat{group: ",", decimal: ".", date: "02/01/2006"}
	default: // it, es and the fallback
		return numberFormat{group: ".", decimal: ",", date: "02/01/2006"}
	}
}

// number formats f with up to two decimals, dropping ",00".
func (nf numberFormat) number(f float64) string {
	cents := int64(math.Round(math.Abs(f) * 100))
	whole, frac := cents/100, cents%100
	digits := strconv.FormatInt(whole, 10)
	var b strings.Builder
	if f < 0 && cents != 0 {
		b.WriteByte('-')
	}
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteString(nf.group)
		b.WriteString(digits[i : i+3])
	}
	if frac != 0 {
		b.WriteString(nf.decimal)
		if frac < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.FormatInt(frac, 10))
	}
	return b.String()
}

// euro formats an amount with two decimals when it has cents.
func (nf numberFormat) euro(f float64) string {
	if nf.euroFirst {
		return "€" + nf.number(f)
	}
	return nf.number(f) + "\u00a0€"
}
