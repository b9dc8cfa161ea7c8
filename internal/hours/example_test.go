package hours_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

func Example() {
	var c hours.Calendar
	err := json.Unmarshal([]byte(`{
		"time_zone": "Europe/Rome",
		"weekly": {
			"mon": [{"start": "09:30", "end": "13:00"}, {"start": "14:00", "end": "18:00"}],
			"fri": [{"start": "09:30", "end": "13:00"}]
		},
		"local_holidays": [{"month": 12, "day": 7, "name": "Sant'Ambrogio"}]
	}`), &c)
	if err != nil {
		panic(err)
	}
	s, err := hours.Compile(c)
	if err != nil {
		panic(err)
	}

	// A message on Friday 4 December 2026 at 15:00: Monday is Sant'Ambrogio.
	received := time.Date(2026, 12, 4, 15, 0, 0, 0, s.Location())
	next, _ := s.NextOpen(received)
	due, _ := s.AddBusinessTime(received, 4*time.Hour)
	p := s.PeriodAt(received)
	fmt.Println("open:", s.Open(received))
	fmt.Println("closed since:", p.Start.Format(time.DateTime))
	fmt.Println("opens again:", next.Format(time.DateTime))
	fmt.Println("reply due:", due.Format(time.DateTime))
	// Output:
	// open: false
	// closed since: 2026-12-04 13:00:00
	// opens again: 2026-12-11 09:30:00
	// reply due: 2026-12-14 10:00:00
}
