package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web/api"
)

// env is the API over a real store, behind a real HTTP server.
type env struct {
	t     *testing.T
	s     *store.Store
	d     *desk.Service
	files *files.Store
	base  string
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
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
	mux := http.NewServeMux()
	api.New(d, b, log).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, s: s, d: d, files: fs, base: srv.URL}
}

// org is one organisation with an admin and a volunteer (each with a
// token), a team and one conversation from a citizen.
type org struct {
	org          *model.Organization
	admin, vol   *model.User
	adminToken   string
	volToken     string
	team         *model.Team
	channel      *model.Channel
	contact      int64
	conversation int64
	contactName  string
	body         string
}

func (e *env) newOrg(slug string) *org {
	e.t.Helper()
	ctx := context.Background()
	o := &org{org: &model.Organization{Slug: slug, Name: "Org " + slug}}
	e.must(e.s.CreateOrganization(ctx, o.org))
	hash, err := auth.HashPassword("correct horse battery staple", auth.TestPasswordParams())
	e.must(err)
	o.admin = e.newUser(o.org.ID, "admin@"+slug+".example", "Admin "+slug, model.RoleAdmin, hash)
	o.vol = e.newUser(o.org.ID, "vol@"+slug+".example", "Volunteer "+slug, model.RoleVolunteer, hash)
	o.adminToken = e.token(o.org.ID, o.admin.ID)
	o.volToken = e.token(o.org.ID, o.vol.ID)
	o.team = &model.Team{OrgID: o.org.ID, Slug: "legal", Name: "Team " + slug, MemberIDs: []int64{o.admin.ID}}
	e.must(e.s.CreateTeam(ctx, o.team))
	o.channel, err = e.s.DefaultChannel(ctx, o.org.ID, model.ChannelWeb)
	e.must(err)
	o.contactName, o.body = "Citizen "+slug, "secret message of "+slug
	res := e.inbound(o, "visitor-"+slug, o.contactName, o.body, "")
	o.contact, o.conversation = res.ContactID, res.ConversationID
	return o
}

func (e *env) newUser(orgID int64, email, name string, role model.Role, hash string) *model.User {
	e.t.Helper()
	u := &model.User{OrgID: orgID, Email: email, Name: name, Role: role, Languages: []string{"it"}, Active: true, PasswordHash: hash}
	e.must(e.s.CreateUser(context.Background(), u))
	return u
}

func (e *env) token(orgID, userID int64) string {
	e.t.Helper()
	secret, _, err := e.d.CreateAPIToken(context.Background(), orgID, userID, 0, "test")
	e.must(err)
	return secret
}

// inbound records a citizen's message from identity from.
func (e *env) inbound(o *org, from, name, body, lang string) store.InboundResult {
	e.t.Helper()
	res, err := e.s.RecordInbound(context.Background(), store.Inbound{OrgID: o.org.ID, ChannelID: o.channel.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: from}, DisplayName: name, Language: lang, Body: body})
	e.must(err)
	return res
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// response is what the server answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorBody decodes the error shape, failing the test if the answer is not
// one.
func (r response) errorBody(t *testing.T) (code, message, field string) {
	t.Helper()
	var b struct {
		Error struct{ Code, Message, Field string }
	}
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("not an error body (%v): %s", err, r.body)
	}
	return b.Error.Code, b.Error.Message, b.Error.Field
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// call sends a request with token as bearer (none when empty) and body as
// is; header adds headers.
func (e *env) call(method, path, token, body string, header ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	e.must(err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	e.must(err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	e.must(err)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !(res.StatusCode == http.StatusOK && strings.Contains(path, "/attachments/")) {
		e.t.Errorf("%s %s: Content-Type %q, want JSON; body %s", method, path, ct, b)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// get calls GET and fails the test unless it answers 200.
func (e *env) get(path, token string, v any) {
	e.t.Helper()
	r := e.call("GET", path, token, "")
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	r.decode(e.t, v)
}

// page is a list answer.
type page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

// ids returns the ids of the items of a list answer.
func (p page) ids(t *testing.T) []int64 {
	t.Helper()
	out := make([]int64, 0, len(p.Items))
	for _, it := range p.Items {
		var x struct{ ID int64 }
		if err := json.Unmarshal(it, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x.ID)
	}
	return out
}
