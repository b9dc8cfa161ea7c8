package hours_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

func TestOpen(t *testing.T) {
	desk := compile(t, deskCalendar())
	everyDay := compile(t, hours.Calendar{
		Weekly: hours.Weekly{
			Mon: shifts("00:00", "24:00"), Tue: shifts("00:00", "24:00"), Wed: shifts("00:00", "24:00"),
			Thu: shifts("00:00", "24:00"), Fri: shifts("00:00", "24:00"), Sat: shifts("00:00", "24:00"),
			Sun: shifts("00:00", "24:00"),
		},
	})
	tests := []struct {
		name string
		s    *hours.Schedule
		t    time.Time
		want bool
	}{
		{"before opening", desk, at("2026-01-14 09:29:59"), false},
		{"at opening", desk, at("2026-01-14 09:30"), true},
		{"morning", desk, at("2026-01-14 12:59:59"), true},
		{"lunch break starts", desk, at("2026-01-14 13:00"), false},
		{"lunch break", desk, at("2026-01-14 13:30"), false},
		{"afternoon", desk, at("2026-01-14 14:00"), true},
		{"closing", desk, at("2026-01-14 18:00"), false},
		{"Saturday", desk, at("2026-01-17 10:00"), false},
		{"in another zone", desk, at("2026-01-14 10:00").UTC(), true},
		{"Easter Monday", desk, at("2026-04-06 10:00"), false},
		{"patron saint", desk, at("2026-12-07 10:00"), false},
		{"summer closure", desk, at("2026-08-11 10:00"), false},
		{"extra opening inside the closure", desk, at("2026-08-12 10:00"), true},
		{"extra opening replaces the weekly shifts", desk, at("2026-08-12 15:00"), false},
		{"one-day closure", desk, at("2026-11-02 10:00"), false},
		{"extra opening beats Festa della Repubblica", desk, at("2026-06-02 11:00"), true},
		{"extra opening hours only", desk, at("2026-06-02 12:30"), false},
		{"extra opening on a Sunday", desk, at("2026-12-20 11:00"), true},
		{"4 October 2025 was a working day", everyDay, at("2025-10-04 10:00"), true},
		{"4 October 2026 is a holiday", everyDay, at("2026-10-04 10:00"), false},
	}
	for _, tt := range tests {
		if got := tt.s.Open(tt.t); got != tt.want {
			t.Errorf("%s: Open(%v) = %v, want %v", tt.name, tt.t, got, tt.want)
		}
	}
}

func TestNextOpen(t *testing.T) {
	desk := compile(t, deskCalendar())
	tests := []struct {
		name string
		t    time.Time
		want time.Time
	}{
		{"open now", at("2026-01-14 10:00:05.5"), at("2026-01-14 10:00:05.5")},
		{"Friday evening", at("2026-01-16 18:05"), at("2026-01-19 09:30")},
		{"Friday at closing", at("2026-01-16 18:00"), at("2026-01-19 09:30")},
		{"lunch break", at("2026-01-14 13:00"), at("2026-01-14 14:00")},
		{"early morning", at("2026-01-14 06:00"), at("2026-01-14 09:30")},
		{"Easter Monday", at("2026-04-06 08:00"), at("2026-04-07 09:30")},
		{"Easter weekend", at("2026-04-03 18:30"), at("2026-04-07 09:30")},
		{"Sant'Ambrogio then Immacolata", at("2026-12-04 18:30"), at("2026-12-09 09:30")},
		{"closure with an extra morning", at("2026-08-07 18:30"), at("2026-08-12 09:00")},
		{"after the extra morning", at("2026-08-12 11:00"), at("2026-08-17 09:30")},
		{"Sunday extra opening", at("2026-12-19 08:00"), at("2026-12-20 10:00")},
		{"Christmas", at("2026-12-24 18:00"), at("2026-12-28 09:30")},
	}
	for _, tt := range tests {
		got, ok := desk.NextOpen(tt.t)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("%s: NextOpen(%v) = %v, %v, want %v", tt.name, tt.t, got, ok, tt.want)
		}
		if ok && got.Location().String() != "Europe/Rome" {
			t.Errorf("%s: NextOpen(%v) in %v, want Europe/Rome", tt.name, tt.t, got.Location())
		}
	}
}

func TestNeverOpen(t *testing.T) {
	tests := []struct {
		name       string
		c          hours.Calendar
		wantPeriod hours.Period
	}{
		{"no shifts", hours.Calendar{}, hours.Period{}},
		{"closed for two years", hours.Calendar{
			Weekly:   hours.Weekly{Mon: shifts("09:00", "12:00")},
			Closures: []hours.Closure{{From: "2026-01-01", To: "2027-12-31", Name: "Lavori"}},
		}, hours.Period{Start: at("2025-12-29 12:00")}},
	}
	from := at("2026-01-14 10:00")
	for _, tt := range tests {
		s := compile(t, tt.c)
		if got, ok := s.NextOpen(from); ok {
			t.Errorf("%s: NextOpen = %v, want none", tt.name, got)
		}
		if got, ok := s.AddBusinessTime(from, time.Hour); ok {
			t.Errorf("%s: AddBusinessTime = %v, want none", tt.name, got)
		}
		if got, ok := s.NextClose(from); !ok || !got.Equal(from) {
			t.Errorf("%s: NextClose = %v, %v, want %v", tt.name, got, ok, from)
		}
		if got := s.BusinessTime(from, from.AddDate(1, 0, 0)); got != 0 {
			t.Errorf("%s: BusinessTime = %v, want 0", tt.name, got)
		}
		if got := s.PeriodAt(from); got.Open || !got.Start.Equal(tt.wantPeriod.Start) || !got.End.IsZero() {
			t.Errorf("%s: PeriodAt = %+v, want %+v", tt.name, got, tt.wantPeriod)
		}
	}
}

func TestOpensAfterLongClosure(t *testing.T) {
	s := compile(t, hours.Calendar{
		Weekly:   hours.Weekly{Mon: shifts("09:00", "12:00")},
		Closures: []hours.Closure{{From: "2026-01-01", To: "2026-12-31", Name: "Lavori"}},
	})
	from := at("2026-01-14 10:00")
	if got, ok := s.NextOpen(from); !ok || !got.Equal(at("2027-01-04 09:00")) {
		t.Errorf("NextOpen = %v, %v, want 2027-01-04 09:00", got, ok)
	}
	// Business time past the horizon is still found, as long as no whole
	// horizon is closed: 60 Mondays of three hours, from 4 January 2027,
	// skipping the Monday holidays 29 March, 4 October and 1 November 2027.
	if got, ok := s.AddBusinessTime(from, 60*3*time.Hour); !ok || !got.Equal(at("2028-03-13 12:00")) {
		t.Errorf("AddBusinessTime = %v, %v, want 2028-03-13 12:00", got, ok)
	}
}

func TestNextClose(t *testing.T) {
	desk := compile(t, deskCalendar())
	always := compile(t, alwaysCalendar())
	tests := []struct {
		name   string
		s      *hours.Schedule
		t      time.Time
		want   time.Time
		wantOK bool
	}{
		{"closed now", desk, at("2026-01-17 10:00"), at("2026-01-17 10:00"), true},
		{"morning", desk, at("2026-01-14 09:30"), at("2026-01-14 13:00"), true},
		{"afternoon", desk, at("2026-01-14 17:59:59.9"), at("2026-01-14 18:00"), true},
		{"extra opening", desk, at("2026-06-02 09:00"), at("2026-06-02 12:00"), true},
		{"never closes", always, at("2026-01-14 10:00"), time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := tt.s.NextClose(tt.t)
		if ok != tt.wantOK || !got.Equal(tt.want) {
			t.Errorf("%s: NextClose(%v) = %v, %v, want %v, %v", tt.name, tt.t, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestNextCloseJoinsMidnight(t *testing.T) {
	s := compile(t, hours.Calendar{Weekly: hours.Weekly{
		Fri: shifts("20:00", "24:00"),
		Sat: shifts("00:00", "02:00", "08:00", "10:00"),
	}})
	got, ok := s.NextClose(at("2026-01-16 21:00"))
	if want := at("2026-01-17 02:00"); !ok || !got.Equal(want) {
		t.Errorf("NextClose = %v, %v, want %v", got, ok, want)
	}
	p := s.PeriodAt(at("2026-01-17 01:00"))
	want := hours.Period{Open: true, Start: at("2026-01-16 20:00"), End: at("2026-01-17 02:00")}
	if !p.Start.Equal(want.Start) || !p.End.Equal(want.End) || p.Open != want.Open {
		t.Errorf("PeriodAt = %+v, want %+v", p, want)
	}
}

func TestPeriodAt(t *testing.T) {
	desk := compile(t, deskCalendar())
	always := compile(t, alwaysCalendar())
	tests := []struct {
		name string
		s    *hours.Schedule
		t    time.Time
		want hours.Period
	}{
		{"Friday evening", desk, at("2026-01-16 18:05"),
			hours.Period{Start: at("2026-01-16 18:00"), End: at("2026-01-19 09:30")}},
		{"Saturday, same closed period", desk, at("2026-01-17 11:00"),
			hours.Period{Start: at("2026-01-16 18:00"), End: at("2026-01-19 09:30")}},
		{"at closing", desk, at("2026-01-16 18:00"),
			hours.Period{Start: at("2026-01-16 18:00"), End: at("2026-01-19 09:30")}},
		{"lunch", desk, at("2026-01-14 13:15"),
			hours.Period{Start: at("2026-01-14 13:00"), End: at("2026-01-14 14:00")}},
		{"morning", desk, at("2026-01-14 10:00"),
			hours.Period{Open: true, Start: at("2026-01-14 09:30"), End: at("2026-01-14 13:00")}},
		{"at opening", desk, at("2026-01-14 09:30"),
			hours.Period{Open: true, Start: at("2026-01-14 09:30"), End: at("2026-01-14 13:00")}},
		{"just before opening", desk, at("2026-01-14 09:29:59.999"),
			hours.Period{Start: at("2026-01-13 18:00"), End: at("2026-01-14 09:30")}},
		{"over Easter", desk, at("2026-04-06 10:00"),
			hours.Period{Start: at("2026-04-03 18:00"), End: at("2026-04-07 09:30")}},
		{"always open", always, at("2026-01-14 10:00"), hours.Period{Open: true}},
	}
	for _, tt := range tests {
		got := tt.s.PeriodAt(tt.t)
		if got.Open != tt.want.Open || !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) {
			t.Errorf("%s: PeriodAt(%v) = %+v, want %+v", tt.name, tt.t, got, tt.want)
		}
	}
}

func TestBusinessTime(t *testing.T) {
	desk := compile(t, deskCalendar())
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"one morning", at("2026-01-14 09:30"), at("2026-01-14 13:00"), 3*time.Hour + 30*time.Minute},
		{"across lunch", at("2026-01-14 12:00"), at("2026-01-14 15:00"), 2 * time.Hour},
		{"whole day", at("2026-01-14 00:00"), at("2026-01-15 00:00"), 7*time.Hour + 30*time.Minute},
		{"weekend only", at("2026-01-16 18:00"), at("2026-01-19 09:30"), 0},
		{"over a weekend", at("2026-01-16 17:00"), at("2026-01-19 10:00"), time.Hour + 30*time.Minute},
		{"whole week", at("2026-01-12 00:00"), at("2026-01-19 00:00"), 5 * (7*time.Hour + 30*time.Minute)},
		{"Easter week", at("2026-04-06 00:00"), at("2026-04-13 00:00"), 4 * (7*time.Hour + 30*time.Minute)},
		{"sub-second", at("2026-01-14 09:59:59.25"), at("2026-01-14 10:00:00.75"), 1500 * time.Millisecond},
		{"instant", at("2026-01-14 10:00"), at("2026-01-14 10:00"), 0},
		{"backwards", at("2026-01-14 11:00"), at("2026-01-14 10:00"), 0},
		{"extra Sunday", at("2026-12-20 00:00"), at("2026-12-21 00:00"), 2 * time.Hour},
		{"mixed zones", at("2026-01-14 12:00").UTC(), at("2026-01-14 15:00"), 2 * time.Hour},
	}
	for _, tt := range tests {
		if got := desk.BusinessTime(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: BusinessTime(%v, %v) = %v, want %v", tt.name, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestAddBusinessTime(t *testing.T) {
	desk := compile(t, deskCalendar())
	tests := []struct {
		name   string
		from   time.Time
		d      time.Duration
		want   time.Time
		wantOK bool
	}{
		{"same morning", at("2026-01-14 10:00"), time.Hour, at("2026-01-14 11:00"), true},
		{"over lunch", at("2026-01-14 12:00"), 2 * time.Hour, at("2026-01-14 15:00"), true},
		{"exactly to closing", at("2026-01-16 17:00"), time.Hour, at("2026-01-16 18:00"), true},
		{"over the weekend", at("2026-01-16 17:00"), 2 * time.Hour, at("2026-01-19 10:30"), true},
		{"from a closed time", at("2026-01-17 12:00"), 8 * time.Hour, at("2026-01-20 10:00"), true},
		{"over Easter", at("2026-04-03 17:00"), 2 * time.Hour, at("2026-04-07 10:30"), true},
		{"two working days", at("2026-01-14 09:30"), 15 * time.Hour, at("2026-01-15 18:00"), true},
		{"zero", at("2026-01-17 12:00"), 0, at("2026-01-17 12:00"), true},
		{"negative", at("2026-01-14 10:00"), -time.Hour, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := desk.AddBusinessTime(tt.from, tt.d)
		if ok != tt.wantOK || !got.Equal(tt.want) {
			t.Errorf("%s: AddBusinessTime(%v, %v) = %v, %v, want %v, %v", tt.name, tt.from, tt.d, got, ok, tt.want, tt.wantOK)
		}
	}
}

// A Schedule is shared by every request of a desk; run with -race.
func TestConcurrentUse(t *testing.T) {
	s := compile(t, deskCalendar())
	from := at("2026-03-27 17:00")
	want := s.BusinessTime(from, from.AddDate(0, 1, 0))
	var wg sync.WaitGroup
	errs := make(chan time.Duration, 8)
	for range 8 {
		wg.Go(func() {
			if got := s.BusinessTime(from, from.AddDate(0, 1, 0)); got != want {
				errs <- got
			}
			s.PeriodAt(from)
			s.AddBusinessTime(from, 30*time.Hour)
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("BusinessTime = %v, want %v", got, want)
	}
}
