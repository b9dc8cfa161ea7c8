package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ChatOptions configure Chat.
type ChatOptions struct {
	Target     string        // base URL of a running server, on a loopback address
	Org        string        // organisation slug
	Visitors   int           // simulated visitors, each with its own token and WebSocket
	Rate       float64       // messages a second per visitor (open loop)
	ClosedLoop bool          // send the next message as soon as the last is acknowledged
	Duration   time.Duration // how long visitors send
	Operators  int           // console tabs signed in and listening on /live
	Email      string        // operator's sign-in
	Password   string
	// Replies a second the first operator posts through the console's
	// reply form, each to a random conversation of the run; 0: none.
	Replies float64
}

// ChatStats is what Chat adds to a Result.
type ChatStats struct {
	Visitors    int     `json:"visitors"`
	OperatorsN  int     `json:"operators"`
	ClosedLoop  bool    `json:"closed_loop"`
	Rate        float64 `json:"rate_per_visitor,omitempty"`
	Sent        int64   `json:"sent"`
	Acks        int64   `json:"acks"`
	Delivered   int64   `json:"delivered"` // acknowledged and seen by every operator's live socket
	RateLimited int64   `json:"rate_limited"`
	Resyncs     int64   `json:"operator_resyncs"` // live sockets the server dropped as slow (close 4000)
	AckP50      float64 `json:"ack_p50_ms"`
	AckP99      float64 `json:"ack_p99_ms"`
	// Operator replies: from posting the form to the visitor's socket
	// receiving the message.
	Replies         int64   `json:"replies"`
	RepliesReceived int64   `json:"replies_received"`
	ReplyP50        float64 `json:"reply_p50_ms"`
	ReplyP99        float64 `json:"reply_p99_ms"`
	ReplyMax        float64 `json:"reply_max_ms"`
}

// chatKey names a stored message: its conversation and sequence number,
// as the visitor's ack and the operator's live frame both give them.
type chatKey struct{ conv, seq int64 }

// chatRun is the state shared by visitors and operators.
type chatRun struct {
	opt    ChatOptions
	base   *url.URL
	runID  string
	mu     sync.Mutex
	sentAt map[chatKey]time.Time   // acknowledged messages, by when they were sent
	seen   []map[chatKey]time.Time // per operator: when its live socket reported the message
	ackLat []time.Duration

	replyAt  map[string]time.Time // reply marker → posted at
	replyLat []time.Duration
	convs    []int64 // the run's conversations, for replies
	convSet  map[int64]bool
	replies  atomic.Int64

	sent, acks, rateLimited, errs atomic.Int64
	sending                       atomic.Int64 // visitors still sending
	started                       atomic.Bool  // visitors started sending
	resyncs                       atomic.Int64 // operator sockets closed by the server for being slow (4000), reconnected
	firstErr                      atomic.Pointer[error]
}

func (r *chatRun) fail(err error) {
	r.errs.Add(1)
	r.firstErr.CompareAndSwap(nil, &err)
}

// Chat simulates visitors of the web chat and operators of the console over
// the public protocol of a running server: each visitor gets a token from
// POST /o/{org}/chat/start and writes over GET /o/{org}/chat/ws; each
// operator signs in with POST /login and listens on GET /live. A message's
// delivery latency runs from the visitor writing it to an operator's live
// socket announcing it (matched by conversation and sequence number, which
// the visitor's ack gives). Each visitor connects from its own loopback
// address (127.1.x.y), as distinct clients would, so that the per-address
// limits of the portal apply per visitor.
func Chat(ctx context.Context, opt ChatOptions, out io.Writer) (Result, error) {
	if opt.Visitors <= 0 || opt.Duration <= 0 || (!opt.ClosedLoop && opt.Rate <= 0) {
		return Result{}, errors.New("chat: visitors, duration and rate (or closed loop) must be positive")
	}
	opt.Operators = max(1, opt.Operators)
	if opt.ClosedLoop {
		opt.Rate = 0
	}
	run, loop4, err := newChatRun(ctx, opt)
	if err != nil {
		return Result{}, err
	}
	base := run.base
	res := Result{Benchmark: "chat", Engine: "server", Org: opt.Org, At: time.Now().UTC().Truncate(time.Second)}
	stats := &ChatStats{Visitors: opt.Visitors, OperatorsN: opt.Operators, ClosedLoop: opt.ClosedLoop, Rate: opt.Rate}
	res.ChatStats = stats
	mode := fmt.Sprintf("%.2f messages/s each", opt.Rate)
	if opt.ClosedLoop {
		mode = "closed loop"
	}
	fmt.Fprintf(out, "chat against %s, org %s: %d visitors (%s), %d operators, for %s\n", base, opt.Org, opt.Visitors, mode, opt.Operators, opt.Duration)

	// Everything ends by itself: the duration, a grace period for late
	// deliveries, and the setup.
	ctx, cancel := context.WithTimeout(ctx, opt.Duration+2*time.Minute)
	defer cancel()
	opCtx, stopOps := context.WithCancel(ctx)
	defer stopOps()

	// Operators first, so that they see every message.
	var opWG sync.WaitGroup
	ready := make(chan error, opt.Operators)
	run.seen = make([]map[chatKey]time.Time, opt.Operators)
	for i := range opt.Operators {
		run.seen[i] = map[chatKey]time.Time{}
		opWG.Go(func() { run.operator(opCtx, i, ready) })
	}
	for range opt.Operators {
		if err := <-ready; err != nil {
			stopOps()
			opWG.Wait()
			return res, fmt.Errorf("chat: operator: %w", err)
		}
	}

	// Visitors connect (a few at a time), then all start together.
	conns := run.connectAll(ctx, loop4, out)

	start := time.Now()
	deadline := start.Add(opt.Duration)
	var vWG sync.WaitGroup
	for _, v := range conns {
		if v != nil {
			run.sending.Add(1)
		}
	}
	run.started.Store(true)
	for i, v := range conns {
		if v != nil {
			vWG.Go(func() {
				defer run.sending.Add(-1)
				v.send(ctx, deadline, rand.New(rand.NewPCG(SeedValue, uint64(i))))
			})
		}
	}
	vWG.Wait()
	elapsed := time.Since(start)
	// Late acks and deliveries: up to 5 s after the last send.
	grace := time.Now().Add(5 * time.Second)
	for time.Now().Before(grace) && !run.complete(conns) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, v := range conns {
		if v != nil {
			v.c.Close(websocket.StatusNormalClosure, "")
			v.done.Wait()
		}
	}
	stopOps()
	opWG.Wait()

	// Join sends and operator receipts.
	run.mu.Lock()
	var lat []time.Duration
	for k, t0 := range run.sentAt {
		all := true
		for _, seen := range run.seen {
			t1, ok := seen[k]
			if !ok {
				all = false
				continue
			}
			lat = append(lat, t1.Sub(t0))
		}
		if all {
			stats.Delivered++
		}
	}
	ack := summarize(run.ackLat)
	reply := summarize(run.replyLat)
	stats.RepliesReceived = int64(len(run.replyLat))
	run.mu.Unlock()
	stats.Replies = run.replies.Load()
	stats.ReplyP50, stats.ReplyP99, stats.ReplyMax = reply.P50, reply.P99, reply.Max
	stats.Sent, stats.Acks, stats.RateLimited, stats.Resyncs = run.sent.Load(), run.acks.Load(), run.rateLimited.Load(), run.resyncs.Load()
	stats.AckP50, stats.AckP99 = ack.P50, ack.P99
	res.Ops = stats.Delivered
	res.Errors = run.errs.Load()
	res.Latency = summarize(lat)
	fmt.Fprintf(out, "  %d sent, %d acknowledged (ack p50 %.2f ms, p99 %.2f ms), %d delivered to %d operators: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		stats.Sent, stats.Acks, ack.P50, ack.P99, stats.Delivered, opt.Operators, res.P50, res.P99, res.Max)
	if opt.Replies > 0 {
		fmt.Fprintf(out, "  %d operator replies posted, %d received by the visitor: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			stats.Replies, stats.RepliesReceived, reply.P50, reply.P99, reply.Max)
	}
	fmt.Fprintf(out, "  %d refused as rate limited, %d operator sockets dropped as slow and reconnected, %d errors\n", stats.RateLimited, stats.Resyncs, res.Errors)
	if err := res.finish(out, elapsed); err != nil {
		return res, err
	}
	if p := run.firstErr.Load(); p != nil {
		return res, fmt.Errorf("chat: %d errors, the first: %w", res.Errors, *p)
	}
	return res, nil
}

func countNonNil(vs []*chatVisitor) int {
	n := 0
	for _, v := range vs {
		if v != nil {
			n++
		}
	}
	return n
}

// complete reports whether every message sent was acknowledged (or
// refused) and every acknowledged one seen by every operator.
func (r *chatRun) complete(conns []*chatVisitor) bool {
	for _, v := range conns {
		if v != nil && v.outstanding.Load() > 0 {
			return false
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.replyAt) > 0 {
		return false
	}
	for _, seen := range r.seen {
		for k := range r.sentAt {
			if _, ok := seen[k]; !ok {
				return false
			}
		}
	}
	return true
}

// loopback checks that host is a loopback address and reports whether it
// is IPv4 (then visitors can each use their own source address).
func loopback(ctx context.Context, host string) (bool, error) {
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return false, fmt.Errorf("chat: target host %s: %w", host, err)
	}
	v4 := false
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false, fmt.Errorf("chat: target %s is not a loopback address: the benchmark only runs against this machine", host)
		}
		v4 = v4 || ip.Unmap().Is4()
	}
	return v4 && len(ips) > 0, nil
}

// client makes an HTTP client whose connections come from local (when
// not nil), with a cookie jar.
func client(local net.IP) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if local != nil {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:       jar,
		Timeout:   30 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2},
	}
}

func (r *chatRun) wsURL(path string, q url.Values) string {
	u := *r.base
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path += path
	u.RawQuery = q.Encode()
	return u.String()
}

// operator signs in and listens on /live, noting when each message
// arrives; it reports on ready once listening.
func (r *chatRun) operator(ctx context.Context, i int, ready chan<- error) {
	hc := client(nil)
	resp, err := hc.PostForm(r.base.String()+"/login", url.Values{"email": {r.opt.Email}, "password": {r.opt.Password}})
	if err != nil {
		ready <- err
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	signed := false
	for _, ck := range hc.Jar.Cookies(r.base) {
		signed = signed || ck.Name == "sportello_session"
	}
	if !signed {
		ready <- fmt.Errorf("sign-in as %s failed (status %d)", r.opt.Email, resp.StatusCode)
		return
	}
	c, err := r.dialLive(ctx, hc)
	if err != nil {
		ready <- err
		return
	}
	defer func() { c.CloseNow() }()
	if i == 0 && r.opt.Replies > 0 {
		csrf, err := csrfOf(ctx, hc, r.base.String()+"/inbox")
		if err != nil {
			ready <- err
			return
		}
		var rw sync.WaitGroup
		defer rw.Wait()
		rw.Go(func() { r.replier(ctx, hc, csrf) })
	}
	ready <- nil
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if websocket.CloseStatus(err) != 4000 {
				r.fail(fmt.Errorf("operator %d: live socket: %w", i, err))
				return
			}
			// The hub dropped the tab for being slow: like the console's
			// script, connect again (the page would then resync from the
			// database; messages in between are not counted delivered).
			r.resyncs.Add(1)
			c.CloseNow()
			if c, err = r.dialLive(ctx, hc); err != nil {
				if ctx.Err() == nil {
					r.fail(fmt.Errorf("operator %d: live socket again: %w", i, err))
				}
				return
			}
			continue
		}
		now := time.Now()
		var f struct {
			Type           string `json:"type"`
			ConversationID int64  `json:"conversation_id"`
			Seq            int64  `json:"seq"`
		}
		if json.Unmarshal(data, &f) != nil || f.Type != "message" {
			continue
		}
		k := chatKey{f.ConversationID, f.Seq}
		r.mu.Lock()
		if _, ok := r.seen[i][k]; !ok {
			r.seen[i][k] = now
		}
		r.mu.Unlock()
	}
}

// dialLive opens the console's live socket with the session of hc and
// says the tab shows every conversation, newest first: each new message
// moves a row to the top.
func (r *chatRun) dialLive(ctx context.Context, hc *http.Client) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, r.wsURL("/live", nil), &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(4 << 20)
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"inbox","query":"view=all"}`)); err != nil {
		c.CloseNow()
		return nil, err
	}
	return c, nil
}

// newChatRun checks the target (an http(s) URL on a loopback address)
// and makes the run's shared state; loop4 says each visitor may connect
// from its own 127.1.x.y address.
func newChatRun(ctx context.Context, opt ChatOptions) (run *chatRun, loop4 bool, err error) {
	base, err := url.Parse(strings.TrimRight(opt.Target, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, false, fmt.Errorf("chat: target %q is not an http(s) URL", opt.Target)
	}
	if loop4, err = loopback(ctx, base.Hostname()); err != nil {
		return nil, false, err
	}
	return &chatRun{opt: opt, base: base, runID: strconv.FormatInt(time.Now().UnixNano(), 36),
		sentAt: map[chatKey]time.Time{}, replyAt: map[string]time.Time{}, convSet: map[int64]bool{}}, loop4, nil
}

// connectAll connects opt.Visitors visitors, 32 at a time; a visitor that
// fails is counted and left nil.
func (r *chatRun) connectAll(ctx context.Context, loop4 bool, out io.Writer) []*chatVisitor {
	start := time.Now()
	conns := make([]*chatVisitor, r.opt.Visitors)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range r.opt.Visitors {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			v, err := r.connect(ctx, i, loop4)
			if err != nil {
				r.fail(fmt.Errorf("visitor %d: %w", i, err))
				return
			}
			conns[i] = v
		})
	}
	wg.Wait()
	fmt.Fprintf(out, "  %d visitors connected in %.1f s, %d failed\n", countNonNil(conns), time.Since(start).Seconds(), r.errs.Load())
	return conns
}

// chatVisitor is one visitor's connection.
type chatVisitor struct {
	r           *chatRun
	id          int
	c           *websocket.Conn
	mu          sync.Mutex
	pending     map[string]time.Time // client id → sent at
	outstanding atomic.Int64
	answered    chan bool // an ack (false) or a refusal (true) arrived, for the closed loop
	done        sync.WaitGroup
}

// connect gets a visitor token and opens the visitor's WebSocket.
func (r *chatRun) connect(ctx context.Context, i int, loop4 bool) (*chatVisitor, error) {
	var local net.IP
	if loop4 {
		local = net.IPv4(127, 1, byte(i/250), byte(i%250+1))
	}
	hc := client(local)
	form := url.Values{"name": {"Bench " + strconv.Itoa(i)}, "consent": {"yes"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base.String()+"/o/"+url.PathEscape(r.opt.Org)+"/chat/start", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.Token == "" {
		return nil, fmt.Errorf("chat start: status %d, no token", resp.StatusCode)
	}
	c, _, err := websocket.Dial(ctx, r.wsURL("/o/"+url.PathEscape(r.opt.Org)+"/chat/ws", url.Values{"token": {tok.Token}, "after_seq": {"0"}}),
		&websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	// The start request's connection would stay open beside the socket,
	// idle: a real page's browser shares one with everything else.
	hc.CloseIdleConnections()
	v := &chatVisitor{r: r, id: i, c: c, pending: map[string]time.Time{}, answered: make(chan bool, 1)}
	v.done.Go(v.read)
	return v, nil
}

// read handles the server's frames until the connection closes.
func (v *chatVisitor) read() {
	r := v.r
	for {
		_, data, err := v.c.Read(context.Background())
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure && !errors.Is(err, net.ErrClosed) {
				r.fail(fmt.Errorf("visitor %d: socket: %w", v.id, err))
			}
			return
		}
		now := time.Now()
		var f struct {
			Type           string `json:"type"`
			Direction      string `json:"direction"`
			Body           string `json:"body"`
			ClientID       string `json:"client_id"`
			ConversationID int64  `json:"conversation_id"`
			Seq            int64  `json:"seq"`
			Code           string `json:"code"`
			Message        string `json:"message"`
		}
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case "message":
			if f.Direction != "outbound" || !strings.HasPrefix(f.Body, "[") {
				continue
			}
			marker, _, _ := strings.Cut(f.Body[1:], "]")
			r.mu.Lock()
			if t0, ok := r.replyAt[marker]; ok {
				delete(r.replyAt, marker)
				r.replyLat = append(r.replyLat, now.Sub(t0))
			}
			r.mu.Unlock()
		case "ack", "error":
			v.mu.Lock()
			t0, ok := v.pending[f.ClientID]
			delete(v.pending, f.ClientID)
			v.mu.Unlock()
			if !ok {
				if f.Type == "error" {
					r.fail(fmt.Errorf("visitor %d: %s: %s", v.id, f.Code, f.Message))
				}
				continue
			}
			v.outstanding.Add(-1)
			refused := f.Type == "error"
			switch {
			case f.Type == "ack":
				r.acks.Add(1)
				r.mu.Lock()
				r.sentAt[chatKey{f.ConversationID, f.Seq}] = t0
				if !r.convSet[f.ConversationID] {
					r.convSet[f.ConversationID] = true
					r.convs = append(r.convs, f.ConversationID)
				}
				r.ackLat = append(r.ackLat, now.Sub(t0))
				r.mu.Unlock()
			case f.Code == "rate_limited":
				r.rateLimited.Add(1)
			default:
				r.fail(fmt.Errorf("visitor %d: %s: %s", v.id, f.Code, f.Message))
			}
			select {
			case v.answered <- refused:
			default:
			}
		}
	}
}

// send writes messages until the deadline: at the rate, from a random
// phase, or each as soon as the last is answered.
func (v *chatVisitor) send(ctx context.Context, deadline time.Time, rnd *rand.Rand) {
	r := v.r
	var interval time.Duration
	next := time.Now()
	if !r.opt.ClosedLoop {
		interval = time.Duration(float64(time.Second) / r.opt.Rate)
		next = next.Add(time.Duration(rnd.Int64N(int64(interval))))
	}
	for n := 0; ctx.Err() == nil; n++ {
		if !r.opt.ClosedLoop {
			if d := time.Until(next); d > 0 {
				time.Sleep(min(d, time.Until(deadline)))
			}
			next = next.Add(interval)
		}
		if !time.Now().Before(deadline) {
			return
		}
		clientID := fmt.Sprintf("b%s-%d-%d", r.runID, v.id, n)
		t0 := time.Now()
		body, _ := json.Marshal(map[string]string{"type": "message", "client_id": clientID,
			"body": fmt.Sprintf("[%s @%d] %s", clientID, t0.UnixNano(), inboundBodies[n%len(inboundBodies)])})
		v.mu.Lock()
		v.pending[clientID] = t0
		v.mu.Unlock()
		v.outstanding.Add(1)
		r.sent.Add(1)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := v.c.Write(wctx, websocket.MessageText, body)
		cancel()
		if err != nil {
			r.fail(fmt.Errorf("visitor %d: write: %w", v.id, err))
			return
		}
		if r.opt.ClosedLoop {
			select {
			case refused := <-v.answered:
				if refused {
					// Rate limited: wait for the window to move on
					// rather than flood the connection (which the
					// server closes above 50 frames a second).
					time.Sleep(min(100*time.Millisecond, time.Until(deadline)))
				}
			case <-time.After(10 * time.Second):
				r.fail(fmt.Errorf("visitor %d: no ack within 10 s", v.id))
				return
			case <-ctx.Done():
				return
			}
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf reads the session's CSRF field from a console page.
func csrfOf(ctx context.Context, hc *http.Client, page string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", err
	}
	m := csrfField.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no CSRF field on %s (status %d)", page, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1])), nil
}

// replier posts the operator's replies, at opt.Replies a second, each to
// a random conversation of the run, through the console's reply form, and
// notes when it posted each so the visitor's socket can time it.
func (r *chatRun) replier(ctx context.Context, hc *http.Client, csrf string) {
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t := time.NewTicker(time.Duration(float64(time.Second) / r.opt.Replies))
	defer t.Stop()
	rnd := rand.New(rand.NewPCG(SeedValue, 1<<40))
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if r.started.Load() && r.sending.Load() == 0 {
			return // the visitors are done
		}
		r.mu.Lock()
		if len(r.convs) == 0 {
			r.mu.Unlock()
			continue
		}
		conv := r.convs[rnd.IntN(len(r.convs))]
		marker := fmt.Sprintf("r%s-%d", r.runID, n)
		t0 := time.Now()
		r.replyAt[marker] = t0
		r.mu.Unlock()
		form := url.Values{"csrf": {csrf}, "direction": {"reply"}, "body": {"[" + marker + "] Grazie, la richiamiamo a breve."}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base.String()+"/conversations/"+strconv.FormatInt(conv, 10)+"/messages", strings.NewReader(form.Encode()))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noFollow.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				r.fail(fmt.Errorf("operator reply: %w", err))
			}
			r.forgetReply(marker)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			r.fail(fmt.Errorf("operator reply to conversation %d: status %d", conv, resp.StatusCode))
			r.forgetReply(marker)
			continue
		}
		r.replies.Add(1)
	}
}

func (r *chatRun) forgetReply(marker string) {
	r.mu.Lock()
	delete(r.replyAt, marker)
	r.mu.Unlock()
}
