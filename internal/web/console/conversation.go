package console

import (
	"github.com/sportello/sportello/internal/desk"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// timelineWindow is how many of the newest messages a page shows.
const timelineWindow = 500

// pollSeconds is how often console.js asks for new messages.
const pollSeconds = 10

type conversationPage struct {
	*page
	Conv        *model.Conversation
	Heading     string
	Facts       []fact
	Contact     contactView
	Items       []timelineItem
	LastSeq     int64
	OlderHidden bool
	PollURL     string
	PollSeconds int
	Action      string // the update form's target
	Can         struct{ Reply, Note, Update, Assign, AssignMe, OverLimit bool }
	OverLimit   bool   // offer to assign anyway after a refusal over a chat limit
	Viewers     string // who else is looking, at the time of rendering
	Canned      []cannedOption
	KB          *kbPicker // help articles to link in a reply (kb_reply.go)
	Statuses    []option
	Priorities  []option
	Users       []option
	Teams       []option
	Tags        string
	SnoozeValue string
	Draft       string
	DraftMode   string // "reply" or "note"
	Errors      map[string]string
	// Screenings is the case's benefit screener section (screen_case.go).
	Screenings template.HTML
	// Routing: due times, mediator, language (conversation_routing.go);
	// TranslateInto names the citizen's language a reply may be
	// translated into.
	Routing       routingPanel
	TranslateInto string
	// Window: WhatsApp's 24-hour window and its templates
	// (conversation_window.go); nil on other channels.
	Window *windowView
	// Transcript: transcripts e-mailed to the contact
	// (conversation_transcript.go); nil when there is nothing to show.
	Transcript *transcriptPanel
}

// fact is one line of the details list; Key names it for live updates.
type fact struct{ Key, Label, Value string }

type contactView struct {
	Name       string
	Language   string
	Identities []fact
	URL        string // the contact's page, for who may read contacts
}

// convForm carries what a failed POST sends back to the page.
type convForm struct {
	status int
	done   string // after a redirect: "reply", "note" or "updated"
	draft  string
	mode   string // the draft's kind: "reply" or "note"
	errors map[string]string
	// overLimit: an assignment was refused for a chat limit the actor may
	// override.
	overLimit bool
	assignee  int64 // the assignee the refused form asked for
	cannedID  int64 // a canned response to add to the reply box
	// A refused template send: which, with what, and why.
	templateID  int64
	params      []string
	templateErr string
	// The help article search under the reply box (kb_reply.go): a query
	// searched, or the slug of an article whose link to add.
	kbQuery    string
	kbSearched bool
	kbSlug     string
	// A refused transcript send, its reason.
	transcriptErr string
}

func conversationURL(id int64) string { return "/conversations/" + strconv.FormatInt(id, 10) }

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// conversation shows a conversation's timeline with the reply form and
// the details; with ?after_seq=N it answers only the timeline items after
// N, for console.js.
func (c *Console) conversation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if r.URL.Query().Has("after_seq") {
		c.timelineAfter(w, r, id)
		return
	}
	a := web.ActorFrom(r)
	conv, err := c.desk.Conversation(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.markRead(r, a, id, conv.LastSeq)
	c.renderConversation(w, r, conv, convForm{status: http.StatusOK, done: r.URL.Query().Get("ok")})
}

// timelineAfter answers the items after after_seq: 204 when there are
// none, 404 when the conversation is not visible.
func (c *Console) timelineAfter(w http.ResponseWriter, r *http.Request, id int64) {
	w.Header().Set("Cache-Control", "no-store")
	after, err := strconv.ParseInt(r.URL.Query().Get("after_seq"), 10, 64)
	if err != nil || after < 0 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	a := web.ActorFrom(r)
	msgs, err := c.desk.Messages(r.Context(), a, id, after, 200)
	if err != nil {
		if web.Status(err) >= 500 {
			c.log.ErrorContext(r.Context(), "console: timeline", "err", err, "request_id", web.RequestID(r.Context()))
		}
		w.WriteHeader(web.Status(err))
		return
	}
	if len(msgs) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	c.markRead(r, a, id, msgs[len(msgs)-1].Seq)
	conv, err := c.desk.Store().Conversation(r.Context(), a.OrgID(), id)
	if err != nil {
		w.WriteHeader(web.Status(err))
		return
	}
	p := c.printer(r)
	n, err := c.names(r, a.OrgID(), p)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	items := c.timeline(p, n, contactName(p, conv.ContactName, conv.ContactID), msgs, c.orgLocation(r, a.OrgID()), csrfOf(r))
	c.renderTemplate(w, r, http.StatusOK, p.Lang(), "conversation", "timeline-items", items)
}

func (c *Console) names(r *http.Request, orgID int64, p *locale.Printer) (names, error) {
	users, err := c.desk.Store().Users(r.Context(), orgID)
	if err != nil {
		return names{}, err
	}
	teams, err := c.desk.Store().Teams(r.Context(), orgID)
	if err != nil {
		return names{}, err
	}
	return newNames(p, users, teams), nil
}

// renderConversation renders the page of conv; form carries a failed
// POST's draft and errors, or after a redirect the kind of success.
func (c *Console) renderConversation(w http.ResponseWriter, r *http.Request, conv *model.Conversation, form convForm) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, conversationURL(conv.ID), "conversation.page_title")
	pg.Nav = "inbox"
	p := pg.p
	data := conversationPage{
		page: pg, Conv: conv, Errors: form.errors, Draft: form.draft, DraftMode: "reply",
		Action: conversationURL(conv.ID), PollURL: conversationURL(conv.ID), PollSeconds: pollSeconds,
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	switch form.done {
	case "reply":
		pg.Notice = p.T("conversation.reply_sent", nil)
	case "note":
		pg.Notice = p.T("conversation.note_added", nil)
	case "updated":
		pg.Notice = p.T("conversation.updated", nil)
	}
	if form.mode == "note" {
		data.DraftMode = "note"
	}
	data.Can.Reply = a.Can(model.PermConversationsReply)
	data.Can.Note = a.Can(model.PermConversationsNote)
	data.Can.Update = a.Can(model.PermConversationsUpdate)
	data.Can.Assign = data.Can.Update && a.Can(model.PermConversationsAssign)
	data.Can.AssignMe = data.Can.Update && conv.AssigneeID != a.User.ID
	data.Can.OverLimit = data.Can.Update && a.Can(model.PermConversationsOverLimit)
	data.OverLimit = form.overLimit && data.Can.OverLimit
	if err := c.windowPanel(ctx, a, conv, &data, form); err != nil {
		c.fail(w, r, err)
		return
	}
	if !data.Can.Reply {
		data.DraftMode = "note"
	}

	users, err := c.desk.Store().Users(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	teams, err := c.desk.Store().Teams(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n := newNames(p, users, teams)
	loc := c.orgLocation(r, a.OrgID())

	name := contactName(p, conv.ContactName, conv.ContactID)
	data.Heading = name
	pg.Title = name + " · " + pg.Title
	data.Contact = contactView{Name: name, Language: c.languageName(conv.Language)}
	// Identities are personal data: only roles that may read contacts
	// see them (volunteers do not).
	if a.Can(model.PermContactsRead) {
		ct, err := c.desk.Store().Contact(ctx, a.OrgID(), conv.ContactID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if ct.Language != "" {
			data.Contact.Language = c.languageName(ct.Language)
		}
		data.Contact.URL = contactURL(ct.ID)
		for _, id := range ct.Identities {
			data.Contact.Identities = append(data.Contact.Identities, fact{Label: identityLabel(p, id.Kind), Value: id.Value})
		}
	}

	after := max(0, conv.LastSeq-timelineWindow)
	msgs, err := c.desk.Messages(ctx, a, conv.ID, after, timelineWindow)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.OlderHidden = after > 0
	c.translateFor(ctx, a, conv, msgs, p.Lang()) // conversation_routing.go
	data.Items = c.timeline(p, n, name, msgs, loc, csrfOf(r))
	if err := c.transcriptPanelFor(ctx, a, conv, &data, form, loc); err != nil {
		c.fail(w, r, err)
		return
	}
	data.LastSeq = after
	if len(msgs) > 0 {
		data.LastSeq = msgs[len(msgs)-1].Seq
	}

	assignee, team := p.T("conversation.nobody", nil), p.T("conversation.no_team", nil)
	if conv.AssigneeID != 0 {
		assignee = n.user(conv.AssigneeID)
	}
	if conv.TeamID != 0 {
		team = n.team(conv.TeamID)
	}
	data.Facts = []fact{
		{"status", p.T("conversation.status", nil), statusLabel(p, conv.Status)},
		{"priority", p.T("conversation.priority", nil), priorityLabel(p, conv.Priority)},
		{"assignee", p.T("conversation.assignee", nil), assignee},
		{"team", p.T("conversation.team", nil), team},
		{"channel", p.T("conversation.channel", nil), channelLabel(p, conv.Channel)},
	}
	if conv.Language != "" {
		data.Facts = append(data.Facts, fact{"language", p.T("conversation.language", nil), c.languageName(conv.Language)})
	}
	data.Facts = append(data.Facts, fact{"opened", p.T("conversation.opened", nil), p.FormatDateTime(conv.CreatedAt, loc)})
	if conv.SnoozedUntil != nil {
		data.Facts = append(data.Facts, fact{"snoozed_until", p.T("conversation.snoozed_until", nil), p.FormatDateTime(*conv.SnoozedUntil, loc)})
		data.SnoozeValue = conv.SnoozedUntil.In(loc).Format(snoozeLayout)
	}
	if len(conv.Tags) > 0 {
		data.Facts = append(data.Facts, fact{"tags", p.T("conversation.tags", nil), strings.Join(conv.Tags, ", ")})
	}
	data.Viewers = viewersText(p, c.presence.Viewers(conv.ID), a.User.ID)
	data.Tags = strings.Join(conv.Tags, ", ")

	for _, s := range model.Statuses {
		data.Statuses = append(data.Statuses, option{Value: string(s), Label: statusLabel(p, s), Selected: s == conv.Status})
	}
	for pr := model.PriorityLow; pr <= model.PriorityUrgent; pr++ {
		data.Priorities = append(data.Priorities, option{Value: strconv.Itoa(int(pr)), Label: priorityLabel(p, pr), Selected: pr == conv.Priority})
	}
	if data.Can.Assign {
		selected := conv.AssigneeID
		if form.assignee != 0 {
			selected = form.assignee
		}
		data.Users = append(data.Users, option{Value: "0", Label: p.T("conversation.nobody", nil), Selected: selected == 0})
		for _, u := range users {
			if !u.Active && u.ID != conv.AssigneeID {
				continue
			}
			o := option{Value: strconv.FormatInt(u.ID, 10), Selected: u.ID == selected, User: u.ID, Name: u.Name}
			if u.MaxChats > 0 {
				n, err := c.desk.ActiveChats(ctx, a.OrgID(), u.ID)
				if err != nil {
					c.fail(w, r, err)
					return
				}
				o.Load = strconv.Itoa(n) + "/" + strconv.Itoa(u.MaxChats)
			}
			o.Label = personLabel(u.Name, presenceLabel(p, c.presence.Status(u.ID)), o.Load)
			data.Users = append(data.Users, o)
		}
		data.Teams = append(data.Teams, option{Value: "0", Label: p.T("conversation.no_team", nil), Selected: conv.TeamID == 0})
		for _, t := range teams {
			data.Teams = append(data.Teams, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == conv.TeamID})
		}
	}
	if data.Can.Reply || data.Can.Note {
		if data.Canned, err = c.cannedFor(ctx, a, conv); err != nil {
			c.fail(w, r, err)
			return
		}
		for _, o := range data.Canned {
			if o.ID == form.cannedID {
				data.Draft = joinDraft(data.Draft, o.Body)
			}
		}
	}
	if data.Can.Reply && a.Can(model.PermKBRead) {
		data.KB = &kbPicker{Query: form.kbQuery, Searched: form.kbSearched, URL: "/kb/search?conv=" + strconv.FormatInt(conv.ID, 10)}
		if form.kbSearched {
			if data.KB.Results, err = c.kbPicks(ctx, r, a, conv, form.kbQuery); err != nil {
				c.fail(w, r, err)
				return
			}
		}
		if form.kbSlug != "" {
			// An article unpublished in the meantime is not inserted.
			if text, err := c.kbLinkText(ctx, r, a, conv, form.kbSlug); err == nil {
				data.Draft = joinDraft(data.Draft, text)
			}
		}
	}
	data.Screenings = c.renderScreeningSection(ctx, r, pg, conv)
	data.Routing = c.routingPanelFor(p, a, pg, conv, loc, c.now(), data.Errors["language"])
	if data.Can.Reply {
		data.TranslateInto = c.translateReply(r, a, conv, p.Lang())
	}
	if msg := data.Errors["assignee_id"]; msg != "" && !data.Can.Assign {
		data.Errors[""] = msg // "assign to me" has no field to show it by
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	status := form.status
	if status == 0 {
		status = http.StatusOK
	}
	c.render(w, r, status, "conversation", pg, data)
}

// snoozeLayout is the value of an <input type="datetime-local">.
const snoozeLayout = "2006-01-02T15:04"

// knownFields are the fields whose errors show next to an input; others
// go to the page's alert.
var knownFields = []string{"body", "status", "snoozed_until", "priority", "tags", "assignee_id", "team_id", "language"}

// fieldOf is the form field an error concerns, or "" for the page.
func fieldOf(err error) string {
	if e, ok := model.AsError(err); ok && slices.Contains(knownFields, e.Field) {
		return e.Field
	}
	return ""
}

// parseSnooze reads a datetime-local value in the organisation's zone.
func parseSnooze(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(snoozeLayout, s, loc)
}

// markRead tells the citizen that an operator has seen their messages up
// to seq. A failure only costs the "seen" mark, so it is logged, not shown.
func (c *Console) markRead(r *http.Request, a *desk.Actor, conversationID, seq int64) {
	if err := c.desk.MessagesRead(r.Context(), a, conversationID, seq); err != nil {
		c.log.WarnContext(r.Context(), "console: mark read", "conversation", conversationID, "err", err)
	}
}
