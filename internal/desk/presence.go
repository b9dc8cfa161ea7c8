package desk

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/sportello/sportello/internal/realtime"
)

// PresenceStatus is whether an operator is at the desk.
type PresenceStatus string

const (
	Online  PresenceStatus = "online"  // at least one console tab open and in use
	Away    PresenceStatus = "away"    // tabs open, but idle or set to away
	Offline PresenceStatus = "offline" // no console tab open
)

// Presence knows who is online and who is looking at which conversation.
// It lives in this instance's memory: with several instances behind a
// load balancer each knows the tabs connected to it, and its events go to
// its own hub only (not through the relay, whose other instances would
// overwrite their own view with ours). Routing also sees the operators of
// the other instances, through the database (presence_shared.go); who is
// viewing a conversation stays per instance. A restart empties it and
// tabs reconnect.
type Presence struct {
	d *Service

	mu      sync.Mutex
	users   map[int64]*presenceUser     // by user id
	viewing map[int64]map[*Tab]struct{} // by conversation id
}

type presenceUser struct {
	orgID  int64
	tabs   map[*Tab]struct{}
	status PresenceStatus
}

// Tab is one console tab's live connection, for presence and viewers.
type Tab struct {
	p *Presence

	// guarded by p.mu
	actor        *Actor
	away         bool
	conversation int64
	left         bool
}

// Viewer is an operator looking at a conversation.
type Viewer struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

// PresenceEvent is the data of a "presence" event.
type PresenceEvent struct {
	UserID int64          `json:"user_id"`
	Status PresenceStatus `json:"status"`
}

// NewPresence makes the presence registry of this instance. One is enough
// per process: the console makes it.
func (d *Service) NewPresence() *Presence {
	p := &Presence{d: d, users: map[int64]*presenceUser{}, viewing: map[int64]map[*Tab]struct{}{}}
	d.routes.presence.Store(p) // routing assigns by it (routing.go)
	return p
}

// Join registers a console tab of a; the user is online from now on.
func (p *Presence) Join(a *Actor) *Tab {
	t := &Tab{p: p, actor: a}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[a.User.ID]
	if u == nil {
		u = &presenceUser{orgID: a.OrgID(), tabs: map[*Tab]struct{}{}, status: Offline}
		p.users[a.User.ID] = u
	}
	u.tabs[t] = struct{}{}
	p.refresh(a.User.ID, u)
	return t
}

// Status is a user's presence.
func (p *Presence) Status(userID int64) PresenceStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.users[userID]; u != nil {
		return u.status
	}
	return Offline
}

// Statuses lists the organisation's users who are online or away.
func (p *Presence) Statuses(orgID int64) map[int64]PresenceStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[int64]PresenceStatus{}
	for id, u := range p.users {
		if u.orgID == orgID {
			out[id] = u.status
		}
	}
	return out
}

// Viewers lists who is looking at a conversation, one entry per user, by
// name.
func (p *Presence) Viewers(conversationID int64) []Viewer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.viewersLocked(conversationID)
}

func (p *Presence) viewersLocked(conversationID int64) []Viewer {
	out := []Viewer{}
	for t := range p.viewing[conversationID] {
		u := t.actor.User
		if !slices.ContainsFunc(out, func(v Viewer) bool { return v.UserID == u.ID }) {
			out = append(out, Viewer{UserID: u.ID, Name: u.Name})
		}
	}
	slices.SortFunc(out, func(a, b Viewer) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.UserID - b.UserID)
	})
	return out
}

// refresh recomputes a user's status from their tabs and tells the
// organisation's consoles when it changed. p.mu must be held: publishing
// under it keeps the events in the order of the changes (the hub never
// blocks).
func (p *Presence) refresh(userID int64, u *presenceUser) {
	status := Offline
	for t := range u.tabs {
		if !t.away {
			status = Online
			break
		}
		status = Away
	}
	if len(u.tabs) == 0 {
		delete(p.users, userID)
	}
	if status == u.status {
		return
	}
	u.status = status
	p.d.routes.presenceChanged(u.orgID, userID, status, p.d.now())
	p.d.shared.changed()
	data, _ := json.Marshal(PresenceEvent{UserID: userID, Status: status})
	p.d.hub.Publish(realtime.OrgTopic(u.orgID), realtime.Event{Type: "presence", OrgID: u.orgID, Data: data})
}

// publishViewers tells the operators looking at a conversation who else
// is. p.mu must be held.
func (p *Presence) publishViewers(orgID, conversationID int64) {
	data, _ := json.Marshal(p.viewersLocked(conversationID))
	p.d.hub.Publish(StaffTopic(conversationID), realtime.Event{Type: "viewers", OrgID: orgID, ConversationID: conversationID, Data: data})
}

// SetActor replaces the tab's actor after its session was checked again
// (a changed role or name).
func (t *Tab) SetActor(a *Actor) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.actor = a
}

// SetAway marks the tab idle or set to away by its user, or back.
func (t *Tab) SetAway(away bool) {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.left || t.away == away {
		return
	}
	t.away = away
	if u := p.users[t.actor.User.ID]; u != nil {
		p.refresh(t.actor.User.ID, u)
	}
}

// View says which conversation the tab shows (0: none). A conversation the
// actor may not see is refused as not found, and the tab then views none.
func (t *Tab) View(ctx context.Context, conversationID int64) error {
	p := t.p
	var err error
	if conversationID != 0 {
		p.mu.Lock()
		a := t.actor
		p.mu.Unlock()
		if _, err = p.d.visible(ctx, a, conversationID); err != nil {
			conversationID = 0
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !t.left {
		t.moveLocked(conversationID)
	}
	return err
}

// Viewing is the conversation the tab shows, 0 for none.
func (t *Tab) Viewing() int64 {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return t.conversation
}

func (t *Tab) moveLocked(conversationID int64) {
	p := t.p
	from := t.conversation
	if from == conversationID {
		return
	}
	orgID := t.actor.OrgID()
	if from != 0 {
		delete(p.viewing[from], t)
		if len(p.viewing[from]) == 0 {
			delete(p.viewing, from)
		}
		p.publishViewers(orgID, from)
	}
	t.conversation = conversationID
	if conversationID != 0 {
		m := p.viewing[conversationID]
		if m == nil {
			m = map[*Tab]struct{}{}
			p.viewing[conversationID] = m
		}
		m[t] = struct{}{}
		p.publishViewers(orgID, conversationID)
	}
}

// Leave unregisters the tab: it views nothing, and its user is offline
// when it was their last tab.
func (t *Tab) Leave() {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.left {
		return
	}
	t.moveLocked(0)
	t.left = true
	id := t.actor.User.ID
	if u := p.users[id]; u != nil {
		delete(u.tabs, t)
		p.refresh(id, u)
	}
}
