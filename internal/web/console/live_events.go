package console

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
)

// event turns a hub event into what this tab may see.
func (lc *liveConn) event(ctx context.Context, ev realtime.Event) {
	switch ev.Type {
	case "message":
		lc.onMessage(ctx, ev)
	case "message_update":
		lc.onMessageUpdate(ctx, ev)
	case "conversation":
		lc.onConversation(ctx, ev)
	case "typing":
		lc.onTyping(ctx, ev)
	case "viewers":
		lc.onViewers(ctx, ev)
	case "presence":
		lc.onPresence(ctx, ev)
	case "mediator", "sla":
		lc.onAlert(ctx, ev) // live_routing.go
	}
}

// onMessage: the inbox row moves to the top with its new preview, the
// open timeline gets the item, and the operator is notified of a
// citizen's message in their own conversation or in a new unassigned one.
func (lc *liveConn) onMessage(ctx context.Context, ev realtime.Event) {
	id := ev.ConversationID
	conv, err := lc.conversationOf(ctx, ev)
	if err != nil {
		if model.ErrorIs(err, model.CodeNotFound) {
			lc.gone(ctx, id)
		}
		return
	}
	if !lc.a.CanSee(conv) {
		// Never the content, and only a "remove" for a row the tab shows.
		lc.gone(ctx, id)
		return
	}
	key := [2]int64{id, ev.Seq}
	if lc.seen[key] {
		return
	}
	if len(lc.seen) >= liveMaxSeen {
		clear(lc.seen)
	}
	lc.seen[key] = true

	var m model.Message
	var hasMsg bool
	if ev.Message != nil {
		m, hasMsg = *ev.Message, ev.Message.ConversationID == id
	} else {
		hasMsg = len(ev.Data) > 0 && json.Unmarshal(ev.Data, &m) == nil && m.ConversationID == id
	}
	fresh := lc.fresh[id]
	delete(lc.fresh, id)
	out := liveOut{Type: "message", ConversationID: id, Seq: ev.Seq}
	lc.rowInto(ctx, &out, conv, true)
	if hasMsg && id == lc.open {
		n := lc.freshNames(ctx, m.AuthorUserID)
		items := lc.c.timeline(lc.p, n, contactName(lc.p, conv.ContactName, conv.ContactID), []*model.Message{&m}, lc.loc, lc.csrf)
		out.Item = lc.render("conversation", "timeline-items", items)
	}
	if hasMsg && m.Direction == model.DirectionInbound && (conv.AssigneeID == lc.a.User.ID || conv.AssigneeID == 0 && fresh) {
		out.Notify = true
		key := "live.new_message"
		if fresh {
			key = "live.new_conversation"
		}
		out.Announce = lc.p.T(key, map[string]any{"Name": contactName(lc.p, conv.ContactName, conv.ContactID)})
	}
	if out.Row == "" && out.Item == "" && !out.Notify && id != lc.open {
		return // nothing this tab shows
	}
	lc.send(ctx, out)
}

// onConversation: a new conversation, an assignment, a status or another
// field changed.
func (lc *liveConn) onConversation(ctx context.Context, ev realtime.Event) {
	id := ev.ConversationID
	conv, err := lc.conversationOf(ctx, ev)
	if err != nil {
		if model.ErrorIs(err, model.CodeNotFound) {
			lc.gone(ctx, id)
		}
		return
	}
	if !lc.a.CanSee(conv) {
		lc.gone(ctx, id)
		return
	}
	isNew := len(ev.Data) == 0 // the desk announces a new conversation without data
	if isNew {
		lc.fresh[id] = true
		if len(lc.fresh) > liveMaxIDs {
			clear(lc.fresh)
		}
	}
	out := liveOut{Type: "conversation", ConversationID: id, Seq: conv.LastSeq}
	lc.rowInto(ctx, &out, conv, isNew)
	if id == lc.open {
		out.Facts, out.Values = lc.facts(ctx, conv)
	}
	if out.Row == "" && out.Facts == nil {
		return
	}
	lc.send(ctx, out)
}

// rowInto adds the conversation's inbox row when the tab shows an inbox
// it belongs to; moved says it has new activity and goes to the top. A
// row the tab shows that left its view is removed.
func (lc *liveConn) rowInto(ctx context.Context, out *liveOut, conv *model.Conversation, moved bool) {
	if lc.inbox == nil {
		return
	}
	match, known := lc.inbox.matches(conv)
	switch {
	case match && (lc.watched[conv.ID] || known && lc.inbox.first):
		// A search or an older page gets updates of its rows, never new
		// ones: only the newest page of a plain view can tell where one goes.
		n := lc.freshNames(ctx, conv.AssigneeID)
		row := lc.c.inboxRow(lc.p, n, lc.loc, time.Now(), conv)
		out.Row = lc.render("inbox", "inbox-row", row)
		out.Top = moved && lc.inbox.first
		lc.watched[conv.ID] = true
		lc.countsSoon()
	case !match && known && lc.watched[conv.ID]:
		delete(lc.watched, conv.ID)
		lc.countsSoon()
		lc.send(ctx, liveOut{Type: "remove", ConversationID: conv.ID})
	default:
		lc.countsSoon()
	}
}

// facts are the details of the open conversation that change, as the
// page shows them and as its forms' values.
func (lc *liveConn) facts(ctx context.Context, conv *model.Conversation) (map[string]string, map[string]string) {
	p := lc.p
	n := lc.freshNames(ctx, conv.AssigneeID)
	assignee, team := p.T("conversation.nobody", nil), p.T("conversation.no_team", nil)
	if conv.AssigneeID != 0 {
		assignee = n.user(conv.AssigneeID)
	}
	if conv.TeamID != 0 {
		team = n.team(conv.TeamID)
	}
	facts := map[string]string{
		"status": statusLabel(p, conv.Status), "priority": priorityLabel(p, conv.Priority),
		"assignee": assignee, "team": team, "tags": strings.Join(conv.Tags, ", "),
	}
	values := map[string]string{
		"status": string(conv.Status), "priority": strconv.Itoa(int(conv.Priority)),
		"assignee_id": strconv.FormatInt(conv.AssigneeID, 10), "team_id": strconv.FormatInt(conv.TeamID, 10),
	}
	return facts, values
}

func (lc *liveConn) onTyping(ctx context.Context, ev realtime.Event) {
	if ev.ConversationID != lc.open || lc.open == 0 {
		return
	}
	var t desk.TypingEvent
	if json.Unmarshal(ev.Data, &t) != nil || t.UserID == lc.a.User.ID {
		return
	}
	var text string
	switch {
	case t.Citizen:
		text = lc.p.T("live.citizen_typing", nil)
	case t.Note:
		text = lc.p.T("live.typing_note", map[string]any{"Name": t.Name})
	case t.UserID != 0:
		text = lc.p.T("live.typing", map[string]any{"Name": t.Name})
	default:
		return
	}
	lc.send(ctx, liveOut{Type: "typing", ConversationID: ev.ConversationID, Text: &text})
}

func (lc *liveConn) onViewers(ctx context.Context, ev realtime.Event) {
	if ev.ConversationID != lc.open || lc.open == 0 {
		return
	}
	var vs []desk.Viewer
	if json.Unmarshal(ev.Data, &vs) != nil {
		return
	}
	text := viewersText(lc.p, vs, lc.a.User.ID)
	out := liveOut{Type: "viewers", ConversationID: ev.ConversationID, Text: &text, Names: []string{}}
	for _, v := range vs {
		if v.UserID != lc.a.User.ID {
			out.Names = append(out.Names, v.Name)
		}
	}
	lc.send(ctx, out)
}

// viewersText says who else is looking at a conversation, "" for nobody.
func viewersText(p *locale.Printer, vs []desk.Viewer, me int64) string {
	var others []string
	for _, v := range vs {
		if v.UserID != me {
			others = append(others, v.Name)
		}
	}
	if len(others) == 0 {
		return ""
	}
	return p.T("live.viewers", map[string]any{"Name": strings.Join(others, ", ")})
}

func (lc *liveConn) onPresence(ctx context.Context, ev realtime.Event) {
	var pe desk.PresenceEvent
	if json.Unmarshal(ev.Data, &pe) != nil || ev.OrgID != lc.a.OrgID() {
		return
	}
	lc.send(ctx, liveOut{Type: "presence", UserID: pe.UserID, Status: string(pe.Status), Label: presenceLabel(lc.p, pe.Status)})
}

// render executes one template of a page set in the tab's language.
func (lc *liveConn) render(set, name string, data any) string {
	b, err := lc.c.pages.Execute(lc.p.Lang(), set, name, data)
	if err != nil {
		lc.c.log.Error("console: live render", "template", set+"/"+name, "err", err)
		return ""
	}
	return string(b)
}

// liveInbox is the inbox a tab shows: its view's filter, and whether it
// is the newest page of a plain view, where new rows can go on top.
type liveInbox struct {
	f     store.ConversationFilter
	first bool
}

// liveInboxFor reads the inbox address a tab reports, as the inbox page
// does; ok is false for a view the actor may not open or a malformed one.
func liveInboxFor(a *desk.Actor, query string) (*liveInbox, bool) {
	v, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		return nil, false
	}
	q := readInboxQuery(v)
	if q.View == "" {
		q.View = defaultView(a)
	}
	if !slices.Contains(views(a), q.View) {
		return nil, false
	}
	f := store.ConversationFilter{
		Status: model.Status(q.Status), Channel: model.ChannelKind(q.Channel), Language: q.Language,
		Tag: strings.ToLower(q.Tag), Q: q.Q, Cursor: q.Cursor,
	}
	switch q.Team {
	case "":
	case "none":
		f.TeamID = store.Unassigned
	default:
		id, err := strconv.ParseInt(q.Team, 10, 64)
		if err != nil || id <= 0 {
			return nil, false
		}
		f.TeamID = id
	}
	switch q.View {
	case viewMine:
		f.AssigneeID = a.User.ID
	case viewUnassigned:
		f.AssigneeID = store.Unassigned
	case viewClosed:
		f.ArrivedClosed = true
	case viewMyTeams:
		if len(a.TeamIDs) == 0 {
			return nil, false
		}
		if !slices.Contains(a.TeamIDs, f.TeamID) {
			f.TeamID = a.TeamIDs[0]
		}
	}
	// The closed queue is oldest first: a new row does not go on top.
	return &liveInbox{f: f, first: q.Cursor == "" && q.Q == "" && !f.ArrivedClosed}, true
}

// matches tells whether conv belongs to the inbox's view; known is false
// when the view has a search, which only the database can answer.
func (in *liveInbox) matches(conv *model.Conversation) (match, known bool) {
	f := in.f
	id := func(want, got int64) bool {
		switch want {
		case 0:
			return true
		case store.Unassigned:
			return got == 0
		}
		return got == want
	}
	match = id(f.AssigneeID, conv.AssigneeID) && id(f.TeamID, conv.TeamID) &&
		(f.Status == "" || f.Status == conv.Status) &&
		(f.Channel == "" || f.Channel == conv.Channel) &&
		(f.Language == "" || f.Language == conv.Language) &&
		(f.Tag == "" || slices.Contains(conv.Tags, f.Tag)) &&
		(!f.ArrivedClosed || conv.ArrivedClosedAt != nil && conv.FirstResponseAt == nil &&
			(conv.Status == model.StatusOpen || conv.Status == model.StatusPending))
	return match, f.Q == ""
}

// onMessageUpdate: a message on screen changed (delivered, read, failed,
// a file fetched later): its timeline item is drawn again.
func (lc *liveConn) onMessageUpdate(ctx context.Context, ev realtime.Event) {
	if ev.ConversationID != lc.open {
		return
	}
	conv, err := lc.conversationOf(ctx, ev)
	if err != nil || !lc.a.CanSee(conv) {
		return
	}
	var m model.Message
	if json.Unmarshal(ev.Data, &m) != nil || m.ConversationID != ev.ConversationID || m.Direction == model.DirectionNote {
		return
	}
	n := lc.freshNames(ctx, m.AuthorUserID)
	items := lc.c.timeline(lc.p, n, contactName(lc.p, conv.ContactName, conv.ContactID), []*model.Message{&m}, lc.loc, lc.csrf)
	lc.send(ctx, liveOut{Type: "message_update", ConversationID: ev.ConversationID, Seq: m.Seq, Item: lc.render("conversation", "timeline-items", items)})
}
