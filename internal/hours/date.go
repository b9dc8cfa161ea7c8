package hours

import (
	"errors"
	"fmt"
	"time"
)

// Date is a day of the civil calendar, with no time of day and no zone.
// Holidays and closures are dates because they follow the local day, not a
// span of 24 hours: Christmas lasts 23 or 25 hours only in zones that change
// clocks on it, and it is still Christmas.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's own location; convert t with
// [time.Time.In] first to ask about another zone.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses exactly "YYYY-MM-DD". It is stricter than
// time.Parse(time.DateOnly, s), which also takes a sign in the year.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, errors.New("want YYYY-MM-DD")
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, errors.New("want YYYY-MM-DD")
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return Date{}, fmt.Errorf("no such day: %s", s)
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// String formats d as "YYYY-MM-DD", the form ParseDate reads.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// digits parses a run of ASCII digits; strconv.Atoi would accept signs.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// The schedule walks days as integers counted from 1970-01-01, because a
// local day number falls straight out of "Unix seconds plus UTC offset" and
// stepping an integer is cheaper than time.Date. The conversions are Howard
// Hinnant's days_from_civil and civil_from_days, exact for the proleptic
// Gregorian calendar.

const secondsPerDay = 24 * 60 * 60

func (d Date) days() int64 {
	y, m := int64(d.Year), int64(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + int64(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func dateOfDays(z int64) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return Date{Year: int(y), Month: time.Month(m), Day: int(d)}
}

// weekdayOfDays relies on 1970-01-01 having been a Thursday.
func weekdayOfDays(z int64) time.Weekday {
	return time.Weekday(z - floorDiv(z+4, 7)*7 + 4)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
