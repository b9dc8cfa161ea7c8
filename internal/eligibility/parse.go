package eligibility

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ParseNumber reads a number as a person types it in lang: "8.000" and
// "8000,50" in Italian, "8,000.50" in English, "8 000" in French, with
// Arabic-Indic digits, a euro sign or a word around it. A lone separator
// that is the language's grouping one is read as grouping only when three
// digits follow it: "8.000" is eight thousand in Italian, "8.5" eight and
// a half.
func ParseNumber(s, lang string) (float64, bool) {
	nf := formatFor(lang)
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9', r == '.', r == ',', r == '-', r == '+':
			b.WriteRune(r)
		case r >= '\u0660' && r <= '\u0669': // Arabic-Indic digits
			b.WriteRune('0' + r - '\u0660')
		case r >= '\u06f0' && r <= '\u06f9': // Extended (Persian, Urdu)
			b.WriteRune('0' + r - '\u06f0')
		case r == '\u066b': // Arabic decimal separator
			b.WriteByte('.')
		case r == '\u066c', r == '\'', r == '’', unicode.IsSpace(r): // grouping
		case r == '\u200e', r == '\u200f', r == '\u061c': // direction marks
		case r == '€', unicode.IsLetter(r):
			// "€", "euro", "EUR", "anni": words around the number
		default:
			return 0, false
		}
	}
	t := b.String()
	sign := 1.0
	if strings.HasPrefix(t, "-") {
		sign, t = -1, t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	if t == "" || strings.ContainsAny(t, "+-") {
		return 0, false
	}
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	decimal := byte(0)
	switch {
	case dots > 0 && commas > 0:
		decimal = t[max(strings.LastIndex(t, "."), strings.LastIndex(t, ","))]
	case dots+commas == 1:
		sep := byte('.')
		if commas == 1 {
			sep = ','
		}
		after := len(t) - strings.IndexByte(t, sep) - 1
		if string(sep) == nf.decimal || after != 3 {
			decimal = sep
		}
	}
	var out strings.Builder
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == decimal:
			out.WriteByte('.')
		case c == '.' || c == ',':
			// grouping
		default:
			out.WriteByte(c)
		}
	}
	f, err := strconv.ParseFloat(out.String(), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return sign * f, true
}

// ParseDate reads a date as people write it, day first: "14/03/2025",
// "14-3-2025", "14.03.2025", or "2025-03-14", with Latin or Arabic-Indic
// digits. It returns "YYYY-MM-DD".
func ParseDate(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '\u0660' && r <= '\u0669':
			r = '0' + r - '\u0660'
		case r >= '\u06f0' && r <= '\u06f9':
			r = '0' + r - '\u06f0'
		case r == '.' || r == '/' || r == ' ':
			r = '-'
		}
		b.WriteRune(r)
	}
	parts := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '-' })
	if len(parts) != 3 {
		return "", false
	}
	if len(parts[0]) == 4 {
		parts[0], parts[2] = parts[2], parts[0]
	}
	d, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	y, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(parts[2]) != 4 {
		return "", false
	}
	return DateOf(y, m, d)
}

// DateOf checks a day, month and year and writes them "YYYY-MM-DD".
func DateOf(y, m, d int) (string, bool) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false // 31 April
	}
	return t.Format(time.DateOnly), true
}
