package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func TestSessions(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, u := newTenant(t, s, "a")
		_, other := newTenant(t, s, "b")
		t0 := clock.Now()

		se := &model.Session{Hash: "s1", UserID: u.ID, OrgID: org.ID, CSRF: "c1", ExpiresAt: t0.Add(time.Hour), IP: "192.0.2.1", UserAgent: "Firefox"}
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		got, gotUser, err := s.Session(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		if *got != *se {
			t.Errorf("Session = %+v, want %+v", got, se)
		}
		if gotUser.ID != u.ID || gotUser.OrgID != org.ID || gotUser.Email != u.Email {
			t.Errorf("Session user = %+v, want %+v", gotUser, u)
		}

		err = s.CreateSession(ctx, &model.Session{Hash: "s2", UserID: other.ID, OrgID: org.ID, CSRF: "c", ExpiresAt: t0.Add(time.Hour)})
		wantCode(t, "session for another organisation's user", err, model.CodeNotFound)
		err = s.CreateSession(ctx, &model.Session{Hash: "s3", UserID: u.ID, OrgID: org.ID, CSRF: "c", ExpiresAt: t0})
		wantCode(t, "session that is born expired", err, model.CodeInternal)

		clock.Advance(59 * time.Minute)
		if err := s.ExtendSession(ctx, "s1", clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Minute) // past the first expiry, before the new one
		if _, _, err := s.Session(ctx, "s1"); err != nil {
			t.Errorf("extended session: %v", err)
		}

		clock.Advance(30 * time.Minute) // exactly at the new expiry
		_, _, err = s.Session(ctx, "s1")
		wantCode(t, "expired session", err, model.CodeNotFound)
		err = s.ExtendSession(ctx, "s1", clock.Now().Add(time.Hour))
		wantCode(t, "extending an expired session", err, model.CodeNotFound)

		live := &model.Session{Hash: "s4", UserID: u.ID, OrgID: org.ID, CSRF: "c4", ExpiresAt: clock.Now().Add(time.Hour)}
		if err := s.CreateSession(ctx, live); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpiredSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, want 1", n)
		}
		if _, _, err := s.Session(ctx, "s4"); err != nil {
			t.Errorf("live session after cleanup: %v", err)
		}

		if err := s.DeleteSession(ctx, "s4"); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Session(ctx, "s4")
		wantCode(t, "deleted session", err, model.CodeNotFound)
		if err := s.DeleteSession(ctx, "s4"); err != nil {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

func TestSessionOfInactiveUser(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, u := newTenant(t, s, "a")
		if err := s.CreateSession(ctx, &model.Session{Hash: "s", UserID: u.ID, OrgID: org.ID, CSRF: "c", ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		u.Active = false
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.Session(ctx, "s")
		wantCode(t, "session of a deactivated user", err, model.CodeNotFound)
	})
}

func TestCreateSessionClipsBrowserText(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, u := newTenant(t, s, "a")
		tests := []struct {
			name, ua, wantUA string
		}{
			{"plain", "Mozilla/5.0", "Mozilla/5.0"},
			{"cut inside a rune", "Mozilla \xc3", "Mozilla "},
			{"too long", strings.Repeat("é", 600), strings.Repeat("é", 500)},
		}
		for i, tt := range tests {
			se := &model.Session{Hash: fmt.Sprint("h", i), UserID: u.ID, OrgID: org.ID, CSRF: "c", ExpiresAt: clock.Now().Add(time.Hour), UserAgent: tt.ua}
			if err := s.CreateSession(ctx, se); err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			got, _, err := s.Session(ctx, se.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if got.UserAgent != tt.wantUA {
				t.Errorf("%s: user agent %q, want %q", tt.name, got.UserAgent, tt.wantUA)
			}
		}
	})
}
