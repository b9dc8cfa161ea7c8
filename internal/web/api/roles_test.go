package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestVolunteerSeesOnlyAssigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		assigned := e.inbound(o, "v-2", "Ana López", "hola", "es").ConversationID
		if _, err := s.UpdateConversation(context.Background(), o.org.ID, assigned, 0, store.ConversationPatch{AssigneeID: &o.vol.ID}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, s, o)
		conv := func(id int64) string { return fmt.Sprintf("/api/v1/conversations/%d", id) }

		var p page
		e.get("/api/v1/conversations", o.volToken, &p)
		if got := p.ids(t); !slices.Equal(got, []int64{assigned}) {
			t.Errorf("volunteer lists %v, want only %d", got, assigned)
		}
		e.get("/api/v1/conversations?assignee=none", o.volToken, &p)
		if len(p.Items) != 0 {
			t.Errorf("volunteer lists %v unassigned, want none", p.ids(t))
		}
		if bytes.Contains(mustCall(t, e, "GET", "/api/v1/conversations", o.volToken, "", 200).body, []byte(o.contactName)) {
			t.Error("the volunteer's list names the contact of a conversation not assigned to them")
		}

		tests := []struct {
			method, path, body string
			want               int
		}{
			{"GET", conv(assigned), "", http.StatusOK},
			{"GET", conv(assigned) + "/messages", "", http.StatusOK},
			{"POST", conv(assigned) + "/messages", `{"body": "Ciao, ti aiuto io", "type": "reply"}`, http.StatusCreated},
			{"POST", conv(assigned) + "/messages", `{"body": "Da richiamare", "type": "note"}`, http.StatusCreated},
			{"GET", conv(o.conversation), "", http.StatusNotFound},
			{"GET", conv(o.conversation) + "/messages", "", http.StatusNotFound},
			{"POST", conv(o.conversation) + "/messages", `{"body": "x", "type": "note"}`, http.StatusNotFound},
			{"PATCH", conv(assigned), `{"status": "resolved"}`, http.StatusForbidden},
			{"GET", "/api/v1/contacts", "", http.StatusForbidden},
			{"GET", fmt.Sprintf("/api/v1/contacts/%d", o.contact), "", http.StatusForbidden},
			{"GET", "/api/v1/users", "", http.StatusForbidden},
			{"GET", "/api/v1/teams", "", http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				r := mustCall(t, e, tt.method, tt.path, o.volToken, tt.body, tt.want)
				if tt.want >= 400 {
					code, _, _ := r.errorBody(t)
					if want := map[int]string{403: "forbidden", 404: "not_found"}[tt.want]; code != want {
						t.Errorf("code %q, want %q", code, want)
					}
				}
			})
		}
		if after := snapshot(t, s, o); after != before {
			t.Errorf("the volunteer changed a conversation not assigned to them:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func mustCall(t *testing.T, e *env, method, path, token, body string, want int) response {
	t.Helper()
	r := e.call(method, path, token, body)
	if r.status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

func TestContactsTeamsUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		var users struct{ Items []model.User }
		r := mustCall(t, e, "GET", "/api/v1/users", o.adminToken, "", http.StatusOK)
		r.decode(t, &users)
		if len(users.Items) != 2 {
			t.Errorf("%d users, want 2", len(users.Items))
		}
		for _, leak := range []string{"argon2", "password", "hash"} {
			if bytes.Contains(bytes.ToLower(r.body), []byte(leak)) {
				t.Errorf("the users list mentions %q: %s", leak, r.body)
			}
		}
		var teams struct{ Items []model.Team }
		mustCall(t, e, "GET", "/api/v1/teams", o.adminToken, "", http.StatusOK).decode(t, &teams)
		if len(teams.Items) != 1 || !slices.Equal(teams.Items[0].MemberIDs, []int64{o.admin.ID}) {
			t.Errorf("teams: %+v", teams.Items)
		}
		var c model.Contact
		mustCall(t, e, "GET", fmt.Sprintf("/api/v1/contacts/%d", o.contact), o.adminToken, "", http.StatusOK).decode(t, &c)
		if c.DisplayName != o.contactName || len(c.Identities) != 1 || c.Identities[0].Value != "visitor-alpha" {
			t.Errorf("contact: %+v", c)
		}
		var contacts page
		e.get("/api/v1/contacts?q=citizen", o.adminToken, &contacts)
		if got := contacts.ids(t); !slices.Equal(got, []int64{o.contact}) {
			t.Errorf("contacts?q=citizen: %v", got)
		}

		// Paging two at a time visits every contact once.
		for i := range 4 {
			e.inbound(o, fmt.Sprintf("more-%d", i), fmt.Sprintf("Person %d", i), "ciao", "")
		}
		var seen []int64
		cursor := ""
		for pages := 1; ; pages++ {
			e.get("/api/v1/contacts?limit=2&cursor="+cursor, o.adminToken, &contacts)
			seen = append(seen, contacts.ids(t)...)
			if contacts.NextCursor == nil {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			cursor = *contacts.NextCursor
		}
		slices.Sort(seen)
		if len(slices.Compact(seen)) != 5 || len(seen) != 5 {
			t.Errorf("paging contacts saw %v, want 5 different", seen)
		}
	})
}
