package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestRoutingRulesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.newOrg("alpha")
		var rule struct {
			ID       int64 `json:"id"`
			Position int
			Keywords []string
			Language string
		}
		r := e.call("POST", "/api/v1/routing/rules", a.adminToken,
			fmt.Sprintf(`{"name": "Arabic", "language": "AR", "keywords": ["Sfratto"], "team_id": %d}`, a.team.ID))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		r.decode(t, &rule)
		if rule.Position != 1 || rule.Language != "ar" || len(rule.Keywords) != 1 || rule.Keywords[0] != "sfratto" {
			t.Errorf("created %s", r.body)
		}
		r = e.call("POST", "/api/v1/routing/rules", a.adminToken, fmt.Sprintf(`{"name": "Web", "channel": "web", "team_id": %d, "position": 1}`, a.team.ID))
		if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"position":1`) {
			t.Errorf("create at the top: %d %s", r.status, r.body)
		}
		r = e.call("PATCH", fmt.Sprintf("/api/v1/routing/rules/%d", rule.ID), a.adminToken, `{"disabled": true, "position": 1}`)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"position":1`) || !strings.Contains(string(r.body), `"disabled":true`) {
			t.Errorf("patch: %d %s", r.status, r.body)
		}
		for _, bad := range []struct{ body, field string }{
			{`{"name": "x"}`, "team_id"},
			{`{"team_id": 1}`, "name"},
			{fmt.Sprintf(`{"name": "x", "team_id": %d, "channel": "fax"}`, a.team.ID), "channel"},
			{fmt.Sprintf(`{"name": "x", "team_id": %d, "language": "not a language"}`, a.team.ID), "language"},
		} {
			r := e.call("POST", "/api/v1/routing/rules", a.adminToken, bad.body)
			if code, _, field := r.errorBody(t); r.status != http.StatusBadRequest || code != "invalid" || field != bad.field {
				t.Errorf("%s: %d %s", bad.body, r.status, r.body)
			}
		}
		if r := e.call("GET", "/api/v1/routing/rules", a.volToken, ""); r.status != http.StatusForbidden {
			t.Errorf("a volunteer lists the rules: %d", r.status)
		}
		r = e.call("GET", "/api/v1/routing/rules", a.adminToken, "")
		if r.status != http.StatusOK || strings.Index(string(r.body), `"Arabic"`) > strings.Index(string(r.body), `"Web"`) {
			t.Errorf("list: %s", r.body)
		}
	})
}

func TestHoursAndClosedQueueAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.newOrg("alpha")
		ctx := context.Background()
		day := `[{"start": "09:30", "end": "18:00"}]`
		e.must(s.SetCalendar(ctx, a.org.ID, store.CalendarRef{}, `{"time_zone": "Europe/Rome", "weekly": {"mon": `+day+`, "fri": `+day+`}}`))
		r := e.call("GET", "/api/v1/hours?at=2026-03-06T18:05:00%2B01:00", a.volToken, "")
		if r.status != http.StatusOK || string(r.body) != `{"open":false,"next_open":"2026-03-09T09:30:00+01:00"}`+"\n" {
			t.Errorf("hours: %d %s", r.status, r.body)
		}
		r = e.call("GET", fmt.Sprintf("/api/v1/hours?team=%d&at=2026-03-06T12:00:00Z", a.team.ID), a.volToken, "")
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"open":true`) {
			t.Errorf("hours of a team without its own: %d %s", r.status, r.body)
		}
		if r := e.call("GET", "/api/v1/hours?at=friday", a.volToken, ""); r.status != http.StatusBadRequest {
			t.Errorf("a malformed time: %d %s", r.status, r.body)
		}
		if r := e.call("GET", "/api/v1/hours?team=999999", a.volToken, ""); r.status != http.StatusNotFound {
			t.Errorf("another organisation's team: %d %s", r.status, r.body)
		}

		// The queue: two conversations that arrived while closed, oldest
		// first, and the one that did not stays out.
		older := e.inbound(a, "v-old", "Old", "first at night", "")
		newer := e.inbound(a, "v-new", "New", "second at night", "")
		e.must(mark(s, a.org.ID, older.ConversationID, "2026-03-06T19:00:00Z"))
		e.must(mark(s, a.org.ID, newer.ConversationID, "2026-03-07T09:00:00Z"))
		r = e.call("GET", "/api/v1/conversations?queue=closed", a.adminToken, "")
		var page struct {
			Items []struct {
				ID              int64  `json:"id"`
				ArrivedClosedAt string `json:"arrived_closed_at"`
			} `json:"items"`
		}
		r.decode(t, &page)
		if len(page.Items) != 2 || page.Items[0].ID != older.ConversationID || page.Items[1].ID != newer.ConversationID {
			t.Errorf("queue: %s", r.body)
		}
		if !strings.Contains(string(r.body), `"first_response_due_at":null`) {
			t.Errorf("the due times are not in the conversation JSON: %s", r.body)
		}
		if r := e.call("GET", "/api/v1/conversations?queue=open", a.adminToken, ""); r.status != http.StatusBadRequest {
			t.Errorf("an unknown queue: %d", r.status)
		}
	})
}

func mark(s *store.Store, orgID, id int64, at string) error {
	t, err := timeParse(at)
	if err != nil {
		return err
	}
	_, err = s.MarkArrivedClosed(context.Background(), orgID, id, t)
	return err
}

func TestTranslatedReplyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.newOrg("alpha")
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct{ Q, Source, Target string }
			decodeJSON(r, &req)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"translatedText": %q}`, "["+req.Source+">"+req.Target+"] "+req.Q)
		}))
		defer srv.Close()
		ctx := context.Background()
		admin := &desk.Actor{User: a.admin}
		e.must(e.d.SetTranslationSettings(ctx, admin, desk.TranslationSettings{Enabled: true, URL: srv.URL}))
		conv := e.inbound(a, "v-ar", "Fatima", "أحتاج مساعدة", "ar")
		path := fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ConversationID)
		r := e.call("POST", path, a.adminToken, `{"body": "Portate il passaporto", "translate_from": "it"}`)
		if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"body":"[it\u003ear] Portate il passaporto"`) ||
			!strings.Contains(string(r.body), `"original":{"language":"it","body":"Portate il passaporto"}`) {
			t.Errorf("translated reply: %d %s", r.status, r.body)
		}
		r = e.call("GET", path+"?translate_to=it", a.adminToken, "")
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"translation":{"language":"it","body":"[ar\u003eit] أحتاج مساعدة"}`) {
			t.Errorf("translated list: %d %s", r.status, r.body)
		}
	})
}

func timeParse(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

func decodeJSON(r *http.Request, v any) { _ = json.NewDecoder(r.Body).Decode(v) }
