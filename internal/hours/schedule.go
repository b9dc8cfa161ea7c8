package hours

import (
	"iter"
	"math"
	"time"
)

// Horizon bounds every search ahead or back. It is over a year so that a
// desk closed for a long summer, or open only on one yearly date, is still
// found.
const Horizon = 400 * 24 * time.Hour

const horizonSeconds = int64(Horizon / time.Second)

// lastSecond (the end of year 9999) stops AddBusinessTime on a desk that
// opens a minute a year and a d of centuries, before arithmetic overflows.
const lastSecond = 253402300800

// Schedule is a compiled Calendar. It is immutable and safe for concurrent
// use. Instants it returns are in the calendar's location.
type Schedule struct {
	loc      *time.Location
	weekly   [7][]span // by time.Weekday
	national bool
	local    map[int]string // by monthDay
	closures []closure
	extra    map[int64][]span // by day number
}

// span is a half-open stretch [start, end): seconds since local midnight in
// a day's shifts, Unix seconds once placed on the time line. Every boundary
// is a whole second, because shifts are whole minutes and UTC offsets whole
// seconds; so the state of the desk is constant within each second.
type span struct{ start, end int64 }

type closure struct {
	from, to int64 // day numbers, inclusive
	name     string
}

func monthDay(m time.Month, d int) int { return int(m)*100 + d }

// Location returns the calendar's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Holiday reports whether d is a holiday or a closure day, with its name.
// National holidays are named first, then local ones, then closures. An
// extra opening does not change the answer, since it is still that holiday;
// ask Open whether the desk is open. A day out of range rolls over as in
// time.Date, so callers may build dates by adding to Day.
func (s *Schedule) Holiday(d Date) (string, bool) {
	return s.holiday(d.days())
}

func (s *Schedule) holiday(day int64) (string, bool) {
	d := dateOfDays(day)
	if s.national {
		if name, ok := NationalHoliday(d); ok {
			return name, true
		}
	}
	if name, ok := s.local[monthDay(d.Month, d.Day)]; ok {
		return name, true
	}
	for _, c := range s.closures {
		if c.from <= day && day <= c.to {
			return c.name, true
		}
	}
	return "", false
}

// shifts returns the resolved shifts of a local day.
func (s *Schedule) shifts(day int64) []span {
	if x, ok := s.extra[day]; ok {
		return x
	}
	w := s.weekly[weekdayOfDays(day)]
	if len(w) == 0 {
		return nil // closed anyway: skip the holiday lookups
	}
	if _, ok := s.holiday(day); ok {
		return nil
	}
	return w
}

// Open reports whether the desk is open at t.
func (s *Schedule) Open(t time.Time) bool {
	// This asks the time package for the wall clock directly instead of
	// sharing the walks below, so that tests can check one against the
	// other.
	lt := t.In(s.loc)
	y, m, d := lt.Date()
	hh, mm, ss := lt.Clock()
	sec := int64(hh*3600 + mm*60 + ss)
	for _, sh := range s.shifts(Date{y, m, d}.days()) {
		if sh.start <= sec && sec < sh.end {
			return true
		}
	}
	return false
}

// NextOpen returns the first instant at or after t when the desk is open:
// t itself if it is open. It reports false if the desk does not open within
// Horizon.
func (s *Schedule) NextOpen(t time.Time) (time.Time, bool) {
	ts := t.Unix()
	for sp := range s.ahead(ts, ts+horizonSeconds) {
		if sp.start <= ts {
			return t.In(s.loc), true
		}
		return time.Unix(sp.start, 0).In(s.loc), true
	}
	return time.Time{}, false
}

// NextClose returns the first instant at or after t when the desk is
// closed: t itself if it is closed. It reports false if the desk stays open
// for all of Horizon.
func (s *Schedule) NextClose(t time.Time) (time.Time, bool) {
	ts := t.Unix()
	limit := ts + horizonSeconds
	for sp := range joined(s.ahead(ts, limit), false) {
		if sp.start > ts {
			break
		}
		if sp.end >= limit {
			return time.Time{}, false
		}
		return time.Unix(sp.end, 0).In(s.loc), true
	}
	return t.In(s.loc), true
}

// Period is the longest stretch around an instant during which the desk is
// steadily open or steadily closed. Start is the instant the state last
// changed and End the instant it changes next; either is zero when there is
// no change within Horizon.
//
// Start identifies a closed period: an automatic "we are closed" reply can
// be sent once per Start.
type Period struct {
	Open       bool
	Start, End time.Time
}

// PeriodAt returns the period containing t.
func (s *Schedule) PeriodAt(t time.Time) Period {
	ts := t.Unix()
	var p Period
	after := span{ts, ts} // an empty span starting at ts means closed at ts
	for sp := range joined(s.ahead(ts, ts+horizonSeconds), false) {
		after = sp
		break
	}
	p.Open = after.start == ts && after.end > ts
	switch {
	case p.Open && after.end < ts+horizonSeconds:
		p.End = time.Unix(after.end, 0).In(s.loc)
	case !p.Open && after.end > after.start:
		p.End = time.Unix(after.start, 0).In(s.loc)
	}

	limit := ts - horizonSeconds
	before, found := span{}, false
	for sp := range joined(s.behind(ts, limit), true) {
		before, found = sp, true
		break
	}
	switch {
	case p.Open && found && before.end == ts:
		// Open since before ts: the walk back joined everything up to ts.
		if before.start > limit {
			p.Start = time.Unix(before.start, 0).In(s.loc)
		}
	case p.Open:
		p.Start = time.Unix(ts, 0).In(s.loc)
	case found:
		p.Start = time.Unix(before.end, 0).In(s.loc)
	}
	return p
}

// BusinessTime returns how long the desk is open between from and to; zero
// when to is not after from.
func (s *Schedule) BusinessTime(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	limit := to.Unix()
	if to.Nanosecond() > 0 {
		limit++
	}
	var total time.Duration
	for sp := range s.ahead(from.Unix(), limit) {
		a, b := time.Unix(sp.start, 0), time.Unix(sp.end, 0)
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		// Sub saturates, and so does the sum: three centuries of opening
		// hours would overflow a Duration.
		if d := b.Sub(a); d > math.MaxInt64-total {
			total = math.MaxInt64
		} else if d > 0 {
			total += d
		}
	}
	return total
}

// AddBusinessTime returns the earliest instant by which d of business time
// has elapsed after from, the due time of an SLA. When d runs out exactly at
// closing time the answer is the closing time, not the next opening. It
// reports false for a negative d, and when the desk stays closed for a whole
// Horizon before d is used up; a rarely open desk is walked Horizon after
// Horizon, so a long d is still found.
func (s *Schedule) AddBusinessTime(from time.Time, d time.Duration) (time.Time, bool) {
	switch {
	case d < 0:
		return time.Time{}, false
	case d == 0:
		return from.In(s.loc), true
	}
	left := d
	for cur := from.Unix(); ; cur += horizonSeconds {
		found := false
		for sp := range s.ahead(cur, cur+horizonSeconds) {
			found = true
			a, b := time.Unix(sp.start, 0), time.Unix(sp.end, 0)
			if a.Before(from) {
				a = from
			}
			avail := b.Sub(a)
			if left <= avail {
				return a.Add(left).In(s.loc), true
			}
			left -= avail
		}
		if !found || cur > lastSecond {
			return time.Time{}, false
		}
	}
}

// ahead yields the open spans within [from, limit) in time order, as Unix
// seconds. A span may be cut where the UTC offset or the local day changes;
// see joined.
//
// It walks stretches of constant UTC offset. Within one, local time is Unix
// time plus the offset, so each local day and each shift is a plain
// interval, and a wall time skipped or repeated by a clock change simply
// falls outside or twice inside the stretches.
func (s *Schedule) ahead(from, limit int64) iter.Seq[span] {
	return func(yield func(span) bool) {
		for t := from; t < limit; {
			off, zoneEnd := s.zoneAt(t)
			end := min(limit, zoneEnd)
			for t < end {
				day := floorDiv(t+off, secondsPerDay)
				midnight := day*secondsPerDay - off
				segEnd := min(end, midnight+secondsPerDay)
				for _, sh := range s.shifts(day) {
					a, b := max(t, midnight+sh.start), min(segEnd, midnight+sh.end)
					if a < b && !yield(span{a, b}) {
						return
					}
				}
				t = segEnd
			}
		}
	}
}

// behind is ahead run backwards: the open spans within [limit, from), the
// latest first.
func (s *Schedule) behind(from, limit int64) iter.Seq[span] {
	return func(yield func(span) bool) {
		for t := from; t > limit; {
			off, zoneStart := s.zoneBefore(t)
			start := max(limit, zoneStart)
			for t > start {
				day := floorDiv(t-1+off, secondsPerDay)
				midnight := day*secondsPerDay - off
				segStart := max(start, midnight)
				shifts := s.shifts(day)
				for i := len(shifts) - 1; i >= 0; i-- {
					a, b := max(segStart, midnight+shifts[i].start), min(t, midnight+shifts[i].end)
					if a < b && !yield(span{a, b}) {
						return
					}
				}
				t = segStart
			}
		}
	}
}

// joined merges touching spans into whole open periods: a shift running to
// 24:00 into one starting at 00:00, or a shift cut by a clock change.
// backward says the spans come latest first.
func joined(spans iter.Seq[span], backward bool) iter.Seq[span] {
	return func(yield func(span) bool) {
		var cur span
		have := false
		for sp := range spans {
			switch {
			case have && !backward && sp.start == cur.end:
				cur.end = sp.end
				continue
			case have && backward && sp.end == cur.start:
				cur.start = sp.start
				continue
			case have && !yield(cur):
				return
			}
			cur, have = sp, true
		}
		if have {
			yield(cur)
		}
	}
}

// zoneAt returns the UTC offset in effect at Unix second t and the second
// it stops being in effect.
func (s *Schedule) zoneAt(t int64) (offset, end int64) {
	lt := time.Unix(t, 0).In(s.loc)
	_, off := lt.Zone()
	_, e := lt.ZoneBounds()
	if e.IsZero() {
		return int64(off), math.MaxInt64
	}
	// Always move forward, even if the zone data were to disagree.
	return int64(off), max(e.Unix(), t+1)
}

// zoneBefore returns the UTC offset in effect just before Unix second t and
// the second it came into effect.
func (s *Schedule) zoneBefore(t int64) (offset, start int64) {
	lt := time.Unix(t-1, 0).In(s.loc)
	_, off := lt.Zone()
	b, _ := lt.ZoneBounds()
	if b.IsZero() {
		return int64(off), math.MinInt64
	}
	return int64(off), min(b.Unix(), t-1)
}
