package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The chat's WebSocket protocol, one JSON object per frame.
//
// GET /o/{org}/chat/ws?token=T&after_seq=N[&conv=C][&lang=L]
//
// From the page:
//
//	{"type":"message","body":"…","client_id":"uuid","attachments":["ref"]}
//	{"type":"typing"}
//	{"type":"read","seq":N}     the visitor has seen the desk's replies up to N
//	{"type":"ping"}             answered by a pong; the page's own heartbeat
//
// From the server:
//
//	{"type":"message", conversation_id, seq, prev_seq, direction, body, client_id,
//	 delivery_status, attachments:[{id, filename, content_type, size, url}], created_at, when,
//	 quick_replies:["…"]}   optional: answers the desk suggests, sent as a message's body when chosen
//	{"type":"ack","client_id":"…","conversation_id":C,"seq":N}   stored (sent)
//	{"type":"typing"}                                            the desk is writing
//	{"type":"delivery","direction":"inbound","status":"read","up_to_seq":N}
//	{"type":"status","open":bool,"next_open":"RFC 3339","message":"…"}
//	{"type":"token","token":"…"}                                 keep this renewed token
//	{"type":"error","code":"rate_limited|invalid|…","message":"…","client_id":"…"}
//	{"type":"pong"}
//
// On connecting the server subscribes to the conversation's live events
// first, then sends every message after N from the database, then the
// live ones: nothing falls between. It keeps a cursor (every seq up to it
// sent, or skipped as not for the citizen: notes, system events), and
// whenever an event does not follow it (a gap, a dropped subscription),
// it reads the database again from the cursor. prev_seq is the seq of the
// message sent before on this connection, so the page can tell a gap
// too. A forged or expired token gets an error frame and close code 4401;
// a site not allowed to embed the chat is refused at the handshake (403).
// An idle connection reads and writes nothing in the database.

// Close codes of the chat.
const (
	closeUnauthorized wsStatus = 4401
)

// maxFrame bounds a frame from the page: a message of 20,000 characters
// in a four-byte script, with room for JSON escapes.
const maxFrame = 128 << 10

const (
	writeTimeout   = 10 * time.Second
	typingInterval = 2 * time.Second // at most one typing signal per connection per interval
	maxAttachments = 10
	// maxFramesPerSecond caps what one connection may send at all (pings,
	// typing, nonsense): a page sends a few a minute; a flood is closed.
	// A message rate limit raised past it (for a load test) raises it too.
	maxFramesPerSecond = 50
	// visitorBuffer bounds the events queued for one visitor's page: its
	// own conversation's, a few at a time. One that lets it fill
	// resubscribes and reads what it missed from the database.
	visitorBuffer = 8
)

type inFrame struct {
	Type        string   `json:"type"`
	Body        string   `json:"body"`
	ClientID    string   `json:"client_id"`
	Attachments []string `json:"attachments"`
	Seq         int64    `json:"seq"`
}

type outMessage struct {
	Type           string               `json:"type"`
	ConversationID int64                `json:"conversation_id"`
	Seq            int64                `json:"seq"`
	PrevSeq        int64                `json:"prev_seq"`
	Direction      model.Direction      `json:"direction"`
	Body           string               `json:"body"`
	ClientID       string               `json:"client_id,omitempty"`
	DeliveryStatus model.DeliveryStatus `json:"delivery_status,omitempty"`
	Attachments    []outAttachment      `json:"attachments"`
	CreatedAt      time.Time            `json:"created_at"`
	When           string               `json:"when"`
	QuickReplies   []string             `json:"quick_replies,omitempty"`
}

type outAttachment struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SizeText    string `json:"size_text"`
	URL         string `json:"url"`
}

type outError struct {
	Type     string `json:"type"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	ClientID string `json:"client_id,omitempty"`
}

// chatConn is one live connection of a visitor. mu guards the state
// below it: frames, events and timers are handled one at a time.
type chatConn struct {
	p      *Portal
	c      *wsConn
	rq     *request
	v      visitor
	ip     string
	loc    *time.Location
	ctx    context.Context // ends with the connection
	cancel context.CancelFunc

	endOnce     sync.Once
	stopLive    func() bool // stops the shutdown hook
	statusTimer *time.Timer
	pingTimer   *time.Timer
	draining    atomic.Bool // a goroutine is handling queued events

	mu  sync.Mutex
	sub *realtime.Sub

	conv     int64 // the conversation shown; 0 until the first message
	cursor   int64 // every seq up to here was sent or skipped
	lastSent int64 // the seq of the last message sent, for prev_seq
	started  bool
	wv       *store.WebVisitor

	undelivered int64 // the last reply sent that is not reported delivered yet
	delivered   int64 // replies up to here reported delivered
	read        int64 // replies up to here reported read
	lastTyping  time.Time
	statusSent  bool      // a status frame went out
	lastStatus  string    // its text
	second      time.Time // the start of the current second of frames
	inSecond    int       // frames in it
}

// socket upgrades to the chat's WebSocket. Once the connection is open
// the handler returns: the request's goroutine, and all it holds, go
// away. What stays is one goroutine reading the page's frames; events,
// the status timer and pings run in short-lived goroutines, one at a
// time for the connection's state (chatConn.mu). An idle citizen's page so
// costs the server one blocked reader and a few buffers.
func (p *Portal) socket(w http.ResponseWriter, r *http.Request, rq *request) {
	if !originAllowed(r, rq.cfg) {
		http.Error(w, rq.pr.T("chat.origin_refused", nil), http.StatusForbidden)
		return
	}
	// The server's read and write timeouts are for requests; a chat stays.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, ahead, err := wsAccept(w, r)
	if errors.Is(err, errNotHandshake) {
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, rq.pr.T("chat.socket_handshake", nil), http.StatusUpgradeRequired)
		return
	}
	if err != nil {
		return // the connection could not be taken over: nothing to answer on
	}
	c := newWSConn(conn, maxFrame)

	// The connection outlives the request: its own context, ended by the
	// connection failing; a server shutting down (p.live) closes it.
	ctx, cancel := context.WithCancel(context.Background())
	q := r.URL.Query()
	cc := &chatConn{p: p, c: c, rq: rq, ip: web.ClientIP(r), loc: p.orgLocation(rq), ctx: ctx, cancel: cancel}
	c.onMessage, c.onClose = cc.onData, cc.end
	cc.v, err = p.verify(ctx, rq.org.ID, q.Get("token"))
	if err != nil {
		if model.ErrorIs(err, model.CodeUnauthorized) {
			_ = cc.send(ctx, outError{Type: "error", Code: string(model.CodeUnauthorized), Message: rq.pr.T("chat.session_expired", nil)})
			c.Close(closeUnauthorized, "unauthorized")
		} else {
			p.log.ErrorContext(ctx, "portal: socket", "err", err)
			c.Close(wsInternalError, "")
		}
		cc.end()
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if err := cc.open(ctx, q); err != nil {
		cc.fail(ctx, err)
		go cc.end() // not under cc.mu: end waits for nothing, but keep the order simple
		return
	}
	cc.stopLive = context.AfterFunc(p.live, func() { cc.c.Close(wsGoingAway, "server restarting") })
	cc.statusTimer = time.AfterFunc(time.Hour, cc.onStatusTimer)
	cc.armStatus(ctx, cc.statusTimer)
	cc.pingTimer = time.AfterFunc(p.opt.PingInterval, cc.ping)
	// Reading starts once the state above is ready (frames wait for
	// cc.mu): bytes the page sent ahead first, then, on Linux, the
	// poller's watch; elsewhere a goroutine of its own.
	switch {
	case len(ahead) > 0:
		go func() {
			if c.readRound(func(b []byte) (int, error) { n := copy(b, ahead); ahead = ahead[n:]; return n, nil }) {
				if !p.poller().watch(c) {
					c.readLoop()
				}
			}
		}()
	case !p.poller().watch(c):
		go c.readLoop()
	}
}

// end releases the connection, once: its context, timers, subscription
// and socket.
func (cc *chatConn) end() {
	cc.endOnce.Do(func() {
		cc.cancel()
		if cc.stopLive != nil {
			cc.stopLive()
		}
		if cc.statusTimer != nil {
			cc.statusTimer.Stop()
		}
		if cc.pingTimer != nil {
			cc.pingTimer.Stop()
		}
		cc.mu.Lock()
		sub := cc.sub // the one in use, after any resubscription
		cc.mu.Unlock()
		if sub != nil {
			sub.Close()
		}
		cc.c.CloseNow()
	})
}

// onData handles a message from the page (the connection's reading
// goroutine calls it, one at a time).
func (cc *chatConn) onData(text bool, data []byte) {
	ctx := cc.ctx
	var f inFrame
	if !text || json.Unmarshal(data, &f) != nil {
		f = inFrame{Type: "malformed"}
	}
	cc.mu.Lock()
	var err error
	if ctx.Err() == nil {
		err = cc.onFrame(ctx, f)
	}
	cc.mu.Unlock()
	if err != nil {
		cc.fail(ctx, err)
		cc.end()
	}
}

// wake is the subscription's notify: an event is queued (or the queue
// closed). A goroutine drains the queue unless one is at it already.
func (cc *chatConn) wake() {
	if cc.draining.CompareAndSwap(false, true) {
		go cc.drain()
	}
}

// drain handles the queued events, then goes away.
func (cc *chatConn) drain() {
	ctx := cc.ctx
	for {
		cc.mu.Lock()
		if ctx.Err() != nil {
			cc.mu.Unlock()
			return
		}
		var err error
		select {
		case ev, ok := <-cc.sub.C:
			if !ok {
				err = cc.resubscribe(ctx)
			} else {
				err = cc.onEvent(ctx, ev)
			}
		default:
			// Empty: stop, unless an event came in between the look and
			// the stop, whose wake found this goroutine still at work.
			cc.draining.Store(false)
			more := len(cc.sub.C) > 0
			cc.mu.Unlock()
			if !more || !cc.draining.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		cc.mu.Unlock()
		if err != nil {
			cc.fail(ctx, err)
			cc.end()
			return
		}
	}
}

// onStatusTimer tells the page of an opening, a closing or a change of
// who is online, and sets the next look.
func (cc *chatConn) onStatusTimer() {
	ctx := cc.ctx
	cc.mu.Lock()
	if ctx.Err() != nil {
		cc.mu.Unlock()
		return
	}
	err := cc.sendStatus(ctx)
	cc.armStatus(ctx, cc.statusTimer)
	cc.mu.Unlock()
	if err != nil {
		cc.fail(ctx, err)
		cc.end()
	}
}

// ping checks that the other end is still there: a page that has not
// answered the last ping by now is gone, and its connection is ended.
func (cc *chatConn) ping() {
	if cc.ctx.Err() != nil {
		return
	}
	interval := cc.p.opt.PingInterval
	if time.Since(time.Unix(0, cc.c.lastPong.Load())) > interval+max(interval, writeTimeout) {
		cc.end()
		return
	}
	if err := cc.c.Ping(); err != nil {
		cc.end()
		return
	}
	cc.pingTimer.Reset(interval)
}

// originAllowed accepts a handshake from the desk's own pages (the hosted
// page, and the embedded page, which is a frame of the desk's origin), from
// the organisation's allowed sites, and from clients that are not browsers
// (no Origin; the token still decides).
func originAllowed(r *http.Request, cfg *chatConfig) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	n, ok := normalizeOrigin(o)
	return ok && slices.Contains(cfg.origins, n)
}

// open subscribes to the visitor's conversation, then sends what the page
// lacks: a renewed token, the desk's status and the backlog.
func (cc *chatConn) open(ctx context.Context, q url.Values) error {
	started, wv, err := cc.p.started(ctx, cc.rq, cc.v)
	if err != nil {
		return err
	}
	cc.started, cc.wv = started, wv
	th, err := cc.p.st.WebThread(ctx, cc.rq.org.ID, cc.v.ID)
	if err != nil {
		return err
	}
	cc.conv = th.ConversationID
	cc.sub = cc.p.desk.Hub().SubscribeNotify(visitorBuffer, cc.wake)
	if cc.conv != 0 {
		cc.sub.Add(realtime.ConversationTopic(cc.conv))
		// The page's after_seq counts in the conversation it showed; a page
		// that showed another (or none) gets everything.
		after, _ := strconv.ParseInt(q.Get("after_seq"), 10, 64)
		if conv, _ := strconv.ParseInt(q.Get("conv"), 10, 64); conv != cc.conv || after < 0 || after > th.LastSeq {
			after = 0
		}
		cc.cursor, cc.lastSent = after, after
	}
	if cc.v.Fresh {
		if err := cc.send(ctx, map[string]string{"type": "token", "token": cc.v.Token}); err != nil {
			return err
		}
	}
	if err := cc.sendStatus(ctx); err != nil {
		return err
	}
	return cc.resync(ctx)
}

// send writes one frame.
func (cc *chatConn) send(ctx context.Context, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return cc.c.WriteText(data, time.Now().Add(writeTimeout))
}

// fail ends the connection after err: the page reconnects and resumes.
func (cc *chatConn) fail(ctx context.Context, err error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, errFlood) || errors.Is(err, errWSClosed) {
		return // the connection ended, or was ended on purpose; nothing to say
	}
	cc.p.log.WarnContext(ctx, "portal: socket", "org", cc.rq.org.Slug, "err", err)
	cc.c.Close(wsInternalError, "")
}

// sendError tells the page what went wrong with one of its frames.
func (cc *chatConn) sendError(ctx context.Context, err error, clientID string) error {
	pr := cc.rq.pr
	code, msg := string(model.ErrorCode(err)), pr.Error(chatError(err))
	if web.Status(err) >= 500 {
		cc.p.log.ErrorContext(ctx, "portal: socket", "org", cc.rq.org.Slug, "err", err)
		code, msg = string(model.CodeInternal), pr.T("error.internal", nil)
	}
	if e, ok := model.AsError(err); ok && e.Key == "chat.prechat_required" {
		code = "prechat_required"
	}
	return cc.send(ctx, outError{Type: "error", Code: code, Message: msg, ClientID: clientID})
}

// statusCheck is how often an open socket looks again whether anyone is
// online: a look at memory (and, with several instances, a read the desk
// caches), sent only when it changed.
const statusCheck = 30 * time.Second

// armStatus sets the timer to the next opening or closing of the desk, or
// the next look at who is online, whichever comes first.
func (cc *chatConn) armStatus(ctx context.Context, t *time.Timer) {
	now := cc.p.opt.Now()
	wait := statusCheck
	if next, ok := nextChange(cc.p.scheduleOf(ctx, cc.rq, model.ChannelWeb), now); ok {
		wait = min(wait, next.Sub(now)+time.Second)
	}
	t.Reset(wait)
}

// sendStatus tells the page whether the desk is open and staffed, when
// that changed since the last time (or the first time).
func (cc *chatConn) sendStatus(ctx context.Context) error {
	st := statusAt(cc.rq.pr, cc.p.scheduleOf(ctx, cc.rq, model.ChannelWeb), cc.p.opt.Now(), cc.p.desk.AnyoneOnline(cc.rq.org.ID))
	if cc.statusSent && st.Text == cc.lastStatus {
		return nil
	}
	cc.statusSent, cc.lastStatus = true, st.Text
	f := struct {
		Type     string `json:"type"`
		Open     bool   `json:"open"`
		NextOpen string `json:"next_open,omitempty"`
		Message  string `json:"message"`
	}{Type: "status", Open: st.Open, Message: st.Text}
	if !st.NextOpen.IsZero() {
		f.NextOpen = st.NextOpen.UTC().Format(time.RFC3339)
	}
	return cc.send(ctx, f)
}

// resync sends, from the database, every message after the cursor that
// the citizen may see.
func (cc *chatConn) resync(ctx context.Context) error {
	if cc.conv == 0 {
		return nil
	}
	for {
		msgs, err := cc.p.st.Messages(ctx, cc.rq.org.ID, cc.conv, cc.cursor, 500)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if err := cc.sendMessage(ctx, m); err != nil {
				return err
			}
		}
		if len(msgs) < 500 {
			return cc.markDelivered(ctx)
		}
	}
}

// resubscribe follows a subscription the hub dropped for being slow: a
// new one first, then the database from the cursor.
func (cc *chatConn) resubscribe(ctx context.Context) error {
	if !cc.sub.Dropped() {
		return errors.New("subscription closed")
	}
	cc.sub = cc.p.desk.Hub().SubscribeNotify(visitorBuffer, cc.wake)
	if cc.conv != 0 {
		cc.sub.Add(realtime.ConversationTopic(cc.conv))
	}
	return cc.resync(ctx)
}

// switchTo follows the visitor into a new conversation (the last one was
// resolved, and they wrote again).
func (cc *chatConn) switchTo(ctx context.Context, conv int64) error {
	if cc.conv != 0 {
		cc.sub.Remove(realtime.ConversationTopic(cc.conv))
	}
	cc.conv, cc.cursor, cc.lastSent, cc.undelivered, cc.delivered, cc.read = conv, 0, 0, 0, 0, 0
	cc.sub.Add(realtime.ConversationTopic(conv))
	return cc.resync(ctx)
}

// sendMessage sends m if the citizen may see it, and moves the cursor.
func (cc *chatConn) sendMessage(ctx context.Context, m *model.Message) error {
	if m.Seq <= cc.cursor {
		return nil
	}
	cc.cursor = m.Seq
	if !visible(m) {
		return nil
	}
	mv := cc.p.msgView(cc.rq.pr, cc.loc, cc.rq.org.Slug, cc.v.ID, m, cc.v.Token)
	out := outMessage{
		Type: "message", ConversationID: m.ConversationID, Seq: m.Seq, PrevSeq: cc.lastSent, Direction: m.Direction,
		Body: m.Body, ClientID: mv.ClientID, DeliveryStatus: m.DeliveryStatus, Attachments: []outAttachment{},
		CreatedAt: m.CreatedAt, When: mv.When, QuickReplies: mv.QuickReplies,
	}
	for i, a := range m.Attachments {
		out.Attachments = append(out.Attachments, outAttachment{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, SizeText: mv.Files[i].Size, URL: mv.Files[i].URL})
	}
	if err := cc.send(ctx, out); err != nil {
		return err
	}
	cc.lastSent = m.Seq
	if m.Direction == model.DirectionOutbound && deliveryBelow(m.DeliveryStatus, model.DeliveryDelivered) {
		cc.undelivered = m.Seq
	}
	return nil
}

// markDelivered reports the replies just sent as delivered, once. Replies
// already delivered (a backlog sent again) write nothing.
func (cc *chatConn) markDelivered(ctx context.Context) error {
	if cc.undelivered <= cc.delivered {
		return nil
	}
	cc.delivered = cc.undelivered
	if err := cc.p.desk.VisitorReceived(ctx, cc.rq.org.ID, cc.conv, cc.delivered); err != nil {
		cc.p.log.WarnContext(ctx, "portal: mark delivered", "conversation", cc.conv, "err", err)
	}
	return nil
}

func deliveryBelow(s, than model.DeliveryStatus) bool {
	rank := map[model.DeliveryStatus]int{"": 0, model.DeliveryQueued: 1, model.DeliverySent: 2, model.DeliveryDelivered: 3, model.DeliveryRead: 4, model.DeliveryFailed: 5}
	return rank[s] < rank[than]
}

// onEvent handles a live event of the visitor's conversation.
func (cc *chatConn) onEvent(ctx context.Context, ev realtime.Event) error {
	if ev.ConversationID != cc.conv {
		return nil
	}
	switch ev.Type {
	case "message":
		if ev.Seq <= cc.cursor {
			return nil
		}
		var m model.Message
		if ev.Message != nil {
			m = *ev.Message // the publisher's, in this process: no need to decode
		} else if json.Unmarshal(ev.Data, &m) != nil {
			m = model.Message{}
		}
		if ev.Seq == cc.cursor+1 && m.Seq == ev.Seq && m.ConversationID == cc.conv {
			if err := cc.sendMessage(ctx, &m); err != nil {
				return err
			}
			return cc.markDelivered(ctx)
		}
		return cc.resync(ctx) // a gap, or a signal without data
	case "conversation":
		return cc.resync(ctx)
	case "typing":
		return cc.send(ctx, map[string]string{"type": "typing"})
	case "delivery":
		var d struct {
			Direction model.Direction      `json:"direction"`
			Status    model.DeliveryStatus `json:"status"`
			UpToSeq   int64                `json:"up_to_seq"`
		}
		if json.Unmarshal(ev.Data, &d) != nil || d.Direction != model.DirectionInbound {
			return nil
		}
		return cc.send(ctx, struct {
			Type      string               `json:"type"`
			Direction model.Direction      `json:"direction"`
			Status    model.DeliveryStatus `json:"status"`
			UpToSeq   int64                `json:"up_to_seq"`
		}{"delivery", d.Direction, d.Status, d.UpToSeq})
	}
	return nil
}

// errFlood ends a connection that sends frames faster than any page does.
var errFlood = errors.New("too many frames")

// onFrame handles a frame from the page.
func (cc *chatConn) onFrame(ctx context.Context, f inFrame) error {
	if now := time.Now(); now.Sub(cc.second) >= time.Second {
		cc.second, cc.inSecond = now, 0
	}
	if cc.inSecond++; cc.inSecond > cc.p.maxFrames {
		_ = cc.sendError(ctx, errRateLimited, "")
		cc.c.Close(wsPolicyViolation, "too many frames")
		return errFlood
	}
	switch f.Type {
	case "message":
		return cc.onMessage(ctx, f)
	case "typing":
		if now := cc.p.opt.Now(); cc.conv != 0 && now.Sub(cc.lastTyping) >= typingInterval {
			cc.lastTyping = now
			cc.p.desk.CitizenTyping(cc.rq.org.ID, cc.conv)
		}
		return nil
	case "read":
		// Only what this connection has shown can be read.
		if f.Seq > cc.read && f.Seq <= cc.cursor && cc.conv != 0 {
			cc.read = f.Seq
			if err := cc.p.desk.VisitorRead(ctx, cc.rq.org.ID, cc.conv, f.Seq); err != nil {
				cc.p.log.WarnContext(ctx, "portal: mark read", "conversation", cc.conv, "err", err)
			}
		}
		return nil
	case "ping":
		return cc.send(ctx, map[string]string{"type": "pong"})
	}
	return cc.sendError(ctx, &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "unknown frame"}, f.ClientID)
}

// onMessage stores a message from the page and acknowledges it.
func (cc *chatConn) onMessage(ctx context.Context, f inFrame) error {
	if !validClientID(f.ClientID) {
		return cc.sendError(ctx, &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "client_id: 8 to 64 letters, digits, - or _"}, f.ClientID)
	}
	if !cc.started {
		// The form may have been filled in since the page connected.
		started, wv, err := cc.p.started(ctx, cc.rq, cc.v)
		if err != nil {
			return err
		}
		if !started {
			return cc.sendError(ctx, errPrechat, f.ClientID)
		}
		cc.started, cc.wv = true, wv
	}
	if !cc.p.allow(cc.v.ID, cc.ip) {
		return cc.sendError(ctx, errRateLimited, f.ClientID)
	}
	atts, err := cc.attachments(ctx, f.Attachments)
	if err == nil && strings.TrimSpace(f.Body) == "" && len(atts) == 0 {
		err = errBodyRequired
	}
	var res store.InboundResult
	if err == nil {
		res, err = cc.p.receive(ctx, cc.rq, cc.v, cc.wv, f.ClientID, f.Body, atts)
	}
	if err != nil {
		if web.Status(err) >= 500 && ctx.Err() != nil {
			return err
		}
		return cc.sendError(ctx, err, f.ClientID)
	}
	if res.ConversationID != cc.conv {
		if err := cc.switchTo(ctx, res.ConversationID); err != nil {
			return err
		}
	}
	return cc.send(ctx, struct {
		Type           string `json:"type"`
		ClientID       string `json:"client_id"`
		ConversationID int64  `json:"conversation_id"`
		Seq            int64  `json:"seq"`
	}{"ack", f.ClientID, res.ConversationID, res.Seq})
}

// attachments resolves the refs of a message to the visitor's own
// uploads.
func (cc *chatConn) attachments(ctx context.Context, refs []string) ([]model.Attachment, error) {
	if len(refs) > maxAttachments {
		return nil, &model.Error{Code: model.CodeInvalid, Key: "error.validation.too_many", Args: map[string]any{"Field": "attachments", "Limit": maxAttachments}, Message: "too many attachments"}
	}
	var out []model.Attachment
	for _, ref := range refs {
		id, ok, err := cc.p.checkRef(ctx, cc.rq.org.ID, cc.v.ID, ref)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &model.Error{Code: model.CodeInvalid, Key: "chat.file_unknown", Field: "attachments", Message: "not an upload of this visitor"}
		}
		out = append(out, model.Attachment{ID: id})
	}
	return out, nil
}
