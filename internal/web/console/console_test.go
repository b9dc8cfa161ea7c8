package console_test

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web"
	"github.com/sportello/sportello/internal/web/console"
)

const password = "correct horse battery"

// env is one organisation with a web channel, a team, three users and the
// console behind an httptest server.
type env struct {
	t       *testing.T
	s       *store.Store
	d       *desk.Service
	b       *locale.Bundle
	srv     *httptest.Server
	con     *console.Console
	files   *files.Store
	org     *model.Organization
	channel *model.Channel
	team    *model.Team
	coord   *model.User // coordinator: sees everything
	op      *model.User // operator in the team
	vol     *model.User // volunteer: only what is assigned to them
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	fs, err := files.New(t.TempDir(), files.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	d, err := desk.New(s, log, desk.Options{PasswordParams: auth.TestPasswordParams(), Files: fs})
	if err != nil {
		t.Fatal(err)
	}
	b, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	con, err := console.New(d, b, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	con.Routes(mux)
	srv := httptest.NewServer(web.SecureHeaders(mux))
	t.Cleanup(srv.Close)

	e := &env{t: t, s: s, d: d, b: b, srv: srv, con: con, files: fs}
	e.org = &model.Organization{Slug: "sportello-roma", Name: "Sportello Roma"}
	if err := s.CreateOrganization(ctx, e.org); err != nil {
		t.Fatal(err)
	}
	e.channel = &model.Channel{OrgID: e.org.ID, Kind: model.ChannelWeb, Name: "Chat", Active: true}
	if err := s.CreateChannel(ctx, e.channel); err != nil {
		t.Fatal(err)
	}
	e.coord = e.user("coord@desk.example", "Carla Coordinatrice", model.RoleCoordinator)
	e.op = e.user("op@desk.example", "Omar Operatore", model.RoleOperator)
	e.vol = e.user("vol@desk.example", "Vera Volontaria", model.RoleVolunteer)
	e.team = &model.Team{OrgID: e.org.ID, Slug: "legale", Name: "Sportello legale", MemberIDs: []int64{e.op.ID}}
	if err := s.CreateTeam(ctx, e.team); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) user(email, name string, role model.Role) *model.User {
	e.t.Helper()
	hash, err := e.d.HashPassword(password)
	if err != nil {
		e.t.Fatal(err)
	}
	u := &model.User{OrgID: e.org.ID, Email: email, Name: name, Role: role, Languages: []string{"it"}, Active: true, PasswordHash: hash}
	if err := e.s.CreateUser(e.t.Context(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// inbound records a citizen's message and returns the conversation id.
func (e *env) inbound(from, name, body string) int64 {
	e.t.Helper()
	res, err := e.s.RecordInbound(e.t.Context(), store.Inbound{
		OrgID: e.org.ID, ChannelID: e.channel.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: from}, DisplayName: name, Body: body,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.ConversationID
}

// update changes a conversation as u, through the desk.
func (e *env) update(u *model.User, id int64, p store.ConversationPatch) {
	e.t.Helper()
	teams, err := e.s.TeamsOf(e.t.Context(), e.org.ID, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.d.Update(e.t.Context(), &desk.Actor{User: u, TeamIDs: teams, Via: "test"}, id, p); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) messages(id int64) []*model.Message {
	e.t.Helper()
	ms, err := e.s.Messages(e.t.Context(), e.org.ID, id, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

func (e *env) it() *locale.Printer { return e.b.Printer("it") }

// html is a message as html/template writes it in a page.
func html(s string) string { return template.HTMLEscapeString(s) }

// client is a browser: a cookie jar, and redirects left for the test to see.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status  int
	body    string
	header  http.Header
	cookies []*http.Cookie
}

func (r response) location() string { return r.header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: res.StatusCode, body: string(b), header: res.Header, cookies: res.Cookies()}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(email, pw string) response {
	c.t.Helper()
	return c.post("/login", url.Values{"email": {email}, "password": {pw}})
}

// signIn logs in and fails the test unless it worked.
func (c *client) signIn(email string) *client {
	c.t.Helper()
	if r := c.login(email, password); r.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303\n%s", email, r.status, r.body)
	}
	return c
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF field from a page.
func (c *client) csrf() string {
	c.t.Helper()
	r := c.get("/account/password")
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("no CSRF field on /account/password (status %d)", r.status)
	}
	return m[1]
}

// send posts form with the session's CSRF field.
func (c *client) send(path string, form url.Values) response {
	c.t.Helper()
	form.Set("csrf", c.csrf())
	return c.post(path, form)
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func convURL(id int64) string { return "/conversations/" + strconv.FormatInt(id, 10) }

func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, r.body)
	}
}

func wantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: missing %q", what, s)
		}
	}
}

func wantMissing(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("%s: should not contain %q", what, s)
		}
	}
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.client()
		invalid := html(e.it().T("login.invalid", nil))

		r := c.get("/login")
		wantStatus(t, "login page", r, http.StatusOK)
		wantContains(t, "login page", r.body, `<html lang="it" dir="ltr">`, `<label for="email">`, `<label for="password">`)

		for _, tt := range []struct{ name, email, pw string }{
			{"wrong password", "op@desk.example", "not the password"},
			{"unknown e-mail", "nobody@desk.example", password},
		} {
			r = c.login(tt.email, tt.pw)
			wantStatus(t, tt.name, r, http.StatusUnauthorized)
			wantContains(t, tt.name, r.body, invalid, `role="alert"`, `value="`+tt.email+`"`, `aria-describedby="page-alert"`)
			if r.cookie(console.SessionCookie) != nil {
				t.Errorf("%s: a session cookie was set", tt.name)
			}
		}

		r = c.login(" OP@desk.example ", password)
		wantStatus(t, "good login", r, http.StatusSeeOther)
		if got := r.location(); got != "/inbox" {
			t.Errorf("good login: Location %q, want /inbox", got)
		}
		ck := r.cookie(console.SessionCookie)
		if ck == nil {
			t.Fatal("good login: no session cookie")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Value == "" {
			t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", ck)
		}
		if ck.Secure {
			t.Error("session cookie is Secure over plain HTTP: the browser would not send it back")
		}
		wantStatus(t, "inbox after login", c.get("/inbox"), http.StatusOK)

		// A signed-in user asking for the login page goes on.
		r = c.get("/login?next=%2Faccount%2Fpassword")
		if r.status != http.StatusSeeOther || r.location() != "/account/password" {
			t.Errorf("login page when signed in: %d %q, want 303 /account/password", r.status, r.location())
		}
		if r := c.get("/"); r.location() != "/inbox" {
			t.Errorf("GET / signed in: Location %q, want /inbox", r.location())
		}
		if r := e.client().get("/"); r.location() != "/login" {
			t.Errorf("GET / signed out: Location %q, want /login", r.location())
		}
		big := c.post("/login", url.Values{"email": {strings.Repeat("a", 300<<10)}, "password": {"x"}})
		wantStatus(t, "oversized form", big, http.StatusRequestEntityTooLarge)
	})
}

func TestLoginRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.client()
		for i := range 5 {
			wantStatus(t, "failure "+strconv.Itoa(i+1), c.login("op@desk.example", "wrong password!"), http.StatusUnauthorized)
		}
		r := c.login("op@desk.example", password)
		wantStatus(t, "after five failures", r, http.StatusTooManyRequests)
		wantContains(t, "after five failures", r.body, html(e.it().N("login.too_many_attempts", 15, nil)), `value="op@desk.example"`)
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After header")
		}
	})
}

func TestLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.client().signIn("op@desk.example")
		u, _ := url.Parse(e.srv.URL)
		var token string
		for _, ck := range c.http.Jar.Cookies(u) {
			if ck.Name == console.SessionCookie {
				token = ck.Value
			}
		}
		r := c.send("/logout", url.Values{})
		wantStatus(t, "logout", r, http.StatusSeeOther)
		if r.location() != "/login?out=1" {
			t.Errorf("logout: Location %q, want /login?out=1", r.location())
		}
		if ck := r.cookie(console.SessionCookie); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("logout: session cookie %+v, want it deleted", ck)
		}
		wantContains(t, "after logout", c.get("/login?out=1").body, html(e.it().T("login.logged_out", nil)))
		r = c.get("/inbox")
		if r.status != http.StatusSeeOther || r.location() != "/login?next=%2Finbox" {
			t.Errorf("inbox after logout: %d %q, want 303 /login?next=%%2Finbox", r.status, r.location())
		}
		// The old cookie is dead on the server too, not only forgotten.
		replay := e.client()
		replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: console.SessionCookie, Value: token, Path: "/"}})
		if r := replay.get("/inbox"); r.status != http.StatusSeeOther {
			t.Errorf("replayed session after logout: status %d, want 303 to login", r.status)
		}
	})
}

func TestNextRedirect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.client().get("/conversations/7?x=1")
		if r.status != http.StatusSeeOther || r.location() != "/login?next=%2Fconversations%2F7%3Fx%3D1" {
			t.Fatalf("signed out: %d %q, want 303 to /login?next=…", r.status, r.location())
		}
		for _, tt := range []struct{ next, want string }{
			{"/conversations/7?x=1", "/conversations/7?x=1"},
			{"/account/password", "/account/password"},
			{"//evil.example/steal", "/inbox"},
			{"https://evil.example/", "/inbox"},
			{"/\\evil.example", "/inbox"},
			{"\\\\evil.example", "/inbox"},
			{"javascript:alert(1)", "/inbox"},
			{"/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"}, // stays on this site, escaped
			{"http:/evil.example", "/inbox"},
			{"", "/inbox"},
		} {
			c := e.client()
			r := c.post("/login", url.Values{"email": {"coord@desk.example"}, "password": {password}, "next": {tt.next}})
			if r.status != http.StatusSeeOther || r.location() != tt.want {
				t.Errorf("next=%q: %d %q, want 303 %q", tt.next, r.status, r.location(), tt.want)
			}
		}
		// The form does not carry a foreign next either.
		body := e.client().get("/login?next=" + url.QueryEscape("//evil.example")).body
		wantContains(t, "login form", body, `name="next" value="/inbox"`)
		wantMissing(t, "login form", body, "evil.example")
	})
}

// statusCount finds the count shown on one status link of the inbox.
func statusCount(t *testing.T, body, status string) string {
	t.Helper()
	re := regexp.MustCompile(`href="[^"]*status=` + status + `[^"]*"[^>]*>[^<]*<span class="count">(\d+)</span>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no count for status %q", status)
	}
	return m[1]
}

func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.inbound("v1", "Amina Diallo", "Buongiorno, ho bisogno del permesso di soggiorno")
		b := e.inbound("v2", "Bashir Rahimi", "Salve, domanda sul contratto")
		cID := e.inbound("v3", "Chiara Neri", "Grazie, tutto risolto")
		resolved := model.StatusResolved
		e.update(e.coord, cID, store.ConversationPatch{Status: &resolved})
		e.update(e.coord, b, store.ConversationPatch{AssigneeID: &e.op.ID})

		coord := e.client().signIn("coord@desk.example")
		r := coord.get("/inbox?view=all")
		wantStatus(t, "all", r, http.StatusOK)
		wantContains(t, "all", r.body, "Amina Diallo", "Bashir Rahimi", "Chiara Neri", convURL(a), html("Buongiorno, ho bisogno del permesso di soggiorno"))
		for status, want := range map[string]string{"open": "2", "resolved": "1", "pending": "0"} {
			if got := statusCount(t, r.body, status); got != want {
				t.Errorf("count of %s = %s, want %s", status, got, want)
			}
		}
		wantContains(t, "all", r.body, `<span class="count">3</span>`, `aria-current="page">`+html(e.it().T("inbox.all", nil)))

		r = coord.get("/inbox?view=all&status=resolved")
		wantContains(t, "resolved only", r.body, "Chiara Neri")
		wantMissing(t, "resolved only", r.body, "Amina Diallo", "Bashir Rahimi")

		r = coord.get("/inbox?view=all&q=bashir")
		wantContains(t, "search", r.body, "Bashir Rahimi")
		wantMissing(t, "search", r.body, "Amina Diallo")

		r = coord.get("/inbox?view=all&status=bogus")
		wantStatus(t, "bad status filter", r, http.StatusBadRequest)
		wantContains(t, "bad status filter", r.body, `id="f-status-error"`, `aria-describedby="f-status-error"`)

		op := e.client().signIn("op@desk.example")
		r = op.get("/inbox")
		wantStatus(t, "operator mine", r, http.StatusOK)
		wantContains(t, "operator mine", r.body, "Bashir Rahimi")
		wantMissing(t, "operator mine", r.body, "Amina Diallo", `href="/inbox?view=all"`)
		r = op.get("/inbox?view=unassigned")
		wantContains(t, "operator unassigned", r.body, "Amina Diallo", "Chiara Neri")
		wantMissing(t, "operator unassigned", r.body, "Bashir Rahimi")
		wantStatus(t, "operator view=all", op.get("/inbox?view=all"), http.StatusForbidden)

		vol := e.client().signIn("vol@desk.example")
		r = vol.get("/inbox")
		wantStatus(t, "volunteer inbox", r, http.StatusOK)
		wantContains(t, "volunteer inbox", r.body, html(e.it().T("empty.conversations", nil)))
		wantMissing(t, "volunteer inbox", r.body, "Amina Diallo", "view=unassigned")
	})
}

func TestInboxPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for i := range store.DefaultLimit + 3 {
			e.inbound("p"+strconv.Itoa(i), "Persona "+strconv.Itoa(i), "messaggio")
		}
		c := e.client().signIn("coord@desk.example")
		r := c.get("/inbox?view=all")
		older := regexp.MustCompile(`<a href="(/inbox\?[^"]*cursor=[^"]*)" rel="next">`).FindStringSubmatch(r.body)
		if older == nil {
			t.Fatal("no link to older conversations")
		}
		wantContains(t, "first page", r.body, html(e.it().N("count.conversations", store.DefaultLimit, nil)))
		r = c.get(strings.ReplaceAll(older[1], "&amp;", "&"))
		wantStatus(t, "older page", r, http.StatusOK)
		wantContains(t, "older page", r.body, "Persona 0<", "Persona 2<", html(e.it().T("inbox.newest", nil)))
		wantMissing(t, "older page", r.body, `rel="next"`, "Persona 3<")
		wantStatus(t, "broken cursor", c.get("/inbox?view=all&cursor=%21%21"), http.StatusBadRequest)
	})
}

func TestUserContentIsEscaped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		name := `<script>alert("name")</script>`
		body := `<script>alert("body")</script><img src=x onerror=alert(1)>`
		id := e.inbound("evil", name, body)
		tag := "x<b>"
		e.update(e.coord, id, store.ConversationPatch{Tags: &[]string{"safe"}})

		c := e.client().signIn("coord@desk.example")
		note := `</textarea><script>alert("note")</script>`
		wantStatus(t, "post note", c.send(convURL(id)+"/messages", url.Values{"direction": {"note"}, "body": {note}}), http.StatusSeeOther)
		// A rejected tag comes back in the form: escaped too.
		c.send(convURL(id), url.Values{"tags": {tag}})
		for _, path := range []string{"/inbox?view=all", "/inbox?view=all&q=" + url.QueryEscape(`"><script>`), convURL(id), convURL(id) + "?after_seq=0"} {
			r := c.get(path)
			wantMissing(t, path, r.body, "<script>alert", "<img src=x", "</textarea><script>", "<b>")
			if path != "/inbox?view=all&q="+url.QueryEscape(`"><script>`) {
				wantContains(t, path, r.body, "&lt;script&gt;alert(")
			}
		}
	})
}

// item returns the markup of one timeline item, found by its seq.
func item(t *testing.T, body string, seq int64) string {
	t.Helper()
	start := strings.Index(body, `<li id="m-`+strconv.FormatInt(seq, 10)+`"`)
	if start < 0 {
		t.Fatalf("no timeline item %d", seq)
	}
	end := strings.Index(body[start:], "</li>")
	return body[start : start+end]
}

func TestReplyAndNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ho bisogno di aiuto")
		p := e.it()
		c := e.client().signIn("op@desk.example")

		r := c.get(convURL(id))
		wantStatus(t, "conversation", r, http.StatusOK)
		wantContains(t, "conversation", r.body, `<label for="body">`, `name="direction" value="reply" checked`, `name="direction" value="note"`, "data-send-shortcut")

		r = c.send(convURL(id)+"/messages", url.Values{"direction": {"reply"}, "body": {"Buongiorno Amina, venga giovedì alle 10."}})
		wantStatus(t, "reply", r, http.StatusSeeOther)
		if r.location() != convURL(id)+"?ok=reply#m-2" {
			t.Errorf("reply: Location %q", r.location())
		}
		r = c.send(convURL(id)+"/messages", url.Values{"direction": {"note"}, "body": {"Ha già il passaporto, manca la residenza."}})
		wantStatus(t, "note", r, http.StatusSeeOther)

		r = c.get(convURL(id) + "?ok=note")
		wantContains(t, "after note", r.body, html(p.T("conversation.note_added", nil)), `role="status"`)
		reply, noteItem := item(t, r.body, 2), item(t, r.body, 3)
		wantContains(t, "reply item", reply, "msg-outbound", html("Buongiorno Amina, venga giovedì alle 10."), "Omar Operatore", html(p.T("conversation.delivery_queued", nil)))
		wantMissing(t, "reply item", reply, html(p.T("conversation.note_label", nil)))
		wantContains(t, "note item", noteItem, "msg-note", html("Ha già il passaporto, manca la residenza."),
			`<strong class="note-label">`+html(p.T("conversation.note_label", nil))+`</strong>`)

		ms := e.messages(id)
		if len(ms) != 3 || ms[1].Direction != model.DirectionOutbound || ms[2].Direction != model.DirectionNote || ms[2].AuthorUserID != e.op.ID {
			t.Errorf("stored messages: %d, want inbound, outbound, note by the operator", len(ms))
		}

		// An empty message comes back with the error tied to the field
		// and the chosen kind kept.
		r = c.send(convURL(id)+"/messages", url.Values{"direction": {"note"}, "body": {"   "}})
		wantStatus(t, "empty body", r, http.StatusBadRequest)
		wantContains(t, "empty body", r.body, `id="body-error"`, `aria-invalid="true"`, html(p.T("conversation.body_required", nil)),
			`name="direction" value="note" checked`, "<title>"+html(p.T("console.error_prefix", nil)))
		if n := len(e.messages(id)); n != 3 {
			t.Errorf("messages after empty post: %d, want 3", n)
		}
	})
}

func TestUpdateAndEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		p := e.it()
		c := e.client().signIn("coord@desk.example")

		steps := []url.Values{
			{"assignee_id": {strconv.FormatInt(e.coord.ID, 10)}},
			{"team_id": {strconv.FormatInt(e.team.ID, 10)}},
			{"status": {"resolved"}},
			{"priority": {"3"}},
			{"tags": {"Casa, lavoro , casa"}},
			{"assignee_id": {strconv.FormatInt(e.op.ID, 10)}},
			{"priority": {"3"}}, // unchanged: no event
		}
		for _, form := range steps {
			r := c.send(convURL(id), form)
			wantStatus(t, "update "+form.Encode(), r, http.StatusSeeOther)
		}
		r := c.get(convURL(id) + "?ok=updated")
		wantStatus(t, "conversation", r, http.StatusOK)
		wantContains(t, "events", r.body,
			html(p.T("conversation.updated", nil)),
			html(p.T("event.assigned", nil))+" <bdi>Carla Coordinatrice</bdi>",
			html(p.T("event.team", nil))+" <bdi>Sportello legale</bdi>",
			html(p.T("event.status", nil))+" <bdi>"+html(p.T("status.resolved", nil))+"</bdi>",
			html(p.T("event.priority", nil))+" <bdi>"+html(p.T("priority.urgent", nil))+"</bdi>",
			html(p.T("event.assigned", nil))+" <bdi>Omar Operatore</bdi>",
			`value="casa, lavoro"`,
		)
		wantMissing(t, "events", r.body, "status:resolved", "assignee:", "priority:3")
		if n := len(e.messages(id)); n != 6 {
			t.Errorf("timeline has %d entries, want 1 message and 5 events", n)
		}

		// Snoozing needs a time.
		r = c.send(convURL(id), url.Values{"status": {"snoozed"}, "snoozed_until": {""}})
		wantStatus(t, "snooze without time", r, http.StatusBadRequest)
		wantContains(t, "snooze without time", r.body, `id="snooze-error"`, html(p.T("conversation.snooze_required", nil)))

		// The poll gets only what is new, and nothing when nothing is.
		r = c.get(convURL(id) + "?after_seq=5")
		wantStatus(t, "after_seq=5", r, http.StatusOK)
		if strings.Contains(r.body, `id="m-5"`) || !strings.Contains(r.body, `id="m-6"`) || strings.Contains(r.body, "<html") {
			t.Errorf("after_seq=5 fragment:\n%s", r.body)
		}
		wantStatus(t, "after_seq=6", c.get(convURL(id)+"?after_seq=6"), http.StatusNoContent)
		wantStatus(t, "after_seq=x", c.get(convURL(id)+"?after_seq=x"), http.StatusBadRequest)
		if r := e.client().get(convURL(id) + "?after_seq=0"); r.status != http.StatusUnauthorized {
			t.Errorf("poll signed out: status %d, want 401", r.status)
		}
	})
}

func TestVolunteer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		unassigned := e.inbound("v1", "Amina Diallo", "Ciao")
		mine := e.inbound("v2", "Bashir Rahimi", "Salve")
		e.update(e.coord, mine, store.ConversationPatch{AssigneeID: &e.vol.ID})
		c := e.client().signIn("vol@desk.example")

		r := c.get(convURL(unassigned))
		wantStatus(t, "unassigned conversation", r, http.StatusNotFound)
		wantMissing(t, "unassigned conversation", r.body, "Amina Diallo")
		wantContains(t, "unassigned conversation", r.body, html(e.it().T("console.not_found", nil)))
		wantStatus(t, "reply to it", c.send(convURL(unassigned)+"/messages", url.Values{"body": {"x"}}), http.StatusNotFound)
		wantStatus(t, "poll it", c.get(convURL(unassigned)+"?after_seq=0"), http.StatusNotFound)
		wantStatus(t, "no such id", c.get("/conversations/999999"), http.StatusNotFound)
		wantStatus(t, "bad id", c.get("/conversations/abc"), http.StatusNotFound)

		r = c.get(convURL(mine))
		wantStatus(t, "own conversation", r, http.StatusOK)
		// Volunteers reply and write notes, but change nothing and see no
		// identities.
		wantContains(t, "own conversation", r.body, "/messages")
		wantMissing(t, "own conversation", r.body, `name="status"`, `name="assignee_id"`, `name="team_id"`, html(e.it().T("conversation.identity_web", nil)))
		wantStatus(t, "update own", c.send(convURL(mine), url.Values{"status": {"resolved"}}), http.StatusForbidden)
	})
}

func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		c := e.client().signIn("op@desk.example")
		for _, tt := range []struct {
			name string
			form url.Values
		}{
			{"missing", url.Values{"body": {"hello"}}},
			{"wrong", url.Values{"body": {"hello"}, "csrf": {"not-the-token"}}},
			{"empty", url.Values{"body": {"hello"}, "csrf": {""}}},
		} {
			r := c.post(convURL(id)+"/messages", tt.form)
			wantStatus(t, tt.name, r, http.StatusForbidden)
			wantContains(t, tt.name, r.body, html(e.it().T("error.csrf", nil)))
		}
		wantStatus(t, "update", c.post(convURL(id), url.Values{"status": {"resolved"}}), http.StatusForbidden)
		wantStatus(t, "password", c.post("/account/password", url.Values{"current": {password}, "new": {"x"}, "confirm": {"x"}}), http.StatusForbidden)
		wantStatus(t, "logout", c.post("/logout", url.Values{}), http.StatusForbidden)
		if n := len(e.messages(id)); n != 1 {
			t.Errorf("messages = %d, want 1: a request without CSRF field was applied", n)
		}
		wantStatus(t, "still signed in", c.get("/inbox"), http.StatusOK)
	})
}

func TestLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.client().signIn("op@desk.example")
		r := c.get("/inbox?lang=ar")
		wantStatus(t, "arabic", r, http.StatusOK)
		wantContains(t, "arabic", r.body, `<html lang="ar" dir="rtl">`, html(e.b.Printer("ar").T("inbox.title", nil)))
		if ck := r.cookie(web.LangCookie); ck == nil || ck.Value != "ar" {
			t.Errorf("language cookie = %+v, want ar", ck)
		}
		// The choice sticks, and the picker offers the others.
		r = c.get("/inbox")
		wantContains(t, "arabic again", r.body, `<html lang="ar" dir="rtl">`, `href="/inbox?lang=fr&amp;view=mine" lang="fr" hreflang="fr">Français</a>`,
			`lang="ar" hreflang="ar" aria-current="true">العربية</a>`)
		wantContains(t, "french", c.get("/inbox?lang=fr").body, `<html lang="fr" dir="ltr">`)
		wantContains(t, "unknown language", c.get("/inbox?lang=xx").body, `<html lang="fr" dir="ltr">`)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+"/login", nil)
		req.Header.Set("Accept-Language", "es-ES,es;q=0.9")
		wantContains(t, "browser language", e.client().do(req).body, `<html lang="es" dir="ltr">`)
	})
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		p := e.it()
		c := e.client().signIn("op@desk.example")
		other := e.client().signIn("op@desk.example") // another device
		const next = "a much better passphrase"

		for _, tt := range []struct {
			name, current, new, confirm, field, msg string
		}{
			{"mismatch", password, next, next + "!", "confirm", p.T("password.mismatch", nil)},
			{"wrong current", "not my password", next, next, "current", p.T("password.current_invalid", nil)},
			{"too short", password, "short", "short", "new", p.T("password.too_short", map[string]any{"Min": auth.MinPasswordLen})},
		} {
			r := c.send("/account/password", url.Values{"current": {tt.current}, "new": {tt.new}, "confirm": {tt.confirm}})
			wantStatus(t, tt.name, r, http.StatusBadRequest)
			wantContains(t, tt.name, r.body, html(tt.msg), `id="`+tt.field+`-error"`, `aria-invalid="true"`)
		}

		r := c.send("/account/password", url.Values{"current": {password}, "new": {next}, "confirm": {next}})
		wantStatus(t, "change", r, http.StatusSeeOther)
		wantContains(t, "changed", c.get(r.location()).body, html(p.T("password.changed", nil)))
		wantStatus(t, "this session stays", c.get("/inbox"), http.StatusOK)
		wantStatus(t, "other session ends", other.get("/inbox"), http.StatusSeeOther)

		wantStatus(t, "old password", e.client().login("op@desk.example", password), http.StatusUnauthorized)
		wantStatus(t, "new password", e.client().login("op@desk.example", next), http.StatusSeeOther)
	})
}

// keyRE finds what looks like a catalog key left in a page: Printer.T
// returns a key it cannot find as is.
var keyRE = regexp.MustCompile(`\b(?:app|console|inbox|conversation|event|login|logout|password|status|priority|channel|direction|nav|error|language|empty|count|time|role|kind|meta)\.[a-z][a-z0-9_.]*[a-z0-9_]`)

func TestEveryPageInEveryLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		if err := s.SetTeamMembers(t.Context(), e.org.ID, e.team.ID, []int64{e.op.ID, e.coord.ID}); err != nil {
			t.Fatal(err)
		}
		id := e.inbound("v1", "Amina Diallo", "Ciao")
		e.inbound("v2", "", "Senza nome")
		var (
			pending       = model.StatusPending
			urgent        = model.PriorityUrgent
			arabic        = "ar"
			yes, no       = true, false
			zero    int64 = 0
			tags          = []string{"casa"}
			coordID       = e.coord.ID
		)
		for _, p := range []store.ConversationPatch{
			{AssigneeID: &coordID}, {TeamID: &e.team.ID}, {Status: &pending}, {Priority: &urgent}, {Language: &arabic},
			{Restricted: &yes}, {Restricted: &no}, {Tags: &tags}, {TeamID: &zero}, {AssigneeID: &zero},
		} {
			e.update(e.coord, id, p)
		}
		if err := s.AddMessage(t.Context(), e.org.ID, id, &model.Message{Direction: model.DirectionOutbound, Body: "Risposta", AuthorUserID: e.coord.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMessage(t.Context(), e.org.ID, id, &model.Message{Direction: model.DirectionNote, Body: "Nota", AuthorUserID: e.coord.ID}); err != nil {
			t.Fatal(err)
		}

		signedOut := e.client()
		coord := e.client().signIn("coord@desk.example")
		op := e.client().signIn("op@desk.example")
		for _, lang := range e.b.Languages() {
			pr := e.b.Printer(lang)
			pages := []struct {
				c      *client
				path   string
				status int
				form   url.Values // POST when set
			}{
				{signedOut, "/login", http.StatusOK, nil},
				{signedOut, "/login?out=1", http.StatusOK, nil},
				{signedOut, "/login", http.StatusUnauthorized, url.Values{"email": {"x@desk.example"}, "password": {"nope"}}},
				{coord, "/inbox?view=all", http.StatusOK, nil},
				{coord, "/inbox?view=mine", http.StatusOK, nil},
				{coord, "/inbox?view=unassigned", http.StatusOK, nil},
				{coord, "/inbox?view=myteams", http.StatusOK, nil},
				{coord, "/inbox?view=all&status=closed&q=zzz", http.StatusOK, nil},
				{coord, "/inbox?view=all&language=%21", http.StatusBadRequest, nil},
				{coord, convURL(id), http.StatusOK, nil},
				{coord, convURL(id) + "?ok=updated", http.StatusOK, nil},
				{coord, convURL(id) + "?after_seq=0", http.StatusOK, nil},
				{coord, convURL(id) + "/messages", http.StatusBadRequest, url.Values{"body": {""}}},
				{coord, convURL(id), http.StatusBadRequest, url.Values{"status": {"snoozed"}}},
				{coord, "/account/password", http.StatusOK, nil},
				{coord, "/account/password?done=1", http.StatusOK, nil},
				{coord, "/account/password", http.StatusBadRequest, url.Values{"current": {"x"}, "new": {"y"}, "confirm": {"z"}}},
				{coord, "/conversations/999999", http.StatusNotFound, nil},
				{op, "/inbox?view=all", http.StatusForbidden, nil},
				{op, "/inbox?view=myteams", http.StatusOK, nil},
			}
			for _, pg := range pages {
				name := lang + " " + pg.path
				// Each request picks the language; the cookie would too.
				u := pg.path + map[bool]string{true: "&", false: "?"}[strings.Contains(pg.path, "?")] + "lang=" + lang
				var r response
				if pg.form != nil {
					name = lang + " POST " + pg.path
					if pg.c != signedOut {
						pg.form.Set("csrf", pg.c.csrf())
					}
					r = pg.c.post(u, pg.form)
				} else {
					r = pg.c.get(u)
				}
				wantStatus(t, name, r, pg.status)
				if key := keyRE.FindString(strings.NewReplacer("console.css", "", "console.js", "").Replace(r.body)); key != "" {
					t.Errorf("%s: untranslated key %q", name, key)
				}
				wantMissing(t, name, r.body, "<no value>", "%!", "{{")
				if !strings.Contains(pg.path, "after_seq") {
					wantContains(t, name, r.body, `<html lang="`+lang+`" dir="`+pr.Dir()+`">`, `<main id="main"`, `class="skip" href="#main"`)
				}
			}
		}
	})
}
