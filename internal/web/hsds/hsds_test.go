package hsds_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	hsdsapi "github.com/sportello/sportello/internal/web/hsds"
)

type env struct {
	t    *testing.T
	s    *store.Store
	d    *desk.Service
	srv  *httptest.Server
	org  *model.Organization
	tok  string // an operator's token: sees confidential locations
	vtok string // a volunteer's token: does not
}

func newEnv(t *testing.T, s *store.Store) *env {
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	d, err := desk.New(s, log, desk.Options{PasswordParams: auth.TestPasswordParams()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	hsdsapi.New(d, b, log).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, s: s, d: d, srv: srv, org: &model.Organization{Slug: "rete", Name: "Rete Roma", Language: "it"}}
	if err := s.CreateOrganization(ctx, e.org); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		role model.Role
		tok  *string
	}{{model.RoleOperator, &e.tok}, {model.RoleVolunteer, &e.vtok}} {
		user := &model.User{OrgID: e.org.ID, Email: string(u.role) + "@rete.example", Name: string(u.role), Role: u.role, Active: true}
		if err := s.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		secret, _, err := d.CreateAPIToken(ctx, e.org.ID, user.ID, 0, "hsds")
		if err != nil {
			t.Fatal(err)
		}
		*u.tok = secret
	}
	return e
}

func (e *env) get(path, token string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Open Referral's service, imported, comes back from /services/{id} with
// every record it was imported with.
func TestHSDSServiceRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		data, err := os.ReadFile("../../hsds/testdata/openreferral/service_full.json")
		if err != nil {
			t.Fatal(err)
		}
		in, err := hsds.ParseJSON("service_full.json", data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDirectory(t.Context(), e.org.ID, in, store.ImportOptions{Lenient: true}); err != nil {
			t.Fatal(err)
		}
		code, body := e.get("/hsds/rete/", "")
		if code != 200 || !strings.Contains(body, `"version":"3.0.0"`) {
			t.Errorf("root: %d %s", code, body)
		}
		code, body = e.get("/hsds/rete/services/ac148810-d857-441c-9679-408f346de14b", "")
		if code != 200 {
			t.Fatalf("service: %d %s", code, body)
		}
		out, err := hsds.ParseJSON("api.json", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if d := hsds.Diff(in, out); len(d) > 0 {
			t.Errorf("the API's service differs from the import: %v", d)
		}
		code, body = e.get("/hsds/rete/services", "")
		var page struct {
			Total    int               `json:"total_items"`
			Empty    bool              `json:"empty"`
			Contents []json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil || page.Total != 1 || len(page.Contents) != 1 || page.Empty {
			t.Errorf("services page: %d %v %s", code, err, body)
		}
		if code, _ := e.get("/hsds/rete/services/nope", ""); code != 404 {
			t.Errorf("unknown service: %d", code)
		}
		if code, _ := e.get("/hsds/nobody/services", ""); code != 404 {
			t.Errorf("unknown organisation: %d", code)
		}
		if code, _ := e.get("/hsds/rete/services?per_page=0", ""); code != 400 {
			t.Errorf("bad per_page: %d", code)
		}
		for _, p := range []string{"/hsds/rete/organizations", "/hsds/rete/taxonomy_terms", "/hsds/rete/taxonomies", "/hsds/rete/service_at_locations"} {
			if code, body := e.get(p, ""); code != 200 || !strings.Contains(body, `"contents":[{`) {
				t.Errorf("%s: %d %s", p, code, body)
			}
		}
	})
}

// The demo directory through the API: search, language, paging, ndjson,
// modified_after; the shelter's address only for a token that may see it.
func TestHSDSSearchAndConfidential(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		set, err := demo.Directory(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDirectory(t.Context(), e.org.ID, set, store.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		count := func(path string) int {
			code, body := e.get(path, "")
			var page struct {
				Total int `json:"total_items"`
			}
			if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil {
				t.Fatalf("%s: %d %s", path, code, body)
			}
			return page.Total
		}
		for path, want := range map[string]int{
			"/hsds/rete/services":                                       6,
			"/hsds/rete/services?search=mensa":                          1,
			"/hsds/rete/services?language=ar":                           3,
			"/hsds/rete/services?taxonomy_term_id=legal":                1,
			"/hsds/rete/services?lat=41.8953&lon=12.5036&proximity=500": 2, // the legal desk and the clinic; the shelter is hidden
			"/hsds/rete/services?modified_after=2000-01-01T00:00:00Z":   6,
			"/hsds/rete/services?modified_after=2999-01-01T00:00:00Z":   0,
		} {
			if got := count(path); got != want {
				t.Errorf("%s: %d services, want %d", path, got, want)
			}
		}
		code, body := e.get("/hsds/rete/services?format=ndjson", "")
		if lines := strings.Count(strings.TrimSpace(body), "\n") + 1; code != 200 || lines != 6 {
			t.Errorf("ndjson: %d, %d lines", code, lines)
		}
		shelter := "/hsds/rete/services/b7f0c1a2-0001-4c5e-9a10-000000000003"
		for _, who := range []struct {
			name, token string
			sees        bool
		}{{"anyone", "", false}, {"a volunteer", e.vtok, false}, {"an operator", e.tok, true}} {
			code, body := e.get(shelter, who.token)
			if code != 200 {
				t.Fatalf("%s: %d %s", who.name, code, body)
			}
			if got := strings.Contains(body, "Via riservata") && strings.Contains(body, "41.8712"); got != who.sees {
				t.Errorf("%s sees the shelter's address: %v, want %v", who.name, got, who.sees)
			}
			if !strings.Contains(body, "800 290 290") {
				t.Errorf("%s does not see the helpline", who.name)
			}
		}
		if !strings.Contains(body, `"timezone":`) {
			t.Error("schedules exported without their UTC offset")
		}
		if code, _ := e.get("/hsds/rete/services", "spt_wrong"); code != 401 {
			t.Errorf("a wrong token: %d", code)
		}
	})
}
