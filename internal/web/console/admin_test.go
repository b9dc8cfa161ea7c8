package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// other is a second organisation, whose ids the first one's pages must
// not find.
type other struct {
	org     *model.Organization
	user    *model.User
	team    *model.Team
	token   int64
	contact int64
}

func (e *env) otherOrg() other {
	e.t.Helper()
	ctx := e.t.Context()
	o := other{org: &model.Organization{Slug: "sportello-milano", Name: "Sportello Milano"}}
	must := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	must(e.s.CreateOrganization(ctx, o.org))
	o.user = &model.User{OrgID: o.org.ID, Email: "admin@milano.example", Name: "Mario Milano", Role: model.RoleAdmin, Active: true}
	must(e.s.CreateUser(ctx, o.user))
	o.team = &model.Team{OrgID: o.org.ID, Slug: "milano", Name: "Squadra Milano", MemberIDs: []int64{o.user.ID}}
	must(e.s.CreateTeam(ctx, o.team))
	_, tok, err := e.d.CreateAPIToken(ctx, o.org.ID, o.user.ID, 0, "milano-sync")
	must(err)
	o.token = tok.ID
	ch, err := e.s.DefaultChannel(ctx, o.org.ID, model.ChannelWeb)
	must(err)
	res, err := e.s.RecordInbound(ctx, store.Inbound{OrgID: o.org.ID, ChannelID: ch.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: "milano-1"}, DisplayName: "Cittadino Milano", Body: "ciao"})
	must(err)
	o.contact = res.ContactID
	return o
}

// audited lists the actions and details of the organisation's audit log.
func (e *env) audited() []string {
	e.t.Helper()
	log, err := e.s.AuditEntries(e.t.Context(), e.org.ID, store.AuditFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, x := range log {
		out = append(out, x.Action+" "+x.Detail)
	}
	return out
}

func (e *env) wantAudited(entries ...string) {
	e.t.Helper()
	got := e.audited()
	for _, want := range entries {
		if !slices.Contains(got, want) {
			e.t.Errorf("audit log lacks %q; has %q", want, got)
		}
	}
}

var secretRE = regexp.MustCompile(`<input id="secret" class="secret" value="([^"]+)" readonly`)

func secretOf(t *testing.T, body string) string {
	t.Helper()
	m := secretRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", body)
	}
	return m[1]
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestAdminNavigationAndPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		it := e.it()
		links := map[string]string{
			"/admin/users": it.T("nav.users", nil), "/admin/teams": it.T("nav.teams", nil),
			"/admin/tokens": it.T("tokens.title", nil), "/admin/audit": it.T("audit.title", nil),
		}
		for _, tt := range []struct {
			email string
			nav   []string // the administration pages in the navigation
		}{
			{"admin@desk.example", []string{"/admin/users", "/admin/teams", "/admin/tokens", "/admin/audit"}},
			{"coord@desk.example", []string{"/admin/users", "/admin/teams", "/admin/audit"}},
			{"op@desk.example", []string{"/admin/users"}},
			{"vol@desk.example", nil},
		} {
			c := e.client().signIn(tt.email)
			body := c.get("/inbox").body
			for path, label := range links {
				link := `<li><a href="` + path + `">` + html(label) + `</a></li>`
				if slices.Contains(tt.nav, path) {
					wantContains(t, tt.email+" nav", body, link)
					wantStatus(t, tt.email+" "+path, c.get(path), http.StatusOK)
				} else {
					wantMissing(t, tt.email+" nav", body, `href="`+path+`"`)
					wantStatus(t, tt.email+" "+path, c.get(path), http.StatusForbidden)
				}
			}
		}
		// The current page is marked in the navigation.
		admin := e.client().signIn("admin@desk.example")
		wantContains(t, "current", admin.get("/admin/tokens").body, `<a href="/admin/tokens" aria-current="page">`)

		// An operator reads the list, without the means to change it; every
		// change is refused, before any CSRF or form check.
		op := e.client().signIn("op@desk.example")
		body := op.get("/admin/users").body
		wantContains(t, "operator's list", body, "Carla Coordinatrice", "coord@desk.example")
		wantMissing(t, "operator's list", body, `href="/admin/users/new"`, `href="/admin/users/`+id(e.vol.ID)+`"`)
		for _, tt := range []struct {
			c    *client
			path string
			form url.Values
		}{
			{op, "/admin/users/new", nil},
			{op, "/admin/users/" + id(e.vol.ID), nil},
			{op, "/admin/users", url.Values{"email": {"x@desk.example"}, "name": {"X"}, "role": {"admin"}}},
			{op, "/admin/users/" + id(e.vol.ID), url.Values{"name": {"X"}, "role": {"admin"}, "active": {"1"}}},
			{op, "/admin/users/" + id(e.op.ID), url.Values{"name": {"X"}, "role": {"admin"}, "active": {"1"}}},
			{op, "/admin/users/" + id(e.vol.ID) + "/password", url.Values{}},
			{op, "/admin/teams", url.Values{"name": {"X"}}},
			{op, "/admin/tokens", url.Values{"name": {"X"}, "user_id": {id(e.op.ID)}}},
			{e.client().signIn("coord@desk.example"), "/admin/users", url.Values{"email": {"x@desk.example"}, "name": {"X"}, "role": {"operator"}}},
			{e.client().signIn("coord@desk.example"), "/admin/tokens", url.Values{"name": {"X"}, "user_id": {id(e.coord.ID)}}},
			{e.client().signIn("vol@desk.example"), "/admin/users", nil},
		} {
			var r response
			if tt.form == nil {
				r = tt.c.get(tt.path)
			} else {
				r = tt.c.send(tt.path, tt.form)
			}
			wantStatus(t, tt.path, r, http.StatusForbidden)
		}
		if u, _ := s.User(t.Context(), e.org.ID, e.op.ID); u.Role != model.RoleOperator {
			t.Errorf("the operator made themselves %s", u.Role)
		}
		if users, _ := s.Users(t.Context(), e.org.ID); len(users) != 4 {
			t.Errorf("%d users, want the 4 of the set-up", len(users))
		}

		// Forms without the CSRF field are refused too.
		wantStatus(t, "no CSRF", admin.post("/admin/users", url.Values{"email": {"x@desk.example"}, "name": {"X"}, "role": {"operator"}}), http.StatusForbidden)
		wantStatus(t, "no CSRF", admin.post("/admin/tokens", url.Values{"name": {"X"}, "user_id": {id(e.op.ID)}}), http.StatusForbidden)
	})
}

func TestUsersPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		admin := e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		o := e.otherOrg()
		it := e.it()
		c := e.client().signIn("admin@desk.example")

		r := c.get("/admin/users/new")
		wantStatus(t, "new user form", r, http.StatusOK)
		wantContains(t, "new user form", r.body, `<label for="u-email">`, `<label for="u-role">`, `name="csrf"`, `<option value="operator" selected>`)

		// Create: the password is shown once and works.
		r = c.send("/admin/users", url.Values{"email": {"Nadia@Desk.example"}, "name": {"Nadia Nur"}, "role": {"mediator"}, "languages": {"ar, fr"}, "max_chats": {"3"}})
		wantStatus(t, "create", r, http.StatusCreated)
		pw := secretOf(t, r.body)
		wantContains(t, "create", r.body, html(it.T("admin.secret_once", nil)), `role="status"`, "nadia@desk.example")
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("the password page may be cached: %q", r.header.Get("Cache-Control"))
		}
		nadia := e.client()
		if lr := nadia.login("nadia@desk.example", pw); lr.status != http.StatusSeeOther {
			t.Fatalf("the shown password does not sign in: %d", lr.status)
		}
		u, err := s.UserByEmail(t.Context(), e.org.ID, "nadia@desk.example")
		if err != nil || u.Role != model.RoleMediator || u.MaxChats != 3 || !slices.Equal(u.Languages, []string{"ar", "fr"}) || !u.Active {
			t.Fatalf("created %+v, %v", u, err)
		}
		e.wantAudited("user_create role=mediator")

		// Mistakes come back with the form as typed, by their field.
		for _, tt := range []struct {
			form   url.Values
			status int
			field  string
			msg    string
		}{
			{url.Values{"email": {"nadia@desk.example"}, "name": {"Again"}, "role": {"operator"}}, http.StatusConflict, "u-email", it.T("error.user.email_taken", nil)},
			{url.Values{"email": {"x@desk.example"}, "name": {"X"}, "role": {"operator"}, "max_chats": {"tre"}}, http.StatusBadRequest, "u-max", it.T("users.max_chats_invalid", nil)},
			{url.Values{"email": {"x@desk.example"}, "name": {"X"}, "role": {"boss"}}, http.StatusBadRequest, "u-role", it.T("error.validation.role", nil)},
			{url.Values{"email": {"x@desk.example"}, "name": {"X"}, "role": {"operator"}, "languages": {"italiano!"}}, http.StatusBadRequest, "u-languages", ""},
		} {
			r := c.send("/admin/users", tt.form)
			wantStatus(t, "create "+tt.field, r, tt.status)
			wantContains(t, "create "+tt.field, r.body, `id="`+tt.field+`-error"`, `aria-invalid="true"`, `value="`+html(tt.form.Get("name"))+`"`)
			if tt.msg != "" {
				wantContains(t, "create "+tt.field, r.body, html(tt.msg))
			}
		}

		// Edit: role change and deactivation are audited; the deactivated
		// user is signed out at once.
		vol := e.client().signIn("vol@desk.example")
		path := "/admin/users/" + id(e.vol.ID)
		r = c.get(path)
		wantStatus(t, "edit form", r, http.StatusOK)
		wantContains(t, "edit form", r.body, `value="Vera Volontaria"`, `<option value="volunteer" selected>`, `name="active" value="1" checked`, `action="`+path+`/password"`)
		r = c.send(path, url.Values{"name": {"Vera V."}, "role": {"operator"}, "languages": {"it, en"}, "max_chats": {"2"}, "active": {"1"}})
		wantStatus(t, "edit", r, http.StatusSeeOther)
		wantContains(t, "after edit", c.get(r.location()).body, html(it.T("users.saved", nil)), "Vera V.")
		r = c.send(path, url.Values{"name": {"Vera V."}, "role": {"operator"}, "languages": {"it, en"}, "max_chats": {"2"}})
		wantStatus(t, "deactivate", r, http.StatusSeeOther)
		e.wantAudited("role_change role: volunteer → operator", "user_deactivate active: true → false",
			"user_update name: Vera Volontaria → Vera V.; languages: it → it,en; max_chats: 0 → 2")
		wantStatus(t, "deactivated user's session", vol.get("/inbox"), http.StatusSeeOther)
		wantContains(t, "list", c.get("/admin/users").body, `<tr class="inactive">`)

		// The last active admin cannot step down or switch themselves off.
		self := "/admin/users/" + id(admin.ID)
		wantContains(t, "own form", c.get(self).body, html(it.T("users.self_hint", nil)))
		for _, form := range []url.Values{
			{"name": {"Ada Admin"}, "role": {"coordinator"}, "active": {"1"}},
			{"name": {"Ada Admin"}, "role": {"admin"}},
		} {
			r := c.send(self, form)
			wantStatus(t, "last admin", r, http.StatusConflict)
			wantContains(t, "last admin", r.body, html(it.T("error.user.last_admin", nil)), `role="alert"`)
		}
		if u, _ := s.User(t.Context(), e.org.ID, admin.ID); u.Role != model.RoleAdmin || !u.Active {
			t.Errorf("the last admin became %s, active %v", u.Role, u.Active)
		}
		wantStatus(t, "still an admin", c.get("/admin/tokens"), http.StatusOK)

		// Reset: a new password, shown once; the old one and the sessions end.
		r = c.send("/admin/users/"+id(u.ID)+"/password", url.Values{})
		wantStatus(t, "reset", r, http.StatusOK)
		fresh := secretOf(t, r.body)
		if fresh == pw {
			t.Error("the reset gave the same password")
		}
		wantStatus(t, "old password", e.client().login("nadia@desk.example", pw), http.StatusUnauthorized)
		wantStatus(t, "new password", e.client().login("nadia@desk.example", fresh), http.StatusSeeOther)
		wantStatus(t, "session after reset", nadia.get("/inbox"), http.StatusSeeOther)
		e.wantAudited("password_reset ")

		// Another organisation's user is not found, and stays as it was.
		other := "/admin/users/" + id(o.user.ID)
		wantStatus(t, "other org's user", c.get(other), http.StatusNotFound)
		wantStatus(t, "other org's user", c.send(other, url.Values{"name": {"X"}, "role": {"operator"}}), http.StatusNotFound)
		wantStatus(t, "other org's user", c.send(other+"/password", url.Values{}), http.StatusNotFound)
		if u, _ := s.User(t.Context(), o.org.ID, o.user.ID); u.Name != "Mario Milano" || u.Role != model.RoleAdmin || !u.Active {
			t.Errorf("the other organisation's user became %+v", u)
		}
		wantMissing(t, "list", c.get("/admin/users").body, "Mario Milano")
	})
}

func TestTeamsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.otherOrg()
		it := e.it()
		c := e.client().signIn("coord@desk.example") // coordinators manage teams

		r := c.get("/admin/teams/new")
		wantStatus(t, "new team form", r, http.StatusOK)
		wantContains(t, "new team form", r.body, `<legend>`+html(it.T("teams.members", nil))+`</legend>`, `name="member_ids" value="`+id(e.op.ID)+`"`)

		r = c.send("/admin/teams", url.Values{"name": {"Sportello casa"}, "member_ids": {id(e.op.ID), id(e.vol.ID)}})
		wantStatus(t, "create", r, http.StatusSeeOther)
		list := c.get(r.location()).body
		wantContains(t, "list", list, html(it.T("teams.saved", nil)), "Sportello casa", "Omar Operatore, Vera Volontaria")
		teams, _ := s.Teams(t.Context(), e.org.ID)
		var team *model.Team
		for _, tm := range teams {
			if tm.Name == "Sportello casa" {
				team = tm
			}
		}
		if team == nil || team.Slug != "sportello-casa" || !slices.Equal(team.MemberIDs, []int64{e.op.ID, e.vol.ID}) {
			t.Fatalf("created %+v", team)
		}
		path := "/admin/teams/" + id(team.ID)
		wantContains(t, "edit form", c.get(path).body, `value="Sportello casa"`, `name="member_ids" value="`+id(e.vol.ID)+`" checked`)

		r = c.send(path, url.Values{"name": {"Sportello abitare"}, "member_ids": {id(e.coord.ID)}})
		wantStatus(t, "update", r, http.StatusSeeOther)
		got, _ := s.Team(t.Context(), e.org.ID, team.ID)
		if got.Name != "Sportello abitare" || !slices.Equal(got.MemberIDs, []int64{e.coord.ID}) {
			t.Errorf("updated %+v", got)
		}
		// Nobody ticked empties the team.
		wantStatus(t, "no members", c.send(path, url.Values{"name": {"Sportello abitare"}}), http.StatusSeeOther)
		if got, _ := s.Team(t.Context(), e.org.ID, team.ID); len(got.MemberIDs) != 0 {
			t.Errorf("members %v, want none", got.MemberIDs)
		}
		e.wantAudited(fmt.Sprintf("team_create name: Sportello casa; members: %d,%d", e.op.ID, e.vol.ID),
			fmt.Sprintf("team_update name: Sportello casa → Sportello abitare; members: %d,%d → %d", e.op.ID, e.vol.ID, e.coord.ID))

		for _, tt := range []struct {
			form   url.Values
			status int
			field  string
		}{
			{url.Values{"name": {" "}}, http.StatusBadRequest, "t-name"},
			{url.Values{"name": {"X"}, "member_ids": {id(o.user.ID)}}, http.StatusBadRequest, "t-members"},
			{url.Values{"name": {"X"}, "member_ids": {"abc"}}, http.StatusBadRequest, "t-members"},
		} {
			r := c.send(path, tt.form)
			wantStatus(t, "update "+tt.field, r, tt.status)
			wantContains(t, "update "+tt.field, r.body, `id="`+tt.field+`-error"`)
		}
		other := "/admin/teams/" + id(o.team.ID)
		wantStatus(t, "other org's team", c.get(other), http.StatusNotFound)
		wantStatus(t, "other org's team", c.send(other, url.Values{"name": {"Mine"}}), http.StatusNotFound)
		if got, _ := s.Team(t.Context(), o.org.ID, o.team.ID); got.Name != "Squadra Milano" {
			t.Errorf("the other organisation's team became %q", got.Name)
		}
		wantStatus(t, "operator", e.client().signIn("op@desk.example").get(path), http.StatusForbidden)
	})
}

func TestTokensPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		o := e.otherOrg()
		it := e.it()
		c := e.client().signIn("admin@desk.example")

		r := c.get("/admin/tokens")
		wantStatus(t, "tokens", r, http.StatusOK)
		wantContains(t, "tokens", r.body, html(it.T("tokens.none", nil)), `<label for="k-user">`)

		r = c.send("/admin/tokens", url.Values{"name": {"crm-sync"}, "user_id": {id(e.op.ID)}})
		wantStatus(t, "create", r, http.StatusCreated)
		secret := secretOf(t, r.body)
		a, err := e.d.TokenActor(t.Context(), secret, "127.0.0.1")
		if err != nil || a.User.ID != e.op.ID {
			t.Fatalf("the shown token: %v, %v", a, err)
		}
		list := c.get("/admin/tokens").body
		wantContains(t, "list", list, "crm-sync", "<code dir=\"ltr\">"+secret[:8]+"…</code>", "Omar Operatore")
		wantMissing(t, "list", list, secret, "Mario Milano", "milano-sync")

		// Mistakes come back by their field.
		r = c.send("/admin/tokens", url.Values{"name": {""}, "user_id": {id(e.op.ID)}})
		wantStatus(t, "no name", r, http.StatusBadRequest)
		wantContains(t, "no name", r.body, `id="k-name-error"`)
		r = c.send("/admin/tokens", url.Values{"name": {"x"}, "user_id": {id(o.user.ID)}})
		wantStatus(t, "other org's user", r, http.StatusBadRequest)
		wantContains(t, "other org's user", r.body, `id="k-user-error"`)

		tokens, _ := s.APITokens(t.Context(), e.org.ID)
		if len(tokens) != 1 {
			t.Fatalf("%d tokens, want 1", len(tokens))
		}
		revoke := "/admin/tokens/" + id(tokens[0].ID) + "/revoke"
		wantContains(t, "list", list, `action="`+revoke+`"`, `data-confirm="`+html(it.T("tokens.revoke_confirm", nil))+`"`)
		r = c.send(revoke, url.Values{})
		wantStatus(t, "revoke", r, http.StatusSeeOther)
		wantContains(t, "after revoke", c.get(r.location()).body, html(it.T("tokens.revoked_done", nil)))
		if _, err := e.d.TokenActor(t.Context(), secret, "127.0.0.1"); err == nil {
			t.Error("the revoked token still works")
		}
		e.wantAudited(fmt.Sprintf("token_create crm-sync; user=%d", e.op.ID), "token_revoke crm-sync")

		wantStatus(t, "other org's token", c.send("/admin/tokens/"+id(o.token)+"/revoke", url.Values{}), http.StatusNotFound)
		if ts, _ := s.APITokens(t.Context(), o.org.ID); ts[0].RevokedAt != nil {
			t.Error("the other organisation's token was revoked")
		}
	})
}

func TestAuditPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.otherOrg()
		it := e.it()
		for i := range 60 {
			if err := s.Audit(t.Context(), &model.AuditEntry{OrgID: e.org.ID, ActorID: e.op.ID, Action: "role_change", TargetType: "user",
				TargetID: e.vol.ID, Detail: fmt.Sprintf("change %02d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Audit(t.Context(), &model.AuditEntry{OrgID: o.org.ID, Action: "role_change", Detail: "milano secret"}); err != nil {
			t.Fatal(err)
		}
		c := e.client().signIn("coord@desk.example") // its login is audited too, after the 60

		r := c.get("/admin/audit")
		wantStatus(t, "audit", r, http.StatusOK)
		wantContains(t, "audit", r.body, html(it.T("audit.action_login", nil)), html(it.T("audit.action_role_change", nil)), "Omar Operatore", "Vera Volontaria", "change 59")
		wantMissing(t, "audit", r.body, "milano secret", "change 09")
		older := regexp.MustCompile(`href="(/admin/audit\?before=\d+)" rel="next"`).FindStringSubmatch(r.body)
		if older == nil {
			t.Fatal("no link to older entries")
		}
		r = c.get(older[1])
		wantContains(t, "older", r.body, "change 09", "change 00", `href="/admin/audit">`+html(it.T("audit.newest", nil)))
		wantMissing(t, "older", r.body, "change 11<", `rel="next"`)

		r = c.get("/admin/audit?action=login")
		wantContains(t, "logins", r.body, `<option value="login" selected>`, html(it.T("audit.action_login", nil)))
		wantMissing(t, "logins", r.body, "change 59")
		wantStatus(t, "bad cursor", c.get("/admin/audit?before=x"), http.StatusBadRequest)

		// An action the list does not know yet can still be filtered.
		wantContains(t, "unknown action", c.get("/admin/audit?action=routing_rule_change").body, `<option value="routing_rule_change" selected>`)
	})
}

func TestContactPageAndMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.otherOrg()
		it := e.it()
		conv := e.inbound("v1", "Amina Diallo", "Buongiorno")
		dupConv := e.inbound("+393331234567", "Amina D.", "Sono sempre io")
		c1, _ := s.Conversation(t.Context(), e.org.ID, conv)
		c2, _ := s.Conversation(t.Context(), e.org.ID, dupConv)
		keep, dup := c1.ContactID, c2.ContactID

		// The conversation's contact panel links to the contact page.
		coord := e.client().signIn("coord@desk.example")
		page := "/contacts/" + id(keep)
		wantContains(t, "conversation", coord.get(convURL(conv)).body, `<a href="`+page+`">`+html(it.T("contact.open", nil))+`</a>`)
		wantMissing(t, "volunteer's conversation", e.client().signIn("vol@desk.example").get(convURL(conv)).body, `href="/contacts/`)

		r := coord.get(page + "?q=Amina")
		wantStatus(t, "contact page", r, http.StatusOK)
		wantContains(t, "contact page", r.body, "<h1><bdi>Amina Diallo</bdi></h1>", `href="`+convURL(conv)+`"`, html(it.T("contact.merge_title", nil)),
			`<a href="/contacts/`+id(dup)+`"><bdi>Amina D.</bdi></a>`, `name="duplicate_id" value="`+id(dup)+`"`)
		if strings.Contains(r.body, `name="duplicate_id" value="`+id(keep)+`"`) {
			t.Error("the contact is offered as its own duplicate")
		}

		// The operator sees the contact but may not merge.
		op := e.client().signIn("op@desk.example")
		r = op.get(page)
		wantStatus(t, "operator's contact page", r, http.StatusOK)
		wantMissing(t, "operator's contact page", r.body, html(it.T("contact.merge_title", nil)))
		wantStatus(t, "operator merges", op.send(page+"/merge", url.Values{"duplicate_id": {id(dup)}}), http.StatusForbidden)
		wantStatus(t, "volunteer's contact page", e.client().signIn("vol@desk.example").get(page), http.StatusForbidden)

		for _, tt := range []struct {
			dup    string
			status int
			msg    string
		}{
			{"abc", http.StatusBadRequest, it.T("contact.duplicate_invalid", nil)},
			{id(keep), http.StatusBadRequest, it.T("error.contact.merge_self", nil)},
			{id(o.contact), http.StatusNotFound, it.T("contact.duplicate_not_found", nil)},
		} {
			r := coord.send(page+"/merge", url.Values{"duplicate_id": {tt.dup}})
			wantStatus(t, "merge "+tt.dup, r, tt.status)
			wantContains(t, "merge "+tt.dup, r.body, html(tt.msg), `id="m-dup-error"`, `value="`+tt.dup+`"`)
		}
		wantStatus(t, "other org's contact", coord.get("/contacts/"+id(o.contact)), http.StatusNotFound)
		wantStatus(t, "other org's contact", coord.send("/contacts/"+id(o.contact)+"/merge", url.Values{"duplicate_id": {id(dup)}}), http.StatusNotFound)

		r = coord.send(page+"/merge", url.Values{"duplicate_id": {"#" + id(dup)}})
		wantStatus(t, "merge", r, http.StatusSeeOther)
		r = coord.get(r.location())
		wantContains(t, "merged", r.body, html(it.T("contact.merged", nil)), "393331234567", `href="`+convURL(dupConv)+`"`)
		if c, _ := s.Conversation(t.Context(), e.org.ID, dupConv); c.ContactID != keep {
			t.Errorf("the duplicate's conversation belongs to %d, want %d", c.ContactID, keep)
		}
		e.wantAudited("contact_merge duplicate=" + id(dup))
		r = coord.get("/contacts/" + id(dup))
		wantContains(t, "the duplicate", r.body, html(it.T("contact.was_merged", nil)), `href="`+page+`"`)
		wantMissing(t, "the duplicate", r.body, html(it.T("contact.merge_title", nil)))
		if c, _ := s.Contact(t.Context(), o.org.ID, o.contact); c.MergedInto != 0 {
			t.Error("the other organisation's contact was merged")
		}
	})
}

// adminKeyRE finds what looks like a catalog key of these pages left in
// them.
var adminKeyRE = regexp.MustCompile(`\b(?:admin|users|teams|tokens|audit|contact|nav|role|error|console|canned|conversation)\.[a-z][a-z0-9_.]*[a-z0-9_]`)

func TestAdminPagesInEveryLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		admin := e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		conv := e.inbound("v1", "Amina Diallo", "Buongiorno")
		cv, _ := s.Conversation(t.Context(), e.org.ID, conv)
		if _, _, err := e.d.CreateAPIToken(t.Context(), e.org.ID, e.op.ID, admin.ID, "crm"); err != nil {
			t.Fatal(err)
		}
		c := e.client().signIn("admin@desk.example")
		for _, lang := range e.b.Languages() {
			pr := e.b.Printer(lang)
			pages := []struct {
				path   string
				status int
				form   url.Values
			}{
				{"/admin/users", http.StatusOK, nil},
				{"/admin/users?ok=saved", http.StatusOK, nil},
				{"/admin/users/new", http.StatusOK, nil},
				{"/admin/users/" + id(e.op.ID), http.StatusOK, nil},
				{"/admin/users/" + id(admin.ID), http.StatusOK, nil},
				{"/admin/users", http.StatusCreated, url.Values{"email": {lang + "@desk.example"}, "name": {"N " + lang}, "role": {"operator"}}},
				{"/admin/users", http.StatusBadRequest, url.Values{"email": {"x"}, "name": {"X"}, "role": {"operator"}}},
				{"/admin/users/" + id(admin.ID), http.StatusConflict, url.Values{"name": {"Ada Admin"}, "role": {"operator"}, "active": {"1"}}},
				{"/admin/users/" + id(e.vol.ID) + "/password", http.StatusOK, url.Values{}},
				{"/admin/teams", http.StatusOK, nil},
				{"/admin/teams?ok=saved", http.StatusOK, nil},
				{"/admin/teams/new", http.StatusOK, nil},
				{"/admin/teams/" + id(e.team.ID), http.StatusOK, nil},
				{"/admin/teams/" + id(e.team.ID), http.StatusBadRequest, url.Values{"name": {""}}},
				{"/admin/tokens", http.StatusOK, nil},
				{"/admin/tokens?ok=revoked", http.StatusOK, nil},
				{"/admin/tokens", http.StatusCreated, url.Values{"name": {"t-" + lang}, "user_id": {id(e.op.ID)}}},
				{"/admin/tokens", http.StatusBadRequest, url.Values{"name": {""}, "user_id": {id(e.op.ID)}}},
				{"/admin/audit", http.StatusOK, nil},
				{"/admin/audit?action=login", http.StatusOK, nil},
				{"/contacts/" + id(cv.ContactID) + "?q=zzz", http.StatusOK, nil},
				{"/contacts/" + id(cv.ContactID) + "?ok=merged", http.StatusOK, nil},
				{"/contacts/" + id(cv.ContactID) + "/merge", http.StatusBadRequest, url.Values{"duplicate_id": {"x"}}},
				{"/contacts/999999", http.StatusNotFound, nil},
			}
			for _, pg := range pages {
				name := lang + " " + pg.path
				u := pg.path + map[bool]string{true: "&", false: "?"}[strings.Contains(pg.path, "?")] + "lang=" + lang
				var r response
				if pg.form != nil {
					name = lang + " POST " + pg.path
					r = c.send(u, pg.form)
				} else {
					r = c.get(u)
				}
				wantStatus(t, name, r, pg.status)
				if key := adminKeyRE.FindString(strings.NewReplacer("console.css", "", "console.js", "").Replace(r.body)); key != "" {
					t.Errorf("%s: untranslated key %q", name, key)
				}
				wantMissing(t, name, r.body, "<no value>", "%!", "{{")
				wantContains(t, name, r.body, `<html lang="`+lang+`" dir="`+pr.Dir()+`">`, `<main id="main"`)
			}
		}
	})
}
