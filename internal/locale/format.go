package locale

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The separators and layouts come from the catalog's meta.* keys:
//
//	it, es  1.234,5   02/01/2006
//	en      1,234.5   2 Jan 2006
//	fr      1 234,5   02/01/2006 (U+202F narrow no-break space)
//	ar      1,234.5   02/01/2006
//
// Arabic uses Western digits with CLDR's separators for them (not ٠١٢):
// they are the digits of the Maghreb, of the Italian documents citizens
// hold, and of the phone numbers and dates operators type. Its minus sign
// carries a left-to-right mark so "-5" stays "-5" in right-to-left text.
// Spanish groups four-digit numbers too (CLDR would write 1234), so
// columns of figures line up.

// FormatInt formats n with the language's digit grouping.
func (p *Printer) FormatInt(n int64) string {
	digits := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		digits = digits[1:]
	}
	return p.sign(neg, p.groupDigits(digits))
}

// FormatFloat formats f with prec decimals (-1 for as many as needed)
// and the language's separators.
func (p *Printer) FormatFloat(f float64, prec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', prec, 64)
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', prec, 64)
	whole, frac, hasFrac := strings.Cut(s, ".")
	out := p.groupDigits(whole)
	if hasFrac {
		out += p.decimal + frac
	}
	// -0.001 rounded to "0.00" has no sign.
	neg := f < 0 && strings.Trim(s, "0.") != ""
	return p.sign(neg, out)
}

func (p *Printer) sign(neg bool, s string) string {
	if neg {
		return p.minus + s
	}
	return s
}

// groupDigits inserts the group separator every three digits from the right.
func (p *Printer) groupDigits(digits string) string {
	if len(digits) <= 3 || p.group == "" {
		return digits
	}
	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3*len(p.group))
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteString(p.group)
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// FormatDate formats t's calendar date in t's own location.
func (p *Printer) FormatDate(t time.Time) string { return t.Format(p.date) }

// FormatDateTime formats t's date and time of day as seen in loc (the
// organisation's time zone); a nil loc keeps t's own location.
func (p *Printer) FormatDateTime(t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	return t.Format(p.dateTime)
}
