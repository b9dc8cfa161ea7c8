package hours_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

var rome = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at reads "2006-01-02 15:04" (seconds optional) as a wall time in Rome.
// Wall times that a clock change skips or repeats are ambiguous there: use
// utc for those.
func at(s string) time.Time {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, s, rome)
	if err != nil {
		panic(err)
	}
	return t
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func shifts(pairs ...string) []hours.Shift {
	var out []hours.Shift
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, hours.Shift{Start: pairs[i], End: pairs[i+1]})
	}
	return out
}

// deskCalendar is a typical sportello: weekdays with a lunch break, Milan's
// patron saint, a summer closure, a Sunday extra opening and an extra
// morning on Festa della Repubblica.
func deskCalendar() hours.Calendar {
	day := shifts("09:30", "13:00", "14:00", "18:00")
	return hours.Calendar{
		TimeZone: "Europe/Rome",
		Weekly:   hours.Weekly{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day},
		LocalHolidays: []hours.LocalHoliday{
			{Month: 12, Day: 7, Name: "Sant'Ambrogio"},
		},
		Closures: []hours.Closure{
			{From: "2026-08-10", To: "2026-08-14", Name: "Chiusura estiva"},
			{From: "2026-11-02", Name: "Ponte"},
		},
		ExtraOpenings: []hours.ExtraOpening{
			{Date: "2026-12-20", Shifts: shifts("10:00", "12:00"), Name: "Apertura straordinaria"},
			{Date: "2026-06-02", Shifts: shifts("09:00", "12:00")},
			{Date: "2026-08-12", Shifts: shifts("09:00", "11:00")},
		},
	}
}

// alwaysCalendar is open round the clock, holidays included: every local
// day counts in full, 23 or 25 hours on clock-change days.
func alwaysCalendar() hours.Calendar {
	day := shifts("00:00", "24:00")
	return hours.Calendar{
		Weekly:           hours.Weekly{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day, Sat: day, Sun: day},
		NationalHolidays: new(false),
	}
}

// edgeCalendar puts shifts where clock changes and midnights cut them.
func edgeCalendar() hours.Calendar {
	return hours.Calendar{
		Weekly: hours.Weekly{
			Sat: shifts("20:00", "24:00"),
			Sun: shifts("00:00", "01:00", "02:00", "02:30", "02:45", "03:15", "23:00", "24:00"),
			Mon: shifts("00:00", "08:00"),
			Wed: shifts("01:30", "03:30"),
		},
		NationalHolidays: new(false),
	}
}

func compile(t testing.TB, c hours.Calendar) *hours.Schedule {
	t.Helper()
	s, err := hours.Compile(c)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}
