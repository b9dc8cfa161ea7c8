package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web"
)

// TestBadInput proves that malformed or invalid input gets a 4xx with a
// clear message and the field at fault, never a 500, and writes nothing.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o, other := e.newOrg("alpha"), e.newOrg("bravo")
		conv := fmt.Sprintf("/api/v1/conversations/%d", o.conversation)
		msgs := conv + "/messages"
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		tooBig := `{"subject": "` + strings.Repeat("a", web.MaxJSONBody) + `"}`
		longQ := strings.Repeat("é", 201)
		tags51 := `{"tags": [` + strings.TrimSuffix(strings.Repeat(`"t",`, 51), ",") + `]}`
		idPaths := []string{"/api/v1/conversations/%s", "/api/v1/conversations/%s/messages", "/api/v1/contacts/%s"}

		type tc struct {
			name, method, path, body string
			status                   int
			code, field              string
			contentType              string // when not JSON
		}
		tests := []tc{
			// The body of a PATCH.
			{"malformed JSON", "PATCH", conv, `{"status": `, 400, "invalid", "", ""},
			{"not JSON", "PATCH", conv, `status=open`, 400, "invalid", "", ""},
			{"trailing data", "PATCH", conv, `{} {}`, 400, "invalid", "", ""},
			{"array", "PATCH", conv, `[1]`, 400, "invalid", "", ""},
			{"no body", "PATCH", conv, ``, 400, "invalid", "", ""},
			{"unknown field", "PATCH", conv, `{"stauts": "open"}`, 400, "invalid", "stauts", ""},
			{"restricted is not in the API", "PATCH", conv, `{"restricted": true}`, 400, "invalid", "restricted", ""},
			{"status of wrong type", "PATCH", conv, `{"status": 3}`, 400, "invalid", "status", ""},
			{"priority of wrong type", "PATCH", conv, `{"priority": "high"}`, 400, "invalid", "priority", ""},
			{"fractional priority", "PATCH", conv, `{"priority": 1.5}`, 400, "invalid", "priority", ""},
			{"team_id of wrong type", "PATCH", conv, `{"team_id": "1"}`, 400, "invalid", "team_id", ""},
			{"tags of wrong type", "PATCH", conv, `{"tags": "a,b"}`, 400, "invalid", "tags", ""},
			{"unknown status", "PATCH", conv, `{"status": "done"}`, 400, "invalid", "status", ""},
			{"empty status", "PATCH", conv, `{"status": ""}`, 400, "invalid", "status", ""},
			{"priority too high", "PATCH", conv, `{"priority": 4}`, 400, "invalid", "priority", ""},
			{"negative priority", "PATCH", conv, `{"priority": -1}`, 400, "invalid", "priority", ""},
			{"huge team_id", "PATCH", conv, `{"team_id": 1e30}`, 400, "invalid", "team_id", ""},
			{"negative team_id", "PATCH", conv, `{"team_id": -1}`, 400, "invalid", "team_id", ""},
			{"negative assignee_id", "PATCH", conv, `{"assignee_id": -5}`, 400, "invalid", "assignee_id", ""},
			{"unknown team", "PATCH", conv, `{"team_id": 999999}`, 400, "invalid", "team_id", ""},
			{"team of another organisation", "PATCH", conv, fmt.Sprintf(`{"team_id": %d}`, other.team.ID), 400, "invalid", "team_id", ""},
			{"user of another organisation", "PATCH", conv, fmt.Sprintf(`{"assignee_id": %d}`, other.admin.ID), 400, "invalid", "assignee_id", ""},
			{"snooze not a time", "PATCH", conv, `{"snoozed_until": "tomorrow"}`, 400, "invalid", "snoozed_until", ""},
			{"snooze without zone", "PATCH", conv, `{"snoozed_until": "2030-01-01T09:00:00"}`, 400, "invalid", "snoozed_until", ""},
			{"snooze in the past", "PATCH", conv, fmt.Sprintf(`{"snoozed_until": %q}`, past), 400, "invalid", "snoozed_until", ""},
			{"snoozed without a time", "PATCH", conv, `{"status": "snoozed"}`, 400, "invalid", "snoozed_until", ""},
			{"bad tag", "PATCH", conv, `{"tags": ["!!"]}`, 400, "invalid", "tags", ""},
			{"too many tags", "PATCH", conv, tags51, 400, "invalid", "tags", ""},
			{"NUL in subject", "PATCH", conv, `{"subject": "a\u0000b"}`, 400, "invalid", "subject", ""},
			{"subject too long", "PATCH", conv, `{"subject": "` + strings.Repeat("a", 301) + `"}`, 400, "invalid", "subject", ""},
			{"bad language", "PATCH", conv, `{"language": "english!"}`, 400, "invalid", "language", ""},
			{"body over the limit", "PATCH", conv, tooBig, 413, "too_large", "", ""},
			{"not JSON content type", "PATCH", conv, `{"priority": 1}`, 400, "invalid", "", "text/plain"},

			// The body of a new message.
			{"empty message", "POST", msgs, `{"body": ""}`, 400, "invalid", "body", ""},
			{"blank message", "POST", msgs, `{"body": "  \n "}`, 400, "invalid", "body", ""},
			{"message without body", "POST", msgs, `{"type": "note"}`, 400, "invalid", "body", ""},
			{"message body of wrong type", "POST", msgs, `{"body": 5}`, 400, "invalid", "body", ""},
			{"unknown message type", "POST", msgs, `{"body": "x", "type": "email"}`, 400, "invalid", "type", ""},
			{"event is not a type", "POST", msgs, `{"body": "x", "type": "event"}`, 400, "invalid", "type", ""},
			{"unknown message field", "POST", msgs, `{"body": "x", "to": "y"}`, 400, "invalid", "to", ""},
			{"message too long", "POST", msgs, `{"body": "` + strings.Repeat("a", store.MaxBody+1) + `"}`, 400, "invalid", "body", ""},
			{"NUL in message", "POST", msgs, `{"body": "a\u0000b"}`, 400, "invalid", "body", ""},
			{"message over the limit", "POST", msgs, `{"body": "` + strings.Repeat("a", web.MaxJSONBody) + `"}`, 413, "too_large", "", ""},
			{"malformed message", "POST", msgs, `{"body": "x"`, 400, "invalid", "", ""},

			// Records that do not exist.
			{"unknown conversation", "GET", "/api/v1/conversations/999999", "", 404, "not_found", "", ""},
			{"unknown contact", "GET", "/api/v1/contacts/999999", "", 404, "not_found", "", ""},
			{"patch unknown conversation", "PATCH", "/api/v1/conversations/999999", `{"priority": 1}`, 404, "not_found", "", ""},

			// Conversation filters.
			{"unknown status filter", "GET", "/api/v1/conversations?status=done", "", 400, "invalid", "status", ""},
			{"team filter not a number", "GET", "/api/v1/conversations?team=abc", "", 400, "invalid", "team", ""},
			{"team filter zero", "GET", "/api/v1/conversations?team=0", "", 400, "invalid", "team", ""},
			{"assignee filter", "GET", "/api/v1/conversations?assignee=you", "", 400, "invalid", "assignee", ""},
			{"negative assignee filter", "GET", "/api/v1/conversations?assignee=-1", "", 400, "invalid", "assignee", ""},
			{"unknown channel", "GET", "/api/v1/conversations?channel=fax", "", 400, "invalid", "channel", ""},
			{"bad language filter", "GET", "/api/v1/conversations?language=!!", "", 400, "invalid", "language", ""},
			{"bad tag filter", "GET", "/api/v1/conversations?tag=%00", "", 400, "invalid", "tag", ""},
			{"contact filter not a number", "GET", "/api/v1/conversations?contact=x", "", 400, "invalid", "contact", ""},
			{"NUL in search", "GET", "/api/v1/conversations?q=a%00b", "", 400, "invalid", "q", ""},
			{"search not UTF-8", "GET", "/api/v1/conversations?q=%FF%FE", "", 400, "invalid", "q", ""},
			{"search too long", "GET", "/api/v1/conversations?q=" + longQ, "", 400, "invalid", "q", ""},
			{"unknown parameter", "GET", "/api/v1/conversations?stauts=open", "", 400, "invalid", "stauts", ""},
			{"repeated parameter", "GET", "/api/v1/conversations?status=open&status=closed", "", 400, "invalid", "status", ""},
			{"malformed query", "GET", "/api/v1/conversations?q=%zz", "", 400, "invalid", "", ""},
			{"unknown parameter on teams", "GET", "/api/v1/teams?limit=5", "", 400, "invalid", "limit", ""},
			{"unknown parameter on users", "GET", "/api/v1/users?role=admin", "", 400, "invalid", "role", ""},
			{"contacts search with NUL", "GET", "/api/v1/contacts?q=%00", "", 400, "invalid", "q", ""},

			// Limits and cursors.
			{"limit zero", "GET", "/api/v1/conversations?limit=0", "", 400, "invalid", "limit", ""},
			{"limit too big", "GET", "/api/v1/conversations?limit=201", "", 400, "invalid", "limit", ""},
			{"limit not a number", "GET", "/api/v1/conversations?limit=ten", "", 400, "invalid", "limit", ""},
			{"negative limit", "GET", "/api/v1/conversations?limit=-1", "", 400, "invalid", "limit", ""},
			{"fractional limit", "GET", "/api/v1/conversations?limit=1.5", "", 400, "invalid", "limit", ""},
			{"limit with plus", "GET", "/api/v1/conversations?limit=%2B5", "", 400, "invalid", "limit", ""},
			{"empty limit", "GET", "/api/v1/contacts?limit=", "", 200, "", "", ""},
			{"contacts limit zero", "GET", "/api/v1/contacts?limit=0", "", 400, "invalid", "limit", ""},
			{"contacts limit too big", "GET", "/api/v1/contacts?limit=1000", "", 400, "invalid", "limit", ""},
			{"messages limit too big", "GET", msgs + "?limit=1001", "", 400, "invalid", "limit", ""},
			{"messages limit zero", "GET", msgs + "?limit=0", "", 400, "invalid", "limit", ""},
			{"negative after_seq", "GET", msgs + "?after_seq=-1", "", 400, "invalid", "after_seq", ""},
			{"after_seq not a number", "GET", msgs + "?after_seq=first", "", 400, "invalid", "after_seq", ""},
			{"cursor with bad characters", "GET", "/api/v1/conversations?cursor=!!!", "", 400, "invalid", "cursor", ""},
			{"cursor too long", "GET", "/api/v1/conversations?cursor=" + strings.Repeat("A", 129), "", 400, "invalid", "cursor", ""},
			{"cursor of nonsense", "GET", "/api/v1/conversations?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("nonsense")), "", 400, "invalid", "cursor", ""},
			{"cursor not base64", "GET", "/api/v1/conversations?cursor=A", "", 400, "invalid", "cursor", ""},
			{"contacts cursor of nonsense", "GET", "/api/v1/contacts?cursor=Zm9vOmJhcg", "", 400, "invalid", "cursor", ""},
		}
		for _, raw := range []string{"abc", "0", "-1", "1.5", "%2B1", "1e3", "99999999999999999999", "0x10", "%20"} {
			for _, p := range idPaths {
				tests = append(tests, tc{"bad id " + raw, "GET", fmt.Sprintf(p, raw), "", 400, "invalid", "id", ""})
			}
			tests = append(tests,
				tc{"bad id " + raw, "PATCH", fmt.Sprintf(idPaths[0], raw), `{"priority": 1}`, 400, "invalid", "id", ""},
				tc{"bad id " + raw, "POST", fmt.Sprintf(idPaths[1], raw), `{"body": "x"}`, 400, "invalid", "id", ""})
		}

		before, beforeOther := snapshot(t, s, o), snapshot(t, s, other)
		for _, tt := range tests {
			t.Run(tt.name+" "+tt.method+" "+tt.path[:min(len(tt.path), 60)], func(t *testing.T) {
				var header []string
				if tt.contentType != "" {
					header = []string{"Content-Type", tt.contentType}
				}
				r := e.call(tt.method, tt.path, o.adminToken, tt.body, header...)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %.300s", r.status, tt.status, r.body)
				}
				if tt.status < 400 {
					return
				}
				code, msg, field := r.errorBody(t)
				if code != tt.code || field != tt.field {
					t.Errorf("code %q field %q, want %q %q (message %q)", code, field, tt.code, tt.field, msg)
				}
				if strings.HasPrefix(msg, "error.") || strings.Contains(msg, "<no value>") {
					t.Errorf("message %q is not for people", msg)
				}
			})
		}
		if after := snapshot(t, s, o); after != before {
			t.Errorf("bad input changed the conversation:\nbefore %s\nafter  %s", before, after)
		}
		if after := snapshot(t, s, other); after != beforeOther {
			t.Errorf("bad input changed another organisation:\nbefore %s\nafter  %s", beforeOther, after)
		}
	})
}

// TestErrorLanguage checks that the API's own messages are translated.
func TestErrorLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		paths := []string{
			"/api/v1/conversations?limit=0",
			"/api/v1/conversations?status=done",
			"/api/v1/conversations?team=x",
			"/api/v1/conversations?assignee=x",
			"/api/v1/conversations?channel=fax",
			"/api/v1/conversations?nope=1",
			"/api/v1/conversations/abc",
			"/api/v1/conversations/1/messages?after_seq=x",
			"/api/v1/nothing-here",
		}
		for _, p := range paths {
			_, en, _ := e.call("GET", p, o.adminToken, "").errorBody(t)
			for _, lang := range []string{"it", "fr", "ar", "es"} {
				_, got, _ := e.call("GET", p, o.adminToken, "", "Accept-Language", lang).errorBody(t)
				if got == en {
					t.Errorf("%s in %s: %q is the English message", p, lang, got)
				}
			}
		}
		_, msg, _ := e.call("GET", "/api/v1/conversations", "", "", "Accept-Language", "it-IT,it;q=0.9").errorBody(t)
		if !strings.Contains(msg, "token") || msg == "" {
			t.Errorf("401 in Italian: %q", msg)
		}
	})
}

func TestNoRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		r := e.call("GET", "/api/v1/nothing-here", o.adminToken, "")
		if code, _, _ := r.errorBody(t); r.status != http.StatusNotFound || code != "not_found" {
			t.Errorf("unknown path: %d %s", r.status, r.body)
		}
		r = e.call("DELETE", fmt.Sprintf("/api/v1/conversations/%d", o.conversation), o.adminToken, "")
		if code, _, _ := r.errorBody(t); r.status != http.StatusMethodNotAllowed || code != "method_not_allowed" {
			t.Errorf("DELETE: %d %s", r.status, r.body)
		}
		if got := r.header.Get("Allow"); got != "GET, PATCH" {
			t.Errorf("Allow %q, want GET, PATCH", got)
		}
		if got := snapshot(t, s, o); !strings.Contains(got, "messages=1 ") {
			t.Errorf("DELETE changed something: %s", got)
		}
	})
}
