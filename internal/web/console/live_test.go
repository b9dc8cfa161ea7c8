package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/console"
)

// liveWait bounds every wait for a frame: only spent when something is
// wrong.
const liveWait = 10 * time.Second

// frame is one message from the server, decoded, with its raw text.
type frame struct {
	Type           string            `json:"type"`
	ConversationID int64             `json:"conversation_id"`
	Seq            int64             `json:"seq"`
	UserID         int64             `json:"user_id"`
	Row            string            `json:"row"`
	Top            bool              `json:"top"`
	Item           string            `json:"item"`
	Notify         bool              `json:"notify"`
	Announce       string            `json:"announce"`
	Facts          map[string]string `json:"facts"`
	Values         map[string]string `json:"values"`
	Counts         map[string]int    `json:"counts"`
	Text           *string           `json:"text"`
	Names          []string          `json:"names"`
	Status         string            `json:"status"`
	Label          string            `json:"label"`
	raw            string
}

// tab is a console tab's live connection, as a browser would open it.
type tab struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan frame
	closed chan websocket.StatusCode
}

// sessionCookie is the client's session cookie.
func (c *client) sessionCookie() *http.Cookie {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == console.SessionCookie {
			return ck
		}
	}
	return nil
}

func (e *env) dial(c *client, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if ck := c.sessionCookie(); ck != nil {
		h.Set("Cookie", ck.Name+"="+ck.Value)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.Dial(e.t.Context(), "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/live", &websocket.DialOptions{HTTPHeader: h})
}

// live opens the client's tab and waits until the server is ready.
func (e *env) live(c *client) *tab {
	e.t.Helper()
	ws, _, err := e.dial(c, e.srv.URL)
	if err != nil {
		e.t.Fatalf("dial /live: %v", err)
	}
	tb := &tab{t: e.t, ws: ws, frames: make(chan frame, 256), closed: make(chan websocket.StatusCode, 1)}
	go func() {
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				tb.closed <- websocket.CloseStatus(err)
				close(tb.frames)
				return
			}
			var f frame
			if err := json.Unmarshal(data, &f); err != nil {
				e.t.Errorf("frame %q: %v", data, err)
				continue
			}
			f.raw = string(data)
			tb.frames <- f
		}
	}()
	e.t.Cleanup(func() { ws.Close(websocket.StatusNormalClosure, "") })
	if f := tb.wait("ready", nil); f.UserID == 0 {
		e.t.Fatalf("ready frame without the user: %s", f.raw)
	}
	return tb
}

func (tb *tab) send(v any) {
	tb.t.Helper()
	b, _ := json.Marshal(v)
	if err := tb.ws.Write(tb.t.Context(), websocket.MessageText, b); err != nil {
		tb.t.Fatal(err)
	}
}

// wait reads frames until one of type typ for which ok holds (nil: any),
// and returns it with the frames read before it.
func (tb *tab) waitAll(typ string, ok func(frame) bool) (frame, []frame) {
	tb.t.Helper()
	var before []frame
	deadline := time.After(liveWait)
	for {
		select {
		case f, open := <-tb.frames:
			if !open {
				tb.t.Fatalf("connection closed while waiting for %s", typ)
			}
			if f.Type == typ && (ok == nil || ok(f)) {
				return f, before
			}
			before = append(before, f)
		case <-deadline:
			tb.t.Fatalf("no %s frame; got %d others", typ, len(before))
		}
	}
}

func (tb *tab) wait(typ string, ok func(frame) bool) frame {
	tb.t.Helper()
	f, _ := tb.waitAll(typ, ok)
	return f
}

// open says the tab shows conversation id and waits for its viewers list.
func (tb *tab) open(id int64) frame {
	tb.t.Helper()
	tb.send(map[string]any{"type": "open", "conversation_id": id})
	return tb.wait("viewers", func(f frame) bool { return f.ConversationID == id })
}

func (tb *tab) inbox(query string, ids ...int64) {
	tb.t.Helper()
	if ids == nil {
		ids = []int64{}
	}
	tb.send(map[string]any{"type": "inbox", "query": query, "ids": ids})
}

// receive records a citizen's message through the desk, as a channel does.
func (e *env) receive(from, name, body string) int64 {
	e.t.Helper()
	res, err := e.d.Receive(e.t.Context(), store.Inbound{
		OrgID: e.org.ID, ChannelID: e.channel.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: from}, DisplayName: name, Body: body,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.ConversationID
}

func (e *env) actor(u *model.User) *desk.Actor {
	e.t.Helper()
	teams, err := e.s.TeamsOf(e.t.Context(), e.org.ID, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return &desk.Actor{User: u, TeamIDs: teams, Via: "test"}
}

func TestLiveRefusesWithoutSessionOrFromAnotherSite(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	_, res, err := e.dial(e.client(), e.srv.URL)
	if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a session: %v %v, want 401", res, err)
	}
	c := e.client().signIn("op@desk.example")
	_, res, err = e.dial(c, "https://evil.example")
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("from another site: %v %v, want 403", res, err)
	}
}

func TestLiveClosesOnShutdown(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	tb := e.live(e.client().signIn("op@desk.example"))
	e.con.CloseLive()
	select {
	case code := <-tb.closed:
		if code != websocket.StatusGoingAway {
			t.Errorf("closed with %v, want going away", code)
		}
	case <-time.After(liveWait):
		t.Fatal("the tab stayed open after CloseLive")
	}
}

func TestLiveMessagesOnlyToThoseWhoMaySee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		mine := e.inbound("v-mine", "Bashir Rahimi", "Salve")
		e.update(e.coord, mine, store.ConversationPatch{AssigneeID: &e.vol.ID})

		coord := e.live(e.client().signIn("coord@desk.example"))
		coord.inbox("view=all")
		vol := e.live(e.client().signIn("vol@desk.example"))
		vol.inbox("", mine)

		secret := e.receive("v-secret", "Amina Diallo", "Ho un problema con il permesso di soggiorno")
		f := coord.wait("message", func(f frame) bool { return f.ConversationID == secret })
		if !strings.Contains(f.Row, "Amina Diallo") || !strings.Contains(f.Row, html("Ho un problema con il permesso di soggiorno")) || !f.Top {
			t.Errorf("coordinator's row: top=%v %s, want the new conversation on top with its preview", f.Top, f.Row)
		}
		if !f.Notify || !strings.Contains(f.Announce, "Amina Diallo") {
			t.Errorf("coordinator: notify=%v %q, want a notification of the new unassigned conversation", f.Notify, f.Announce)
		}

		// The volunteer's next message is from their own conversation:
		// nothing of the other one came before it.
		e.receive("v-mine", "Bashir Rahimi", "Ci sono novità?")
		got, before := vol.waitAll("message", func(f frame) bool { return f.ConversationID == mine })
		if !got.Notify || !strings.Contains(got.Row, html("Ci sono novità?")) {
			t.Errorf("volunteer's own conversation: notify=%v row %s", got.Notify, got.Row)
		}
		for _, b := range append(before, got) {
			if b.ConversationID == secret || strings.Contains(b.raw, "Amina") || strings.Contains(b.raw, "permesso") {
				t.Errorf("the volunteer received %s", b.raw)
			}
		}
		// The coordinator sees the volunteer's conversation too, without a
		// notification: it is not theirs.
		if f := coord.wait("message", func(f frame) bool { return f.ConversationID == mine }); f.Notify {
			t.Error("coordinator notified of a message in someone else's conversation")
		}
	})
}

func TestLiveOpenConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		citizen := e.d.Hub().Subscribe(realtime.ConversationTopic(id))
		defer citizen.Close()
		coord := e.live(e.client().signIn("coord@desk.example"))
		if v := coord.open(id); v.Text == nil || *v.Text != "" || len(v.Names) != 0 {
			t.Errorf("alone on the conversation: %s, want nobody else", v.raw)
		}

		// A note from a colleague appears once, as a timeline item; it
		// never reaches the citizen.
		if err := e.d.Post(t.Context(), e.actor(e.op), id, &model.Message{Direction: model.DirectionNote, Body: "Nota riservata"}); err != nil {
			t.Fatal(err)
		}
		note := coord.wait("message", func(f frame) bool { return f.ConversationID == id })
		if note.Seq != 2 || !strings.Contains(note.Item, `id="m-2"`) || !strings.Contains(note.Item, "Nota riservata") || !strings.Contains(note.Item, "msg-note") {
			t.Errorf("note frame: seq %d item %s", note.Seq, note.Item)
		}
		if err := e.d.Post(t.Context(), e.actor(e.op), id, &model.Message{Direction: model.DirectionOutbound, Body: "Risposta"}); err != nil {
			t.Fatal(err)
		}
		reply, before := coord.waitAll("message", func(f frame) bool { return f.ConversationID == id && f.Seq == 3 })
		for _, b := range before {
			if b.Type == "message" {
				t.Errorf("a message came twice or out of order: %s", b.raw)
			}
		}
		if !strings.Contains(reply.Item, "Risposta") || reply.Notify {
			t.Errorf("reply frame: %s", reply.raw)
		}
		select {
		case ev := <-citizen.C:
			if ev.Seq != 3 || strings.Contains(string(ev.Data), "Nota riservata") {
				t.Errorf("the citizen's first event: %s %s, want the reply only", ev.Type, ev.Data)
			}
		default:
			t.Error("the citizen got nothing")
		}

		// Changes of the open conversation update its details.
		pending := model.StatusPending
		e.update(e.op, id, store.ConversationPatch{Status: &pending, AssigneeID: &e.op.ID})
		ch := coord.wait("conversation", func(f frame) bool { return f.ConversationID == id && f.Facts != nil })
		p := e.it()
		if ch.Facts["status"] != p.T("status.pending", nil) || ch.Facts["assignee"] != "Omar Operatore" || ch.Values["status"] != "pending" ||
			ch.Values["assignee_id"] != strconv.FormatInt(e.op.ID, 10) || ch.Seq <= 3 {
			t.Errorf("details frame: %s", ch.raw)
		}
	})
}

func TestLiveInboxRowsAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.inbound("v1", "Amina Diallo", "Ciao")
		b := e.inbound("v2", "Bashir Rahimi", "Salve")
		e.update(e.coord, b, store.ConversationPatch{AssigneeID: &e.vol.ID})

		coord := e.live(e.client().signIn("coord@desk.example"))
		coord.inbox("view=all&status=open", a, b)
		vol := e.live(e.client().signIn("vol@desk.example"))
		vol.inbox("view=mine", b)

		// A conversation leaves a status view when its status changes;
		// the counts follow.
		resolved := model.StatusResolved
		e.update(e.coord, a, store.ConversationPatch{Status: &resolved})
		coord.wait("remove", func(f frame) bool { return f.ConversationID == a })
		c := coord.wait("counts", nil)
		if c.Counts["open"] != 1 || c.Counts["resolved"] != 1 || c.Counts["all"] != 2 {
			t.Errorf("counts %v, want 1 open, 1 resolved, 2 in all", c.Counts)
		}

		// Taken from the volunteer, the conversation disappears from their
		// inbox; they learn nothing more than that.
		zero := int64(0)
		e.update(e.coord, b, store.ConversationPatch{AssigneeID: &zero})
		gone := vol.wait("remove", func(f frame) bool { return f.ConversationID == b })
		if gone.Row != "" || strings.Contains(gone.raw, "Bashir") {
			t.Errorf("remove frame says too much: %s", gone.raw)
		}
		e.receive("v2", "Bashir Rahimi", "Pronto?")
		e.update(e.coord, a, store.ConversationPatch{AssigneeID: &e.vol.ID})
		_, before := vol.waitAll("conversation", func(f frame) bool { return f.ConversationID == a })
		for _, f := range before {
			if strings.Contains(f.raw, "Pronto") {
				t.Errorf("the volunteer received a message of a conversation no longer theirs: %s", f.raw)
			}
		}
	})
}

func TestLiveViewersAndTyping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		citizen := e.d.Hub().Subscribe(realtime.ConversationTopic(id))
		defer citizen.Close()
		coord := e.live(e.client().signIn("coord@desk.example"))
		coord.open(id)
		opClient := e.client().signIn("op@desk.example")
		op := e.live(opClient)
		if v := op.open(id); len(v.Names) != 1 || v.Names[0] != "Carla Coordinatrice" || !strings.Contains(*v.Text, "Carla Coordinatrice") {
			t.Errorf("operator joining sees %s, want the coordinator", v.raw)
		}
		if v := coord.wait("viewers", func(f frame) bool { return len(f.Names) == 1 }); v.Names[0] != "Omar Operatore" {
			t.Errorf("coordinator sees %s, want the operator", v.raw)
		}
		// The page itself says who is there, for a reload or no JavaScript.
		wantContains(t, "conversation page", opClient.get(convURL(id)).body, `data-viewers role="status">`+html(e.it().T("live.viewers", map[string]any{"Name": "Carla Coordinatrice"})))

		op.send(map[string]any{"type": "typing", "conversation_id": id})
		ty := coord.wait("typing", nil)
		if ty.Text == nil || *ty.Text != e.it().T("live.typing", map[string]any{"Name": "Omar Operatore"}) {
			t.Errorf("coordinator's typing frame: %s", ty.raw)
		}
	typing:
		for {
			select {
			case ev := <-citizen.C:
				if ev.Type == "delivery" {
					continue // opening the page marked the citizen's messages read
				}
				if ev.Type != "typing" || strings.Contains(string(ev.Data), "Omar") || !strings.Contains(string(ev.Data), `"operator":true`) {
					t.Errorf("citizen's typing event: %s %s, want an operator without a name", ev.Type, ev.Data)
				}
				break typing
			case <-time.After(liveWait):
				t.Fatal("the citizen did not hear the operator typing")
			}
		}
		e.d.CitizenTyping(e.org.ID, id)
		if ty := coord.wait("typing", nil); *ty.Text != e.it().T("live.citizen_typing", nil) {
			t.Errorf("citizen typing: %s", ty.raw)
		}

		op.send(map[string]any{"type": "open", "conversation_id": 0})
		if v := coord.wait("viewers", nil); len(v.Names) != 0 || *v.Text != "" {
			t.Errorf("after the operator left: %s, want nobody", v.raw)
		}
		// Back, then the tab closes: the coordinator is alone again.
		op.open(id)
		coord.wait("viewers", func(f frame) bool { return len(f.Names) == 1 })
		op.ws.Close(websocket.StatusNormalClosure, "")
		coord.wait("viewers", func(f frame) bool { return len(f.Names) == 0 })
	})
}

func TestLivePresence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		coordClient := e.client().signIn("coord@desk.example")
		coord := e.live(coordClient)
		p := e.it()
		option := func() string {
			t.Helper()
			body := coordClient.get(convURL(id)).body
			start := strings.Index(body, `data-user="`+strconv.FormatInt(e.op.ID, 10)+`"`)
			if start < 0 {
				t.Fatal("no option for the operator in the assign form")
			}
			return body[start : start+strings.Index(body[start:], "</option>")]
		}
		wantContains(t, "before the operator connects", option(), `data-name="Omar Operatore"`, "Omar Operatore — "+html(p.T("presence.offline", nil)))

		op := e.live(e.client().signIn("op@desk.example"))
		isOp := func(f frame) bool { return f.UserID == e.op.ID }
		if f := coord.wait("presence", isOp); f.Status != "online" || f.Label != p.T("presence.online", nil) {
			t.Errorf("operator connects: %s", f.raw)
		}
		wantContains(t, "operator online", option(), "Omar Operatore — "+html(p.T("presence.online", nil)))
		op.send(map[string]any{"type": "presence", "status": "away"})
		if f := coord.wait("presence", isOp); f.Status != "away" {
			t.Errorf("operator away: %s", f.raw)
		}
		op.ws.Close(websocket.StatusNormalClosure, "")
		if f := coord.wait("presence", isOp); f.Status != "offline" {
			t.Errorf("operator's last tab closed: %s", f.raw)
		}
	})
}

func TestChatLimitInTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.op.MaxChats = 1
		if err := s.UpdateUser(t.Context(), e.op); err != nil {
			t.Fatal(err)
		}
		a := e.inbound("v1", "Amina Diallo", "Ciao")
		b := e.inbound("v2", "Bashir Rahimi", "Salve")
		p := e.it()
		coord := e.client().signIn("coord@desk.example")
		assign := url.Values{"assignee_id": {strconv.FormatInt(e.op.ID, 10)}}
		wantStatus(t, "first", coord.send(convURL(a), assign), http.StatusSeeOther)
		wantContains(t, "assign form", coord.get(convURL(b)).body, "Omar Operatore — "+html(p.T("presence.offline", nil))+" · 1/1")

		r := coord.send(convURL(b), assign)
		wantStatus(t, "over the limit", r, http.StatusConflict)
		msg := p.Error(desk.ChatLimitError("Omar Operatore", 1))
		wantContains(t, "over the limit", r.body, `id="assignee-error"`, html(msg), `name="over_limit"`)
		if !strings.Contains(msg, "Omar Operatore") || !strings.Contains(msg, "1") {
			t.Errorf("message %q names neither the person nor the limit", msg)
		}
		// An operator may assign, but not past a limit.
		op := e.client().signIn("op@desk.example")
		r = op.send(convURL(b), assign)
		wantStatus(t, "operator over the limit", r, http.StatusConflict)
		wantMissing(t, "operator over the limit", r.body, `name="over_limit"`)
		r = op.send(convURL(b), url.Values{"assignee_id": {strconv.FormatInt(e.op.ID, 10)}, "over_limit": {"1"}})
		wantStatus(t, "operator forcing", r, http.StatusConflict)

		assign.Set("over_limit", "1")
		wantStatus(t, "coordinator overrides", coord.send(convURL(b), assign), http.StatusSeeOther)
		if got, _ := s.Conversation(t.Context(), e.org.ID, b); got.AssigneeID != e.op.ID {
			t.Errorf("after the override: assignee %d", got.AssigneeID)
		}
	})
}

func TestCannedResponsesInTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		p := e.it()
		coord := e.client().signIn("coord@desk.example")
		op := e.client().signIn("op@desk.example")
		wantStatus(t, "operator lists", op.get("/canned"), http.StatusForbidden)
		wantStatus(t, "operator creates", op.send("/canned", url.Values{"title": {"x"}, "body": {"y"}, "team_id": {"0"}}), http.StatusForbidden)
		wantMissing(t, "operator's navigation", op.get("/inbox").body, `href="/canned"`)

		r := coord.get("/canned")
		wantStatus(t, "empty list", r, http.StatusOK)
		wantContains(t, "empty list", r.body, html(p.T("canned.none", nil)), `href="/canned" aria-current="page"`)
		r = coord.send("/canned", url.Values{"title": {""}, "body": {"x"}, "team_id": {"0"}})
		wantStatus(t, "no title", r, http.StatusBadRequest)
		wantContains(t, "no title", r.body, `id="c-title-error"`, `aria-invalid="true"`, `>x</textarea>`)
		r = coord.send("/canned", url.Values{"title": {"Saluto"}, "body": {"Buongiorno {{contact.name}}, sono {{operator.name}} di {{org.name}}. <b>{{nope}}</b>"}, "team_id": {"0"}, "language": {"it"}})
		wantStatus(t, "create", r, http.StatusSeeOther)
		wantContains(t, "after create", coord.get(r.location()).body, html(p.T("canned.saved", nil)), "Saluto")
		list, err := s.CannedResponses(t.Context(), e.org.ID, store.CannedFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("stored: %v %v", list, err)
		}
		cid := strconv.FormatInt(list[0].ID, 10)
		r = coord.send("/canned", url.Values{"title": {"Legale"}, "body": {"Solo per il team legale"}, "team_id": {strconv.FormatInt(e.team.ID, 10)}})
		wantStatus(t, "team response", r, http.StatusSeeOther)
		r = coord.send("/canned", url.Values{"title": {"Arabic"}, "body": {"مرحبا"}, "team_id": {"0"}, "language": {"ar"}})
		wantStatus(t, "arabic response", r, http.StatusSeeOther)

		// In a conversation: the responses of one's teams and language,
		// the placeholders filled in, the text escaped.
		r = op.get(convURL(id))
		wantContains(t, "operator's conversation", r.body,
			`data-body="Buongiorno Amina Diallo, sono Omar Operatore di Sportello Roma. &lt;b&gt;{{nope}}&lt;/b&gt;"`, ">Saluto</option>", ">Legale</option>", ">Arabic</option>")
		r = coord.get(convURL(id))
		wantContains(t, "coordinator's conversation", r.body, "sono Carla Coordinatrice")
		wantMissing(t, "coordinator's conversation", r.body, ">Legale</option>")

		// Without JavaScript, "Insert" adds the response to the draft and
		// sends nothing.
		r = op.send(convURL(id)+"/messages", url.Values{"body": {"Prima riga"}, "canned": {cid}, "insert": {"1"}})
		wantStatus(t, "insert", r, http.StatusOK)
		wantContains(t, "insert", r.body, ">Prima riga\n\nBuongiorno Amina Diallo, sono Omar Operatore")
		if n := len(e.messages(id)); n != 1 {
			t.Errorf("after insert: %d timeline entries, want only the citizen's message", n)
		}
		// A French conversation is offered no Italian or Arabic response.
		lang := "fr"
		e.update(e.coord, id, store.ConversationPatch{Language: &lang})
		wantMissing(t, "a French conversation", op.get(convURL(id)).body, ">Arabic</option>", ">Saluto</option>")
		wantContains(t, "a French conversation", op.get(convURL(id)).body, ">Legale</option>")

		// Edit, delete, and another organisation's id is not found.
		wantContains(t, "edit form", coord.get("/canned/"+cid).body, `value="Saluto"`, html(p.T("canned.edit_title", nil)))
		wantStatus(t, "update", coord.send("/canned/"+cid, url.Values{"title": {"Saluto breve"}, "body": {"Salve"}, "team_id": {"0"}}), http.StatusSeeOther)
		wantContains(t, "after update", coord.get("/canned").body, "Saluto breve")
		other := &model.Organization{Slug: "altro", Name: "Altro"}
		if err := s.CreateOrganization(t.Context(), other); err != nil {
			t.Fatal(err)
		}
		foreign := &store.Canned{OrgID: other.ID, Title: "Altrui", Body: "no"}
		if err := s.CreateCanned(t.Context(), foreign); err != nil {
			t.Fatal(err)
		}
		fid := strconv.FormatInt(foreign.ID, 10)
		wantStatus(t, "foreign edit", coord.get("/canned/"+fid), http.StatusNotFound)
		wantStatus(t, "foreign update", coord.send("/canned/"+fid, url.Values{"title": {"mio"}, "body": {"mio"}, "team_id": {"0"}}), http.StatusNotFound)
		wantStatus(t, "foreign delete", coord.send("/canned/"+fid+"/delete", url.Values{}), http.StatusNotFound)
		wantMissing(t, "list", coord.get("/canned").body, "Altrui")
		wantStatus(t, "delete", coord.send("/canned/"+cid+"/delete", url.Values{}), http.StatusSeeOther)
		if _, err := s.CannedResponse(t.Context(), e.org.ID, list[0].ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		if got, _ := s.CannedResponse(t.Context(), other.ID, foreign.ID); got == nil || got.Title != "Altrui" {
			t.Error("the other organisation's response changed")
		}
	})
}

func TestNewPagesInEveryLanguage(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	id := e.inbound("v1", "Amina Diallo", "Ciao")
	if err := e.s.CreateCanned(t.Context(), &store.Canned{OrgID: e.org.ID, Title: "Saluto", Body: "Buongiorno"}); err != nil {
		t.Fatal(err)
	}
	coord := e.client().signIn("coord@desk.example")
	keys := regexp.MustCompile(`\b(?:live|canned|presence|shortcuts)\.[a-z][a-z0-9_]*`)
	for _, lang := range e.b.Languages() {
		for _, path := range []string{"/canned", "/canned/new", convURL(id), "/inbox"} {
			r := coord.get(path + map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang)
			wantStatus(t, lang+" "+path, r, http.StatusOK)
			if k := keys.FindString(r.body); k != "" {
				t.Errorf("%s %s: untranslated key %q", lang, path, k)
			}
			wantContains(t, lang+" "+path, r.body, `<dialog id="shortcuts"`, `data-live="/live"`, `data-announce`)
		}
	}
}
