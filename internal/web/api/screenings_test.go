package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// byRecord is the request of a route that names an organisation's record
// in its query or body rather than its path, against organisation o.
func byRecord(method, path string, o *org) (string, string, bool) {
	switch method + " " + path {
	case "GET /api/v1/screenings":
		return fmt.Sprintf("%s?conversation_id=%d", path, o.conversation), "", true
	case "POST /api/v1/screenings":
		return path, fmt.Sprintf(`{"conversation_id": %d, "answers": {"age": 40, "citizenship": "it"}}`, o.conversation), true
	}
	return "", "", false
}

// inQuery checks, for TestIsolation, a route whose record is in its query
// or body: with A's record it works, with B's it finds nothing and says
// nothing of B. It reports whether the route was one of those.
func inQuery(t *testing.T, e *env, method, path string, a, b *org, secrets [][]byte) bool {
	t.Helper()
	p, body, ok := byRecord(method, path, a)
	if !ok {
		return false
	}
	if r := e.call(method, p, a.adminToken, body); r.status >= 300 {
		t.Fatalf("with A's own record: status %d: %s", r.status, r.body)
	}
	p, body, _ = byRecord(method, path, b)
	r := e.call(method, p, a.adminToken, body)
	for _, sec := range secrets {
		if bytes.Contains(r.body, sec) {
			t.Errorf("answer carries organisation B's %q: %s", sec, r.body)
		}
	}
	if r.status != http.StatusNotFound {
		t.Fatalf("with B's record: status %d, want 404: %s", r.status, r.body)
	}
	if code, _, _ := r.errorBody(t); code != "not_found" {
		t.Errorf("code %q, want not_found", code)
	}
	return true
}

type apiScreening struct {
	ID             int64
	ConversationID int64 `json:"conversation_id"`
	Questionnaire  string
	Version        string
	Date           string
	Lang           string
	Source         string
	CreatedBy      *int64 `json:"created_by"`
	Answers        map[string]any
	Outcomes       []struct {
		Benefit, Outcome string
		Max              *int64 `json:"amount_max_cents"`
	}
	Result struct {
		Notice   string
		Benefits []struct {
			ID, Outcome string
			Explanation []struct{ Status, Text string }
		}
	}
}

func TestScreeningsRecordAndList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.newOrg("alpha")
		body := fmt.Sprintf(`{"conversation_id": %d, "date": "2026-03-01", "lang": "en", "answers": {"age": 34, "citizenship": "it",
			"resident": true, "residence_years": 34, "continuous_years": 34, "household": {"size": 3, "minors": 2},
			"isee": 8000, "family_income": 3000, "rent": true, "utility_contract": true, "lost_job": false}}`, a.conversation)
		r := e.call("POST", "/api/v1/screenings", a.adminToken, body)
		if r.status != http.StatusCreated {
			t.Fatalf("POST: %d %s", r.status, r.body)
		}
		var got apiScreening
		r.decode(t, &got)
		if got.Questionnaire != "it-benefici" || got.Version == "" || got.Date != "2026-03-01" || got.Lang != "en" || got.Source != "api" {
			t.Errorf("recorded %+v", got)
		}
		if got.CreatedBy == nil || *got.CreatedBy != a.admin.ID {
			t.Errorf("created_by %v, want the token's user %d", got.CreatedBy, a.admin.ID)
		}
		if len(got.Outcomes) == 0 || len(got.Outcomes) != len(got.Result.Benefits) || got.Result.Notice == "" {
			t.Fatalf("outcomes %d, result benefits %d, notice %q", len(got.Outcomes), len(got.Result.Benefits), got.Result.Notice)
		}
		likely := map[string]bool{}
		for _, o := range got.Outcomes {
			likely[o.Benefit] = o.Outcome == "likely_eligible"
		}
		if !likely["assegno_unico"] {
			t.Errorf("assegno_unico not likely for a family with two children and ISEE 8000: %+v", got.Outcomes)
		}

		var list struct{ Items []apiScreening }
		e.get(fmt.Sprintf("/api/v1/screenings?conversation_id=%d", a.conversation), a.adminToken, &list)
		if len(list.Items) != 1 || list.Items[0].ID != got.ID || list.Items[0].Answers["isee"] != 8000.0 {
			t.Errorf("list %+v", list.Items)
		}

		// An impossible answer is refused, naming the question.
		r = e.call("POST", "/api/v1/screenings", a.adminToken, fmt.Sprintf(`{"conversation_id": %d, "answers": {"age": 200}}`, a.conversation), "Accept-Language", "it")
		if r.status != http.StatusBadRequest {
			t.Fatalf("age 200: %d %s", r.status, r.body)
		}
		if code, msg, field := r.errorBody(t); code != "invalid" || field != "age" || !strings.Contains(msg, "130") {
			t.Errorf("age 200: %s %q %s", code, msg, field)
		}
		for _, tt := range []struct{ body, field string }{
			{fmt.Sprintf(`{"conversation_id": %d, "answers": {"household": {"size": 2, "minors": 2}}}`, a.conversation), "household.minors"},
			{fmt.Sprintf(`{"conversation_id": %d, "answers": {}, "date": "2999-01-01"}`, a.conversation), "date"},
			{fmt.Sprintf(`{"conversation_id": %d, "answers": {}, "date": "01/02/2026"}`, a.conversation), "date"},
			{`{"conversation_id": 0, "answers": {}}`, "conversation_id"},
			{fmt.Sprintf(`{"conversation_id": %d, "answers": {"nope": 1}}`, a.conversation), "nope"},
		} {
			r := e.call("POST", "/api/v1/screenings", a.adminToken, tt.body)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", tt.body, r.status, r.body)
				continue
			}
			if _, _, field := r.errorBody(t); field != tt.field {
				t.Errorf("%s: field %q, want %q", tt.body, field, tt.field)
			}
		}
		for _, q := range []string{"", "conversation_id=x", "conversation_id=1&conversation_id=2", "conv=1"} {
			if r := e.call("GET", "/api/v1/screenings?"+q, a.adminToken, ""); r.status != http.StatusBadRequest {
				t.Errorf("GET ?%s: %d, want 400", q, r.status)
			}
		}

		// A volunteer may not see an unassigned conversation: not found,
		// and may not record on it either.
		if r := e.call("GET", fmt.Sprintf("/api/v1/screenings?conversation_id=%d", a.conversation), a.volToken, ""); r.status != http.StatusNotFound {
			t.Errorf("volunteer GET: %d %s", r.status, r.body)
		}
		if r := e.call("POST", "/api/v1/screenings", a.volToken, body); r.status != http.StatusNotFound {
			t.Errorf("volunteer POST: %d %s", r.status, r.body)
		}
		var again struct{ Items []json.RawMessage }
		e.get(fmt.Sprintf("/api/v1/screenings?conversation_id=%d", a.conversation), a.adminToken, &again)
		if len(again.Items) != 1 {
			t.Errorf("after refused posts: %d results, want 1", len(again.Items))
		}
	})
}
