package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/api"
)

func TestAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		ctx := context.Background()
		revoked, tok, err := e.d.CreateAPIToken(ctx, o.org.ID, o.admin.ID, 0, "old")
		e.must(err)
		e.must(s.RevokeAPIToken(ctx, o.org.ID, tok.ID))
		gone := e.newUser(o.org.ID, "gone@alpha.example", "Gone", "operator", "")
		goneToken := e.token(o.org.ID, gone.ID)
		gone.Active = false
		e.must(s.UpdateUser(ctx, gone))

		before := snapshot(t, s, o)
		tests := []struct {
			name, authorization string
			invalid             bool // a token was sent: the challenge says invalid_token
		}{
			{"no header", "", false},
			{"another scheme", "Basic YWRtaW46YWRtaW4=", false},
			{"bearer without token", "Bearer ", false},
			{"the token alone", o.adminToken, false},
			{"unknown token", "Bearer spt_" + strings.Repeat("a", 52), true},
			{"truncated token", "Bearer " + o.adminToken[:20], true},
			{"huge token", "Bearer " + strings.Repeat("x", 5000), true},
			{"revoked token", "Bearer " + revoked, true},
			{"deactivated user", "Bearer " + goneToken, true},
		}
		for _, ep := range api.Endpoints() {
			if ep.Perm == api.Public {
				continue
			}
			path := strings.ReplaceAll(ep.Path, "{id}", "1")
			for _, tt := range tests {
				t.Run(ep.Method+" "+ep.Path+"/"+tt.name, func(t *testing.T) {
					r := e.call(ep.Method, path, "", bodyFor[ep.Method], "Authorization", tt.authorization)
					if r.status != http.StatusUnauthorized {
						t.Fatalf("status %d, want 401: %s", r.status, r.body)
					}
					want := `Bearer realm="sportello"`
					if tt.invalid {
						want += `, error="invalid_token"`
					}
					if got := r.header.Get("WWW-Authenticate"); got != want {
						t.Errorf("WWW-Authenticate %q, want %q", got, want)
					}
					if code, _, _ := r.errorBody(t); code != "unauthorized" {
						t.Errorf("code %q, want unauthorized", code)
					}
				})
			}
		}
		if after := snapshot(t, s, o); after != before {
			t.Errorf("unauthenticated requests changed data:\nbefore %s\nafter  %s", before, after)
		}

		// The scheme is case-insensitive (RFC 7235).
		var p page
		r := e.call("GET", "/api/v1/conversations", "", "", "Authorization", "bearer "+o.adminToken)
		if r.status != http.StatusOK {
			t.Fatalf("lower-case bearer: %d %s", r.status, r.body)
		}
		r.decode(t, &p)
		if len(p.Items) != 1 {
			t.Errorf("%d conversations, want 1", len(p.Items))
		}
	})
}
