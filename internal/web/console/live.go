package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/web"
)

// The live connection is one WebSocket per console tab, at GET /live,
// opened with the console's session cookie from a page of this site (the
// handshake refuses another Origin). Frames are JSON text.
//
// The tab says what it shows:
//
//	{"type":"inbox","query":"view=mine&status=open","ids":[3,9]}   the inbox address and its rows
//	{"type":"open","conversation_id":12}                         the conversation on screen (0: none)
//	{"type":"typing","conversation_id":12,"note":false}          the operator is writing (throttled)
//	{"type":"presence","status":"online"}                        or "away" (idle, or chosen)
//
// The server answers with what the actor may see, rendered in the tab's
// language so the script stays small:
//
//	{"type":"ready","user_id":5}
//	{"type":"message","conversation_id":12,"seq":41,"row":"<li…>","top":true,"item":"<li…>","notify":true,"announce":"…"}
//	{"type":"conversation","conversation_id":12,"seq":41,"row":"<li…>","facts":{…},"values":{…}}
//	{"type":"remove","conversation_id":12}                        gone from the view, or no longer visible
//	{"type":"counts","counts":{"all":7,"open":3,…}}
//	{"type":"typing","conversation_id":12,"text":"Karim sta scrivendo…"}
//	{"type":"viewers","conversation_id":12,"text":"Sta guardando anche: Karim","names":["Karim"]}
//	{"type":"presence","user_id":7,"status":"away","label":"Assente"}
//
// The database stays the truth: a tab that sees a gap in a timeline's
// sequence fetches GET /conversations/{id}?after_seq=N, and after a
// reconnection resyncs the same way. The server closes with 4000 when the
// hub dropped the tab for being slow (reconnect and resync) and with 4001
// when the session ended (go to the sign-in page).
const livePath = "/live"

const (
	closeResync    websocket.StatusCode = 4000
	closeSignedOut websocket.StatusCode = 4001
)

// Timings of a live connection.
const (
	livePing      = 25 * time.Second // a dead connection is noticed within a ping
	liveWrite     = 10 * time.Second // a tab that does not read for this long is dropped
	liveRecheck   = time.Minute      // the session is checked again this often
	liveCounts    = time.Second      // inbox counts are recomputed at most this often
	liveTypingGap = 2 * time.Second  // typing is relayed at most this often per conversation
	liveNames     = 5 * time.Second  // names are reloaded at most this often
	liveMaxIDs    = 500              // rows a tab may say it shows
	liveMaxSeen   = 1024             // messages remembered to drop the second copy of a note
	// liveBuffer is the events a tab may have waiting: the whole
	// organisation's, a second's worth at the busiest (measured: 500
	// messages a second on one view=all tab), before it counts as slow
	// and resyncs.
	liveBuffer = 1024
)

// clientMsg is a frame from the tab.
type clientMsg struct {
	Type           string  `json:"type"`
	ConversationID int64   `json:"conversation_id"`
	Query          string  `json:"query"`
	IDs            []int64 `json:"ids"`
	Note           bool    `json:"note"`
	Status         string  `json:"status"`
}

// liveOut is a frame to the tab.
type liveOut struct {
	Type           string            `json:"type"`
	ConversationID int64             `json:"conversation_id,omitempty"`
	Seq            int64             `json:"seq,omitempty"`
	UserID         int64             `json:"user_id,omitempty"`
	Row            string            `json:"row,omitempty"`
	Top            bool              `json:"top,omitempty"`
	Item           string            `json:"item,omitempty"`
	Notify         bool              `json:"notify,omitempty"`
	Announce       string            `json:"announce,omitempty"`
	Facts          map[string]string `json:"facts,omitempty"`
	Values         map[string]string `json:"values,omitempty"`
	Counts         map[string]int    `json:"counts,omitempty"`
	Text           *string           `json:"text,omitempty"`
	Names          []string          `json:"names,omitempty"`
	Status         string            `json:"status,omitempty"`
	Label          string            `json:"label,omitempty"`
}

// liveConn is one tab's connection. Its state belongs to the goroutine
// running loop; the reader and the pinger only hand over.
type liveConn struct {
	c     *Console
	ws    *websocket.Conn
	token string
	csrf  string
	ip    string
	a     *desk.Actor
	p     *locale.Printer
	tab   *desk.Tab
	sub   *realtime.Sub
	loc   *time.Location

	names   names
	namesAt time.Time

	inbox   *liveInbox        // nil when the tab shows no inbox
	open    int64             // the conversation on screen
	watched map[int64]bool    // conversations the tab shows
	fresh   map[int64]bool    // new conversations whose first message is to come
	seen    map[[2]int64]bool // messages sent (a note arrives on two topics)
	typed   map[int64]time.Time

	countsC <-chan time.Time // pending recount of the inbox, nil when none
}

// live upgrades the request to the tab's WebSocket and serves it until
// either side closes.
func (c *Console) live(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	// Accept refuses an Origin other than this host: a page of another
	// site cannot open a socket with the operator's cookie.
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept answered the request
	}
	defer ws.CloseNow()
	ws.SetReadLimit(16 << 10)
	// On shutdown the tab hears "going away" and reconnects, to another
	// instance or to this one once it is back.
	defer context.AfterFunc(c.liveCtx, func() { ws.Close(websocket.StatusGoingAway, "restart") })()

	p := c.printer(r)
	users, err := c.desk.Store().Users(r.Context(), a.OrgID())
	if err != nil {
		ws.Close(websocket.StatusInternalError, "")
		return
	}
	teams, err := c.desk.Store().Teams(r.Context(), a.OrgID())
	if err != nil {
		ws.Close(websocket.StatusInternalError, "")
		return
	}
	lc := &liveConn{
		c: c, ws: ws, token: ck.Value, csrf: csrfOf(r), ip: web.ClientIP(r), a: a, p: p,
		loc: c.orgLocation(r, a.OrgID()), names: newNames(p, users, teams), namesAt: time.Now(),
		watched: map[int64]bool{}, fresh: map[int64]bool{}, seen: map[[2]int64]bool{}, typed: map[int64]time.Time{},
	}
	// Subscribe before joining, so the tab hears its own arrival too.
	lc.sub = c.desk.Hub().SubscribeBuffered(liveBuffer, realtime.OrgTopic(a.OrgID()))
	defer lc.sub.Close()
	lc.tab = c.presence.Join(a)
	defer lc.tab.Leave()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	in := make(chan clientMsg, 16)
	var wg sync.WaitGroup
	wg.Go(func() { lc.read(ctx, cancel, in) })
	wg.Go(func() { lc.ping(ctx, cancel) })
	if lc.send(ctx, liveOut{Type: "ready", UserID: a.User.ID}) {
		lc.loop(ctx, in)
	}
	cancel()
	wg.Wait()
}

// CloseLive closes every live connection. The server calls it when it
// shuts down (http.Server.RegisterOnShutdown): Shutdown neither closes
// nor waits for hijacked connections such as WebSockets.
func (c *Console) CloseLive() { c.stopLive() }

// read hands the tab's frames to the loop; a malformed one is ignored.
func (lc *liveConn) read(ctx context.Context, cancel context.CancelFunc, in chan<- clientMsg) {
	defer cancel()
	for {
		typ, data, err := lc.ws.Read(ctx)
		if err != nil {
			return
		}
		var m clientMsg
		if typ != websocket.MessageText || json.Unmarshal(data, &m) != nil {
			continue
		}
		select {
		case in <- m:
		case <-ctx.Done():
			return
		}
	}
}

// ping notices a connection that died without a close (a tablet that
// lost its network).
func (lc *liveConn) ping(ctx context.Context, cancel context.CancelFunc) {
	t := time.NewTicker(livePing)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, done := context.WithTimeout(ctx, liveWrite)
			err := lc.ws.Ping(pctx)
			done()
			if err != nil {
				cancel()
				return
			}
		}
	}
}

func (lc *liveConn) loop(ctx context.Context, in <-chan clientMsg) {
	recheck := time.NewTicker(liveRecheck)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-lc.sub.C:
			if !ok {
				// Dropped for being slow: the tab reconnects and resyncs.
				lc.ws.Close(closeResync, "resync")
				return
			}
			lc.event(ctx, ev)
		case m := <-in:
			lc.client(ctx, m)
		case <-recheck.C:
			if !lc.recheck(ctx) {
				lc.ws.Close(closeSignedOut, "signed out")
				return
			}
		case <-lc.countsC:
			lc.countsC = nil
			lc.sendCounts(ctx)
		}
	}
}

// send writes one frame; false means the connection is done.
func (lc *liveConn) send(ctx context.Context, out liveOut) bool {
	b, err := json.Marshal(out)
	if err != nil {
		return false
	}
	wctx, done := context.WithTimeout(ctx, liveWrite)
	defer done()
	return lc.ws.Write(wctx, websocket.MessageText, b) == nil
}

// recheck reads the session again: a tab whose user signed out, changed
// password or lost their account is closed; a new role or team applies.
func (lc *liveConn) recheck(ctx context.Context) bool {
	a, _, err := lc.c.desk.LiveActor(ctx, lc.token, lc.ip)
	switch {
	case model.ErrorIs(err, model.CodeUnauthorized):
		return false
	case err != nil:
		return true // the database hiccuped: try again later
	}
	lc.a = a
	lc.tab.SetActor(a)
	if lc.open != 0 {
		if conv, err := lc.c.desk.Store().Conversation(ctx, a.OrgID(), lc.open); err != nil || !a.CanSee(conv) {
			lc.gone(ctx, lc.open)
		}
	}
	return true
}

// client handles a frame from the tab.
func (lc *liveConn) client(ctx context.Context, m clientMsg) {
	switch m.Type {
	case "inbox":
		lc.inbox = nil
		if in, ok := liveInboxFor(lc.a, m.Query); ok {
			lc.inbox = in
		}
		for i, id := range m.IDs {
			if i == liveMaxIDs {
				break
			}
			lc.watched[id] = true
		}
	case "open":
		lc.setOpen(ctx, m.ConversationID)
	case "typing":
		if m.ConversationID == 0 || m.ConversationID != lc.open {
			return
		}
		now := time.Now()
		if now.Sub(lc.typed[m.ConversationID]) < liveTypingGap {
			return
		}
		lc.typed[m.ConversationID] = now
		if err := lc.c.desk.Typing(ctx, lc.a, m.ConversationID, m.Note); err != nil && web.Status(err) >= 500 {
			lc.c.log.WarnContext(ctx, "console: typing", "err", err)
		}
	case "presence":
		lc.tab.SetAway(m.Status == string(desk.Away))
	}
}

// setOpen follows the conversation the tab shows: its staff topic (notes,
// typing, viewers) and the viewers list.
func (lc *liveConn) setOpen(ctx context.Context, id int64) {
	old := lc.open
	if id == old {
		return
	}
	if id != 0 {
		// Subscribe first, so the tab hears the viewers list that
		// includes itself.
		lc.sub.Add(desk.StaffTopic(id))
	}
	if err := lc.tab.View(ctx, id); err != nil {
		lc.sub.Remove(desk.StaffTopic(id))
		id = 0
	}
	if old != 0 && old != id {
		lc.sub.Remove(desk.StaffTopic(old))
	}
	lc.open = id
	if id != 0 {
		lc.watched[id] = true
	}
}

// gone tells the tab that a conversation it shows left its view.
func (lc *liveConn) gone(ctx context.Context, id int64) {
	if !lc.watched[id] && id != lc.open {
		return
	}
	delete(lc.watched, id)
	if id == lc.open {
		lc.setOpen(ctx, 0)
	}
	lc.countsSoon()
	lc.send(ctx, liveOut{Type: "remove", ConversationID: id})
}

func (lc *liveConn) countsSoon() {
	if lc.inbox != nil && lc.countsC == nil {
		lc.countsC = time.After(liveCounts)
	}
}

func (lc *liveConn) sendCounts(ctx context.Context) {
	if lc.inbox == nil {
		return
	}
	f := lc.inbox.f
	f.Cursor = ""
	counts, err := lc.c.desk.CountConversations(ctx, lc.a, f)
	if err != nil {
		return
	}
	out := map[string]int{"all": 0}
	for _, s := range model.Statuses {
		out[string(s)] = counts[s]
		out["all"] += counts[s]
	}
	lc.send(ctx, liveOut{Type: "counts", Counts: out})
}

// convCache shares among tabs the conversations loaded for live events:
// one event reaches every tab of the organisation, and one read serves
// them all. Entries are never changed, only replaced.
type convCache struct {
	mu sync.Mutex
	m  map[int64]*model.Conversation
}

const convCacheMax = 4096

func newConvCache() *convCache { return &convCache{m: map[int64]*model.Conversation{}} }

func (cc *convCache) get(id int64) *model.Conversation {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.m[id]
}

// put keeps c unless a newer state of it is there already.
func (cc *convCache) put(c *model.Conversation) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if old := cc.m[c.ID]; old != nil && old.LastSeq > c.LastSeq {
		return
	}
	if len(cc.m) >= convCacheMax {
		clear(cc.m)
	}
	cc.m[c.ID] = c
}

// conversation returns a conversation at least as new as seq.
func (lc *liveConn) conversation(ctx context.Context, id, seq int64) (*model.Conversation, error) {
	if cv := lc.c.convs.get(id); cv != nil && cv.OrgID == lc.a.OrgID() && cv.LastSeq >= seq {
		return cv, nil
	}
	cv, err := lc.c.desk.Store().Conversation(ctx, lc.a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	lc.c.convs.put(cv)
	return cv, nil
}

var errNoConversation = errors.New("event without a conversation")

// conversationOf is the conversation an event is about: from its data
// when it carries one, else from the cache or the store.
func (lc *liveConn) conversationOf(ctx context.Context, ev realtime.Event) (*model.Conversation, error) {
	if ev.ConversationID == 0 {
		return nil, errNoConversation
	}
	if cv := ev.Conversation; cv != nil && cv.ID == ev.ConversationID && cv.OrgID == lc.a.OrgID() {
		// The publisher's own, shared with the other tabs: read only.
		lc.c.convs.put(cv)
		return cv, nil
	}
	if ev.Type == "conversation" && len(ev.Data) > 0 {
		var cv model.Conversation
		if err := json.Unmarshal(ev.Data, &cv); err == nil && cv.ID == ev.ConversationID && cv.OrgID == lc.a.OrgID() {
			lc.c.convs.put(&cv)
			return &cv, nil
		}
	}
	return lc.conversation(ctx, ev.ConversationID, ev.Seq)
}

// freshNames reloads the names of people and teams when an id is unknown
// (someone added since the tab connected), at most every few seconds.
func (lc *liveConn) freshNames(ctx context.Context, ids ...int64) names {
	stale := false
	for _, id := range ids {
		if _, ok := lc.names.users[id]; id != 0 && !ok {
			stale = true
		}
	}
	if stale && time.Since(lc.namesAt) > liveNames {
		users, err1 := lc.c.desk.Store().Users(ctx, lc.a.OrgID())
		teams, err2 := lc.c.desk.Store().Teams(ctx, lc.a.OrgID())
		if err1 == nil && err2 == nil {
			lc.names, lc.namesAt = newNames(lc.p, users, teams), time.Now()
		}
	}
	return lc.names
}
