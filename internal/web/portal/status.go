package portal

import (
	"context"
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// deskStatus says whether the desk is open by its opening hours, and when
// it opens again; when open, whether anyone is online to answer.
type deskStatus struct {
	Known    bool // the organisation has opening hours
	Open     bool
	Nobody   bool      // open, but no operator online: answers come later
	NextOpen time.Time // zero when open, or when it never opens again
	Text     string    // for the citizen, in their language
}

var weekdayKeys = [7]string{"chat.day_sun", "chat.day_mon", "chat.day_tue", "chat.day_wed", "chat.day_thu", "chat.day_fri", "chat.day_sat"}

// statusAt tells the desk's status at now, in pr's language, with times
// on the desk's clock.
func statusAt(pr *locale.Printer, sched *hours.Schedule, now time.Time, online bool) deskStatus {
	if sched == nil || sched.Open(now) {
		st := deskStatus{Known: sched != nil, Open: true}
		switch {
		case !online:
			st.Nobody, st.Text = true, pr.T("chat.nobody_online", nil)
		case sched != nil:
			st.Text = pr.T("chat.open_now", nil)
		}
		return st
	}
	next, ok := sched.NextOpen(now)
	if !ok {
		return deskStatus{Known: true, Text: pr.T("chat.closed", nil)}
	}
	return deskStatus{Known: true, NextOpen: next, Text: pr.T("chat.closed_until", map[string]any{"Value": when(pr, sched.Location(), now, next)})}
}

// when names a coming moment the way people say it: "today at 14:00",
// "tomorrow at 9:30", "Monday at 9:30", or a date beyond a week. (The
// messages take the day as Name and the time as Value: the catalogs'
// test knows those argument names.)
func when(pr *locale.Printer, loc *time.Location, now, t time.Time) string {
	now, t = now.In(loc), t.In(loc)
	clock := fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	days := int(civilDay(t).Sub(civilDay(now)).Hours() / 24)
	switch {
	case days == 0:
		return pr.T("chat.when_today", map[string]any{"Value": clock})
	case days == 1:
		return pr.T("chat.when_tomorrow", map[string]any{"Value": clock})
	case days < 7:
		return pr.T("chat.when_day", map[string]any{"Name": pr.T(weekdayKeys[t.Weekday()], nil), "Value": clock})
	}
	return pr.T("chat.when_date", map[string]any{"Name": pr.FormatDate(t), "Value": clock})
}

// nextChange is when the status shown at now stops being true: the next
// opening or closing, if any within the schedule's horizon.
func nextChange(sched *hours.Schedule, now time.Time) (time.Time, bool) {
	if sched == nil {
		return time.Time{}, false
	}
	if sched.Open(now) {
		return sched.NextClose(now)
	}
	return sched.NextOpen(now)
}

// civilDay is t's calendar date at midnight UTC, so that subtracting two
// counts whole days whatever the zone's clock changes.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// scheduleOf is the calendar that says whether the desk is open for a
// citizen's page of channel kind: the channel's own, else the
// organisation's (the desk caches it for a few seconds). When the
// database cannot say, the organisation's settings do.
func (p *Portal) scheduleOf(ctx context.Context, rq *request, kind model.ChannelKind) *hours.Schedule {
	sched, err := p.desk.ChannelSchedule(ctx, rq.org.ID, kind)
	if err != nil {
		p.log.WarnContext(ctx, "portal: calendar", "org", rq.org.ID, "err", err)
		return rq.cfg.schedule
	}
	return sched
}
