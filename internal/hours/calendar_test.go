package hours_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
)

const exampleJSON = `{
  "time_zone": "Europe/Rome",
  "weekly": {
    "mon": [{"start": "09:30", "end": "13:00"}, {"start": "14:00", "end": "18:00"}],
    "fri": [{"start": "09:30", "end": "13:00"}]
  },
  "national_holidays": true,
  "local_holidays": [{"month": 12, "day": 7, "name": "Sant'Ambrogio"}],
  "closures": [{"from": "2026-08-10", "to": "2026-08-14", "name": "Chiusura estiva"}],
  "extra_openings": [{"date": "2026-12-20", "shifts": [{"start": "10:00", "end": "12:00"}]}]
}`

func TestCalendarJSON(t *testing.T) {
	var got hours.Calendar
	if err := json.Unmarshal([]byte(exampleJSON), &got); err != nil {
		t.Fatal(err)
	}
	want := hours.Calendar{
		TimeZone: "Europe/Rome",
		Weekly: hours.Weekly{
			Mon: shifts("09:30", "13:00", "14:00", "18:00"),
			Fri: shifts("09:30", "13:00"),
		},
		NationalHolidays: new(true),
		LocalHolidays:    []hours.LocalHoliday{{Month: 12, Day: 7, Name: "Sant'Ambrogio"}},
		Closures:         []hours.Closure{{From: "2026-08-10", To: "2026-08-14", Name: "Chiusura estiva"}},
		ExtraOpenings:    []hours.ExtraOpening{{Date: "2026-12-20", Shifts: shifts("10:00", "12:00")}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}

	// What the store writes must read back the same.
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var again hours.Calendar
	if err := json.Unmarshal(data, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, want) {
		t.Errorf("round trip %+v, want %+v", again, want)
	}
}

func TestCalendarJSONShape(t *testing.T) {
	c := hours.Calendar{
		TimeZone:         "Europe/Rome",
		Weekly:           hours.Weekly{Tue: shifts("09:00", "24:00")},
		NationalHolidays: new(false),
		Closures:         []hours.Closure{{From: "2026-11-02", Name: "Ponte"}},
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	want := `{"time_zone":"Europe/Rome","weekly":{"tue":[{"start":"09:00","end":"24:00"}]},` +
		`"national_holidays":false,"closures":[{"from":"2026-11-02","name":"Ponte"}]}`
	if got != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", got, want)
	}
}

func TestNationalHolidaysDefault(t *testing.T) {
	tests := []struct {
		json string
		want bool
	}{
		{`{}`, true},
		{`{"national_holidays":null}`, true},
		{`{"national_holidays":true}`, true},
		{`{"national_holidays":false}`, false},
	}
	for _, tt := range tests {
		var c hours.Calendar
		if err := json.Unmarshal([]byte(tt.json), &c); err != nil {
			t.Fatal(err)
		}
		if got := c.UsesNationalHolidays(); got != tt.want {
			t.Errorf("%s: UsesNationalHolidays() = %v, want %v", tt.json, got, tt.want)
		}
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		c    hours.Calendar
	}{
		{"zero value", hours.Calendar{}},
		{"desk", deskCalendar()},
		{"always", alwaysCalendar()},
		{"edge", edgeCalendar()},
		{"UTC", hours.Calendar{TimeZone: "UTC"}},
		{"touching shifts", hours.Calendar{Weekly: hours.Weekly{Mon: shifts("13:00", "18:00", "09:00", "13:00")}}},
		{"to midnight", hours.Calendar{Weekly: hours.Weekly{Sat: shifts("00:00", "24:00")}}},
		{"leap day holiday", hours.Calendar{LocalHolidays: []hours.LocalHoliday{{Month: 2, Day: 29, Name: "Bisesto"}}}},
		{"one-day closure", hours.Calendar{Closures: []hours.Closure{{From: "2026-11-02", To: "2026-11-02", Name: "Ponte"}}}},
	}
	for _, tt := range tests {
		if err := tt.c.Validate(); err != nil {
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	week := func(w hours.Weekly) hours.Calendar { return hours.Calendar{Weekly: w} }
	extra := func(x ...hours.ExtraOpening) hours.Calendar { return hours.Calendar{ExtraOpenings: x} }
	closures := func(x ...hours.Closure) hours.Calendar { return hours.Calendar{Closures: x} }
	local := func(x ...hours.LocalHoliday) hours.Calendar { return hours.Calendar{LocalHolidays: x} }
	morning := shifts("09:00", "12:00")

	tests := []struct {
		name      string
		c         hours.Calendar
		wantField string
		wantKey   string
	}{
		{"unknown zone", hours.Calendar{TimeZone: "Europe/Milano"}, "time_zone", "error.hours.time_zone_unknown"},
		{"host zone", hours.Calendar{TimeZone: "Local"}, "time_zone", "error.hours.time_zone_unknown"},
		{"path as zone", hours.Calendar{TimeZone: "../../etc/passwd"}, "time_zone", "error.hours.time_zone_unknown"},

		{"one-digit hour", week(hours.Weekly{Mon: shifts("09:30", "13:00", "9:30", "18:00")}), "weekly.mon[1].start", "error.hours.time_malformed"},
		{"past midnight", week(hours.Weekly{Tue: shifts("09:00", "24:01")}), "weekly.tue[0].end", "error.hours.time_malformed"},
		{"hour 25", week(hours.Weekly{Wed: shifts("25:00", "26:00")}), "weekly.wed[0].start", "error.hours.time_malformed"},
		{"minute 60", week(hours.Weekly{Thu: shifts("09:00", "12:60")}), "weekly.thu[0].end", "error.hours.time_malformed"},
		{"seconds", week(hours.Weekly{Fri: shifts("09:00:00", "12:00")}), "weekly.fri[0].start", "error.hours.time_malformed"},
		{"signed", week(hours.Weekly{Sat: shifts("+9:00", "12:00")}), "weekly.sat[0].start", "error.hours.time_malformed"},
		{"empty", week(hours.Weekly{Sun: shifts("09:00", "")}), "weekly.sun[0].end", "error.hours.time_malformed"},
		{"dot", week(hours.Weekly{Mon: shifts("09.00", "12:00")}), "weekly.mon[0].start", "error.hours.time_malformed"},

		{"inverted", week(hours.Weekly{Fri: shifts("18:00", "09:00")}), "weekly.fri[0]", "error.hours.shift_inverted"},
		{"empty shift", week(hours.Weekly{Fri: shifts("09:00", "12:00", "10:00", "10:00")}), "weekly.fri[1]", "error.hours.shift_inverted"},
		{"starts at 24:00", week(hours.Weekly{Sun: shifts("24:00", "24:00")}), "weekly.sun[0]", "error.hours.shift_inverted"},

		{"overlap", week(hours.Weekly{Mon: shifts("09:30", "13:00", "12:00", "18:00")}), "weekly.mon[1]", "error.hours.shift_overlap"},
		{"overlap out of order", week(hours.Weekly{Mon: shifts("12:00", "18:00", "09:30", "13:00")}), "weekly.mon[1]", "error.hours.shift_overlap"},
		{"overlap inside", week(hours.Weekly{Tue: shifts("08:00", "20:00", "14:00", "20:00", "09:00", "10:00")}), "weekly.tue[2]", "error.hours.shift_overlap"},
		{"same start", week(hours.Weekly{Wed: shifts("09:00", "10:00", "09:00", "11:00")}), "weekly.wed[1]", "error.hours.shift_overlap"},

		{"month 13", local(hours.LocalHoliday{Month: 13, Day: 1, Name: "x"}), "local_holidays[0].month", "error.hours.month_invalid"},
		{"month 0", local(hours.LocalHoliday{Day: 1, Name: "x"}), "local_holidays[0].month", "error.hours.month_invalid"},
		{"31 April", local(hours.LocalHoliday{Month: 6, Day: 29, Name: "San Pietro"}, hours.LocalHoliday{Month: 4, Day: 31, Name: "x"}), "local_holidays[1].day", "error.hours.day_invalid"},
		{"day 0", local(hours.LocalHoliday{Month: 1, Name: "x"}), "local_holidays[0].day", "error.hours.day_invalid"},
		{"unnamed holiday", local(hours.LocalHoliday{Month: 6, Day: 29, Name: "  "}), "local_holidays[0].name", "error.hours.name_required"},

		{"closure one-digit month", closures(hours.Closure{From: "2026-8-10", Name: "x"}), "closures[0].from", "error.hours.date_malformed"},
		{"closure 30 February", closures(hours.Closure{From: "2026-02-01", Name: "x"}, hours.Closure{From: "2026-02-01", To: "2026-02-30", Name: "x"}), "closures[1].to", "error.hours.date_malformed"},
		{"closure timestamp", closures(hours.Closure{From: "2026-08-10T00:00:00Z", Name: "x"}), "closures[0].from", "error.hours.date_malformed"},
		{"closure inverted", closures(hours.Closure{From: "2026-08-14", To: "2026-08-10", Name: "x"}), "closures[0].to", "error.hours.closure_inverted"},
		{"closure unnamed", closures(hours.Closure{From: "2026-08-10"}), "closures[0].name", "error.hours.name_required"},

		{"extra bad date", extra(hours.ExtraOpening{Date: "20/12/2026", Shifts: morning}), "extra_openings[0].date", "error.hours.date_malformed"},
		{"extra no shifts", extra(hours.ExtraOpening{Date: "2026-12-20"}), "extra_openings[0].shifts", "error.hours.shifts_required"},
		{"extra bad shift", extra(hours.ExtraOpening{Date: "2026-12-20", Shifts: shifts("10:00", "12")}), "extra_openings[0].shifts[0].end", "error.hours.time_malformed"},
		{"extra overlap", extra(hours.ExtraOpening{Date: "2026-12-20", Shifts: shifts("10:00", "12:00", "11:00", "13:00")}), "extra_openings[0].shifts[1]", "error.hours.shift_overlap"},
		{"extra duplicate", extra(hours.ExtraOpening{Date: "2026-12-20", Shifts: morning}, hours.ExtraOpening{Date: "2026-12-20", Shifts: morning}), "extra_openings[1].date", "error.hours.date_duplicate"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		e, ok := model.AsError(err)
		if !ok {
			t.Errorf("%s: Validate() = %v, want a model error", tt.name, err)
			continue
		}
		if e.Code != model.CodeInvalid || e.Field != tt.wantField || e.Key != tt.wantKey {
			t.Errorf("%s: Validate() = {%s %s %s}, want {%s %s %s}",
				tt.name, e.Code, e.Field, e.Key, model.CodeInvalid, tt.wantField, tt.wantKey)
		}
		if _, err := hours.Compile(tt.c); err == nil {
			t.Errorf("%s: Compile accepted what Validate rejects", tt.name)
		}
	}
}

func TestValidateOverlapNamesTheOther(t *testing.T) {
	c := hours.Calendar{Weekly: hours.Weekly{Mon: shifts("14:00", "18:00", "09:30", "13:00", "12:00", "14:30")}}
	e, ok := model.AsError(c.Validate())
	if !ok {
		t.Fatal("want a model error")
	}
	if got, want := e.Field, "weekly.mon[2]"; got != want {
		t.Errorf("Field = %s, want %s", got, want)
	}
	if got, want := e.Args["Other"], "weekly.mon[1]"; got != want {
		t.Errorf("Args[Other] = %v, want %v", got, want)
	}
}
