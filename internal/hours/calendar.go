package hours

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// DefaultTimeZone is used when a Calendar leaves its zone empty: sportelli
// are Italian, and an empty zone must not silently mean UTC.
const DefaultTimeZone = "Europe/Rome"

// Calendar is the editable, JSON-serialisable description of a desk's
// opening hours. The zero value is a valid calendar that is never open.
type Calendar struct {
	// TimeZone is an IANA zone name; empty means DefaultTimeZone.
	TimeZone string `json:"time_zone"`
	Weekly   Weekly `json:"weekly"`
	// NationalHolidays closes the desk on Italy's national holidays. It is
	// a pointer so that a calendar which never mentions it (an older stored
	// calendar, a hand-written one) gets the safe default, closed on
	// Christmas; set it to false to keep the weekly shifts on those days.
	NationalHolidays *bool          `json:"national_holidays,omitempty"`
	LocalHolidays    []LocalHoliday `json:"local_holidays,omitempty"`
	Closures         []Closure      `json:"closures,omitempty"`
	ExtraOpenings    []ExtraOpening `json:"extra_openings,omitempty"`
}

// UsesNationalHolidays reports whether national holidays close the desk,
// resolving the nil default.
func (c Calendar) UsesNationalHolidays() bool {
	return c.NationalHolidays == nil || *c.NationalHolidays
}

// Weekly holds the shifts of each weekday. A day with no shifts is closed.
type Weekly struct {
	Mon []Shift `json:"mon,omitempty"`
	Tue []Shift `json:"tue,omitempty"`
	Wed []Shift `json:"wed,omitempty"`
	Thu []Shift `json:"thu,omitempty"`
	Fri []Shift `json:"fri,omitempty"`
	Sat []Shift `json:"sat,omitempty"`
	Sun []Shift `json:"sun,omitempty"`
}

// Shift is one opening stretch of a day in wall-clock time, "HH:MM" from
// "00:00" to "24:00"; End is excluded and must be after Start.
type Shift struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// LocalHoliday recurs every year on the same day, like a patron saint's
// feast. A 29 February holiday applies only in leap years.
type LocalHoliday struct {
	Month int    `json:"month"`
	Day   int    `json:"day"`
	Name  string `json:"name"`
}

// Closure closes the desk from From to To inclusive ("YYYY-MM-DD"); an
// empty To closes From only.
type Closure struct {
	From string `json:"from"`
	To   string `json:"to,omitempty"`
	Name string `json:"name"`
}

// ExtraOpening replaces the shifts of one date, opening the desk even on a
// holiday or inside a closure.
type ExtraOpening struct {
	Date   string  `json:"date"`
	Shifts []Shift `json:"shifts"`
	Name   string  `json:"name,omitempty"`
}

// Validate reports the first problem found, as a *model.Error whose Field
// is the path of the offending value, e.g. "weekly.mon[1]" or
// "closures[0].to". It checks exactly what Compile needs, including that
// the time zone can be loaded.
func (c Calendar) Validate() error {
	_, err := Compile(c)
	return err
}

// Compile validates c, failing as Validate does, and turns it into a
// Schedule. It loads the zone from the system's tzdata or the copy embedded
// by importing time/tzdata, which the program's main package should do so
// that a minimal container still knows Europe/Rome.
func Compile(c Calendar) (*Schedule, error) {
	tz := c.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	// "Local" would make answers depend on the host the process runs on.
	var loc *time.Location
	var err error
	if tz != "Local" {
		loc, err = time.LoadLocation(tz)
	}
	if loc == nil || err != nil {
		return nil, model.Invalid("time_zone", "error.hours.time_zone_unknown",
			fmt.Sprintf("unknown time zone %q", tz), map[string]any{"Value": tz})
	}

	s := &Schedule{
		loc:      loc,
		national: c.UsesNationalHolidays(),
		local:    map[int]string{},
		extra:    map[int64][]span{},
	}
	for _, day := range c.Weekly.days() {
		shifts, err := compileShifts("weekly."+day.key, day.shifts)
		if err != nil {
			return nil, err
		}
		s.weekly[day.weekday] = shifts
	}

	for i, h := range c.LocalHolidays {
		field := fmt.Sprintf("local_holidays[%d]", i)
		if h.Month < 1 || h.Month > 12 {
			return nil, model.Invalid(field+".month", "error.hours.month_invalid",
				"month must be between 1 and 12", map[string]any{"Value": h.Month})
		}
		// 2000 is a leap year, so 29 February is accepted here.
		if h.Day < 1 || h.Day > daysIn(time.Month(h.Month), 2000) {
			return nil, model.Invalid(field+".day", "error.hours.day_invalid",
				"no such day in that month", map[string]any{"Value": h.Day})
		}
		if err := checkName(field+".name", h.Name); err != nil {
			return nil, err
		}
		if _, dup := s.local[monthDay(time.Month(h.Month), h.Day)]; !dup {
			s.local[monthDay(time.Month(h.Month), h.Day)] = h.Name
		}
	}

	for i, cl := range c.Closures {
		field := fmt.Sprintf("closures[%d]", i)
		from, err := parseDateField(field+".from", cl.From)
		if err != nil {
			return nil, err
		}
		to := from
		if cl.To != "" {
			if to, err = parseDateField(field+".to", cl.To); err != nil {
				return nil, err
			}
		}
		if to.days() < from.days() {
			return nil, model.Invalid(field+".to", "error.hours.closure_inverted",
				"the closure ends before it starts", map[string]any{"From": cl.From, "To": cl.To})
		}
		if err := checkName(field+".name", cl.Name); err != nil {
			return nil, err
		}
		s.closures = append(s.closures, closure{from: from.days(), to: to.days(), name: cl.Name})
	}

	for i, x := range c.ExtraOpenings {
		field := fmt.Sprintf("extra_openings[%d]", i)
		d, err := parseDateField(field+".date", x.Date)
		if err != nil {
			return nil, err
		}
		if _, dup := s.extra[d.days()]; dup {
			return nil, model.Invalid(field+".date", "error.hours.date_duplicate",
				"another extra opening has the same date", map[string]any{"Value": x.Date})
		}
		// An extra opening with no shifts would be a closure in disguise,
		// and would hide a form that lost its rows.
		if len(x.Shifts) == 0 {
			return nil, model.Invalid(field+".shifts", "error.hours.shifts_required",
				"an extra opening needs at least one shift", nil)
		}
		shifts, err := compileShifts(field+".shifts", x.Shifts)
		if err != nil {
			return nil, err
		}
		s.extra[d.days()] = shifts
	}
	return s, nil
}

type weekday struct {
	key     string
	weekday time.Weekday
	shifts  []Shift
}

// days lists the week from Monday, the Italian order, so validation reports
// the first bad day as a reader of the form would find it.
func (w Weekly) days() [7]weekday {
	return [7]weekday{
		{"mon", time.Monday, w.Mon},
		{"tue", time.Tuesday, w.Tue},
		{"wed", time.Wednesday, w.Wed},
		{"thu", time.Thursday, w.Thu},
		{"fri", time.Friday, w.Fri},
		{"sat", time.Saturday, w.Sat},
		{"sun", time.Sunday, w.Sun},
	}
}

// compileShifts parses shifts into seconds since local midnight, sorted, so
// the day walks can emit spans in order. Input order is free: forms list
// shifts as the administrator typed them.
func compileShifts(field string, shifts []Shift) ([]span, error) {
	type indexed struct {
		span
		i int
	}
	parsed := make([]indexed, 0, len(shifts))
	for i, sh := range shifts {
		f := fmt.Sprintf("%s[%d]", field, i)
		start, ok := parseClock(sh.Start)
		if !ok {
			return nil, malformedClock(f+".start", sh.Start)
		}
		end, ok := parseClock(sh.End)
		if !ok {
			return nil, malformedClock(f+".end", sh.End)
		}
		if end <= start {
			return nil, model.Invalid(f, "error.hours.shift_inverted",
				"the shift must end after it starts", map[string]any{"Start": sh.Start, "End": sh.End})
		}
		parsed = append(parsed, indexed{span{start, end}, i})
	}
	slices.SortFunc(parsed, func(a, b indexed) int { return cmp.Compare(a.start, b.start) })
	out := make([]span, len(parsed))
	for k, p := range parsed {
		if k > 0 && p.start < parsed[k-1].end {
			// Blame the shift that comes later in the input: it is the
			// one the administrator most likely just added.
			a, b := parsed[k-1].i, p.i
			if a > b {
				a, b = b, a
			}
			return nil, model.Invalid(fmt.Sprintf("%s[%d]", field, b), "error.hours.shift_overlap",
				"the shift overlaps another one", map[string]any{"Other": fmt.Sprintf("%s[%d]", field, a)})
		}
		out[k] = p.span
	}
	return out, nil
}

// parseClock reads "HH:MM" into seconds since midnight, allowing "24:00" so
// that a shift can run to the end of the day.
func parseClock(s string) (int64, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	if !ok1 || !ok2 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return int64(h*3600 + m*60), true
}

func malformedClock(field, value string) error {
	return model.Invalid(field, "error.hours.time_malformed",
		"want a time as HH:MM between 00:00 and 24:00", map[string]any{"Value": value})
}

func parseDateField(field, value string) (Date, error) {
	d, err := ParseDate(value)
	if err != nil {
		return Date{}, model.Invalid(field, "error.hours.date_malformed",
			"want a date as YYYY-MM-DD", map[string]any{"Value": value})
	}
	return d, nil
}

// checkName requires a label because Holiday shows it to citizens and staff
// as the reason the desk is closed.
func checkName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return model.Invalid(field, "error.hours.name_required", "a name is required", nil)
	}
	return nil
}
