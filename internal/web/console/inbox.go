package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The inbox's views, in tab order.
const (
	viewMine       = "mine"
	viewUnassigned = "unassigned"
	viewMyTeams    = "myteams"
	viewAll        = "all"
	viewClosed     = "closed" // arrived while the desk was closed, oldest first
)

var viewLabels = map[string]string{
	viewMine: "inbox.mine", viewUnassigned: "inbox.unassigned", viewMyTeams: "inbox.my_teams", viewAll: "inbox.all",
	viewClosed: "inbox.closed",
}

// views lists the views the actor may open: "all" needs read_all; views
// over unassigned and team work need read_team.
func views(a *desk.Actor) []string {
	v := []string{viewMine}
	if a.Can(model.PermConversationsReadTeam) {
		v = append(v, viewClosed, viewUnassigned, viewMyTeams)
	}
	if a.Can(model.PermConversationsReadAll) {
		v = append(v, viewAll)
	}
	return v
}

// defaultView is where the inbox opens. Coordinators and admins oversee
// the desk: they land on everything; the others on their own work.
func defaultView(a *desk.Actor) string {
	if a.Can(model.PermConversationsReadAll) {
		return viewAll
	}
	return viewMine
}

// inboxQuery is the inbox's address: a view, filters and a page cursor.
type inboxQuery struct {
	View, Status, Channel, Language, Team, Tag, Q, Cursor string
}

func readInboxQuery(v url.Values) inboxQuery {
	return inboxQuery{
		View: v.Get("view"), Status: v.Get("status"), Channel: v.Get("channel"),
		Language: strings.ToLower(strings.TrimSpace(v.Get("language"))), Team: v.Get("team"),
		Tag: strings.TrimSpace(v.Get("tag")), Q: strings.TrimSpace(v.Get("q")), Cursor: v.Get("cursor"),
	}
}

// url is the inbox's address for q; a zero field is left out.
func (q inboxQuery) url() string {
	v := url.Values{}
	for k, s := range map[string]string{"view": q.View, "status": q.Status, "channel": q.Channel, "language": q.Language,
		"team": q.Team, "tag": q.Tag, "q": q.Q, "cursor": q.Cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return "/inbox"
	}
	return "/inbox?" + v.Encode()
}

type inboxPage struct {
	*page
	Query     inboxQuery
	Views     []link
	TeamTabs  []link // the actor's teams, in the "my teams" view
	NoTeams   bool
	Counts    []link
	Rows      []inboxRow
	OlderURL  string
	NewestURL string
	ResetURL  string
	Statuses  []option
	Channels  []option
	Teams     []option
	Languages []option
	Errors    map[string]string
	SelfURL   string // this page, for the reload link after live updates paused
	// ClosedWaiting counts what arrived while the desk was closed and
	// waits unanswered, announced first on the other views.
	ClosedWaiting int
	ClosedURL     string
}

// link is a navigation entry; Count is shown when HasCount.
type link struct {
	Key      string // a status count's key for live updates: "all" or the status
	Label    string
	URL      string
	Current  bool
	Count    int
	HasCount bool
}

type inboxRow struct {
	ID            int64
	URL           string
	Contact       string
	Subject       string
	Preview       string
	Status        model.Status
	StatusLabel   string
	Priority      model.Priority
	PriorityLabel string
	Channel       string
	Language      string
	Assignee      string
	Team          string
	Tags          []string
	Restricted    bool
	When, ISO     string
	SLA, SLALabel string // "warning" or "breached", and its words
	Mediator      string // the language a mediator is needed for
	Closed        bool   // arrived while the desk was closed, unanswered
}

// inbox lists the conversations of a view, newest activity first, with
// filters, counts per status and a link to older ones.
func (c *Console) inbox(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	q := readInboxQuery(r.URL.Query())
	allowed := views(a)
	if q.View == "" {
		q.View = defaultView(a)
	}
	if !slices.Contains(allowed, q.View) {
		if _, known := viewLabels[q.View]; known {
			c.fail(w, r, desk.Forbidden())
			return
		}
		q.View = viewMine
	}
	pg := c.newPage(r, q.url(), "inbox.title")
	pg.Nav = "inbox"
	p := pg.p
	errs := map[string]string{}

	teams, err := c.desk.Store().Teams(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, err := c.desk.Store().Users(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	names := newNames(p, users, teams)

	f := store.ConversationFilter{
		Status: model.Status(q.Status), Channel: model.ChannelKind(q.Channel), Language: q.Language,
		Tag: q.Tag, Q: q.Q, Cursor: q.Cursor,
	}
	switch q.Team {
	case "":
	case "none":
		f.TeamID = store.Unassigned
	default:
		id, err := strconv.ParseInt(q.Team, 10, 64)
		if (err != nil || id <= 0) && q.View != viewMyTeams {
			errs["team"] = p.T("inbox.team_invalid", nil)
		}
		f.TeamID = id
	}
	data := inboxPage{page: pg, Query: q, Errors: errs}
	switch q.View {
	case viewMine:
		f.AssigneeID = a.User.ID
	case viewUnassigned:
		f.AssigneeID = store.Unassigned
	case viewClosed:
		f.ArrivedClosed = true
	case viewMyTeams:
		// One team at a time: the store filters by one team id.
		if len(a.TeamIDs) == 0 {
			data.NoTeams = true
			break
		}
		if !slices.Contains(a.TeamIDs, f.TeamID) {
			f.TeamID = a.TeamIDs[0]
		}
		q.Team = strconv.FormatInt(f.TeamID, 10)
		data.Query.Team = q.Team
		for _, id := range a.TeamIDs {
			tq := q
			tq.Team, tq.Cursor = strconv.FormatInt(id, 10), ""
			data.TeamTabs = append(data.TeamTabs, link{Label: names.team(id), URL: tq.url(), Current: id == f.TeamID})
		}
	}

	status := http.StatusOK
	var rows []*model.Conversation
	var next string
	var counts map[model.Status]int
	if len(errs) == 0 && !data.NoTeams {
		rows, next, err = c.desk.Conversations(ctx, a, f)
		if err == nil {
			cf := f
			cf.Cursor = ""
			counts, err = c.desk.CountConversations(ctx, a, cf)
		}
		if err != nil {
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalid {
				c.fail(w, r, err)
				return
			}
			field := e.Field
			if field == "cursor" || field == "" {
				field = "page"
			}
			errs[field] = errorText(p, err)
			rows, next = nil, ""
		}
	}
	if len(errs) > 0 {
		status = http.StatusBadRequest
		pg.failed()
		if msg, ok := errs["page"]; ok {
			pg.Alert = msg
		}
	}

	if slices.Contains(allowed, viewClosed) && q.View != viewClosed {
		closed, err := c.desk.CountConversations(ctx, a, store.ConversationFilter{ArrivedClosed: true})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		data.ClosedWaiting, data.ClosedURL = closed[model.StatusOpen]+closed[model.StatusPending], inboxQuery{View: viewClosed}.url()
	}
	for _, v := range allowed {
		vq := inboxQuery{View: v}
		data.Views = append(data.Views, link{Label: p.T(viewLabels[v], nil), URL: vq.url(), Current: v == q.View})
	}
	if counts != nil {
		total := 0
		for _, n := range counts {
			total += n
		}
		aq := q
		aq.Status, aq.Cursor = "", ""
		data.Counts = append(data.Counts, link{Key: "all", Label: p.T("inbox.all_statuses", nil), URL: aq.url(), Current: q.Status == "", Count: total, HasCount: true})
		for _, s := range model.Statuses {
			sq := q
			sq.Status, sq.Cursor = string(s), ""
			data.Counts = append(data.Counts, link{Key: string(s), Label: statusLabel(p, s), URL: sq.url(), Current: q.Status == string(s), Count: counts[s], HasCount: true})
		}
	}
	loc := c.orgLocation(r, a.OrgID())
	now := c.now()
	for _, cv := range rows {
		data.Rows = append(data.Rows, c.inboxRow(p, names, loc, now, cv))
	}
	data.SelfURL = q.url()
	if next != "" {
		oq := q
		oq.Cursor = next
		data.OlderURL = oq.url()
	}
	if q.Cursor != "" {
		nq := q
		nq.Cursor = ""
		data.NewestURL = nq.url()
	}
	data.ResetURL = inboxQuery{View: q.View}.url()
	data.Statuses = append(data.Statuses, option{Value: "", Label: p.T("inbox.all_statuses", nil)})
	for _, s := range model.Statuses {
		data.Statuses = append(data.Statuses, option{Value: string(s), Label: statusLabel(p, s), Selected: q.Status == string(s)})
	}
	data.Channels = append(data.Channels, option{Value: "", Label: p.T("inbox.all_channels", nil)})
	for _, k := range model.ChannelKinds {
		data.Channels = append(data.Channels, option{Value: string(k), Label: channelLabel(p, k), Selected: q.Channel == string(k)})
	}
	if q.View != viewMyTeams {
		data.Teams = append(data.Teams, option{Value: "", Label: p.T("inbox.all_teams", nil)},
			option{Value: "none", Label: p.T("conversation.no_team", nil), Selected: q.Team == "none"})
		for _, t := range teams {
			id := strconv.FormatInt(t.ID, 10)
			data.Teams = append(data.Teams, option{Value: id, Label: t.Name, Selected: q.Team == id})
		}
	}
	for _, lang := range c.bundle.Languages() {
		data.Languages = append(data.Languages, option{Value: lang, Label: c.languageName(lang)})
	}
	c.render(w, r, status, "inbox", pg, data)
}

// inboxRow is one conversation as the inbox lists it; the live connection
// renders the same row when the conversation changes.
func (c *Console) inboxRow(p *locale.Printer, n names, loc *time.Location, now time.Time, cv *model.Conversation) inboxRow {
	row := inboxRow{
		ID: cv.ID, URL: conversationURL(cv.ID), Contact: contactName(p, cv.ContactName, cv.ContactID),
		Subject: cv.Subject, Preview: cv.Preview, Status: cv.Status, StatusLabel: statusLabel(p, cv.Status),
		Priority: cv.Priority, PriorityLabel: priorityLabel(p, cv.Priority), Channel: channelLabel(p, cv.Channel),
		Language: c.languageName(cv.Language), Tags: cv.Tags, Restricted: cv.Restricted,
		When: p.Relative(cv.LastActivityAt.In(loc), now), ISO: cv.LastActivityAt.UTC().Format(time.RFC3339),
	}
	if cv.AssigneeID != 0 {
		row.Assignee = n.user(cv.AssigneeID)
	}
	if cv.TeamID != 0 {
		row.Team = n.team(cv.TeamID)
	}
	row.SLA = conversationSLA(cv, now)
	row.SLALabel = slaStateLabel(p, row.SLA)
	if cv.NeedsMediator != "" {
		row.Mediator = c.languageName(cv.NeedsMediator)
	}
	row.Closed = cv.ArrivedClosedAt != nil && cv.FirstResponseAt == nil
	return row
}
