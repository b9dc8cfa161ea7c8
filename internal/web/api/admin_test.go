package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// auditActions lists the actions of the organisation's audit log, newest
// first, with their details.
func (e *env) auditActions(o *org) []string {
	e.t.Helper()
	log, err := e.s.AuditEntries(context.Background(), o.org.ID, store.AuditFilter{Limit: 500})
	e.must(err)
	var out []string
	for _, x := range log {
		out = append(out, x.Action+" "+x.Detail)
	}
	return out
}

func wantAudit(t *testing.T, e *env, o *org, entries ...string) {
	t.Helper()
	got := e.auditActions(o)
	for _, want := range entries {
		if !slices.Contains(got, want) {
			t.Errorf("audit log lacks %q; has %q", want, got)
		}
	}
}

func wantError(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	gotCode, _, gotField := r.errorBody(t)
	if gotCode != code || gotField != field {
		t.Errorf("error %q on %q, want %q on %q: %s", gotCode, gotField, code, field, r.body)
	}
}

func TestAdminRoutesRefusedWithoutPermission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		hash := o.vol.PasswordHash
		op := e.newUser(o.org.ID, "op@alpha.example", "Operator alpha", model.RoleOperator, hash)
		coord := e.newUser(o.org.ID, "coord@alpha.example", "Coordinator alpha", model.RoleCoordinator, hash)
		opToken, coordToken := e.token(o.org.ID, op.ID), e.token(o.org.ID, coord.ID)
		before := snapshot(t, s, o)
		user := fmt.Sprintf("/api/v1/users/%d", o.vol.ID)
		team := fmt.Sprintf("/api/v1/teams/%d", o.team.ID)
		merge := fmt.Sprintf("/api/v1/contacts/%d/merge", o.contact)
		for _, tt := range []struct {
			who, token, method, path, body string
		}{
			{"operator", opToken, "POST", "/api/v1/users", `{"email": "x@alpha.example", "name": "X", "role": "admin"}`},
			{"operator", opToken, "PATCH", user, `{"role": "admin"}`},
			{"operator", opToken, "PATCH", user, `{"reset_password": true}`},
			{"operator", opToken, "POST", "/api/v1/teams", `{"name": "Mine"}`},
			{"operator", opToken, "PATCH", team, `{"member_ids": []}`},
			{"operator", opToken, "GET", "/api/v1/tokens", ""},
			{"operator", opToken, "POST", "/api/v1/tokens", `{"name": "x"}`},
			{"operator", opToken, "GET", "/api/v1/audit", ""},
			{"operator", opToken, "POST", merge, `{"duplicate_id": 1}`},
			{"volunteer", o.volToken, "PATCH", user, `{"max_chats": 99}`},
			{"volunteer", o.volToken, "DELETE", "/api/v1/tokens/1", ""},
			// Coordinators manage teams and read the audit log, not people or tokens.
			{"coordinator", coordToken, "POST", "/api/v1/users", `{"email": "x@alpha.example", "name": "X", "role": "operator"}`},
			{"coordinator", coordToken, "PATCH", user, `{"active": false}`},
			{"coordinator", coordToken, "GET", "/api/v1/tokens", ""},
		} {
			t.Run(tt.who+" "+tt.method+" "+tt.path, func(t *testing.T) {
				wantError(t, e.call(tt.method, tt.path, tt.token, tt.body), http.StatusForbidden, "forbidden", "")
			})
		}
		mustCall(t, e, "GET", "/api/v1/audit", coordToken, "", http.StatusOK)
		mustCall(t, e, "PATCH", team, coordToken, `{"name": "Renamed by the coordinator"}`, http.StatusOK)
		o.team.Name = "Renamed by the coordinator"
		if after := snapshot(t, s, o); after == before {
			t.Error("the coordinator's rename did not show")
		} else if strings.Replace(after, "Renamed by the coordinator", "Team alpha", 1) != before {
			t.Errorf("refused requests changed something:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func TestUsersAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o, b := e.newOrg("alpha"), e.newOrg("bravo")
		ctx := context.Background()

		// Create: the password comes once, and works.
		var created struct {
			model.User
			Password string
		}
		mustCall(t, e, "POST", "/api/v1/users", o.adminToken,
			`{"email": " Nadia@Alpha.example ", "name": "Nadia", "role": "mediator", "languages": ["ar", "fr"], "max_chats": 3}`, http.StatusCreated).decode(t, &created)
		if created.Email != "nadia@alpha.example" || created.Role != model.RoleMediator || !created.Active || created.MaxChats != 3 ||
			!slices.Equal(created.Languages, []string{"ar", "fr"}) || created.OrgID != o.org.ID || len(created.Password) < 20 {
			t.Fatalf("created %+v", created)
		}
		if _, err := e.d.Authenticate(ctx, "nadia@alpha.example", created.Password, "127.0.0.1"); err != nil {
			t.Errorf("the generated password does not work: %v", err)
		}
		var list struct{ Items []map[string]any }
		mustCall(t, e, "GET", "/api/v1/users", o.adminToken, "", http.StatusOK).decode(t, &list)
		for _, u := range list.Items {
			if _, ok := u["password"]; ok {
				t.Error("the users list shows a password")
			}
		}
		wantAudit(t, e, o, "user_create role=mediator")

		for _, tt := range []struct {
			body        string
			status      int
			code, field string
			subtest     string
		}{
			{`{"email": "nadia@alpha.example", "name": "Again", "role": "operator"}`, 409, "conflict", "email", "taken e-mail"},
			{`{"email": "not an e-mail", "name": "X", "role": "operator"}`, 400, "invalid", "email", "bad e-mail"},
			{`{"email": "x@alpha.example", "name": "X", "role": "boss"}`, 400, "invalid", "role", "unknown role"},
			{`{"email": "x@alpha.example", "name": "", "role": "operator"}`, 400, "invalid", "name", "no name"},
			{`{"email": "x@alpha.example", "name": "X", "role": "operator", "max_chats": -1}`, 400, "invalid", "max_chats", "negative limit"},
			{`{"email": "x@alpha.example", "name": "X", "role": "operator", "password": "mine"}`, 400, "invalid", "password", "unknown field"},
		} {
			t.Run(tt.subtest, func(t *testing.T) {
				wantError(t, e.call("POST", "/api/v1/users", o.adminToken, tt.body), tt.status, tt.code, tt.field)
			})
		}
		// The same e-mail in another organisation is another person.
		mustCall(t, e, "POST", "/api/v1/users", b.adminToken, `{"email": "nadia@alpha.example", "name": "Nadia B", "role": "operator"}`, http.StatusCreated)

		// Update: a role change and a deactivation are audited with before
		// and after; a deactivated user's token stops working.
		vol := fmt.Sprintf("/api/v1/users/%d", o.vol.ID)
		var u model.User
		mustCall(t, e, "PATCH", vol, o.adminToken, `{"role": "operator", "name": "Vera", "languages": ["it", "en"], "max_chats": 4}`, http.StatusOK).decode(t, &u)
		if u.Role != model.RoleOperator || u.Name != "Vera" || u.MaxChats != 4 || !slices.Equal(u.Languages, []string{"it", "en"}) || u.Email != o.vol.Email {
			t.Errorf("updated %+v", u)
		}
		mustCall(t, e, "PATCH", vol, o.adminToken, `{"active": false}`, http.StatusOK)
		wantAudit(t, e, o, "role_change role: volunteer → operator", "user_deactivate active: true → false",
			"user_update name: Volunteer alpha → Vera; languages: it → it,en; max_chats: 0 → 4")
		wantError(t, e.call("GET", "/api/v1/teams", o.volToken, ""), http.StatusUnauthorized, "unauthorized", "")
		mustCall(t, e, "PATCH", vol, o.adminToken, `{"active": true}`, http.StatusOK)
		mustCall(t, e, "GET", "/api/v1/teams", o.volToken, "", http.StatusOK)
		wantAudit(t, e, o, "user_activate active: false → true")
		wantError(t, e.call("PATCH", vol, o.adminToken, `{"role": "boss"}`), http.StatusBadRequest, "invalid", "role")
		wantError(t, e.call("PATCH", vol, o.adminToken, `{"email": "new@alpha.example"}`), http.StatusBadRequest, "invalid", "email")

		// Reset: a new password, once; the old one stops working.
		var reset struct {
			model.User
			Password string
		}
		mustCall(t, e, "PATCH", vol, o.adminToken, `{"reset_password": true}`, http.StatusOK).decode(t, &reset)
		if len(reset.Password) < 20 || reset.ID != o.vol.ID {
			t.Fatalf("reset: %+v", reset)
		}
		if _, err := e.d.Authenticate(ctx, o.vol.Email, reset.Password, "127.0.0.1"); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		if _, err := e.d.Authenticate(ctx, o.vol.Email, "correct horse battery staple", "127.0.0.2"); err == nil {
			t.Error("the old password still works")
		}
		wantAudit(t, e, o, "password_reset ")
		if r := mustCall(t, e, "PATCH", vol, o.adminToken, `{"max_chats": 5}`, http.StatusOK); bytes.Contains(r.body, []byte("password")) {
			t.Errorf("a plain update shows a password: %s", r.body)
		}

		// The last active admin can neither step down nor be deactivated.
		self := fmt.Sprintf("/api/v1/users/%d", o.admin.ID)
		for _, body := range []string{`{"role": "coordinator"}`, `{"active": false}`, `{"role": "operator", "active": false}`} {
			wantError(t, e.call("PATCH", self, o.adminToken, body), http.StatusConflict, "conflict", "")
		}
		if got, _ := s.User(ctx, o.org.ID, o.admin.ID); got.Role != model.RoleAdmin || !got.Active {
			t.Errorf("the last admin became %s, active %v", got.Role, got.Active)
		}
		deactivations := 0
		for _, a := range e.auditActions(o) {
			if strings.HasPrefix(a, "role_change role: admin") {
				t.Errorf("a refused change was audited: %q", a)
			}
			if strings.HasPrefix(a, "user_deactivate") {
				deactivations++
			}
		}
		if deactivations != 1 {
			t.Errorf("%d deactivations audited, want only the volunteer's", deactivations)
		}
		// With a second admin, the first may step down; then their token
		// no longer manages users.
		mustCall(t, e, "PATCH", vol, o.adminToken, `{"role": "admin"}`, http.StatusOK)
		mustCall(t, e, "PATCH", self, o.adminToken, `{"role": "coordinator"}`, http.StatusOK)
		wantAudit(t, e, o, "role_change role: operator → admin", "role_change role: admin → coordinator")
		wantError(t, e.call("PATCH", vol, o.adminToken, `{"role": "operator"}`), http.StatusForbidden, "forbidden", "")
		wantError(t, e.call("PATCH", vol, o.volToken, `{"role": "operator"}`), http.StatusConflict, "conflict", "")

		// Another organisation's user is not found, and stays as they were.
		wantError(t, e.call("PATCH", fmt.Sprintf("/api/v1/users/%d", b.vol.ID), o.volToken, `{"active": false}`), http.StatusNotFound, "not_found", "")
		if got, _ := s.User(ctx, b.org.ID, b.vol.ID); !got.Active {
			t.Error("organisation B's volunteer was deactivated")
		}
	})
}

func TestTeamsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o, b := e.newOrg("alpha"), e.newOrg("bravo")
		var team model.Team
		mustCall(t, e, "POST", "/api/v1/teams", o.adminToken,
			fmt.Sprintf(`{"name": "Sportello légale", "member_ids": [%d, %d, %d]}`, o.vol.ID, o.admin.ID, o.vol.ID), http.StatusCreated).decode(t, &team)
		if team.Slug != "sportello-legale" || team.Name != "Sportello légale" || !slices.Equal(team.MemberIDs, []int64{o.admin.ID, o.vol.ID}) {
			t.Fatalf("created %+v", team)
		}
		// The same name again gets the next free slug; a slug taken is a conflict.
		var again model.Team
		mustCall(t, e, "POST", "/api/v1/teams", o.adminToken, `{"name": "Sportello Legale"}`, http.StatusCreated).decode(t, &again)
		if again.Slug != "sportello-legale-2" || len(again.MemberIDs) != 0 {
			t.Errorf("second team: %+v", again)
		}
		wantError(t, e.call("POST", "/api/v1/teams", o.adminToken, `{"name": "X", "slug": "legal"}`), http.StatusConflict, "conflict", "slug")
		wantError(t, e.call("POST", "/api/v1/teams", o.adminToken, `{"name": "X", "slug": "Not A Slug"}`), http.StatusBadRequest, "invalid", "slug")
		wantError(t, e.call("POST", "/api/v1/teams", o.adminToken, `{"name": " "}`), http.StatusBadRequest, "invalid", "name")
		wantError(t, e.call("POST", "/api/v1/teams", o.adminToken, fmt.Sprintf(`{"name": "X", "member_ids": [%d]}`, b.vol.ID)),
			http.StatusBadRequest, "invalid", "member_ids")

		path := fmt.Sprintf("/api/v1/teams/%d", team.ID)
		var got model.Team
		mustCall(t, e, "PATCH", path, o.adminToken, `{"name": "Legale"}`, http.StatusOK).decode(t, &got)
		if got.Name != "Legale" || !slices.Equal(got.MemberIDs, team.MemberIDs) {
			t.Errorf("renamed: %+v", got)
		}
		mustCall(t, e, "PATCH", path, o.adminToken, fmt.Sprintf(`{"member_ids": [%d]}`, o.vol.ID), http.StatusOK).decode(t, &got)
		if got.Name != "Legale" || !slices.Equal(got.MemberIDs, []int64{o.vol.ID}) {
			t.Errorf("members set: %+v", got)
		}
		wantError(t, e.call("PATCH", path, o.adminToken, fmt.Sprintf(`{"member_ids": [%d]}`, b.admin.ID)), http.StatusBadRequest, "invalid", "member_ids")
		wantError(t, e.call("PATCH", path, o.adminToken, `{"member_ids": [0]}`), http.StatusBadRequest, "invalid", "member_ids")
		if now, _ := s.Team(context.Background(), o.org.ID, team.ID); !slices.Equal(now.MemberIDs, []int64{o.vol.ID}) {
			t.Errorf("a refused update changed the members: %v", now.MemberIDs)
		}
		wantAudit(t, e, o, fmt.Sprintf("team_create name: Sportello légale; members: %d,%d", o.admin.ID, o.vol.ID),
			"team_update name: Sportello légale → Legale", fmt.Sprintf("team_update members: %d,%d → %d", o.admin.ID, o.vol.ID, o.vol.ID))
		wantError(t, e.call("PATCH", fmt.Sprintf("/api/v1/teams/%d", b.team.ID), o.adminToken, `{"name": "Mine"}`), http.StatusNotFound, "not_found", "")
	})
}

func TestTokensAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o, b := e.newOrg("alpha"), e.newOrg("bravo")

		var tok struct {
			model.APIToken
			Token string
		}
		mustCall(t, e, "POST", "/api/v1/tokens", o.adminToken, fmt.Sprintf(`{"name": "crm-sync", "user_id": %d}`, o.vol.ID), http.StatusCreated).decode(t, &tok)
		if !strings.HasPrefix(tok.Token, "spt_") || tok.UserID != o.vol.ID || tok.Name != "crm-sync" || !strings.HasPrefix(tok.Token, tok.Prefix) {
			t.Fatalf("created %+v", tok)
		}
		// It acts as the volunteer.
		mustCall(t, e, "GET", "/api/v1/teams", tok.Token, "", http.StatusOK)
		wantError(t, e.call("GET", "/api/v1/users", tok.Token, ""), http.StatusForbidden, "forbidden", "")

		var mine struct {
			model.APIToken
			Token string
		}
		mustCall(t, e, "POST", "/api/v1/tokens", o.adminToken, `{"name": "mine"}`, http.StatusCreated).decode(t, &mine)
		if mine.UserID != o.admin.ID {
			t.Errorf("a token without user_id acts as %d, want the caller %d", mine.UserID, o.admin.ID)
		}

		r := mustCall(t, e, "GET", "/api/v1/tokens", o.adminToken, "", http.StatusOK)
		var list struct{ Items []model.APIToken }
		r.decode(t, &list)
		if len(list.Items) != 4 || list.Items[0].ID != mine.ID || list.Items[1].ID != tok.ID {
			t.Errorf("list: %+v", list.Items)
		}
		if bytes.Contains(r.body, []byte(tok.Token)) || bytes.Contains(r.body, []byte(`"hash"`)) {
			t.Errorf("the list shows a secret: %s", r.body)
		}
		if list.Items[2].LastUsedAt == nil && list.Items[3].LastUsedAt == nil {
			t.Error("no token shows when it was last used")
		}

		wantError(t, e.call("POST", "/api/v1/tokens", o.adminToken, fmt.Sprintf(`{"name": "x", "user_id": %d}`, b.vol.ID)), http.StatusBadRequest, "invalid", "user_id")
		wantError(t, e.call("POST", "/api/v1/tokens", o.adminToken, `{"name": ""}`), http.StatusBadRequest, "invalid", "name")
		wantError(t, e.call("POST", "/api/v1/tokens", o.adminToken, `{"name": "x", "user_id": -1}`), http.StatusBadRequest, "invalid", "user_id")
		mustCall(t, e, "PATCH", fmt.Sprintf("/api/v1/users/%d", o.vol.ID), o.adminToken, `{"active": false}`, http.StatusOK)
		wantError(t, e.call("POST", "/api/v1/tokens", o.adminToken, fmt.Sprintf(`{"name": "x", "user_id": %d}`, o.vol.ID)), http.StatusBadRequest, "invalid", "user_id")
		mustCall(t, e, "PATCH", fmt.Sprintf("/api/v1/users/%d", o.vol.ID), o.adminToken, `{"active": true}`, http.StatusOK)

		// Revoke: at once, once.
		path := fmt.Sprintf("/api/v1/tokens/%d", tok.ID)
		var revoked model.APIToken
		mustCall(t, e, "DELETE", path, o.adminToken, "", http.StatusOK).decode(t, &revoked)
		if revoked.RevokedAt == nil {
			t.Errorf("revoked: %+v", revoked)
		}
		wantError(t, e.call("GET", "/api/v1/teams", tok.Token, ""), http.StatusUnauthorized, "unauthorized", "")
		mustCall(t, e, "DELETE", path, o.adminToken, "", http.StatusOK)
		wantError(t, e.call("DELETE", "/api/v1/tokens/0", o.adminToken, ""), http.StatusBadRequest, "invalid", "id")

		n := 0
		for _, a := range e.auditActions(o) {
			if strings.HasPrefix(a, "token_revoke") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d token_revoke entries, want 1 for two revocations of one token", n)
		}
		wantAudit(t, e, o, fmt.Sprintf("token_create crm-sync; user=%d", o.vol.ID), "token_revoke crm-sync")
	})
}

func TestAuditAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o, b := e.newOrg("alpha"), e.newOrg("bravo")
		for i := range 3 {
			mustCall(t, e, "PATCH", fmt.Sprintf("/api/v1/users/%d", o.vol.ID), o.adminToken, fmt.Sprintf(`{"max_chats": %d}`, i+1), http.StatusOK)
		}
		type entry struct {
			ID      int64
			Action  string
			ActorID int64 `json:"actor_id"`
			Detail  string
		}
		var p struct {
			Items      []entry
			NextBefore *int64 `json:"next_before"`
		}
		mustCall(t, e, "GET", "/api/v1/audit?action=user_update&limit=2", o.adminToken, "", http.StatusOK).decode(t, &p)
		if len(p.Items) != 2 || p.NextBefore == nil || p.Items[0].Detail != "max_chats: 2 → 3" || p.Items[1].Detail != "max_chats: 1 → 2" ||
			p.Items[0].ActorID != o.admin.ID {
			t.Fatalf("first page: %+v next %v", p.Items, p.NextBefore)
		}
		mustCall(t, e, "GET", fmt.Sprintf("/api/v1/audit?action=user_update&limit=2&before=%d", *p.NextBefore), o.adminToken, "", http.StatusOK).decode(t, &p)
		if len(p.Items) != 1 || p.NextBefore != nil || p.Items[0].Detail != "max_chats: 0 → 1" {
			t.Fatalf("second page: %+v next %v", p.Items, p.NextBefore)
		}
		// B's entries never show, and B's id pages to nothing.
		bLog, err := s.AuditEntries(context.Background(), b.org.ID, store.AuditFilter{})
		if err != nil || len(bLog) == 0 {
			t.Fatalf("B's log: %v, %v", bLog, err)
		}
		r := mustCall(t, e, "GET", fmt.Sprintf("/api/v1/audit?before=%d", bLog[0].ID), o.adminToken, "", http.StatusOK)
		r.decode(t, &p)
		if len(p.Items) != 0 {
			t.Errorf("before B's entry: %+v", p.Items)
		}
		for _, q := range []string{"limit=0", "limit=501", "before=x", "before=0", "cursor=abc", "action=a%00b"} {
			if r := e.call("GET", "/api/v1/audit?"+q, o.adminToken, ""); r.status != http.StatusBadRequest {
				t.Errorf("?%s: status %d, want 400", q, r.status)
			}
		}
	})
}

func TestMergeContactAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o, b := e.newOrg("alpha"), e.newOrg("bravo")
		dup := e.inbound(o, "+393331234567", "Citizen alpha (WhatsApp)", "ciao di nuovo", "")
		path := fmt.Sprintf("/api/v1/contacts/%d/merge", o.contact)

		wantError(t, e.call("POST", path, o.adminToken, fmt.Sprintf(`{"duplicate_id": %d}`, o.contact)), http.StatusBadRequest, "invalid", "duplicate_id")
		wantError(t, e.call("POST", path, o.adminToken, `{"duplicate_id": 0}`), http.StatusBadRequest, "invalid", "duplicate_id")
		wantError(t, e.call("POST", path, o.adminToken, `{}`), http.StatusBadRequest, "invalid", "duplicate_id")
		wantError(t, e.call("POST", path, o.adminToken, fmt.Sprintf(`{"duplicate_id": %d}`, b.contact)), http.StatusNotFound, "not_found", "")

		var kept model.Contact
		mustCall(t, e, "POST", path, o.adminToken, fmt.Sprintf(`{"duplicate_id": %d}`, dup.ContactID), http.StatusOK).decode(t, &kept)
		if kept.ID != o.contact || len(kept.Identities) != 2 {
			t.Errorf("kept: %+v", kept)
		}
		var merged model.Contact
		mustCall(t, e, "GET", fmt.Sprintf("/api/v1/contacts/%d", dup.ContactID), o.adminToken, "", http.StatusOK).decode(t, &merged)
		if merged.MergedInto != o.contact {
			t.Errorf("the duplicate: merged_into %d, want %d", merged.MergedInto, o.contact)
		}
		c, err := s.Conversation(context.Background(), o.org.ID, dup.ConversationID)
		if err != nil || c.ContactID != o.contact {
			t.Errorf("the duplicate's conversation: %+v, %v", c, err)
		}
		wantAudit(t, e, o, fmt.Sprintf("contact_merge duplicate=%d", dup.ContactID))
		// Merging it again finds nothing to merge.
		wantError(t, e.call("POST", path, o.adminToken, fmt.Sprintf(`{"duplicate_id": %d}`, dup.ContactID)), http.StatusNotFound, "not_found", "")
	})
}
