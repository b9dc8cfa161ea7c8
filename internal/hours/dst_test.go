package hours_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

// In 2026 Italy moves clocks forward on 29 March (02:00 CET becomes 03:00
// CEST, at 01:00 UTC) and back on 25 October (03:00 CEST becomes 02:00 CET,
// also at 01:00 UTC).

func TestDSTDeskWeeks(t *testing.T) {
	desk := compile(t, deskCalendar())
	workWeek := 5 * (7*time.Hour + 30*time.Minute)
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"March weekend", at("2026-03-27 17:00"), at("2026-03-30 10:00"), time.Hour + 30*time.Minute},
		{"March weekend, closed hours only", at("2026-03-27 18:00"), at("2026-03-30 09:30"), 0},
		{"week before the March change", at("2026-03-23 00:00"), at("2026-03-30 00:00"), workWeek},
		{"week across the March change", at("2026-03-25 12:00"), at("2026-04-01 12:00"), workWeek},
		{"October weekend", at("2026-10-23 17:00"), at("2026-10-26 10:00"), time.Hour + 30*time.Minute},
		{"week before the October change", at("2026-10-19 00:00"), at("2026-10-26 00:00"), workWeek},
		{"week across the October change", at("2026-10-21 12:00"), at("2026-10-28 12:00"), workWeek},
	}
	for _, tt := range tests {
		if got := desk.BusinessTime(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: BusinessTime = %v, want %v", tt.name, got, tt.want)
		}
	}

	if got, ok := desk.NextOpen(at("2026-03-27 18:05")); !ok || !got.Equal(utc("2026-03-30 07:30")) {
		t.Errorf("NextOpen(Friday 27 March 18:05) = %v, %v, want Monday 09:30 CEST", got, ok)
	}
	if got, ok := desk.NextOpen(at("2026-10-23 18:05")); !ok || !got.Equal(utc("2026-10-26 08:30")) {
		t.Errorf("NextOpen(Friday 23 October 18:05) = %v, %v, want Monday 09:30 CET", got, ok)
	}
	if got, ok := desk.AddBusinessTime(at("2026-03-27 17:00"), 2*time.Hour); !ok || !got.Equal(utc("2026-03-30 08:30")) {
		t.Errorf("AddBusinessTime(Friday 17:00, 2h) = %v, %v, want Monday 10:30 CEST", got, ok)
	}
	p := desk.PeriodAt(at("2026-03-29 12:00"))
	if !p.Start.Equal(utc("2026-03-27 17:00")) || !p.End.Equal(utc("2026-03-30 07:30")) {
		t.Errorf("PeriodAt(Sunday 29 March) = %+v, want 27 March 18:00 CET to 30 March 09:30 CEST", p)
	}
}

func TestDSTDayLengths(t *testing.T) {
	always := compile(t, alwaysCalendar())
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"Sunday 29 March", at("2026-03-29 00:00"), at("2026-03-30 00:00"), 23 * time.Hour},
		{"weekend of 29 March", at("2026-03-28 00:00"), at("2026-03-30 00:00"), 47 * time.Hour},
		{"week of 29 March", at("2026-03-23 00:00"), at("2026-03-30 00:00"), 167 * time.Hour},
		{"Sunday 25 October", at("2026-10-25 00:00"), at("2026-10-26 00:00"), 25 * time.Hour},
		{"weekend of 25 October", at("2026-10-24 00:00"), at("2026-10-26 00:00"), 49 * time.Hour},
		{"week of 25 October", at("2026-10-19 00:00"), at("2026-10-26 00:00"), 169 * time.Hour},
	}
	for _, tt := range tests {
		if got := always.BusinessTime(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: BusinessTime = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Round the clock across both changes is one period with no close.
	if got, ok := always.NextClose(at("2026-03-28 12:00")); ok {
		t.Errorf("NextClose = %v, want none", got)
	}
	if got, ok := always.AddBusinessTime(at("2026-10-25 00:00"), 25*time.Hour); !ok || !got.Equal(at("2026-10-26 00:00")) {
		t.Errorf("AddBusinessTime(25 October, 25h) = %v, %v, want 26 October 00:00", got, ok)
	}
}

// TestDSTShiftsInTheChangingHour pins down the documented choice: the wall
// clock decides, so skipped wall times are never open and repeated ones
// are open twice.
func TestDSTShiftsInTheChangingHour(t *testing.T) {
	sunday := func(pairs ...string) *hours.Schedule {
		return compile(t, hours.Calendar{
			Weekly:           hours.Weekly{Sun: shifts(pairs...)},
			NationalHolidays: new(false),
		})
	}
	twoToThree := sunday("02:00", "03:00")
	oneToFour := sunday("01:00", "04:00")
	halfPastTwoToFour := sunday("02:30", "04:00")

	days := []struct {
		name string
		s    *hours.Schedule
		day  string
		want time.Duration
	}{
		{"02:00-03:00 does not happen in March", twoToThree, "2026-03-29", 0},
		{"01:00-04:00 lasts 2h in March", oneToFour, "2026-03-29", 2 * time.Hour},
		{"02:30-04:00 lasts 1h in March", halfPastTwoToFour, "2026-03-29", time.Hour},
		{"02:00-03:00 happens twice in October", twoToThree, "2026-10-25", 2 * time.Hour},
		{"01:00-04:00 lasts 4h in October", oneToFour, "2026-10-25", 4 * time.Hour},
		{"02:30-04:00 lasts 2h in October", halfPastTwoToFour, "2026-10-25", 2 * time.Hour},
		{"02:00-03:00 on an ordinary Sunday", twoToThree, "2026-10-18", time.Hour},
	}
	for _, tt := range days {
		from := at(tt.day + " 00:00")
		if got := tt.s.BusinessTime(from, from.AddDate(0, 0, 1)); got != tt.want {
			t.Errorf("%s: BusinessTime = %v, want %v", tt.name, got, tt.want)
		}
	}

	opens := []struct {
		name string
		s    *hours.Schedule
		t    time.Time
		want bool
	}{
		{"02:30 CEST, first time round", twoToThree, utc("2026-10-25 00:30"), true},
		{"02:30 CET, second time round", twoToThree, utc("2026-10-25 01:30"), true},
		{"03:00 CET", twoToThree, utc("2026-10-25 02:00"), false},
		{"02:15 CET, between two openings", halfPastTwoToFour, utc("2026-10-25 01:15"), false},
		{"01:59 CET in March", oneToFour, utc("2026-03-29 00:59"), true},
		{"03:00 CEST in March", oneToFour, utc("2026-03-29 01:00"), true},
	}
	for _, tt := range opens {
		if got := tt.s.Open(tt.t); got != tt.want {
			t.Errorf("%s: Open = %v, want %v", tt.name, got, tt.want)
		}
	}

	nexts := []struct {
		name string
		got  func() (time.Time, bool)
		want time.Time
	}{
		{"skipped shift: next Sunday", func() (time.Time, bool) { return twoToThree.NextOpen(at("2026-03-29 00:00")) }, at("2026-04-05 02:00")},
		{"half-skipped shift opens at 03:00 CEST", func() (time.Time, bool) { return halfPastTwoToFour.NextOpen(at("2026-03-29 00:00")) }, utc("2026-03-29 01:00")},
		{"repeated hour is one period", func() (time.Time, bool) { return twoToThree.NextClose(utc("2026-10-25 00:15")) }, utc("2026-10-25 02:00")},
		{"closes at the first 03:00", func() (time.Time, bool) { return halfPastTwoToFour.NextClose(utc("2026-10-25 00:45")) }, utc("2026-10-25 01:00")},
		{"reopens at the second 02:30", func() (time.Time, bool) { return halfPastTwoToFour.NextOpen(utc("2026-10-25 01:00")) }, utc("2026-10-25 01:30")},
		{"90 minutes of a doubled hour", func() (time.Time, bool) { return twoToThree.AddBusinessTime(utc("2026-10-25 00:00"), 90*time.Minute) }, utc("2026-10-25 01:30")},
		{"2h across the gap in March", func() (time.Time, bool) { return oneToFour.AddBusinessTime(at("2026-03-29 00:00"), 2*time.Hour) }, utc("2026-03-29 02:00")},
	}
	for _, tt := range nexts {
		got, ok := tt.got()
		if !ok || !got.Equal(tt.want) {
			t.Errorf("%s: got %v, %v, want %v", tt.name, got, ok, tt.want)
		}
	}

	p := twoToThree.PeriodAt(utc("2026-10-25 01:30"))
	if !p.Open || !p.Start.Equal(utc("2026-10-25 00:00")) || !p.End.Equal(utc("2026-10-25 02:00")) {
		t.Errorf("PeriodAt(02:30 CET) = %+v, want open from 02:00 CEST to 03:00 CET", p)
	}
}
