package hours_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
)

// FuzzCalendarJSON feeds arbitrary JSON through decoding, validation and
// every query: calendars arrive from admin forms and the API, so nothing in
// them may panic, loop or yield answers that contradict Open.
func FuzzCalendarJSON(f *testing.F) {
	for _, seed := range []string{
		exampleJSON,
		`{}`,
		`null`,
		`{"time_zone":"UTC","weekly":{"sun":[{"start":"00:00","end":"24:00"}]},"national_holidays":false}`,
		`{"time_zone":"America/Sao_Paulo","weekly":{"sat":[{"start":"22:00","end":"24:00"}],"sun":[{"start":"00:00","end":"01:00"}]}}`,
		`{"weekly":{"mon":[{"start":"09:30","end":"13:00"},{"start":"12:00","end":"18:00"}]}}`,
		`{"weekly":{"tue":[{"start":"24:00","end":"24:00"}]}}`,
		`{"time_zone":"Mars/Olympus"}`,
		`{"local_holidays":[{"month":2,"day":30,"name":"x"}]}`,
		`{"closures":[{"from":"0001-01-01","to":"9999-12-31","name":"x"}],"weekly":{"mon":[{"start":"09:00","end":"10:00"}]}}`,
		`{"extra_openings":[{"date":"2026-03-29","shifts":[{"start":"02:00","end":"03:00"}]},{"date":"2026-10-25","shifts":[{"start":"01:00","end":"24:00"}]}]}`,
		`{"weekly":{"mon":[{"start":"9:3","end":"1"}]},"closures":[{"from":"2026-08-14","to":"2026-08-10"}]}`,
	} {
		f.Add([]byte(seed))
	}
	instants := []time.Time{
		time.Date(2026, 3, 28, 23, 59, 59, 999, time.UTC),
		time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
		time.Date(2026, 12, 24, 17, 0, 0, 0, time.UTC),
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		var c hours.Calendar
		if err := json.Unmarshal(data, &c); err != nil {
			return
		}
		s, err := hours.Compile(c)
		if verr := c.Validate(); (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but Compile() = %v", verr, err)
		}
		if err != nil {
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalid || e.Field == "" || !strings.HasPrefix(e.Key, "error.hours.") {
				t.Fatalf("Validate() = %#v, want an invalid-field model error", err)
			}
			return
		}

		// A valid calendar survives the store.
		encoded, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var again hours.Calendar
		if err := json.Unmarshal(encoded, &again); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalise(again), normalise(c)) {
			t.Fatalf("JSON round trip changed %+v into %+v", c, again)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("re-decoded calendar is invalid: %v", err)
		}

		for _, from := range instants {
			if next, ok := s.NextOpen(from); ok && (next.Before(from) || !s.Open(next)) {
				t.Fatalf("NextOpen(%v) = %v", from, next)
			}
			if next, ok := s.NextClose(from); ok && (next.Before(from) || s.Open(next)) {
				t.Fatalf("NextClose(%v) = %v", from, next)
			}
			if p := s.PeriodAt(from); p.Open != s.Open(from) {
				t.Fatalf("PeriodAt(%v) = %+v, Open = %v", from, p, s.Open(from))
			}
			to := from.Add(9 * 24 * time.Hour)
			bt := s.BusinessTime(from, to)
			if bt < 0 || bt > to.Sub(from) {
				t.Fatalf("BusinessTime over 9 days = %v", bt)
			}
			if bt > 0 {
				due, ok := s.AddBusinessTime(from, bt)
				if !ok || due.After(to) || s.BusinessTime(from, due) != bt {
					t.Fatalf("AddBusinessTime(%v, %v) = %v, %v", from, bt, due, ok)
				}
			}
		}
	})
}

// normalise maps the empty slices that encoding/json drops to nil, the
// only change a round trip may make.
func normalise(c hours.Calendar) hours.Calendar {
	for _, days := range []*[]hours.Shift{&c.Weekly.Mon, &c.Weekly.Tue, &c.Weekly.Wed, &c.Weekly.Thu, &c.Weekly.Fri, &c.Weekly.Sat, &c.Weekly.Sun} {
		if len(*days) == 0 {
			*days = nil
		}
	}
	if len(c.LocalHolidays) == 0 {
		c.LocalHolidays = nil
	}
	if len(c.Closures) == 0 {
		c.Closures = nil
	}
	if len(c.ExtraOpenings) == 0 {
		c.ExtraOpenings = nil
	}
	return c
}
