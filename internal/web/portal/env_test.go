package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
	"github.com/sportello/sportello/internal/web/portal"
)

// env is one organisation with the portal behind an httptest server with
// the app's middleware.
type env struct {
	t     *testing.T
	s     *store.Store
	d     *desk.Service
	b     *locale.Bundle
	fs    *files.Store
	p     *portal.Portal
	srv   *httptest.Server
	org   *model.Organization
	admin *model.User
}

// options tune newEnv.
type options struct {
	portal   portal.Options
	settings string // the organisation's settings document
	// httpClient is the desk's, for providers: its TLS roots trust the
	// test mail server's certificate.
	httpClient *http.Client
}

func newEnv(t *testing.T, s *store.Store, o options) *env {
	t.Helper()
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	d, err := desk.New(s, log, desk.Options{PasswordParams: auth.TestPasswordParams(), HTTPClient: o.httpClient})
	if err != nil {
		t.Fatal(err)
	}
	b, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := files.New(t.TempDir(), files.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	p, err := portal.New(d, b, fs, log, o.portal)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Routes(mux)
	denied := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "cross-origin", http.StatusForbidden) })
	srv := httptest.NewServer(web.SecureHeaders(web.CrossOrigin(denied, mux)))
	t.Cleanup(srv.Close)

	e := &env{t: t, s: s, d: d, b: b, fs: fs, p: p, srv: srv}
	e.org = &model.Organization{Slug: "sportello-roma", Name: "Sportello Roma", Language: "it"}
	if err := s.CreateOrganization(ctx, e.org); err != nil {
		t.Fatal(err)
	}
	if o.settings != "" {
		if err := s.SetOrganizationSettings(ctx, e.org.ID, o.settings); err != nil {
			t.Fatal(err)
		}
	}
	e.admin = &model.User{OrgID: e.org.ID, Email: "admin@desk.example", Name: "Anna", Role: model.RoleAdmin, Active: true}
	if err := s.CreateUser(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) url(path string) string { return e.srv.URL + path }

func (e *env) chatPath(rest string) string { return "/o/" + e.org.Slug + "/chat" + rest }

// actor is the admin, acting through the desk.
func (e *env) actor() *desk.Actor { return &desk.Actor{User: e.admin, Via: "test"} }

// reply posts a reply (or a note) as the admin.
func (e *env) reply(conv int64, dir model.Direction, body string) *model.Message {
	e.t.Helper()
	m := &model.Message{Direction: dir, Body: body}
	if err := e.d.Post(e.t.Context(), e.actor(), conv, m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// thread is where a visitor's chat stands in the database.
func (e *env) thread(visitor string) store.WebThread {
	e.t.Helper()
	th, err := e.s.WebThread(e.t.Context(), e.org.ID, visitor)
	if err != nil {
		e.t.Fatal(err)
	}
	return th
}

func (e *env) messages(conv int64) []*model.Message {
	e.t.Helper()
	ms, err := e.s.Messages(e.t.Context(), e.org.ID, conv, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// client is a browser: a cookie jar, redirects left for the test to see.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
	lang string // Accept-Language
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if req.Method == http.MethodPost && req.Header.Get("Origin") == "" {
		req.Header.Set("Origin", c.e.srv.URL) // as a browser does for a form of the page
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.url(path), nil)
	return c.do(req)
}

func (c *client) postForm(path string, form url.Values, accept string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

// postFile sends a multipart form: fields in order, then the file.
func (c *client) postFile(path string, fields [][2]string, filename, ctype string, data []byte, accept string) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if filename != "" || data != nil {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + filename + `"`}
		h["Content-Type"] = []string{ctype}
		w, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.url(path), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

// cookie returns the jar's cookie called name for path.
func (c *client) cookie(path, name string) *http.Cookie {
	u, _ := url.Parse(c.e.url(path))
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// visitor is the id inside the client's visitor cookie.
func (c *client) visitor() string {
	c.t.Helper()
	ck := c.cookie(c.e.chatPath(""), "sportello_visitor")
	if ck == nil {
		c.t.Fatal("no visitor cookie")
	}
	return visitorID(c.t, ck.Value)
}

func visitorID(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		t.Fatalf("token %q is not v1.id.time.mac", token)
	}
	return parts[1]
}

// token is the token the chat page gives chat.js.
func tokenIn(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `data-token="`)
	if !ok {
		t.Fatalf("no data-token in the page:\n%s", page)
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// frame is any frame of the chat's protocol.
type frame struct {
	Type           string `json:"type"`
	ClientID       string `json:"client_id"`
	ConversationID int64  `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	PrevSeq        int64  `json:"prev_seq"`
	Direction      string `json:"direction"`
	Body           string `json:"body"`
	DeliveryStatus string `json:"delivery_status"`
	Attachments    []struct {
		ID       int64  `json:"id"`
		Filename string `json:"filename"`
		URL      string `json:"url"`
	} `json:"attachments"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Open     bool   `json:"open"`
	NextOpen string `json:"next_open"`
	Token    string `json:"token"`
	Status   string `json:"status"`
	UpToSeq  int64  `json:"up_to_seq"`
	// QuickReplies are a desk message's suggested answers (the screener).
	QuickReplies []string `json:"quick_replies"`
}

// socket is a chat WebSocket as a test sees it: a reader goroutine puts
// every frame on a channel and counts the server's pings.
type socket struct {
	t      *testing.T
	c      *websocket.Conn
	frames chan frame
	closed chan struct{}
	err    error // why the connection ended, once closed is closed
	pings  atomic.Int64
}

// dial connects to the chat's socket with query and headers; an HTTP
// refusal is returned as the response.
func (e *env) dial(query url.Values, header http.Header) (*socket, *http.Response, error) {
	e.t.Helper()
	s := &socket{t: e.t, frames: make(chan frame, 1000), closed: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(e.url(e.chatPath("/ws")), "http") + "?" + query.Encode()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: header,
		OnPingReceived: func(context.Context, []byte) bool { s.pings.Add(1); return true }})
	if err != nil {
		return nil, resp, err
	}
	s.c = c
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(s.closed)
		for {
			_, data, err := c.Read(context.Background())
			if err != nil {
				s.err = err
				return
			}
			var f frame
			if err := json.Unmarshal(data, &f); err != nil {
				s.err = err
				return
			}
			s.frames <- f
		}
	})
	e.t.Cleanup(func() {
		c.Close(websocket.StatusNormalClosure, "")
		wg.Wait()
	})
	return s, resp, nil
}

// mustDial connects with a token and after_seq.
func (e *env) mustDial(token string, afterSeq, conv int64) *socket {
	e.t.Helper()
	q := url.Values{"token": {token}, "after_seq": {itoa(afterSeq)}, "conv": {itoa(conv)}, "lang": {"it"}}
	s, _, err := e.dial(q, nil)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// next waits for the next frame.
func (s *socket) next() frame {
	s.t.Helper()
	select {
	case f := <-s.frames:
		return f
	case <-s.closed:
		s.t.Fatalf("socket closed: %v", s.err)
	case <-time.After(5 * time.Second):
		s.t.Fatal("no frame within 5 s")
	}
	return frame{}
}

// nextOf skips frames until one of type typ.
func (s *socket) nextOf(typ string) frame {
	s.t.Helper()
	for {
		if f := s.next(); f.Type == typ {
			return f
		}
	}
}

func (s *socket) send(v any) {
	s.t.Helper()
	data, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.c.Write(ctx, websocket.MessageText, data); err != nil {
		s.t.Fatal(err)
	}
}

func (s *socket) message(clientID, body string, refs ...string) {
	s.t.Helper()
	if refs == nil {
		refs = []string{}
	}
	s.send(map[string]any{"type": "message", "client_id": clientID, "body": body, "attachments": refs})
}

// barrier pings the server and returns every frame before the pong: the
// server handles frames in order, so whatever it sent because of earlier
// frames came first.
func (s *socket) barrier() []frame {
	s.t.Helper()
	s.send(map[string]string{"type": "ping"})
	var out []frame
	for {
		f := s.next()
		if f.Type == "pong" {
			return out
		}
		out = append(out, f)
	}
}

// onlyMessages keeps the message frames.
func onlyMessages(fs []frame) []frame {
	var out []frame
	for _, f := range fs {
		if f.Type == "message" {
			out = append(out, f)
		}
	}
	return out
}
