package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

func decodeSetting(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// calendarRow is one calendar of the hours page: the organisation's, a
// team's or a channel's.
type calendarRow struct {
	Name     string
	Summary  string
	Own      bool // has its own calendar (else the next one up applies)
	EditURL  string
	ClearURL string
	CSRF     string // for the clear form, in a template of its own
}

type emergencyField struct {
	Lang, Name, Value string
}

type hoursPage struct {
	*page
	Tabs      []link
	Org       calendarRow
	Teams     []calendarRow
	Channels  []calendarRow
	AutoReply bool
	Emergency []emergencyField
	Errors    map[string]string
}

// hoursSettings lists the organisation's, teams' and channels' opening
// hours, and the automatic reply to those who write while closed.
func (c *Console) hoursSettings(w http.ResponseWriter, r *http.Request) {
	c.renderHours(w, r, http.StatusOK, nil, nil)
}

func (c *Console) renderHours(w http.ResponseWriter, r *http.Request, status int, ooh *desk.OutOfHours, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, hoursURL, "hours.title")
	pg.Nav = "routing"
	p := pg.p
	if r.URL.Query().Get("ok") == "saved" {
		pg.Notice = p.T("routing.saved", nil)
	}
	data := hoursPage{page: pg, Tabs: routingTabs(p, hoursURL), Errors: errs}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	org, err := c.desk.Store().Organization(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	cal, err := c.desk.Calendar(ctx, a, store.CalendarRef{})
	data.Org = calendarRow{Name: org.Name, EditURL: hoursURL + "/edit"}
	switch {
	case err == nil:
		data.Org.Own, data.Org.Summary = true, weeklySummary(p, cal)
	case errors.Is(err, model.ErrNotFound):
		data.Org.Summary = p.T("hours.always_open", nil)
	default:
		c.fail(w, r, err)
		return
	}
	stored, err := c.desk.Calendars(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	own := map[store.CalendarRef]string{}
	for _, sc := range stored {
		var cal hours.Calendar
		if json.Unmarshal([]byte(sc.Calendar), &cal) == nil {
			own[sc.CalendarRef] = weeklySummary(p, cal)
		}
	}
	row := func(name string, ref store.CalendarRef, q string) calendarRow {
		cr := calendarRow{Name: name, EditURL: hoursURL + "/edit?" + q, ClearURL: hoursURL + "/clear?" + q, Summary: p.T("hours.as_organisation", nil), CSRF: pg.CSRF}
		if s, ok := own[ref]; ok {
			cr.Own, cr.Summary = true, s
		}
		return cr
	}
	teams, err := c.desk.Store().Teams(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, t := range teams {
		data.Teams = append(data.Teams, row(t.Name, store.CalendarRef{TeamID: t.ID}, "team="+strconv.FormatInt(t.ID, 10)))
	}
	chans, err := c.desk.Store().Channels(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, ch := range chans {
		data.Channels = append(data.Channels, row(ch.Name+" ("+channelLabel(p, ch.Kind)+")", store.CalendarRef{ChannelID: ch.ID}, "channel="+strconv.FormatInt(ch.ID, 10)))
	}
	if ooh == nil {
		o, err := c.desk.OutOfHours(ctx, a)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		ooh = &o
	}
	data.AutoReply = ooh.On()
	for _, lang := range c.bundle.Languages() {
		data.Emergency = append(data.Emergency, emergencyField{Lang: lang, Name: c.languageName(lang), Value: ooh.Emergency[lang]})
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "hours", pg, data)
}

// outOfHoursSave saves the automatic reply's settings.
func (c *Console) outOfHoursSave(w http.ResponseWriter, r *http.Request) {
	on := r.PostForm.Get("auto_reply") == "1"
	o := desk.OutOfHours{AutoReply: &on, Emergency: map[string]string{}}
	for _, lang := range c.bundle.Languages() {
		if v := strings.TrimSpace(r.PostForm.Get("emergency_" + lang)); v != "" {
			o.Emergency[lang] = v
		}
	}
	if err := c.desk.SetOutOfHours(r.Context(), web.ActorFrom(r), o); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			c.fail(w, r, err)
			return
		}
		c.renderHours(w, r, http.StatusBadRequest, &o, map[string]string{"emergency": errorText(c.printer(r), err)})
		return
	}
	http.Redirect(w, r, hoursURL+"?ok=saved", http.StatusSeeOther)
}

// calendarRef reads ?team= or ?channel= (neither: the organisation).
func calendarRef(q url.Values) (store.CalendarRef, bool) {
	var ref store.CalendarRef
	for name, dst := range map[string]*int64{"team": &ref.TeamID, "channel": &ref.ChannelID} {
		if s := q.Get(name); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				return ref, false
			}
			*dst = id
		}
	}
	return ref, ref.TeamID == 0 || ref.ChannelID == 0
}

type dayField struct {
	Key, Label, Value string
}

type calendarFormPage struct {
	*page
	Tabs      []link
	Heading   string
	Action    string
	ClearURL  string
	TimeZone  string
	National  bool
	Days      []dayField
	Holidays  string
	Closures  string
	Openings  string
	Errors    map[string]string
	Inherited bool // no calendar of its own yet: the form shows the one that applies
}

var dayKeys = []struct{ key, label string }{
	{"mon", "chat.day_mon"}, {"tue", "chat.day_tue"}, {"wed", "chat.day_wed"}, {"thu", "chat.day_thu"},
	{"fri", "chat.day_fri"}, {"sat", "chat.day_sat"}, {"sun", "chat.day_sun"},
}

// calendarEdit shows the form of the organisation's, a team's or a
// channel's opening hours.
func (c *Console) calendarEdit(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ref, ok := calendarRef(r.URL.Query())
	if !ok {
		c.notFound(w, r)
		return
	}
	cal, err := c.desk.Calendar(r.Context(), a, ref)
	inherited := false
	if errors.Is(err, model.ErrNotFound) {
		// Start from the organisation's, or a desk open on weekdays.
		inherited = true
		if cal, err = c.desk.Calendar(r.Context(), a, store.CalendarRef{}); errors.Is(err, model.ErrNotFound) {
			day := []hours.Shift{{Start: "09:00", End: "13:00"}}
			cal, err = hours.Calendar{TimeZone: hours.DefaultTimeZone, Weekly: hours.Weekly{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day}}, nil
		}
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	form := calendarFields(cal)
	form.Inherited = inherited
	c.renderCalendarForm(w, r, http.StatusOK, ref, form, nil)
}

// calendarFields turns a calendar into the form's texts.
func calendarFields(cal hours.Calendar) calendarFormPage {
	f := calendarFormPage{TimeZone: cal.TimeZone, National: cal.UsesNationalHolidays()}
	if f.TimeZone == "" {
		f.TimeZone = hours.DefaultTimeZone
	}
	shifts := map[string][]hours.Shift{"mon": cal.Weekly.Mon, "tue": cal.Weekly.Tue, "wed": cal.Weekly.Wed, "thu": cal.Weekly.Thu,
		"fri": cal.Weekly.Fri, "sat": cal.Weekly.Sat, "sun": cal.Weekly.Sun}
	for _, d := range dayKeys {
		f.Days = append(f.Days, dayField{Key: d.key, Value: shiftText(shifts[d.key])})
	}
	var lines []string
	for _, h := range cal.LocalHolidays {
		lines = append(lines, twoDigits(h.Month)+"-"+twoDigits(h.Day)+" "+h.Name)
	}
	f.Holidays = strings.Join(lines, "\n")
	lines = nil
	for _, cl := range cal.Closures {
		l := cl.From
		if cl.To != "" && cl.To != cl.From {
			l += " " + cl.To
		}
		lines = append(lines, l+" "+cl.Name)
	}
	f.Closures = strings.Join(lines, "\n")
	lines = nil
	for _, x := range cal.ExtraOpenings {
		lines = append(lines, strings.TrimSpace(x.Date+" "+shiftText(x.Shifts)+" "+x.Name))
	}
	f.Openings = strings.Join(lines, "\n")
	return f
}

func twoDigits(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func shiftText(shifts []hours.Shift) string {
	parts := make([]string, 0, len(shifts))
	for _, s := range shifts {
		parts = append(parts, s.Start+"-"+s.End)
	}
	return strings.Join(parts, ", ")
}

// shiftRE finds "09:30-13:00" (or with a dash or en dash and spaces).
var shiftRE = regexp.MustCompile(`^(\S+?)\s*[-–]\s*(\S+)$`)

// parseShifts reads "09:30-13:00, 14:00-18:00"; the calendar's validation
// judges the times.
func parseShifts(s string) []hours.Shift {
	var out []hours.Shift
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if m := shiftRE.FindStringSubmatch(part); m != nil {
			out = append(out, hours.Shift{Start: m[1], End: m[2]})
		} else {
			out = append(out, hours.Shift{Start: part})
		}
	}
	return out
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// formCalendar reads the form into a calendar.
func formCalendar(f url.Values) hours.Calendar {
	national := f.Get("national_holidays") == "1"
	cal := hours.Calendar{TimeZone: strings.TrimSpace(f.Get("time_zone")), NationalHolidays: &national}
	w := &cal.Weekly
	for key, dst := range map[string]*[]hours.Shift{"mon": &w.Mon, "tue": &w.Tue, "wed": &w.Wed, "thu": &w.Thu, "fri": &w.Fri, "sat": &w.Sat, "sun": &w.Sun} {
		*dst = parseShifts(f.Get(key))
	}
	for _, line := range lines(f.Get("local_holidays")) {
		md, name, _ := strings.Cut(line, " ")
		m, d, _ := strings.Cut(md, "-")
		month, _ := strconv.Atoi(m)
		day, _ := strconv.Atoi(d)
		cal.LocalHolidays = append(cal.LocalHolidays, hours.LocalHoliday{Month: month, Day: day, Name: strings.TrimSpace(name)})
	}
	for _, line := range lines(f.Get("closures")) {
		fields := strings.Fields(line)
		cl := hours.Closure{From: fields[0]}
		rest := fields[1:]
		if len(rest) > 0 && dateRE.MatchString(rest[0]) {
			cl.To, rest = rest[0], rest[1:]
		}
		cl.Name = strings.Join(rest, " ")
		cal.Closures = append(cal.Closures, cl)
	}
	for _, line := range lines(f.Get("extra_openings")) {
		fields := strings.Fields(line)
		x := hours.ExtraOpening{Date: fields[0]}
		rest := fields[1:]
		var shifts []string
		for len(rest) > 0 && strings.Contains(rest[0], ":") {
			shifts, rest = append(shifts, rest[0]), rest[1:]
		}
		x.Shifts = parseShifts(strings.Join(shifts, ","))
		x.Name = strings.Join(rest, " ")
		cal.ExtraOpenings = append(cal.ExtraOpenings, x)
	}
	return cal
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// calendarFieldRE reads a calendar error's field path: "weekly.mon[1]",
// "closures[0].to", "time_zone".
var calendarFieldRE = regexp.MustCompile(`^(?:weekly\.)?([a-z_]+)(?:\[(\d+)\])?`)

// calendarError is where a calendar's error shows and what it says: the
// line of a list it concerns, then the reason.
func calendarError(p *locale.Printer, err error) (string, string) {
	e, ok := model.AsError(err)
	if !ok {
		return "", errorText(p, err)
	}
	m := calendarFieldRE.FindStringSubmatch(e.Field)
	if m == nil {
		return "", errorText(p, err)
	}
	field, msg := m[1], errorText(p, err)
	switch field {
	case "local_holidays", "closures", "extra_openings":
		if n, err := strconv.Atoi(m[2]); err == nil {
			msg = p.T("hours.line", map[string]any{"Value": n + 1}) + " " + msg
		}
	case "time_zone", "mon", "tue", "wed", "thu", "fri", "sat", "sun":
	default:
		field = ""
	}
	return field, msg
}

// calendarSave validates and stores the form's calendar.
func (c *Console) calendarSave(w http.ResponseWriter, r *http.Request) {
	ref, ok := calendarRef(r.URL.Query())
	if !ok {
		c.notFound(w, r)
		return
	}
	cal := formCalendar(r.PostForm)
	if err := c.desk.SetCalendar(r.Context(), web.ActorFrom(r), ref, cal); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			c.fail(w, r, err)
			return
		}
		form := calendarFields(cal)
		form.TimeZone = r.PostForm.Get("time_zone")
		for i, d := range form.Days {
			form.Days[i].Value = r.PostForm.Get(d.Key)
		}
		form.Holidays, form.Closures, form.Openings = r.PostForm.Get("local_holidays"), r.PostForm.Get("closures"), r.PostForm.Get("extra_openings")
		field, msg := calendarError(c.printer(r), err)
		c.renderCalendarForm(w, r, http.StatusBadRequest, ref, form, map[string]string{field: msg})
		return
	}
	http.Redirect(w, r, hoursURL+"?ok=saved", http.StatusSeeOther)
}

// calendarClear removes a team's or a channel's own hours.
func (c *Console) calendarClear(w http.ResponseWriter, r *http.Request) {
	ref, ok := calendarRef(r.URL.Query())
	if !ok || ref == (store.CalendarRef{}) {
		c.notFound(w, r)
		return
	}
	if err := c.desk.ClearCalendar(r.Context(), web.ActorFrom(r), ref); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, hoursURL+"?ok=saved", http.StatusSeeOther)
}

func (c *Console) renderCalendarForm(w http.ResponseWriter, r *http.Request, status int, ref store.CalendarRef, data calendarFormPage, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	q := ""
	switch {
	case ref.TeamID != 0:
		q = "?team=" + strconv.FormatInt(ref.TeamID, 10)
	case ref.ChannelID != 0:
		q = "?channel=" + strconv.FormatInt(ref.ChannelID, 10)
	}
	pg := c.newPage(r, hoursURL+"/edit"+q, "hours.edit_title")
	pg.Nav = "routing"
	p := pg.p
	data.page, data.Tabs, data.Action, data.Errors = pg, routingTabs(p, hoursURL), hoursURL+"/edit"+q, errs
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	for i, d := range dayKeys {
		data.Days[i].Label = p.T(d.label, nil)
	}
	switch {
	case ref.TeamID != 0:
		t, err := c.desk.Store().Team(ctx, a.OrgID(), ref.TeamID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		data.Heading, data.ClearURL = t.Name, hoursURL+"/clear"+q
	case ref.ChannelID != 0:
		ch, err := c.desk.Store().Channel(ctx, a.OrgID(), ref.ChannelID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		data.Heading, data.ClearURL = ch.Name, hoursURL+"/clear"+q
	default:
		o, err := c.desk.Store().Organization(ctx, a.OrgID())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		data.Heading = o.Name
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "hours_form", pg, data)
}

// weeklySummary says a calendar's week in words: "lunedì–venerdì
// 09:30-18:00", consecutive days with the same shifts together.
func weeklySummary(p *locale.Printer, cal hours.Calendar) string {
	w := cal.Weekly
	week := [][]hours.Shift{w.Mon, w.Tue, w.Wed, w.Thu, w.Fri, w.Sat, w.Sun}
	var parts []string
	for i := 0; i < len(week); {
		j := i
		for j+1 < len(week) && shiftText(week[j+1]) == shiftText(week[i]) {
			j++
		}
		if len(week[i]) > 0 {
			days := p.T(dayKeys[i].label, nil)
			if j > i {
				days += "–" + p.T(dayKeys[j].label, nil)
			}
			parts = append(parts, days+" "+shiftText(week[i]))
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return p.T("hours.never_open", nil)
	}
	return strings.Join(parts, "; ")
}
