package desk_test

import (
	"context"
	"errors"
	"github.com/sportello/sportello/internal/realtime"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type world struct {
	d     *desk.Service
	s     *store.Store
	org   *model.Organization
	users map[model.Role]*model.User
	team  *model.Team
	ch    *model.Channel
	clock *clock
}

const password = "correct horse battery"

func newWorld(t *testing.T, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Now()}
	d, err := desk.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams(), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, s: s, users: map[model.Role]*model.User{}, clock: c}
	w.org = &model.Organization{Slug: "desk", Name: "Desk"}
	if err := s.CreateOrganization(ctx, w.org); err != nil {
		t.Fatal(err)
	}
	hash, err := d.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range model.Roles {
		u := &model.User{OrgID: w.org.ID, Email: string(r) + "@desk.example", Name: string(r), Role: r, Active: true, PasswordHash: hash}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		w.users[r] = u
	}
	w.team = &model.Team{OrgID: w.org.ID, Slug: "legal", Name: "Legal", MemberIDs: []int64{w.users[model.RoleOperator].ID}}
	if err := s.CreateTeam(ctx, w.team); err != nil {
		t.Fatal(err)
	}
	if w.ch, err = s.DefaultChannel(ctx, w.org.ID, model.ChannelWeb); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) actor(t *testing.T, r model.Role) *desk.Actor {
	t.Helper()
	tok, _, err := w.d.CreateAPIToken(context.Background(), w.org.ID, w.users[r].ID, 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.d.TokenActor(context.Background(), tok, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (w *world) conversation(t *testing.T, from string, p store.ConversationPatch) int64 {
	t.Helper()
	ctx := context.Background()
	r, err := w.s.RecordInbound(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.ch.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: from}, Body: "help"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.UpdateConversation(ctx, w.org.ID, r.ConversationID, 0, p); err != nil {
		t.Fatal(err)
	}
	return r.ConversationID
}

func TestAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		u, err := w.d.Authenticate(ctx, "operator@desk.example", password, "10.0.0.1")
		if err != nil || u.ID != w.users[model.RoleOperator].ID {
			t.Fatalf("good password: got %v, %v", u, err)
		}
		if _, err := w.d.Authenticate(ctx, "nobody@desk.example", password, "10.0.0.1"); !errors.Is(err, desk.ErrBadCredentials) {
			t.Errorf("unknown e-mail: got %v", err)
		}
		for range 5 {
			if _, err := w.d.Authenticate(ctx, "admin@desk.example", "wrong password!", "10.0.0.2"); !errors.Is(err, desk.ErrBadCredentials) {
				t.Fatalf("wrong password: got %v", err)
			}
		}
		var rl *desk.RateLimitError
		if _, err := w.d.Authenticate(ctx, "admin@desk.example", password, "10.0.0.3"); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
			t.Fatalf("sixth try: got %v, want rate limited even with the right password", err)
		}
		w.clock.add(16 * time.Minute)
		if _, err := w.d.Authenticate(ctx, "admin@desk.example", password, "10.0.0.3"); err != nil {
			t.Errorf("after the window: got %v", err)
		}
		log, err := s.AuditLog(ctx, w.org.ID, 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		var logins, failures int
		for _, e := range log {
			switch e.Action {
			case "login":
				logins++
			case "login_failed":
				failures++
			}
		}
		if logins != 2 || failures != 5 {
			t.Errorf("audit: %d logins and %d failures, want 2 and 5", logins, failures)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		u := w.users[model.RoleMediator]
		tok, _, err := w.d.StartSession(ctx, u, "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		a, se, err := w.d.SessionActor(ctx, tok, "10.0.0.1")
		if err != nil || a.User.ID != u.ID || se.CSRF == "" {
			t.Fatalf("session: %v %v", a, err)
		}
		other, _, err := w.d.StartSession(ctx, u, "10.0.0.9", "other")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.d.ChangePassword(ctx, a, "wrong", "a brand new password", tok); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("wrong current password: got %v", err)
		}
		if err := w.d.ChangePassword(ctx, a, password, "a brand new password", tok); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.d.SessionActor(ctx, other, ""); !errors.Is(err, desk.ErrUnauthenticated) {
			t.Errorf("other session after password change: got %v, want ended", err)
		}
		if _, _, err := w.d.SessionActor(ctx, tok, ""); err != nil {
			t.Errorf("own session after password change: got %v, want kept", err)
		}
		if err := w.d.EndSession(ctx, a, tok); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.d.SessionActor(ctx, tok, ""); !errors.Is(err, desk.ErrUnauthenticated) {
			t.Errorf("after logout: got %v", err)
		}
		// A session in use slides; an idle one ends after 12 hours.
		busy, _, err := w.d.StartSession(ctx, u, "", "")
		if err != nil {
			t.Fatal(err)
		}
		idle, _, err := w.d.StartSession(ctx, u, "", "")
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			w.clock.add(7 * time.Hour)
			if _, _, err := w.d.SessionActor(ctx, busy, ""); err != nil {
				t.Fatalf("session in use ended: %v", err)
			}
		}
		if _, _, err := w.d.SessionActor(ctx, idle, ""); !errors.Is(err, desk.ErrUnauthenticated) {
			t.Errorf("idle session after 21 hours: got %v, want ended", err)
		}
	})
}

func TestVisibilityByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		teamID, vol := w.team.ID, w.users[model.RoleVolunteer].ID
		yes := true
		unassigned := w.conversation(t, "v1", store.ConversationPatch{})
		inTeam := w.conversation(t, "v2", store.ConversationPatch{TeamID: &teamID})
		otherTeam := &model.Team{OrgID: w.org.ID, Slug: "other", Name: "Other"}
		if err := s.CreateTeam(ctx, otherTeam); err != nil {
			t.Fatal(err)
		}
		inOther := w.conversation(t, "v3", store.ConversationPatch{TeamID: &otherTeam.ID})
		volunteers := w.conversation(t, "v4", store.ConversationPatch{AssigneeID: &vol})
		restricted := w.conversation(t, "v5", store.ConversationPatch{TeamID: &teamID, Restricted: &yes})
		want := map[model.Role][]int64{
			model.RoleAdmin:       {unassigned, inTeam, inOther, volunteers, restricted},
			model.RoleCoordinator: {unassigned, inTeam, inOther, volunteers, restricted},
			// Work of no team belongs to the whole desk, whoever holds it.
			model.RoleOperator:  {unassigned, inTeam, volunteers},
			model.RoleMediator:  {unassigned, volunteers},
			model.RoleVolunteer: {volunteers},
		}
		all := []int64{unassigned, inTeam, inOther, volunteers, restricted}
		for role, ids := range want {
			a := w.actor(t, role)
			list, _, err := w.d.Conversations(ctx, a, store.ConversationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, c := range list {
				got[c.ID] = true
			}
			for _, id := range all {
				should := contains(ids, id)
				if got[id] != should {
					t.Errorf("%s lists conversation %d: %v, want %v", role, id, got[id], should)
				}
				_, err := w.d.Conversation(ctx, a, id)
				if (err == nil) != should {
					t.Errorf("%s opens conversation %d: err %v, want visible %v", role, id, err, should)
				}
			}
		}
		// Opening the restricted case is audited.
		if _, err := w.d.Conversation(ctx, w.actor(t, model.RoleCoordinator), restricted); err != nil {
			t.Fatal(err)
		}
		log, _ := s.AuditLog(ctx, w.org.ID, 100, 0)
		found := false
		for _, e := range log {
			found = found || e.Action == "restricted_open" && e.TargetID == restricted
		}
		if !found {
			t.Error("opening a restricted case was not audited")
		}
	})
}

func TestUpdatePermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		id := w.conversation(t, "v1", store.ConversationPatch{})
		med := w.actor(t, model.RoleMediator)
		self := med.User.ID
		if _, err := w.d.Update(ctx, med, id, store.ConversationPatch{AssigneeID: &self}); err != nil {
			t.Errorf("mediator takes a conversation: %v", err)
		}
		other := w.users[model.RoleOperator].ID
		if _, err := w.d.Update(ctx, med, id, store.ConversationPatch{AssigneeID: &other}); model.ErrorCode(err) != model.CodeForbidden {
			t.Errorf("mediator assigns to someone else: got %v, want forbidden", err)
		}
		yes := true
		if _, err := w.d.Update(ctx, w.actor(t, model.RoleOperator), id, store.ConversationPatch{Restricted: &yes}); err == nil {
			t.Error("operator restricted a case")
		}
		vol := w.actor(t, model.RoleVolunteer)
		if err := w.d.Post(ctx, vol, id, &model.Message{Direction: model.DirectionOutbound, Body: "hi"}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("volunteer replies to an unassigned case: got %v, want not found", err)
		}
		// Setting what is already set writes no event.
		before, err := w.d.Messages(ctx, med, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.Update(ctx, med, id, store.ConversationPatch{AssigneeID: &self}); err != nil {
			t.Fatal(err)
		}
		after, err := w.d.Messages(ctx, med, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("a no-op update added %d timeline entries", len(after)-len(before))
		}
		note := &model.Message{Direction: model.DirectionNote, Body: "internal", ProviderMessageID: "forged", CreatedAt: time.Unix(0, 0)}
		if err := w.d.Post(ctx, med, id, note); err != nil {
			t.Fatal(err)
		}
		if note.ProviderMessageID != "" || note.CreatedAt.Year() < 2000 || note.AuthorUserID != med.User.ID {
			t.Errorf("client-set fields kept: %+v", note)
		}
	})
}

func contains(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func TestEventsAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		org := w.d.Hub().Subscribe(realtime.OrgTopic(w.org.ID))
		defer org.Close()
		in := store.Inbound{OrgID: w.org.ID, ChannelID: w.ch.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "v9"}, Body: "سلام", ProviderMessageID: "p1"}
		res, err := w.d.Receive(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		citizen := w.d.Hub().Subscribe(realtime.ConversationTopic(res.ConversationID))
		defer citizen.Close()
		if ev := <-org.C; ev.Type != "conversation" || ev.ConversationID != res.ConversationID {
			t.Errorf("first event: %+v, want the new conversation", ev)
		}
		if ev := <-org.C; ev.Type != "message" || ev.Seq != 1 || !strings.Contains(string(ev.Data), "سلام") {
			t.Errorf("second event: %+v, want the message", ev)
		}
		if _, err := w.d.Receive(ctx, in); err != nil { // redelivery: nothing published
			t.Fatal(err)
		}
		a := w.actor(t, model.RoleAdmin)
		if err := w.d.Post(ctx, a, res.ConversationID, &model.Message{Direction: model.DirectionNote, Body: "internal only"}); err != nil {
			t.Fatal(err)
		}
		if err := w.d.Post(ctx, a, res.ConversationID, &model.Message{Direction: model.DirectionOutbound, Body: "وعليكم السلام"}); err != nil {
			t.Fatal(err)
		}
		if ev := <-citizen.C; ev.Seq != 3 || strings.Contains(string(ev.Data), "internal only") {
			t.Errorf("citizen got %+v, want only the reply (seq 3)", ev)
		}
		if ev := <-org.C; ev.Seq != 2 {
			t.Errorf("console got seq %d, want the note (2) after the redelivery published nothing", ev.Seq)
		}
	})
}
