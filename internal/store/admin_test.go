package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// demote is a ChangeUser edit that makes the user an operator.
func demote(u *model.User) { u.Role = model.RoleOperator }

func auditAs(action string) func(before, after *model.User) []*model.AuditEntry {
	return func(before, after *model.User) []*model.AuditEntry {
		return []*model.AuditEntry{{Action: action, TargetType: "user", TargetID: after.ID, Detail: string(before.Role) + " → " + string(after.Role)}}
	}
}

func TestChangeUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, admin := newTenant(t, s, "a")
		orgB, adminB := newTenant(t, s, "b")

		// The only admin can be neither demoted nor deactivated; nothing
		// is written, not even the audit entry.
		for name, edit := range map[string]func(*model.User){
			"demote":     demote,
			"deactivate": func(u *model.User) { u.Active = false },
		} {
			_, err := s.ChangeUser(ctx, orgA.ID, admin.ID, edit, auditAs("x_"+name))
			if !errors.Is(err, store.ErrLastAdmin) {
				t.Errorf("%s the last admin: %v, want ErrLastAdmin", name, err)
			}
		}
		if log, _ := s.AuditEntries(ctx, orgA.ID, store.AuditFilter{}); len(log) != 0 {
			t.Errorf("refused changes wrote %d audit entries", len(log))
		}
		// Other changes of the last admin are fine.
		u, err := s.ChangeUser(ctx, orgA.ID, admin.ID, func(u *model.User) { u.Name = "Anna"; u.MaxChats = 3 }, auditAs("user_update"))
		if err != nil || u.Name != "Anna" || u.MaxChats != 3 || u.Role != model.RoleAdmin {
			t.Fatalf("rename the last admin: %+v, %v", u, err)
		}

		// Another organisation's user is not found, and not changed.
		if _, err := s.ChangeUser(ctx, orgA.ID, adminB.ID, func(u *model.User) { u.Name = "x" }, auditAs("x")); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("other organisation's user: %v, want not found", err)
		}
		if b, _ := s.User(ctx, orgB.ID, adminB.ID); b.Name != "Admin b" {
			t.Errorf("organisation B's admin became %q", b.Name)
		}

		// A validation error of the result, or of the edit, writes nothing.
		if _, err := s.ChangeUser(ctx, orgA.ID, admin.ID, func(u *model.User) { u.Role = "boss" }, auditAs("x")); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("unknown role: %v", err)
		}
		if _, err := s.ChangeUser(ctx, orgA.ID, admin.ID, func(u *model.User) { u.ID, u.OrgID, u.Email = 99, orgB.ID, "x@y.example" }, auditAs("x")); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(ctx, orgA.ID, admin.ID); got.Email != admin.Email || got.OrgID != orgA.ID {
			t.Errorf("an edit moved the user or changed their e-mail: %+v", got)
		}

		// With a second admin, one of them may step down, and the change
		// and its audit entry are written together.
		second := &model.User{OrgID: orgA.ID, Email: "second@a.example", Name: "Second", Role: model.RoleAdmin, Active: true}
		if err := s.CreateUser(ctx, second); err != nil {
			t.Fatal(err)
		}
		if u, err := s.ChangeUser(ctx, orgA.ID, second.ID, demote, auditAs("role_change")); err != nil || u.Role != model.RoleOperator {
			t.Fatalf("demote the second admin: %+v, %v", u, err)
		}
		log, err := s.AuditEntries(ctx, orgA.ID, store.AuditFilter{Action: "role_change"})
		if err != nil || len(log) != 1 || log[0].TargetID != second.ID || log[0].Detail != "admin → operator" {
			t.Fatalf("audit: %+v, %v", log, err)
		}
		// An inactive admin does not count.
		if _, err := s.ChangeUser(ctx, orgA.ID, second.ID, func(u *model.User) { u.Role, u.Active = model.RoleAdmin, false }, auditAs("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeUser(ctx, orgA.ID, admin.ID, demote, auditAs("x")); !errors.Is(err, store.ErrLastAdmin) {
			t.Errorf("demote the last active admin next to an inactive one: %v", err)
		}
	})
}

// TestChangeUserConcurrentDemotions has two admins demote each other at
// once, many times: one must always stay.
func TestChangeUserConcurrentDemotions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, a := newTenant(t, s, "a")
		b := &model.User{OrgID: org.ID, Email: "b@a.example", Name: "B", Role: model.RoleAdmin, Active: true}
		if err := s.CreateUser(ctx, b); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, id := range []int64{a.ID, b.ID} {
				wg.Go(func() { _, errs[i] = s.ChangeUser(ctx, org.ID, id, demote, auditAs("role_change")) })
			}
			wg.Wait()
			refused := 0
			for _, err := range errs {
				switch {
				case errors.Is(err, store.ErrLastAdmin):
					refused++
				case err != nil:
					t.Fatal(err)
				}
			}
			if refused != 1 {
				t.Fatalf("%d of two concurrent demotions refused, want 1", refused)
			}
			for _, u := range []*model.User{a, b} {
				if _, err := s.ChangeUser(ctx, org.ID, u.ID, func(u *model.User) { u.Role = model.RoleAdmin }, auditAs("role_change")); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func TestUpdateTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, admin := newTenant(t, s, "a")
		orgB, adminB := newTenant(t, s, "b")
		op := &model.User{OrgID: orgA.ID, Email: "op@a.example", Name: "Op", Role: model.RoleOperator, Active: true}
		if err := s.CreateUser(ctx, op); err != nil {
			t.Fatal(err)
		}
		team := &model.Team{OrgID: orgA.ID, Slug: "legal", Name: "Legal", MemberIDs: []int64{admin.ID}}
		if err := s.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		team.Name, team.MemberIDs = "Legal desk", []int64{op.ID}
		if err := s.UpdateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		got, err := s.Team(ctx, orgA.ID, team.ID)
		if err != nil || got.Name != "Legal desk" || !slices.Equal(got.MemberIDs, []int64{op.ID}) {
			t.Fatalf("team: %+v, %v", got, err)
		}

		// A user of B, an empty name or B's view of the team change nothing.
		for _, bad := range []*model.Team{
			{ID: team.ID, OrgID: orgA.ID, Name: "X", MemberIDs: []int64{adminB.ID}},
			{ID: team.ID, OrgID: orgA.ID, Name: " "},
		} {
			if err := s.UpdateTeam(ctx, bad); model.ErrorCode(err) != model.CodeInvalid {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
		if err := s.UpdateTeam(ctx, &model.Team{ID: team.ID, OrgID: orgB.ID, Name: "Mine"}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B renaming A's team: %v, want not found", err)
		}
		if got, _ := s.Team(ctx, orgA.ID, team.ID); got.Name != "Legal desk" || !slices.Equal(got.MemberIDs, []int64{op.ID}) {
			t.Errorf("after refused updates: %+v", got)
		}
	})
}

func TestAuditEntriesFilter(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		orgA, u := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")
		for i, action := range []string{"login", "role_change", "login", "role_change", "login"} {
			clock.Advance(time.Second)
			if err := s.Audit(ctx, &model.AuditEntry{OrgID: orgA.ID, ActorID: u.ID, Action: action, Detail: string(rune('a' + i))}); err != nil {
				t.Fatal(err)
			}
		}
		bEntry := &model.AuditEntry{OrgID: orgB.ID, Action: "login"}
		if err := s.Audit(ctx, bEntry); err != nil {
			t.Fatal(err)
		}
		details := func(es []*model.AuditEntry) string {
			out := ""
			for _, e := range es {
				out += e.Detail
			}
			return out
		}
		page, err := s.AuditEntries(ctx, orgA.ID, store.AuditFilter{Action: "login", Limit: 2})
		if err != nil || details(page) != "ec" {
			t.Fatalf("first page of logins: %q, %v", details(page), err)
		}
		page, err = s.AuditEntries(ctx, orgA.ID, store.AuditFilter{Action: "login", Limit: 2, BeforeID: page[1].ID})
		if err != nil || details(page) != "a" {
			t.Fatalf("second page of logins: %q, %v", details(page), err)
		}
		if page, _ := s.AuditEntries(ctx, orgA.ID, store.AuditFilter{}); details(page) != "edcba" {
			t.Errorf("everything: %q", details(page))
		}
		if page, _ := s.AuditEntries(ctx, orgA.ID, store.AuditFilter{BeforeID: bEntry.ID}); len(page) != 0 {
			t.Errorf("before B's entry: %d entries, want none", len(page))
		}
		if page, _ := s.AuditEntries(ctx, orgA.ID, store.AuditFilter{Action: "nothing"}); len(page) != 0 {
			t.Errorf("unknown action: %d entries", len(page))
		}
	})
}
