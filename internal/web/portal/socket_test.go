package portal_test

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/portal"
)

// visit opens the hosted page as a new visitor and returns their token.
func (e *env) visit() (string, string) {
	e.t.Helper()
	c := e.client()
	page := c.get(e.chatPath("?lang=it"))
	wantStatus(e.t, "page", page, http.StatusOK)
	tok := tokenIn(e.t, page.body)
	return tok, visitorID(e.t, tok)
}

func TestSocketSendAckStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		tok, visitor := e.visit()
		ws := e.mustDial(tok, 0, 0)
		if f := ws.next(); f.Type != "status" || !f.Open {
			t.Errorf("first frame %+v, want the status (open: no hours set)", f)
		}
		ws.message("c1-aaaaaaaa", "السلام عليكم، أحتاج مساعدة في تجديد الإقامة")
		got := ws.barrier()
		var ack, msg frame
		for _, f := range got {
			switch f.Type {
			case "ack":
				ack = f
			case "message":
				msg = f
			}
		}
		if ack.ClientID != "c1-aaaaaaaa" || ack.Seq != 1 || ack.ConversationID == 0 {
			t.Fatalf("ack %+v", ack)
		}
		if msg.Seq != 1 || msg.Direction != "inbound" || msg.ClientID != "c1-aaaaaaaa" || msg.PrevSeq != 0 || msg.ConversationID != ack.ConversationID {
			t.Errorf("message frame %+v", msg)
		}
		ms := e.messages(ack.ConversationID)
		if len(ms) != 1 || ms[0].ProviderMessageID != visitor+":c1-aaaaaaaa" || !strings.HasPrefix(ms[0].Body, "السلام") {
			t.Fatalf("stored %+v", ms)
		}
		if th := e.thread(visitor); th.ConversationID != ack.ConversationID {
			t.Errorf("the visitor's thread is %+v", th)
		}

		// A resend (the ack was lost) is acknowledged again and stored once.
		ws.message("c1-aaaaaaaa", "السلام عليكم، أحتاج مساعدة في تجديد الإقامة")
		again := ws.barrier()
		if len(again) != 1 || again[0].Type != "ack" || again[0].Seq != 1 {
			t.Errorf("resend: frames %+v, want one ack of seq 1", again)
		}
		if n := len(e.messages(ack.ConversationID)); n != 1 {
			t.Errorf("after a resend: %d messages, want 1", n)
		}
		// So is the same message over a new connection.
		ws2 := e.mustDial(tok, 1, ack.ConversationID)
		ws2.message("c1-aaaaaaaa", "السلام عليكم، أحتاج مساعدة في تجديد الإقامة")
		if f := ws2.nextOf("ack"); f.Seq != 1 {
			t.Errorf("resend on a new connection: %+v", f)
		}
		if n := len(e.messages(ack.ConversationID)); n != 1 {
			t.Errorf("after a resend on a new connection: %d messages, want 1", n)
		}
	})
}

func TestSocketResumesWithoutLossOrRepeat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		tok, _ := e.visit()
		ws := e.mustDial(tok, 0, 0)
		ws.message("first-0001", "uno")
		conv := ws.nextOf("ack").ConversationID
		ws.c.Close(websocket.StatusNormalClosure, "")
		// While the visitor is away: replies, a note, a status change.
		e.reply(conv, model.DirectionOutbound, "due")     // 2
		e.reply(conv, model.DirectionNote, "nota")        // 3
		e.reply(conv, model.DirectionOutbound, "quattro") // 4
		pending := model.StatusPending
		if _, err := e.d.Update(t.Context(), e.actor(), conv, store.ConversationPatch{Status: &pending}); err != nil {
			t.Fatal(err) // 5, an event
		}
		e.reply(conv, model.DirectionOutbound, "sei") // 6

		// The page had seen up to 2: it gets 4 and 6, nothing else.
		ws = e.mustDial(tok, 2, conv)
		got := onlyMessages(ws.barrier())
		if len(got) != 2 || got[0].Seq != 4 || got[0].Body != "quattro" || got[0].PrevSeq != 2 || got[1].Seq != 6 || got[1].PrevSeq != 4 {
			t.Errorf("resume after 2: %+v, want 4 then 6", got)
		}
		// A page that showed another conversation (or none) gets it all.
		ws = e.mustDial(tok, 2, conv+1000)
		got = onlyMessages(ws.barrier())
		var seqs []int64
		for _, f := range got {
			seqs = append(seqs, f.Seq)
		}
		if len(seqs) != 4 || seqs[0] != 1 || seqs[3] != 6 {
			t.Errorf("resume from another conversation: seqs %v, want 1 2 4 6", seqs)
		}
		for _, f := range got {
			if f.Body == "nota" || f.Direction == "note" || f.Direction == "event" {
				t.Errorf("the citizen got %+v", f)
			}
		}
		// Delivering them marked the replies delivered.
		for _, m := range e.messages(conv) {
			if m.Direction == model.DirectionOutbound && m.DeliveryStatus != model.DeliveryDelivered {
				t.Errorf("reply %d: %q, want delivered", m.Seq, m.DeliveryStatus)
			}
		}
	})
}

func TestSocketLiveReplyTypingAndReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		tok, _ := e.visit()
		ws := e.mustDial(tok, 0, 0)
		ws.message("hello-0001", "ciao")
		conv := ws.nextOf("ack").ConversationID
		ws.barrier()

		staff := e.d.Hub().Subscribe(desk.StaffTopic(conv))
		defer staff.Close()
		ws.send(map[string]string{"type": "typing"})
		ws.barrier()
		select {
		case ev := <-staff.C:
			if ev.Type != "typing" || !strings.Contains(string(ev.Data), "citizen") {
				t.Errorf("staff got %+v, want the citizen typing", ev)
			}
		case <-time.After(5 * time.Second):
			t.Error("the desk did not hear the citizen typing")
		}

		if err := e.d.Typing(t.Context(), e.actor(), conv, false); err != nil {
			t.Fatal(err)
		}
		if f := ws.next(); f.Type != "typing" {
			t.Errorf("after the operator typed: %+v", f)
		}
		e.reply(conv, model.DirectionNote, "non per il cittadino")
		reply := e.reply(conv, model.DirectionOutbound, "Buongiorno! Come posso aiutarla?")
		f := ws.next()
		if f.Type != "message" || f.Seq != reply.Seq || f.Direction != "outbound" || f.Body != reply.Body || f.PrevSeq != 1 {
			t.Fatalf("live reply: %+v, want the reply (seq %d) after the visitor's (1)", f, reply.Seq)
		}
		if rest := ws.barrier(); len(onlyMessages(rest)) != 0 {
			t.Errorf("more messages: %+v", rest)
		}
		ws.send(map[string]any{"type": "read", "seq": reply.Seq})
		ws.barrier()
		ms := e.messages(conv)
		if last := ms[len(ms)-1]; last.DeliveryStatus != model.DeliveryRead {
			t.Errorf("after the page reported it read: %q", last.DeliveryStatus)
		}
		// The desk reading the citizen shows as "seen" on their page.
		if err := e.d.MessagesRead(t.Context(), e.actor(), conv, 1); err != nil {
			t.Fatal(err)
		}
		if f := ws.next(); f.Type != "delivery" || f.Status != "read" || f.UpToSeq != 1 {
			t.Errorf("after the desk read: %+v", f)
		}
	})
}

func TestSocketRefusals(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{settings: `{"webchat": {"allowed_origins": ["https://www.caritas.example"]}}`})
	tok, _ := e.visit()
	q := url.Values{"token": {tok}}

	// A site not allowed cannot open the socket; the desk and allowed sites can.
	_, resp, err := e.dial(q, http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("from a site not allowed: %v, %v; want 403", resp, err)
	}
	for _, origin := range []string{"https://www.caritas.example", e.srv.URL, ""} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ws, _, err := e.dial(q, h)
		if err != nil {
			t.Errorf("from %q: %v", origin, err)
			continue
		}
		ws.barrier()
	}

	// A forged token: a clear error, then close code 4401.
	parts := strings.Split(tok, ".")
	forged := strings.Join([]string{parts[0], strings.Repeat("b", 32), parts[2], parts[3]}, ".")
	ws, _, err := e.dial(url.Values{"token": {forged}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := ws.next(); f.Type != "error" || f.Code != "unauthorized" || f.Message != e.b.Printer("it").T("chat.session_expired", nil) {
		t.Errorf("forged token: %+v", f)
	}
	<-ws.closed
	if got := websocket.CloseStatus(ws.err); got != 4401 {
		t.Errorf("forged token: closed with %d, want 4401", got)
	}

	// Nonsense is answered, not fatal.
	ws = e.mustDial(tok, 0, 0)
	ws.send(map[string]string{"type": "launch-missiles"})
	ws.message("x", "client id too short")
	errs := ws.barrier()
	if len(errs) < 2 || errs[len(errs)-2].Code != "invalid" || errs[len(errs)-1].Code != "invalid" {
		t.Errorf("nonsense: %+v", errs)
	}
}

func TestSocketRateLimit(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	tok, _ := e.visit()
	ws := e.mustDial(tok, 0, 0)
	for i := range 21 {
		ws.message("flood-"+itoa(int64(100+i)), "spam "+itoa(int64(i)))
	}
	var acks, limited int
	var last frame
	for _, f := range ws.barrier() {
		switch {
		case f.Type == "ack":
			acks++
		case f.Type == "error" && f.Code == "rate_limited":
			limited++
			last = f
		}
	}
	if acks != 20 || limited != 1 || last.ClientID != "flood-120" || last.Message != e.b.Printer("it").T("chat.rate_limited", nil) {
		t.Errorf("21 messages at once: %d stored, %d refused (%+v); want 20 and the last refused, in Italian", acks, limited, last)
	}
}

func TestSocketFloodIsClosed(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	tok, _ := e.visit()
	ws := e.mustDial(tok, 0, 0)
	for range 200 {
		if ws.c.Write(t.Context(), websocket.MessageText, []byte(`{"type":"typing"}`)) != nil {
			break // closed under us: fine
		}
	}
	select {
	case <-ws.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("a connection sending 200 frames at once stayed open")
	}
	if got := websocket.CloseStatus(ws.err); got != websocket.StatusPolicyViolation {
		t.Errorf("closed with %d, want policy violation (1008)", got)
	}
}

func TestSocketPrechatRequired(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{settings: prechatSettings})
	tok, visitor := e.visit()
	ws := e.mustDial(tok, 0, 0)
	ws.message("early-0001", "ciao")
	if f := ws.nextOf("error"); f.Code != "prechat_required" || f.ClientID != "early-0001" {
		t.Errorf("before the form: %+v", f)
	}
	if th := e.thread(visitor); th.ContactID != 0 {
		t.Error("a message before consent created a contact")
	}
	c := e.client()
	r := c.postForm(e.chatPath("/start"), url.Values{"token": {tok}, "name": {"Amina"}, "consent": {"yes"}}, "application/json")
	wantStatus(t, "form", r, http.StatusOK)
	ws.message("early-0001", "ciao")
	if f := ws.nextOf("ack"); f.Seq != 1 {
		t.Errorf("after the form, on the same connection: %+v", f)
	}
}

func TestSocketFollowsANewConversation(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	tok, _ := e.visit()
	ws := e.mustDial(tok, 0, 0)
	ws.message("old-000001", "prima domanda")
	old := ws.nextOf("ack").ConversationID
	ws.barrier()
	resolved := model.StatusResolved
	if _, err := e.d.Update(t.Context(), e.actor(), old, store.ConversationPatch{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	ws.message("new-000001", "un'altra domanda")
	got := ws.barrier()
	var ack, msg frame
	for _, f := range got {
		if f.Type == "ack" {
			ack = f
		}
		if f.Type == "message" {
			msg = f
		}
	}
	if ack.ConversationID == old || ack.Seq != 1 || msg.ConversationID != ack.ConversationID || msg.Seq != 1 || msg.PrevSeq != 0 {
		t.Errorf("after resolving: ack %+v, message %+v; want a new conversation from seq 1", ack, msg)
	}
	reply := e.reply(ack.ConversationID, model.DirectionOutbound, "eccomi")
	if f := ws.next(); f.Seq != reply.Seq || f.ConversationID != ack.ConversationID {
		t.Errorf("reply in the new conversation: %+v", f)
	}
}

func TestSocketStatusFromOpeningHours(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	saturday := time.Date(2026, 3, 7, 11, 0, 0, 0, rome)
	e := newEnv(t, storetest.Open(t, store.SQLite), options{
		portal:   portal.Options{Now: func() time.Time { return saturday }},
		settings: `{"hours": {"time_zone": "Europe/Rome", "weekly": {"mon": [{"start": "09:30", "end": "18:00"}]}}}`,
	})
	tok, _ := e.visit()
	f := e.mustDial(tok, 0, 0).nextOf("status")
	monday := time.Date(2026, 3, 9, 9, 30, 0, 0, rome)
	if f.Open || f.NextOpen != monday.UTC().Format(time.RFC3339) || !strings.Contains(f.Message, "lunedì alle 9:30") {
		t.Errorf("status on Saturday: %+v, want closed until Monday 9:30", f)
	}
}

// An idle visitor costs no disk: the SQLite file and its write-ahead log
// do not change, byte for byte, while the server pings the connection.
func TestIdleSocketWritesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "idle.db")
	s, err := store.Open(t.Context(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, s, options{portal: portal.Options{PingInterval: 20 * time.Millisecond},
		settings: `{"hours": {"weekly": {"mon": [{"start": "09:30", "end": "18:00"}]}}}`})
	tok, _ := e.visit()
	ws := e.mustDial(tok, 0, 0)
	ws.message("before-idle", "ciao")
	conv := ws.nextOf("ack").ConversationID
	e.reply(conv, model.DirectionOutbound, "risposta")
	ws.nextOf("message")
	ws.send(map[string]any{"type": "read", "seq": 2})
	ws.barrier() // everything the visitor did is written by now

	type snap struct {
		size  int64
		mtime time.Time
		data  string
	}
	take := func() map[string]snap {
		out := map[string]snap{}
		for _, name := range []string{"idle.db", "idle.db-wal"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = snap{st.Size(), st.ModTime(), string(b)}
		}
		return out
	}
	before := take()
	if _, ok := before["idle.db-wal"]; !ok {
		t.Fatal("no write-ahead log: the test would prove nothing")
	}
	pings := ws.pings.Load()
	deadline := time.Now().Add(10 * time.Second)
	for ws.pings.Load() < pings+10 {
		if time.Now().After(deadline) {
			t.Fatalf("the server pinged %d times in 10 s", ws.pings.Load()-pings)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ws.barrier() // still alive, and its own heartbeats answered
	after := take()
	for name, b := range before {
		a := after[name]
		if a.size != b.size || !a.mtime.Equal(b.mtime) || a.data != b.data {
			t.Errorf("%s changed while the visitor was idle: %d bytes at %v, then %d at %v", name, b.size, b.mtime, a.size, a.mtime)
		}
	}
}

func TestSocketSaysGoodbyeOnShutdown(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	tok, _ := e.visit()
	ws := e.mustDial(tok, 0, 0)
	ws.barrier()
	e.p.CloseLive() // what the server does when it shuts down
	select {
	case <-ws.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the socket stayed open after the server shut down")
	}
	if got := websocket.CloseStatus(ws.err); got != websocket.StatusGoingAway {
		t.Errorf("closed with %d, want going away (1001): the page reconnects", got)
	}
}

// A message limit raised for a load test raises the frame cap with it: a
// visitor allowed 1,000 messages in 10 s may send 100 frames in a second.
func TestSocketFrameCapFollowsTheRateLimit(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{portal: portal.Options{RateLimit: 1000, RateWindow: 10 * time.Second}})
	tok, _ := e.visit()
	ws := e.mustDial(tok, 0, 0)
	for range 100 {
		if err := ws.c.Write(t.Context(), websocket.MessageText, []byte(`{"type":"typing"}`)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	ws.message("burst-0001", "ciao")
	if f := ws.nextOf("ack"); f.Seq != 1 {
		t.Errorf("after 100 frames in a second: %+v", f)
	}
}

// The socket's address opened as a page (no handshake) is told, in the
// visitor's language, to open the chat page instead.
func TestSocketAddressWithoutHandshake(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	r := e.client().get(e.chatPath("/ws?lang=ar"))
	wantStatus(t, "plain GET", r, http.StatusUpgradeRequired)
	if !strings.Contains(r.body, "صفحة الدردشة") {
		t.Errorf("the answer is not in Arabic: %q", r.body)
	}
}
