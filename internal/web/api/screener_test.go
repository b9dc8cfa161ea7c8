package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// foggiaAid is a municipal rent support: residents who rent, with an
// ISEE up to 15,000 € from 2026 (a new figure), 150 € a month. What
// replaces "%s" is put in the parameter's first value.
const foggiaAid = `{
 "benefit": {"id": "contributo_affitto_foggia", "name": {"it": "Contributo affitto Comune di Foggia"},
  "legal": [{"reference": "Delibera G.C. Foggia n. 12/2026"}],
  "conditions": [
   {"question": "resident", "op": "=", "value": true, "holds": {"it": "Hai la residenza."}, "fails": {"it": "Serve la residenza."}},
   {"question": "isee", "op": "<=", "param": "foggia_isee_max", "holds": {"it": "ISEE entro {foggia_isee_max}."}, "fails": {"it": "ISEE oltre {foggia_isee_max}."}}],
  "amount": {"period": "month", "value": {"value": 150}},
  "next_steps": [{"text": {"it": "Domanda ai Servizi sociali."}, "directory": ["comune"]}]},
 "parameters": [{"id": "foggia_isee_max", "unit": "eur", "description": {"it": "Soglia ISEE"},
  "values": [{"from": "2026-01-01", "value": 15000, "reference": "Delibera G.C. Foggia n. 12/2026"}]}]
}`

func TestScreenerRulesOverTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("foggia")
		tok := o.adminToken

		if r := e.call("GET", "/api/v1/screener/overlay", o.volToken, ""); r.status != http.StatusForbidden {
			t.Errorf("a volunteer reads the rules: %d", r.status)
		}
		var ov struct {
			Revision int64
			Version  string
			Document map[string]any
		}
		e.get("/api/v1/screener/overlay", tok, &ov)
		if ov.Revision != 0 || !strings.HasPrefix(ov.Version, "2026.") {
			t.Fatalf("no rules yet: %+v", ov)
		}

		// Problems, located relative to the body; nothing is saved.
		for _, tc := range []struct {
			what, from, to, field string
		}{
			{"an unknown question", `"question": "resident"`, `"question": "residenza_foggia"`, "benefit.conditions[0].question"},
			{"no date", `"from": "2026-01-01"`, `"from": ""`, "parameters[0].values[0].from"},
			{"a threshold that is not a number", `"value": 15000`, `"value": "quindicimila"`, "parameters[0].values[0].value"},
			{"a built-in benefit's id", `"id": "contributo_affitto_foggia"`, `"id": "naspi"`, "benefit.id"},
			{"a built-in figure's id", `"id": "foggia_isee_max"`, `"id": "naspi_max"`, "parameters[0].id"},
		} {
			bad := strings.Replace(foggiaAid, tc.from, tc.to, 1)
			for _, path := range []string{"/api/v1/screener/aids", "/api/v1/screener/aids/check"} {
				r := e.call("POST", path, tok, bad)
				if r.status != http.StatusBadRequest {
					t.Fatalf("%s at %s: %d %s", tc.what, path, r.status, r.body)
				}
				if code, msg, field := r.errorBody(t); code != "invalid" || field != tc.field || msg == "" {
					t.Errorf("%s at %s: %s %q at %q, want %q", tc.what, path, code, msg, field, tc.field)
				}
			}
		}
		e.get("/api/v1/screener/overlay", tok, &ov)
		if ov.Revision != 0 {
			t.Fatalf("a refused aid was saved: %+v", ov)
		}

		// Check with a sample person, then add.
		check := strings.TrimSuffix(foggiaAid, "}") + `, "answers": {"resident": true, "isee": 20000}, "date": "2026-03-01", "lang": "it"}`
		r := e.call("POST", "/api/v1/screener/aids/check", tok, check)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"id":"contributo_affitto_foggia"`) || !strings.Contains(string(r.body), `"outcome":"not_eligible"`) ||
			!strings.Contains(string(r.body), "ISEE oltre 15.000") || !strings.Contains(string(r.body), `"version":"2026.1+draft"`) {
			t.Fatalf("check: %d %s", r.status, r.body)
		}
		r = e.call("POST", "/api/v1/screener/aids", tok, foggiaAid)
		if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"revision":1`) || !strings.Contains(string(r.body), "+local.1") {
			t.Fatalf("add: %d %s", r.status, r.body)
		}
		if r := e.call("POST", "/api/v1/screener/aids", tok, foggiaAid); r.status != http.StatusBadRequest {
			t.Errorf("the same aid twice: %d %s", r.status, r.body)
		}
		var list struct {
			Revision int64
			Items    []struct {
				Benefit    struct{ ID string }
				Parameters []struct{ ID string }
			}
		}
		e.get("/api/v1/screener/aids", tok, &list)
		if list.Revision != 1 || len(list.Items) != 1 || list.Items[0].Benefit.ID != "contributo_affitto_foggia" ||
			len(list.Items[0].Parameters) != 1 || list.Items[0].Parameters[0].ID != "foggia_isee_max" {
			t.Fatalf("aids: %+v", list)
		}

		// A stale revision is refused; the January update applies to the
		// aid's own figure.
		stale := `{"revision": 0,` + strings.TrimPrefix(foggiaAid, "{")
		if r := e.call("PUT", "/api/v1/screener/aids/contributo_affitto_foggia", tok, stale); r.status != http.StatusConflict {
			t.Errorf("a stale change: %d %s", r.status, r.body)
		}
		r = e.call("POST", "/api/v1/screener/values", tok, `{"revision": 1, "param": "foggia_isee_max", "from": "2027-01-01", "value": 16000, "reference": "Delibera 3/2027"}`)
		if r.status != http.StatusCreated || !strings.Contains(string(r.body), "16000") {
			t.Fatalf("a new value: %d %s", r.status, r.body)
		}
		if r := e.call("POST", "/api/v1/screener/values", tok, `{"param": "foggia_isee_max", "from": "2028-01-01", "value": 17000, "reference": ""}`); r.status != http.StatusBadRequest {
			t.Errorf("a value without its reference: %d %s", r.status, r.body)
		}
		r = e.call("PUT", "/api/v1/screener/aids/contributo_affitto_foggia", tok, strings.Replace(foggiaAid, `"value": 150`, `"value": 175`, 1))
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"revision":3`) {
			t.Fatalf("replace: %d %s", r.status, r.body)
		}
		stored, err := s.EligibilityOverlay(t.Context(), o.org.ID)
		if err != nil || !strings.Contains(stored.Document, "175") || !strings.Contains(stored.Document, "16000") {
			t.Fatalf("stored: %+v %v", stored, err)
		}

		// A figure the aid no longer reads goes, with its later values.
		literal := strings.Replace(strings.Replace(foggiaAid, `"param": "foggia_isee_max"`, `"value": 12000`, 1), "{foggia_isee_max}", "12.000 €", -1)
		literal = literal[:strings.Index(literal, `,
 "parameters"`)] + "\n}"
		r = e.call("PUT", "/api/v1/screener/aids/contributo_affitto_foggia", tok, literal)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"revision":4`) {
			t.Fatalf("replace without the figure: %d %s", r.status, r.body)
		}
		stored, err = s.EligibilityOverlay(t.Context(), o.org.ID)
		if err != nil || strings.Contains(stored.Document, "foggia_isee_max") || strings.Contains(stored.Document, "16000") || !strings.Contains(stored.Document, "12000") {
			t.Fatalf("stored without the figure: %+v %v", stored, err)
		}

		// The whole overlay: a broken one is located and refused.
		r = e.call("PUT", "/api/v1/screener/overlay", tok, `{"document": {"benefits": [{"id": "x", "name": {"it": "X"}, "legal": [{"reference": "L"}],
			"conditions": [{"question": "nope", "op": "=", "value": true, "holds": {"it": "a"}, "fails": {"it": "b"}}]}]}}`)
		if code, _, field := r.errorBody(t); r.status != http.StatusBadRequest || code != "invalid" || field != "benefits[x].conditions[0].question" {
			t.Errorf("a broken overlay: %d %s", r.status, r.body)
		}
		r = e.call("POST", "/api/v1/screener/overlay/check", tok, `{"document": {"base": "it-benefici"}, "answers": {"age": -3}}`)
		if code, _, field := r.errorBody(t); r.status != http.StatusBadRequest || code != "invalid" || field != "age" {
			t.Errorf("an impossible sample: %d %s", r.status, r.body)
		}

		// Remove.
		if r := e.call("DELETE", "/api/v1/screener/aids/contributo_affitto_foggia?revision=3", tok, ""); r.status != http.StatusConflict {
			t.Errorf("a stale removal: %d %s", r.status, r.body)
		}
		r = e.call("DELETE", "/api/v1/screener/aids/contributo_affitto_foggia?revision=4", tok, "")
		if r.status != http.StatusOK || strings.Contains(string(r.body), "foggia") {
			t.Fatalf("remove: %d %s", r.status, r.body)
		}
		if r := e.call("DELETE", "/api/v1/screener/aids/contributo_affitto_foggia", tok, ""); r.status != http.StatusNotFound {
			t.Errorf("remove again: %d %s", r.status, r.body)
		}
		entries, err := s.AuditLog(t.Context(), o.org.ID, 20, 0)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			if strings.HasPrefix(en.Action, "screener_") {
				actions = append(actions, en.Action)
			}
		}
		if got := strings.Join(actions, " "); got != "screener_aid_remove screener_aid_save screener_aid_save screener_overlay_save screener_aid_save" {
			t.Errorf("audited: %s", got)
		}
	})
}
