package hours_test

import (
	"testing"
	"time"
)

func BenchmarkOpen(b *testing.B) {
	s := compile(b, deskCalendar())
	t := at("2026-01-14 10:00")
	for b.Loop() {
		s.Open(t)
	}
}

func BenchmarkNextOpen(b *testing.B) {
	s := compile(b, deskCalendar())
	tests := []struct {
		name string
		t    time.Time
	}{
		{"open", at("2026-01-14 10:00")},
		{"lunch", at("2026-01-14 13:30")},
		{"Friday evening", at("2026-01-16 18:05")},
		{"Christmas", at("2026-12-24 18:05")},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				s.NextOpen(tt.t)
			}
		})
	}
}

// BenchmarkNextCloseAlwaysOpen is the worst case of a search: a desk that
// never closes makes NextClose walk the whole Horizon.
func BenchmarkNextCloseAlwaysOpen(b *testing.B) {
	s := compile(b, alwaysCalendar())
	t := at("2026-01-14 10:00")
	for b.Loop() {
		s.NextClose(t)
	}
}

func BenchmarkPeriodAt(b *testing.B) {
	s := compile(b, deskCalendar())
	t := at("2026-01-17 10:00")
	for b.Loop() {
		s.PeriodAt(t)
	}
}

func BenchmarkBusinessTimeMonth(b *testing.B) {
	s := compile(b, deskCalendar())
	from, to := at("2026-03-01 00:00"), at("2026-04-01 00:00")
	for b.Loop() {
		s.BusinessTime(from, to)
	}
}

func BenchmarkAddBusinessTimeWeek(b *testing.B) {
	s := compile(b, deskCalendar())
	from := at("2026-03-27 17:00")
	for b.Loop() {
		s.AddBusinessTime(from, 40*time.Hour)
	}
}
