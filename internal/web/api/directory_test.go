package api_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// Through the API: a broken HSDS document is refused with every problem;
// Open Referral's service imports; the directory is searched; a referral
// goes from one organisation to another and back.
func TestDirectoryAndReferralsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a, b := e.newOrg("alpha"), e.newOrg("bravo")

		r := e.call("POST", "/api/v1/directory/import", a.adminToken, `[{"id":"s1","name":"Mensa","status":"often","organization_id":"o9"},
			{"id":"l1","location_type":"physical","latitude":123,"longitude":9}]`)
		var bad struct {
			Problems []struct{ Where, Field, Code string }
		}
		r.decode(t, &bad)
		if r.status != http.StatusBadRequest || len(bad.Problems) != 3 {
			t.Fatalf("broken import: %d %s", r.status, r.body)
		}
		for i, want := range []string{"body $[0] status enum", "body $[0] organization_id reference", "body $[1] latitude coordinates"} {
			if got := bad.Problems[i].Where + " " + bad.Problems[i].Field + " " + bad.Problems[i].Code; got != want {
				t.Errorf("problem %d: %q, want %q", i, got, want)
			}
		}
		data, err := os.ReadFile("../../hsds/testdata/openreferral/service_full.json")
		if err != nil {
			t.Fatal(err)
		}
		if r := e.call("POST", "/api/v1/directory/import?lenient=true", a.volToken, string(data)); r.status != http.StatusForbidden {
			t.Errorf("a volunteer imports: %d", r.status)
		}
		r = e.call("POST", "/api/v1/directory/import?lenient=true", a.adminToken, string(data))
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"services":1`) {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		r = e.call("GET", "/api/v1/directory/services?q=counselling&language=ur", a.volToken, "")
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"total":1`) {
			t.Errorf("search: %d %s", r.status, r.body)
		}
		if r := e.call("GET", "/api/v1/directory/services?lat=91&lon=0", a.volToken, ""); r.status != http.StatusBadRequest {
			t.Errorf("impossible position: %d", r.status)
		}
		if r := e.call("GET", "/api/v1/directory/export", a.adminToken, ""); r.status != http.StatusOK || !strings.Contains(string(r.body), "Community Counselling") {
			t.Errorf("export: %d", r.status)
		}

		// A refers its case to B, on this desk.
		body := fmt.Sprintf(`{"conversation_id": %d, "partner_slug": "bravo", "reason": "Casa", "share": ["name"]}`, a.conversation)
		if r := e.call("POST", "/api/v1/referrals", a.adminToken, body); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"consent"`) {
			t.Fatalf("without consent: %d %s", r.status, r.body)
		}
		body = strings.Replace(body, `"share"`, `"consent_given": true, "share"`, 1)
		r = e.call("POST", "/api/v1/referrals", a.adminToken, body)
		var ref struct {
			ID     int64
			Status string
			Fields struct{ Name string }
		}
		r.decode(t, &ref)
		if r.status != http.StatusCreated || ref.Status != "sent" || ref.Fields.Name != a.contactName {
			t.Fatalf("referral: %d %s", r.status, r.body)
		}
		r = e.call("GET", "/api/v1/referrals?direction=received", b.adminToken, "")
		if !strings.Contains(string(r.body), `"organization":"Org alpha"`) || strings.Contains(string(r.body), "conversation_id") {
			t.Errorf("B's received list: %s", r.body)
		}
		path := fmt.Sprintf("/api/v1/referrals/%d/status", ref.ID)
		if r := e.call("POST", path, b.adminToken, `{"direction": "received", "status": "accepted", "note": "Presa in carico"}`); r.status != http.StatusOK {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		if r := e.call("POST", path, b.adminToken, `{"direction": "received", "status": "accepted"}`); r.status != http.StatusConflict {
			t.Errorf("accepted twice: %d %s", r.status, r.body)
		}
		if r := e.call("POST", path, b.adminToken, `{"direction": "received", "status": "completed", "note": "Fatto"}`); r.status != http.StatusOK {
			t.Fatalf("complete: %d %s", r.status, r.body)
		}
		r = e.call("GET", fmt.Sprintf("/api/v1/referrals/%d", ref.ID), a.adminToken, "")
		if !strings.Contains(string(r.body), `"status":"completed"`) || !strings.Contains(string(r.body), "Presa in carico") {
			t.Errorf("A's view: %s", r.body)
		}
		r = e.call("GET", fmt.Sprintf("/api/v1/conversations/%d/messages", a.conversation), a.adminToken, "")
		if !strings.Contains(string(r.body), "Fatto") {
			t.Errorf("the note did not come back to the case: %s", r.body)
		}
	})
}
