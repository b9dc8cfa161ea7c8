package hours_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{1818, "1818-03-22"}, // the earliest possible date
		{1943, "1943-04-25"}, // the latest possible date
		{2000, "2000-04-23"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2030, "2030-04-21"},
		{2038, "2038-04-25"},
		{2285, "2285-03-22"},
	}
	for _, tt := range tests {
		if got := hours.Easter(tt.year).String(); got != tt.want {
			t.Errorf("Easter(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestNationalHoliday(t *testing.T) {
	tests := []struct {
		date   string
		want   string
		wantOK bool
	}{
		{"2026-01-01", "Capodanno", true},
		{"2026-01-06", "Epifania", true},
		{"2026-04-05", "Pasqua", true},
		{"2026-04-06", "Lunedì dell'Angelo", true},
		{"2027-03-29", "Lunedì dell'Angelo", true},
		{"2026-04-25", "Festa della Liberazione", true},
		{"2038-04-25", "Pasqua", true}, // Easter on Liberation Day: one name is enough
		{"2038-04-26", "Lunedì dell'Angelo", true},
		{"2026-05-01", "Festa del Lavoro", true},
		{"2026-06-02", "Festa della Repubblica", true},
		{"2026-08-15", "Ferragosto", true},
		{"2025-10-04", "", false}, // not yet a holiday again
		{"2026-10-04", "San Francesco d'Assisi", true},
		{"2031-10-04", "San Francesco d'Assisi", true},
		{"2026-11-01", "Ognissanti", true},
		{"2026-12-08", "Immacolata Concezione", true},
		{"2026-12-25", "Natale", true},
		{"2026-12-26", "Santo Stefano", true},
		{"2026-04-07", "", false},
		{"2025-04-21", "Lunedì dell'Angelo", true},
		{"2026-04-20", "", false}, // Easter Monday 2025's date, a year later
		{"2026-12-07", "", false}, // Milan's patron saint is local, not national
		{"2024-02-29", "", false},
	}
	for _, tt := range tests {
		d, err := hours.ParseDate(tt.date)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := hours.NationalHoliday(d)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NationalHoliday(%s) = %q, %v, want %q, %v", tt.date, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    hours.Date
		wantErr bool
	}{
		{in: "2026-08-10", want: hours.Date{Year: 2026, Month: time.August, Day: 10}},
		{in: "2024-02-29", want: hours.Date{Year: 2024, Month: time.February, Day: 29}},
		{in: "0000-01-01", want: hours.Date{Year: 0, Month: time.January, Day: 1}},
		{in: "2025-02-29", wantErr: true},
		{in: "2026-04-31", wantErr: true},
		{in: "2026-13-01", wantErr: true},
		{in: "2026-00-10", wantErr: true},
		{in: "2026-01-00", wantErr: true},
		{in: "2026-8-10", wantErr: true},
		{in: "+026-08-10", wantErr: true},
		{in: "2026/08/10", wantErr: true},
		{in: "2026-08-10T00:00", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := hours.ParseDate(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHoliday(t *testing.T) {
	s := compile(t, deskCalendar())
	off := deskCalendar()
	off.NationalHolidays = new(false)
	noNational := compile(t, off)

	tests := []struct {
		s      *hours.Schedule
		date   string
		want   string
		wantOK bool
	}{
		{s, "2026-12-25", "Natale", true},
		{s, "2026-12-07", "Sant'Ambrogio", true},
		{s, "2027-12-07", "Sant'Ambrogio", true},
		{s, "2026-08-12", "Chiusura estiva", true}, // an extra opening does not unmake the closure
		{s, "2026-08-14", "Chiusura estiva", true},
		{s, "2026-08-15", "Ferragosto", true},
		{s, "2026-08-16", "", false},
		{s, "2026-11-02", "Ponte", true},
		{s, "2026-06-02", "Festa della Repubblica", true},
		{s, "2026-06-03", "", false},
		{noNational, "2026-12-25", "", false},
		{noNational, "2026-12-07", "Sant'Ambrogio", true},
	}
	for _, tt := range tests {
		d, err := hours.ParseDate(tt.date)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := tt.s.Holiday(d)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Holiday(%s) = %q, %v, want %q, %v", tt.date, got, ok, tt.want, tt.wantOK)
		}
	}
}

// Holiday takes any Date a caller builds, so it must read an overflowing
// day the way time.Date would rather than miss the holiday.
func TestHolidayNormalisesDates(t *testing.T) {
	s := compile(t, hours.Calendar{})
	got, ok := s.Holiday(hours.Date{Year: 2026, Month: time.December, Day: 56}) // 25 January 2027
	if got != "" || ok {
		t.Errorf("Holiday(2026-12-56) = %q, %v, want not a holiday", got, ok)
	}
	got, ok = s.Holiday(hours.Date{Year: 2026, Month: time.November, Day: 55}) // 25 December
	if got != "Natale" || !ok {
		t.Errorf("Holiday(2026-11-55) = %q, %v, want Natale", got, ok)
	}
}
