package desk

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
)

// Routing places new conversations: the organisation's rules pick a team
// (internal/routing decides, this file gathers its input and applies its
// output), and within the team an operator who is online, has room and
// speaks the language takes it. What nobody can take waits in the team's
// queue, flagged when it needs a mediator; the worker (worker.go) tries
// again when operators come online, and hands on the chats of those who
// go offline.
//
// Presence is this instance's (see Presence): with several instances,
// each routes by the operators connected to it.

// router is the desk's routing state.
type router struct {
	bundle   func() (*locale.Bundle, error)
	client   *http.Client
	presence atomic.Pointer[Presence]
	kick     chan struct{} // an operator came online: assign waiting work soon

	mu      sync.Mutex
	pending map[int64]bool             // organisations with someone new online
	offline map[int64]offlineUser      // users who went offline here
	scheds  map[string]*hours.Schedule // compiled calendars by their JSON

	channelScheds map[string]cachedSchedule // ChannelSchedule's, by organisation and kind
	calScheds     map[string]cachedSchedule // scheduleFor's, by organisation, team and channel
	closedSent    map[int64]int64           // conversations whose closed reply this period is recorded: the period's start (ms)
}

// forgetSchedules drops the calendars kept in memory: one was changed.
func (r *router) forgetSchedules() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.channelScheds)
	clear(r.calScheds)
}

// maxClosedSent bounds closedSent; forgetting costs one write that
// changes nothing (the store keeps the reply to one per period).
const maxClosedSent = 20000

// closedReplied tells whether the closed reply of the period starting at
// start is known to be recorded for a conversation, so that a citizen
// writing many messages while the desk is closed costs no write each.
func (r *router) closedReplied(convID int64, start time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.closedSent[convID]
	return ok && at == start.UnixMilli()
}

func (r *router) noteClosedReply(convID int64, start time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.closedSent) >= maxClosedSent {
		clear(r.closedSent)
	}
	r.closedSent[convID] = start.UnixMilli()
}

type offlineUser struct {
	orgID int64
	since time.Time
}

func newRouter(opt Options) *router {
	bundle := func() (*locale.Bundle, error) { return opt.Bundle, nil }
	if opt.Bundle == nil {
		bundle = sync.OnceValues(locale.Load)
	}
	client := opt.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &router{bundle: bundle, client: client, kick: make(chan struct{}, 1),
		pending: map[int64]bool{}, offline: map[int64]offlineUser{}, scheds: map[string]*hours.Schedule{},
		channelScheds: map[string]cachedSchedule{}, calScheds: map[string]cachedSchedule{}, closedSent: map[int64]int64{}}
}

// presenceChanged is told by Presence of every change of a user's status
// (with Presence's lock held: it must not call back).
func (r *router) presenceChanged(orgID, userID int64, status PresenceStatus, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch status {
	case Offline:
		r.offline[userID] = offlineUser{orgID: orgID, since: now}
	case Online:
		delete(r.offline, userID)
		r.pending[orgID] = true
		select {
		case r.kick <- struct{}{}:
		default:
		}
	default:
		delete(r.offline, userID)
	}
}

// presenceOf is who of the organisation's operators is online or away:
// on this instance and, with shared presence, on the others.
func (d *Service) presenceOf(orgID int64) map[int64]PresenceStatus {
	out := map[int64]PresenceStatus{}
	if p := d.routes.presence.Load(); p != nil {
		out = p.Statuses(orgID)
	}
	for id, st := range d.othersPresence(orgID) {
		out[id] = best(out[id], st)
	}
	return out
}

// AnyoneOnline reports whether an operator of the organisation is online
// (not away), here or on another instance: the citizen's chat page says
// so when nobody is.
func (d *Service) AnyoneOnline(orgID int64) bool {
	for _, st := range d.presenceOf(orgID) {
		if st == Online {
			return true
		}
	}
	return false
}

// routingInput gathers what routing decides on, for one organisation.
func (d *Service) routingInput(ctx context.Context, orgID int64) (routing.Input, string, error) {
	var in routing.Input
	org, err := d.st.Organization(ctx, orgID)
	if err != nil {
		return in, "", err
	}
	if in.Rules, err = d.st.RoutingRules(ctx, orgID); err != nil {
		return in, "", err
	}
	teams, err := d.st.Teams(ctx, orgID)
	if err != nil {
		return in, "", err
	}
	trs, err := d.st.TeamRoutings(ctx, orgID)
	if err != nil {
		return in, "", err
	}
	for _, t := range teams {
		tr, ok := trs[t.ID]
		if !ok {
			tr = store.DefaultTeamRouting(t.ID)
		}
		in.Teams = append(in.Teams, routing.Team{ID: t.ID, Strategy: tr.Strategy, MemberIDs: t.MemberIDs, LastAssigned: tr.LastAssigned})
	}
	users, err := d.st.Users(ctx, orgID)
	if err != nil {
		return in, "", err
	}
	loads, err := d.st.ActiveChatCounts(ctx, orgID)
	if err != nil {
		return in, "", err
	}
	present := d.presenceOf(orgID)
	for _, u := range users {
		if !u.Active || !u.Role.Can(model.PermConversationsReply) {
			continue
		}
		st := routing.Offline
		if s, ok := present[u.ID]; ok {
			st = routing.Presence(s)
		}
		in.Operators = append(in.Operators, routing.Operator{ID: u.ID, Languages: u.Languages, Presence: st, Load: loads[u.ID], MaxChats: u.MaxChats})
	}
	return in, org.Language, nil
}

// route places a new conversation: a team by the rules, an operator by
// the team's strategy. topic and text are what the citizen chose and
// wrote first.
func (d *Service) route(ctx context.Context, c *model.Conversation, topic, text string) (*model.Conversation, error) {
	if c.AssigneeID != 0 {
		return c, nil
	}
	in, deskLang, err := d.routingInput(ctx, c.OrgID)
	if err != nil {
		return c, err
	}
	if len(in.Rules) == 0 && c.TeamID == 0 {
		// An organisation without rules routes by hand, as before it
		// had any.
		return c, nil
	}
	in.Conversation = routing.Conversation{Channel: c.Channel, Language: c.Language, Topic: topic, Subject: c.Subject, Text: text,
		TeamID: c.TeamID, DeskLanguage: deskLang}
	return d.place(ctx, c, routing.Decide(in), 0)
}

// place applies a decision to c; from is the operator whose chat is
// handed on, 0 for a conversation nobody has.
func (d *Service) place(ctx context.Context, c *model.Conversation, dec routing.Decision, from int64) (*model.Conversation, error) {
	var p store.Placement
	if c.TeamID == 0 && dec.TeamID != 0 {
		p.TeamID = dec.TeamID
	}
	if dec.Waiting == routing.Assigned && dec.OperatorID != 0 {
		p.AssigneeID, p.From = dec.OperatorID, from
	} else if from != 0 {
		p.Unassign, p.From = true, from
	}
	mediator := ""
	if dec.Waiting == routing.NeedsMediator {
		mediator = dec.Language
	}
	p.NeedsMediator = &mediator
	placed, err := d.st.Place(ctx, c.OrgID, c.ID, p)
	if err != nil || placed == (store.Placed{}) {
		return c, err
	}
	nc, err := d.st.Conversation(ctx, c.OrgID, c.ID)
	if err != nil {
		return c, err
	}
	if placed.Team {
		if withDue, err := d.applySLA(ctx, nc); err != nil {
			d.log.Warn("sla: due times", "conversation", c.ID, "err", err)
		} else {
			nc = withDue
		}
	}
	d.publishConversation(nc)
	if placed.Mediator && mediator != "" {
		d.notifyMediators(nc, mediator)
	}
	return nc, nil
}

// MediatorEvent is the data of a "mediator" event on the organisation's
// topic: a conversation waits for someone who speaks Language. Consoles
// show it to those who do.
type MediatorEvent struct {
	Language string `json:"language"`
	TeamID   int64  `json:"team_id,omitempty"`
}

func (d *Service) notifyMediators(c *model.Conversation, lang string) {
	data, _ := json.Marshal(MediatorEvent{Language: lang, TeamID: c.TeamID})
	d.pub.Publish(realtime.OrgTopic(c.OrgID), realtime.Event{Type: "mediator", OrgID: c.OrgID, ConversationID: c.ID, Seq: c.LastSeq, Data: data})
}

// AssignWaiting gives the organisation's waiting conversations (a team,
// nobody assigned) to operators who can take them now: those that arrived
// while the desk was closed first, then the oldest. It reports how many it
// assigned.
func (d *Service) AssignWaiting(ctx context.Context, orgID int64) (int, error) {
	waiting, err := d.st.WaitingConversations(ctx, orgID, 500)
	if err != nil || len(waiting) == 0 {
		return 0, err
	}
	in, deskLang, err := d.routingInput(ctx, orgID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range waiting {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		in.Conversation = routing.Conversation{Channel: c.Channel, Language: c.Language, Subject: c.Subject, TeamID: c.TeamID, DeskLanguage: deskLang}
		dec := routing.Decide(in)
		if dec.OperatorID == 0 && (dec.Waiting == routing.NeedsMediator) == (c.NeedsMediator != "") {
			continue // nothing changes
		}
		nc, err := d.place(ctx, c, dec, 0)
		if err != nil {
			d.log.Warn("routing: assign waiting", "conversation", c.ID, "err", err)
			continue
		}
		if dec.OperatorID != 0 && nc.AssigneeID == dec.OperatorID {
			n++
			assigned(&in, c.TeamID, dec.OperatorID)
		}
	}
	return n, nil
}

// assigned updates in after an assignment, for the next decision.
func assigned(in *routing.Input, teamID, userID int64) {
	for i := range in.Operators {
		if in.Operators[i].ID == userID {
			in.Operators[i].Load++
		}
	}
	for i := range in.Teams {
		if in.Teams[i].ID == teamID {
			in.Teams[i].LastAssigned = userID
		}
	}
}

// ReassignOffline hands on the chats routing gave to operators who went
// offline on this instance more than grace ago, in teams that want it
// (store.TeamRouting.ReassignOffline): to another operator who can take
// them, or back to the team's queue. A chat someone assigned by hand stays
// with them. It reports how many chats it moved.
func (d *Service) ReassignOffline(ctx context.Context, grace time.Duration) (int, error) {
	now := d.now()
	d.routes.mu.Lock()
	var gone []struct {
		user int64
		offlineUser
	}
	for id, o := range d.routes.offline {
		if now.Sub(o.since) >= grace {
			gone = append(gone, struct {
				user int64
				offlineUser
			}{id, o})
			delete(d.routes.offline, id)
		}
	}
	d.routes.mu.Unlock()
	moved := 0
	for _, g := range gone {
		if st := d.presenceOf(g.orgID)[g.user]; st == Online || st == Away {
			continue // back meanwhile, here or on another instance
		}
		n, err := d.reassignFrom(ctx, g.orgID, g.user)
		moved += n
		if err != nil {
			return moved, err
		}
	}
	return moved, nil
}

func (d *Service) reassignFrom(ctx context.Context, orgID, userID int64) (int, error) {
	convs, err := d.st.AutoAssignedTo(ctx, orgID, userID)
	if err != nil || len(convs) == 0 {
		return 0, err
	}
	trs, err := d.st.TeamRoutings(ctx, orgID)
	if err != nil {
		return 0, err
	}
	in, deskLang, err := d.routingInput(ctx, orgID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range convs {
		tr, ok := trs[c.TeamID]
		if c.TeamID == 0 || !ok || !tr.ReassignOffline {
			continue
		}
		in.Conversation = routing.Conversation{Channel: c.Channel, Language: c.Language, Subject: c.Subject, TeamID: c.TeamID,
			DeskLanguage: deskLang, Exclude: userID}
		dec := routing.Decide(in)
		nc, err := d.place(ctx, c, dec, userID)
		if err != nil {
			d.log.Warn("routing: hand on", "conversation", c.ID, "err", err)
			continue
		}
		if nc.AssigneeID != userID {
			n++
			if nc.AssigneeID != 0 {
				assigned(&in, c.TeamID, nc.AssigneeID)
			}
		}
	}
	return n, nil
}

// Routing rules and team strategies, for administrators.

// RoutingRules lists the organisation's rules in order.
func (d *Service) RoutingRules(ctx context.Context, a *Actor) ([]routing.Rule, error) {
	if !a.Can(model.PermSettingsManage) {
		return nil, errForbidden
	}
	return d.st.RoutingRules(ctx, a.OrgID())
}

// RoutingRule returns one rule.
func (d *Service) RoutingRule(ctx context.Context, a *Actor, id int64) (routing.Rule, error) {
	if !a.Can(model.PermSettingsManage) {
		return routing.Rule{}, errForbidden
	}
	return d.st.RoutingRule(ctx, a.OrgID(), id)
}

// SaveRoutingRule creates (ID 0, at the end) or changes a rule.
func (d *Service) SaveRoutingRule(ctx context.Context, a *Actor, r *routing.Rule) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	action := "routing_rule_update"
	var err error
	if r.ID == 0 {
		action = "routing_rule_create"
		err = d.st.CreateRoutingRule(ctx, a.OrgID(), r)
	} else {
		err = d.st.UpdateRoutingRule(ctx, a.OrgID(), r)
	}
	if err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, action, "routing_rule", r.ID, r.Name, a.IP)
	return nil
}

// DeleteRoutingRule removes a rule.
func (d *Service) DeleteRoutingRule(ctx context.Context, a *Actor, id int64) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	if err := d.st.DeleteRoutingRule(ctx, a.OrgID(), id); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "routing_rule_delete", "routing_rule", id, "", a.IP)
	return nil
}

// MoveRoutingRule moves a rule to position (1: tried first).
func (d *Service) MoveRoutingRule(ctx context.Context, a *Actor, id int64, position int) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	if err := d.st.MoveRoutingRule(ctx, a.OrgID(), id, position); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "routing_rule_move", "routing_rule", id, "position="+strconv.Itoa(position), a.IP)
	return nil
}

// TeamRoutings returns every team's strategy.
func (d *Service) TeamRoutings(ctx context.Context, a *Actor) (map[int64]store.TeamRouting, error) {
	if !a.Can(model.PermSettingsManage) {
		return nil, errForbidden
	}
	return d.st.TeamRoutings(ctx, a.OrgID())
}

// SetTeamRouting saves a team's strategy.
func (d *Service) SetTeamRouting(ctx context.Context, a *Actor, tr store.TeamRouting) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	if err := d.st.SetTeamRouting(ctx, a.OrgID(), tr); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "team_routing_change", "team", tr.TeamID,
		string(tr.Strategy)+" reassign_offline="+strconv.FormatBool(tr.ReassignOffline), a.IP)
	return nil
}
