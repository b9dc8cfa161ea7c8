package hours_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

// TestAgainstMinuteByMinute checks the walks (BusinessTime, NextOpen,
// NextClose, PeriodAt) against Open sampled every minute, which asks the
// time package for the wall clock directly. Shifts and the zones' changes
// fall on whole minutes, so the sampling is exact. The windows surround
// clock changes, including São Paulo's, which skipped and repeated
// midnight itself.
func TestAgainstMinuteByMinute(t *testing.T) {
	saoPaulo := edgeCalendar()
	saoPaulo.TimeZone = "America/Sao_Paulo"
	saoPauloDesk := deskCalendar()
	saoPauloDesk.TimeZone = "America/Sao_Paulo"
	midnight := hours.Calendar{
		TimeZone: "America/Sao_Paulo",
		Weekly: hours.Weekly{
			Sat: shifts("22:00", "24:00"),
			Sun: shifts("00:00", "00:30", "01:00", "02:00"),
		},
	}

	tests := []struct {
		name  string
		c     hours.Calendar
		start time.Time // UTC, on a whole minute
		days  int
	}{
		{"desk, March", deskCalendar(), utc("2026-03-24 00:00"), 10},
		{"desk, October", deskCalendar(), utc("2026-10-20 00:00"), 10},
		{"desk, summer closure", deskCalendar(), utc("2026-08-06 00:00"), 12},
		{"edge, March", edgeCalendar(), utc("2026-03-24 00:00"), 10},
		{"edge, October", edgeCalendar(), utc("2026-10-20 00:00"), 10},
		{"always, March", alwaysCalendar(), utc("2026-03-26 00:00"), 6},
		{"edge, São Paulo spring 2018", saoPaulo, utc("2018-10-30 00:00"), 10},
		{"edge, São Paulo autumn 2019", saoPaulo, utc("2019-02-12 00:00"), 10},
		{"desk, São Paulo spring 2018", saoPauloDesk, utc("2018-10-30 00:00"), 10},
		{"midnight, São Paulo spring 2018", midnight, utc("2018-10-30 00:00"), 10},
		{"midnight, São Paulo autumn 2019", midnight, utc("2019-02-12 00:00"), 10},
	}
	for _, tt := range tests {
		s := compile(t, tt.c)
		n := tt.days * 24 * 60
		at := func(i int) time.Time { return tt.start.Add(time.Duration(i) * time.Minute) }
		open := make([]bool, n)
		for i := range open {
			open[i] = s.Open(at(i))
		}
		// nextChange[i] is the first minute after i whose state differs.
		nextChange := make([]int, n)
		nextChange[n-1] = n
		for i := n - 2; i >= 0; i-- {
			nextChange[i] = nextChange[i+1]
			if open[i+1] != open[i] {
				nextChange[i] = i + 1
			}
		}
		lastChange := make([]int, n) // the minute i's state began, -1 if before the window
		lastChange[0] = -1
		for i := 1; i < n; i++ {
			lastChange[i] = lastChange[i-1]
			if open[i] != open[i-1] {
				lastChange[i] = i
			}
		}

		total := 0
		for _, o := range open {
			if o {
				total++
			}
		}
		if got, want := s.BusinessTime(at(0), at(n)), time.Duration(total)*time.Minute; got != want {
			t.Errorf("%s: BusinessTime over the window = %v, want %v", tt.name, got, want)
		}
		opened := 0
		for i := 0; i < n; i++ {
			if got, want := s.BusinessTime(at(0), at(i)), time.Duration(opened)*time.Minute; got != want {
				t.Fatalf("%s: BusinessTime(start, %v) = %v, want %v", tt.name, at(i), got, want)
			}
			if open[i] {
				opened++
			}
			end := nextChange[i]
			if end == n {
				continue // the answer lies outside the window
			}
			if open[i] {
				if got, ok := s.NextOpen(at(i)); !ok || !got.Equal(at(i)) {
					t.Fatalf("%s: NextOpen(%v) = %v, %v, want itself", tt.name, at(i), got, ok)
				}
				if got, ok := s.NextClose(at(i)); !ok || !got.Equal(at(end)) {
					t.Fatalf("%s: NextClose(%v) = %v, %v, want %v", tt.name, at(i), got, ok, at(end))
				}
			} else {
				if got, ok := s.NextOpen(at(i)); !ok || !got.Equal(at(end)) {
					t.Fatalf("%s: NextOpen(%v) = %v, %v, want %v", tt.name, at(i), got, ok, at(end))
				}
				if got, ok := s.NextClose(at(i)); !ok || !got.Equal(at(i)) {
					t.Fatalf("%s: NextClose(%v) = %v, %v, want itself", tt.name, at(i), got, ok)
				}
			}
			if begin := lastChange[i]; begin >= 0 {
				p := s.PeriodAt(at(i))
				if p.Open != open[i] || !p.Start.Equal(at(begin)) || !p.End.Equal(at(end)) {
					t.Fatalf("%s: PeriodAt(%v) = %+v, want open %v from %v to %v",
						tt.name, at(i), p, open[i], at(begin), at(end))
				}
			}
		}
	}
}

// TestBusinessTimeRoundTrip checks AddBusinessTime and BusinessTime against
// each other over random instants and durations around both 2026 clock
// changes and through a year of holidays.
func TestBusinessTimeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 10))
	begin := at("2025-12-01 00:00")
	span := at("2027-02-01 00:00").Sub(begin)

	for _, c := range []struct {
		name string
		c    hours.Calendar
	}{{"desk", deskCalendar()}, {"edge", edgeCalendar()}, {"always", alwaysCalendar()}} {
		s := compile(t, c.c)
		for range 3000 {
			from := begin.Add(time.Duration(rng.Int64N(int64(span))))
			d := time.Duration(rng.Int64N(int64(120 * time.Hour)))

			to, ok := s.AddBusinessTime(from, d)
			if !ok {
				t.Fatalf("%s: AddBusinessTime(%v, %v) found nothing", c.name, from, d)
			}
			if got := s.BusinessTime(from, to); got != d {
				t.Fatalf("%s: BusinessTime(%v, AddBusinessTime(.., %v) = %v) = %v", c.name, from, d, to, got)
			}
			// The earliest such instant: the desk was open just before.
			if d > 0 && !s.Open(to.Add(-time.Nanosecond)) {
				t.Fatalf("%s: AddBusinessTime(%v, %v) = %v, closed just before", c.name, from, d, to)
			}

			// The other way round: from and a later instant.
			later := from.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
			bt := s.BusinessTime(from, later)
			back, ok := s.AddBusinessTime(from, bt)
			if !ok || back.After(later) || s.BusinessTime(back, later) != 0 {
				t.Fatalf("%s: AddBusinessTime(%v, BusinessTime(.., %v) = %v) = %v, %v", c.name, from, later, bt, back, ok)
			}

			// Business time adds up over consecutive intervals.
			mid := from.Add(time.Duration(rng.Int64N(int64(later.Sub(from)) + 1)))
			if a, b := s.BusinessTime(from, mid), s.BusinessTime(mid, later); a+b != bt {
				t.Fatalf("%s: BusinessTime %v + %v != %v over %v, %v, %v", c.name, a, b, bt, from, mid, later)
			}

			// The walks agree with Open wherever they land.
			if next, ok := s.NextOpen(from); ok && !s.Open(next) {
				t.Fatalf("%s: NextOpen(%v) = %v, which is closed", c.name, from, next)
			}
			if next, ok := s.NextClose(from); ok && s.Open(next) {
				t.Fatalf("%s: NextClose(%v) = %v, which is open", c.name, from, next)
			}
		}
	}
}
