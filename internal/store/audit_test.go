package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func TestAuditLog(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		orgA, u := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")

		// Two entries share a millisecond: the id breaks the tie.
		steps := []time.Duration{0, time.Second, 0, time.Minute, time.Second}
		var ids []int64
		for i, d := range steps {
			clock.Advance(d)
			e := &model.AuditEntry{OrgID: orgA.ID, ActorID: u.ID, Action: "login", TargetType: "user", TargetID: u.ID, IP: "192.0.2.1", Detail: "step"}
			if i%2 == 1 {
				e.ActorID, e.TargetType, e.TargetID = 0, "", 0 // the system
			}
			if err := s.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		if err := s.Audit(ctx, &model.AuditEntry{OrgID: orgB.ID, Action: "login"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "entry without action", s.Audit(ctx, &model.AuditEntry{OrgID: orgA.ID}), model.CodeInvalid)
		outside := &model.AuditEntry{OrgID: orgB.ID, Action: "login_failed", Detail: "email=\xff" + strings.Repeat("x", 5000)}
		if err := s.Audit(ctx, outside); err != nil {
			t.Errorf("entry with an untidy detail: %v", err)
		}
		if want := "email=" + strings.Repeat("x", 3994); outside.Detail != want {
			t.Errorf("detail stored as %d bytes, want 4000 valid runes", len(outside.Detail))
		}

		newestFirst := slices.Clone(ids)
		slices.Reverse(newestFirst)
		tests := []struct {
			name     string
			limit    int
			beforeID int64
			want     []int64
		}{
			{"all", 0, 0, newestFirst},
			{"first page", 2, 0, newestFirst[:2]},
			{"second page", 2, newestFirst[1], newestFirst[2:4]},
			{"last page", 2, newestFirst[3], newestFirst[4:]},
			{"past the end", 2, newestFirst[4], nil},
		}
		for _, tt := range tests {
			got, err := s.AuditLog(ctx, orgA.ID, tt.limit, tt.beforeID)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for _, e := range got {
				gotIDs = append(gotIDs, e.ID)
				if e.OrgID != orgA.ID {
					t.Errorf("%s: entry %d of organisation %d", tt.name, e.ID, e.OrgID)
				}
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("%s: ids %v, want %v", tt.name, gotIDs, tt.want)
			}
		}

		all, err := s.AuditLog(ctx, orgA.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		first, system := all[len(all)-1], all[len(all)-2]
		if first.ActorID != u.ID || first.TargetType != "user" || first.TargetID != u.ID || first.IP != "192.0.2.1" ||
			!first.CreatedAt.Equal(clock.Now().Add(-time.Minute-2*time.Second)) {
			t.Errorf("oldest entry = %+v", first)
		}
		if system.ActorID != 0 || system.TargetID != 0 {
			t.Errorf("system entry = %+v, want no actor and no target", system)
		}

		// A cursor of another organisation leaks nothing.
		bIDs, err := s.AuditLog(ctx, orgB.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.AuditLog(ctx, orgA.ID, 10, bIDs[0].ID); err != nil || len(got) != 0 {
			t.Errorf("AuditLog with another organisation's cursor = %v, %v, want nothing", got, err)
		}
	})
}
