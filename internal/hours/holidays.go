package hours

import "time"

// Easter returns Easter Sunday of the given year in the Gregorian calendar,
// by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). It is pure
// arithmetic, so holidays need no table that would run out one day.
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return Date{Year: year, Month: time.Month(n / 31), Day: n%31 + 1}
}

// NationalHoliday reports whether d is an Italian national holiday, with its
// official Italian name. Names are proper nouns shown as they are, like the
// names administrators give to local holidays.
func NationalHoliday(d Date) (string, bool) {
	switch d.Month {
	case time.January:
		switch d.Day {
		case 1:
			return "Capodanno", true
		case 6:
			return "Epifania", true
		}
	case time.March, time.April:
		// Easter falls between 22 March and 25 April, so only these
		// months pay for the computation.
		switch e := Easter(d.Year); d.days() - e.days() {
		case 0:
			return "Pasqua", true
		case 1:
			return "Lunedì dell'Angelo", true
		}
		if d.Month == time.April && d.Day == 25 {
			return "Festa della Liberazione", true
		}
	case time.May:
		if d.Day == 1 {
			return "Festa del Lavoro", true
		}
	case time.June:
		if d.Day == 2 {
			return "Festa della Repubblica", true
		}
	case time.August:
		if d.Day == 15 {
			return "Ferragosto", true
		}
	case time.October:
		// A 2025 law made the feast of Italy's patron saint a national
		// holiday again from 2026 on; earlier years must stay working days
		// so that past business time does not change.
		if d.Day == 4 && d.Year >= 2026 {
			return "San Francesco d'Assisi", true
		}
	case time.November:
		if d.Day == 1 {
			return "Ognissanti", true
		}
	case time.December:
		switch d.Day {
		case 8:
			return "Immacolata Concezione", true
		case 25:
			return "Natale", true
		case 26:
			return "Santo Stefano", true
		}
	}
	return "", false
}
