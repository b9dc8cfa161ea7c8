package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Opening hours: the organisation's calendar (its settings' "hours"), and
// optionally a team's or a channel's. For a conversation the most specific
// applies: its channel's, else its team's, else the organisation's. With
// none, the desk is always open.

// maxCachedSchedules bounds the compiled calendars kept in memory.
const maxCachedSchedules = 512

// compile turns a stored calendar into a schedule, once per distinct
// document: loading a time zone reads the zone database.
func (d *Service) compile(doc string) (*hours.Schedule, error) {
	r := d.routes
	r.mu.Lock()
	s, ok := r.scheds[doc]
	r.mu.Unlock()
	if ok {
		return s, nil
	}
	var cal hours.Calendar
	if err := json.Unmarshal([]byte(doc), &cal); err != nil {
		return nil, fmt.Errorf("stored calendar: %w", err)
	}
	s, err := hours.Compile(cal)
	if err != nil {
		return nil, fmt.Errorf("stored calendar: %w", err)
	}
	r.mu.Lock()
	if len(r.scheds) >= maxCachedSchedules {
		clear(r.scheds)
	}
	r.scheds[doc] = s
	r.mu.Unlock()
	return s, nil
}

// scheduleFor returns the schedule that applies to a conversation of
// teamID on channelID (0: none); nil when no calendar is set.
func (d *Service) scheduleFor(ctx context.Context, orgID, teamID, channelID int64) (*hours.Schedule, error) {
	// Every message asks (the out-of-hours reply): served from memory for
	// channelScheduleTTL, and forgotten at once when this instance changes
	// a calendar.
	key := strconv.FormatInt(orgID, 10) + "/" + strconv.FormatInt(teamID, 10) + "/" + strconv.FormatInt(channelID, 10)
	now := d.now()
	d.routes.mu.Lock()
	c, ok := d.routes.calScheds[key]
	d.routes.mu.Unlock()
	if ok && now.Sub(c.at) < channelScheduleTTL && !now.Before(c.at) {
		return c.sched, nil
	}
	sched, err := d.loadSchedule(ctx, orgID, teamID, channelID)
	if err != nil {
		return nil, err
	}
	d.routes.mu.Lock()
	if len(d.routes.calScheds) > 10000 {
		clear(d.routes.calScheds)
	}
	d.routes.calScheds[key] = cachedSchedule{sched: sched, at: now}
	d.routes.mu.Unlock()
	return sched, nil
}

// loadSchedule reads the calendar that applies: the channel's, else the
// team's, else the organisation's.
func (d *Service) loadSchedule(ctx context.Context, orgID, teamID, channelID int64) (*hours.Schedule, error) {
	refs := []store.CalendarRef{}
	if channelID != 0 {
		refs = append(refs, store.CalendarRef{ChannelID: channelID})
	}
	if teamID != 0 {
		refs = append(refs, store.CalendarRef{TeamID: teamID})
	}
	refs = append(refs, store.CalendarRef{})
	for _, ref := range refs {
		doc, err := d.st.Calendar(ctx, orgID, ref)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return d.compile(doc)
	}
	return nil, nil
}

// channelScheduleTTL is how long ChannelSchedule serves a calendar from
// memory: citizens' pages and sockets ask often, admins change calendars
// seldom.
const channelScheduleTTL = 10 * time.Second

type cachedSchedule struct {
	sched *hours.Schedule
	at    time.Time
}

// ChannelSchedule is the calendar of the organisation's first channel of
// kind: the channel's own, else the organisation's; nil when neither is
// set (always open). The citizens' pages tell open and closed by it.
func (d *Service) ChannelSchedule(ctx context.Context, orgID int64, kind model.ChannelKind) (*hours.Schedule, error) {
	key := strconv.FormatInt(orgID, 10) + "/" + string(kind)
	now := d.now()
	d.routes.mu.Lock()
	c, ok := d.routes.channelScheds[key]
	d.routes.mu.Unlock()
	if ok && now.Sub(c.at) < channelScheduleTTL && !now.Before(c.at) {
		return c.sched, nil
	}
	var channelID int64
	ch, err := d.st.FirstChannel(ctx, orgID, kind)
	switch {
	case err == nil:
		channelID = ch.ID
	case !model.ErrorIs(err, model.CodeNotFound):
		return nil, err
	}
	sched, err := d.scheduleFor(ctx, orgID, 0, channelID)
	if err != nil {
		return nil, err
	}
	d.routes.mu.Lock()
	if len(d.routes.channelScheds) > 10000 {
		clear(d.routes.channelScheds)
	}
	d.routes.channelScheds[key] = cachedSchedule{sched: sched, at: now}
	d.routes.mu.Unlock()
	return sched, nil
}

// HoursStatus says whether a desk is open at an instant.
type HoursStatus struct {
	Known    bool       `json:"-"`         // some calendar applies
	Open     bool       `json:"open"`      //
	NextOpen *time.Time `json:"next_open"` // the instant itself when open; nil when it does not open within hours.Horizon
}

// HoursAt tells whether the desk is open at t for a team and a channel (0:
// any), by the calendar that applies; without one it is always open.
func (d *Service) HoursAt(ctx context.Context, orgID, teamID, channelID int64, t time.Time) (HoursStatus, error) {
	sched, err := d.scheduleFor(ctx, orgID, teamID, channelID)
	if err != nil {
		return HoursStatus{}, err
	}
	if sched == nil {
		return HoursStatus{Open: true, NextOpen: &t}, nil
	}
	st := HoursStatus{Known: true, Open: sched.Open(t)}
	if next, ok := sched.NextOpen(t); ok {
		st.NextOpen = &next
	}
	return st, nil
}

// Calendars, for administrators.

// Calendar returns the calendar set for ref, or not found when none is
// (the next one up applies).
func (d *Service) Calendar(ctx context.Context, a *Actor, ref store.CalendarRef) (hours.Calendar, error) {
	var cal hours.Calendar
	if !a.Can(model.PermSettingsManage) {
		return cal, errForbidden
	}
	doc, err := d.st.Calendar(ctx, a.OrgID(), ref)
	if err != nil {
		return cal, err
	}
	if err := json.Unmarshal([]byte(doc), &cal); err != nil {
		return cal, fmt.Errorf("stored calendar: %w", err)
	}
	return cal, nil
}

// Calendars lists the teams' and channels' calendars.
func (d *Service) Calendars(ctx context.Context, a *Actor) ([]store.StoredCalendar, error) {
	if !a.Can(model.PermSettingsManage) {
		return nil, errForbidden
	}
	return d.st.Calendars(ctx, a.OrgID())
}

// SetCalendar validates a calendar (shifts, holidays, closures, time zone:
// errors name the field, like "weekly.mon[1]") and stores it for ref.
func (d *Service) SetCalendar(ctx context.Context, a *Actor, ref store.CalendarRef, cal hours.Calendar) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	if err := cal.Validate(); err != nil {
		return err
	}
	doc, err := json.Marshal(cal)
	if err != nil {
		return err
	}
	if err := d.st.SetCalendar(ctx, a.OrgID(), ref, string(doc)); err != nil {
		return err
	}
	d.routes.forgetSchedules()
	d.audit(ctx, a.OrgID(), a.User.ID, "hours_change", calendarTarget(ref), ref.TeamID+ref.ChannelID, "", a.IP)
	return nil
}

// ClearCalendar removes the calendar of ref: the next one up applies.
func (d *Service) ClearCalendar(ctx context.Context, a *Actor, ref store.CalendarRef) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	if err := d.st.SetCalendar(ctx, a.OrgID(), ref, ""); err != nil {
		return err
	}
	d.routes.forgetSchedules()
	d.audit(ctx, a.OrgID(), a.User.ID, "hours_clear", calendarTarget(ref), ref.TeamID+ref.ChannelID, "", a.IP)
	return nil
}

func calendarTarget(ref store.CalendarRef) string {
	switch {
	case ref.TeamID != 0:
		return "team"
	case ref.ChannelID != 0:
		return "channel"
	}
	return "organization"
}

// OutOfHours is what the desk tells citizens who write while it is closed,
// kept in the organisation's settings under "out_of_hours".
type OutOfHours struct {
	// AutoReply sends one automatic reply per closed period; nil: on.
	AutoReply *bool `json:"auto_reply,omitempty"`
	// Emergency is who to call meanwhile ("112; violenza: 1522"), by
	// language; the desk's language, then English, stand in for a
	// missing one.
	Emergency map[string]string `json:"emergency,omitempty"`
}

// On reports whether the automatic reply is sent.
func (o OutOfHours) On() bool { return o.AutoReply == nil || *o.AutoReply }

// emergencyIn is the emergency text in lang, or in a stand-in language.
func (o OutOfHours) emergencyIn(lang, deskLang string) string {
	for _, l := range []string{lang, deskLang, "en"} {
		if s := strings.TrimSpace(o.Emergency[l]); s != "" {
			return s
		}
	}
	return ""
}

// maxEmergency bounds an emergency text.
const maxEmergency = 500

func (d *Service) outOfHours(ctx context.Context, orgID int64) (OutOfHours, error) {
	var o OutOfHours
	raw, err := d.st.OrganizationSetting(ctx, orgID, "out_of_hours")
	if err != nil || len(raw) == 0 {
		return o, err
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		d.log.Warn("settings: out_of_hours", "org", orgID, "err", err)
		return OutOfHours{}, nil
	}
	return o, nil
}

// OutOfHours returns the organisation's out-of-hours settings.
func (d *Service) OutOfHours(ctx context.Context, a *Actor) (OutOfHours, error) {
	if !a.Can(model.PermSettingsManage) {
		return OutOfHours{}, errForbidden
	}
	return d.outOfHours(ctx, a.OrgID())
}

// SetOutOfHours saves the out-of-hours settings.
func (d *Service) SetOutOfHours(ctx context.Context, a *Actor, o OutOfHours) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	for lang, s := range o.Emergency {
		if !model.ValidLanguage(lang) {
			return model.Invalid("emergency", "error.validation.language", "not a valid language code", map[string]any{"Value": lang})
		}
		if err := model.CheckText("emergency", s, false, maxEmergency); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			delete(o.Emergency, lang)
		}
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := d.st.SetOrganizationSetting(ctx, a.OrgID(), "out_of_hours", raw); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "out_of_hours_change", "organization", a.OrgID(), "", a.IP)
	return nil
}

// closedReply handles a citizen's message that arrived at t while the desk
// may be closed: the conversation joins the "arrived while closed" queue,
// and the citizen gets one automatic reply per closed period, in their
// language, saying when the desk reopens. Whether it went out is
// reported.
func (d *Service) closedReply(ctx context.Context, c *model.Conversation, t time.Time) (bool, error) {
	sched, err := d.scheduleFor(ctx, c.OrgID, c.TeamID, c.ChannelID)
	if err != nil || sched == nil || sched.Open(t) {
		return false, err
	}
	if c.ArrivedClosedAt == nil && c.FirstResponseAt == nil {
		if _, err := d.st.MarkArrivedClosed(ctx, c.OrgID, c.ID, t); err != nil {
			return false, err
		}
	}
	if c.Channel == model.ChannelVoice {
		return false, nil // the caller heard when the desk reopens, and left a voicemail
	}
	if c.AssigneeID != 0 && d.presenceOf(c.OrgID)[c.AssigneeID] == Online {
		return false, nil // someone is answering it, closed or not
	}
	if c.Channel == model.ChannelForm && !d.formCanReply(ctx, c) {
		return false, nil // the form's own page told the citizen when the desk reopens
	}
	period := sched.PeriodAt(t)
	if d.routes.closedReplied(c.ID, period.Start) {
		return false, nil // this closed period's reply went out already
	}
	set, err := d.outOfHours(ctx, c.OrgID)
	if err != nil || !set.On() {
		return false, err
	}
	org, err := d.st.Organization(ctx, c.OrgID)
	if err != nil {
		return false, err
	}
	b, err := d.routes.bundle()
	if err != nil {
		return false, err
	}
	lang := c.Language
	if !b.Supported(lang) {
		lang = org.Language
	}
	pr := b.Printer(lang)
	next, ok := sched.NextOpen(t)
	body := closedText(pr, sched.Location(), t, next, ok, set.emergencyIn(pr.Lang(), org.Language))
	m := &model.Message{Body: body}
	sent, err := d.st.AddClosedReply(ctx, c.OrgID, c.ID, period.Start, m)
	if err != nil {
		return false, err
	}
	d.routes.noteClosedReply(c.ID, period.Start)
	if !sent {
		return false, nil
	}
	d.publishMessage(m, false)
	return true, nil
}

// closedText is the automatic reply in pr's language.
func closedText(pr *locale.Printer, loc *time.Location, now, next time.Time, ok bool, emergency string) string {
	var s string
	if ok {
		s = pr.T("autoreply.closed_until", map[string]any{"Value": whenText(pr, loc, now, next)})
	} else {
		s = pr.T("autoreply.closed", nil)
	}
	if emergency != "" {
		s += "\n\n" + pr.T("autoreply.emergency", map[string]any{"Value": emergency})
	}
	return s
}

var hoursWeekdayKeys = [7]string{"chat.day_sun", "chat.day_mon", "chat.day_tue", "chat.day_wed", "chat.day_thu", "chat.day_fri", "chat.day_sat"}

// whenText names a coming moment the way people say it, as the web chat does:
// "today at 14:00", "tomorrow at 9:30", "Monday at 9:30", or a date beyond
// a week, on the desk's clock.
func whenText(pr *locale.Printer, loc *time.Location, now, t time.Time) string {
	now, t = now.In(loc), t.In(loc)
	clock := fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	day := func(x time.Time) time.Time {
		y, m, dd := x.Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	days := int(day(t).Sub(day(now)).Hours() / 24)
	switch {
	case days == 0:
		return pr.T("chat.when_today", map[string]any{"Value": clock})
	case days == 1:
		return pr.T("chat.when_tomorrow", map[string]any{"Value": clock})
	case days < 7:
		return pr.T("chat.when_day", map[string]any{"Name": pr.T(hoursWeekdayKeys[t.Weekday()], nil), "Value": clock})
	}
	return pr.T("chat.when_date", map[string]any{"Name": pr.FormatDate(t), "Value": clock})
}
