package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// stepClock is a clock that moves only when a test says so.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func newStepClock() *stepClock {
	return &stepClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// eachClocked is storetest.Each with a store whose clock the test drives.
func eachClocked(t *testing.T, fn func(t *testing.T, s *store.Store, clock *stepClock)) {
	t.Helper()
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			clock := newStepClock()
			s, err := store.Open(context.Background(), storetest.URL(t, e), store.Options{Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if _, err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			fn(t, s, clock)
		})
	}
}

// newTenant creates an organisation with one active admin.
func newTenant(t testing.TB, s *store.Store, slug string) (*model.Organization, *model.User) {
	t.Helper()
	ctx := context.Background()
	org := &model.Organization{Slug: slug, Name: "Org " + slug}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := &model.User{OrgID: org.ID, Email: "admin@" + slug + ".example", Name: "Admin " + slug, Role: model.RoleAdmin, Active: true}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return org, u
}

// wantCode fails the test unless err is a domain error with code.
func wantCode(t *testing.T, what string, err error, code model.Code) {
	t.Helper()
	if got := model.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func TestAPITokens(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		orgA, userA := newTenant(t, s, "a")
		_, userB := newTenant(t, s, "b")

		tok := &model.APIToken{OrgID: orgA.ID, UserID: userA.ID, Name: "CRM sync", Prefix: "spt_abcd", Hash: "hash-a"}
		if err := s.CreateAPIToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		gotTok, gotUser, err := s.APITokenByHash(ctx, "hash-a")
		if err != nil {
			t.Fatal(err)
		}
		if gotTok.ID != tok.ID || gotTok.OrgID != orgA.ID || gotTok.Name != "CRM sync" || gotTok.Prefix != "spt_abcd" {
			t.Errorf("APITokenByHash token = %+v, want %+v", gotTok, tok)
		}
		if !gotTok.CreatedAt.Equal(clock.Now()) || gotTok.LastUsedAt != nil || gotTok.RevokedAt != nil {
			t.Errorf("APITokenByHash times = %v %v %v, want %v nil nil", gotTok.CreatedAt, gotTok.LastUsedAt, gotTok.RevokedAt, clock.Now())
		}
		if gotUser.ID != userA.ID || gotUser.Email != userA.Email || gotUser.Role != model.RoleAdmin {
			t.Errorf("APITokenByHash user = %+v, want %+v", gotUser, userA)
		}

		_, _, err = s.APITokenByHash(ctx, "no-such-hash")
		wantCode(t, "unknown hash", err, model.CodeNotFound)

		// A user of organisation B cannot get a token of organisation A.
		err = s.CreateAPIToken(ctx, &model.APIToken{OrgID: orgA.ID, UserID: userB.ID, Name: "stolen", Prefix: "spt_x", Hash: "hash-x"})
		wantCode(t, "token for another organisation's user", err, model.CodeInvalid)
		if _, _, err := s.APITokenByHash(ctx, "hash-x"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("token for another organisation's user was stored: %v", err)
		}

		err = s.CreateAPIToken(ctx, &model.APIToken{OrgID: orgA.ID, UserID: userA.ID, Name: "again", Prefix: "spt_abcd", Hash: "hash-a"})
		wantCode(t, "duplicate hash", err, model.CodeConflict)

		if err := s.RevokeAPIToken(ctx, orgA.ID+1000, tok.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("RevokeAPIToken from another organisation: %v, want not found", err)
		}
		if _, _, err := s.APITokenByHash(ctx, "hash-a"); err != nil {
			t.Errorf("token stopped working after a foreign revocation: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, orgA.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.APITokenByHash(ctx, "hash-a")
		wantCode(t, "revoked token", err, model.CodeNotFound)
		clock.Advance(time.Hour)
		if err := s.RevokeAPIToken(ctx, orgA.ID, tok.ID); err != nil {
			t.Errorf("revoking twice: %v", err)
		}

		list, err := s.APITokens(ctx, orgA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(clock.Now().Add(-time.Hour)) {
			t.Errorf("APITokens = %+v, want the one token revoked at the first revocation", list)
		}
		if list, err := s.APITokens(ctx, orgA.ID+1000); err != nil || len(list) != 0 {
			t.Errorf("APITokens of another organisation = %v, %v, want none", list, err)
		}
	})
}

func TestAPITokenOfInactiveUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, u := newTenant(t, s, "a")
		if err := s.CreateAPIToken(ctx, &model.APIToken{OrgID: org.ID, UserID: u.ID, Name: "n", Prefix: "p", Hash: "h"}); err != nil {
			t.Fatal(err)
		}
		u.Active = false
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.APITokenByHash(ctx, "h")
		wantCode(t, "token of a deactivated user", err, model.CodeNotFound)
	})
}

func TestCreateAPITokenValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, u := newTenant(t, s, "a")
		long := make([]rune, 101)
		for i := range long {
			long[i] = 'x'
		}
		tests := []struct {
			name string
			tok  model.APIToken
			code model.Code
		}{
			{"empty name", model.APIToken{Name: " ", Prefix: "p", Hash: "h1"}, model.CodeInvalid},
			{"name too long", model.APIToken{Name: string(long), Prefix: "p", Hash: "h2"}, model.CodeInvalid},
			{"no hash", model.APIToken{Name: "n", Prefix: "p"}, model.CodeInternal},
			{"no such user", model.APIToken{Name: "n", Prefix: "p", Hash: "h3", UserID: -1}, model.CodeInvalid},
			{"name of 100 runes", model.APIToken{Name: string(long[:100]), Prefix: "p", Hash: "h4"}, ""},
		}
		for _, tt := range tests {
			tok := tt.tok
			tok.OrgID = org.ID
			if tok.UserID == 0 {
				tok.UserID = u.ID
			}
			wantCode(t, tt.name, s.CreateAPIToken(ctx, &tok), tt.code)
		}
	})
}

func TestTouchAPIToken(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, u := newTenant(t, s, "a")
		tok := &model.APIToken{OrgID: org.ID, UserID: u.ID, Name: "n", Prefix: "p", Hash: "h"}
		if err := s.CreateAPIToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		t0 := clock.Now()
		tests := []struct {
			at   time.Duration // after t0
			want time.Duration // last_used_at after t0
		}{
			{0, 0},                // first use is recorded
			{30 * time.Second, 0}, // within the minute: unchanged
			{time.Minute, 0},      // exactly a minute: still unchanged
			{time.Minute + time.Millisecond, time.Minute + time.Millisecond}, // past it: recorded
			{90 * time.Second, time.Minute + time.Millisecond},
		}
		for _, tt := range tests {
			if err := s.TouchAPIToken(ctx, tok.ID, t0.Add(tt.at)); err != nil {
				t.Fatal(err)
			}
			got, _, err := s.APITokenByHash(ctx, "h")
			if err != nil {
				t.Fatal(err)
			}
			if want := t0.Add(tt.want); got.LastUsedAt == nil || !got.LastUsedAt.Equal(want) {
				t.Errorf("after touch at +%v: last used %v, want %v", tt.at, got.LastUsedAt, want)
			}
		}
	})
}
