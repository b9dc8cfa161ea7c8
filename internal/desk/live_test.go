package desk_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// next returns the subscriber's next event. Publishing is synchronous, so
// an event the test caused is already there.
func next(t *testing.T, s *realtime.Sub) realtime.Event {
	t.Helper()
	select {
	case ev := <-s.C:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return realtime.Event{}
	}
}

// none fails when the subscriber holds an event.
func none(t *testing.T, what string, s *realtime.Sub) {
	t.Helper()
	select {
	case ev := <-s.C:
		t.Errorf("%s: unexpected event %s %s", what, ev.Type, ev.Data)
	default:
	}
}

func decode[T any](t *testing.T, ev realtime.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		t.Fatalf("%s event data %s: %v", ev.Type, ev.Data, err)
	}
	return v
}

func TestTyping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		id := w.conversation(t, "t1", store.ConversationPatch{})
		citizen := w.d.Hub().Subscribe(realtime.ConversationTopic(id))
		defer citizen.Close()
		staff := w.d.Hub().Subscribe(desk.StaffTopic(id))
		defer staff.Close()
		op := w.actor(t, model.RoleOperator)

		if err := w.d.Typing(ctx, op, id, false); err != nil {
			t.Fatal(err)
		}
		ev := next(t, citizen)
		if got := decode[desk.TypingEvent](t, ev); ev.Type != "typing" || !got.Operator || got.Name != "" || got.UserID != 0 {
			t.Errorf("citizen heard %s %s, want that an operator types, without a name", ev.Type, ev.Data)
		}
		ev = next(t, staff)
		if got := decode[desk.TypingEvent](t, ev); got.Name != op.User.Name || got.UserID != op.User.ID || got.Note {
			t.Errorf("staff heard %s, want the operator's name", ev.Data)
		}

		// A note is typed for the staff only.
		if err := w.d.Typing(ctx, op, id, true); err != nil {
			t.Fatal(err)
		}
		if got := decode[desk.TypingEvent](t, next(t, staff)); !got.Note || got.Name != op.User.Name {
			t.Errorf("staff heard %+v, want a note being typed", got)
		}
		none(t, "citizen after a note", citizen)

		// The citizen typing reaches the staff, never the citizen's topic.
		w.d.CitizenTyping(w.org.ID, id)
		if got := decode[desk.TypingEvent](t, next(t, staff)); !got.Citizen || got.Name != "" {
			t.Errorf("staff heard %+v, want the citizen typing", got)
		}
		none(t, "citizen after their own typing", citizen)

		// Someone who may not see the conversation cannot type in it.
		if err := w.d.Typing(ctx, w.actor(t, model.RoleVolunteer), id, false); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("volunteer typing in an unassigned conversation: %v, want not found", err)
		}
		none(t, "staff after a refused typing", staff)
		none(t, "citizen after a refused typing", citizen)
	})
}

func TestPresence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		org := w.d.Hub().Subscribe(realtime.OrgTopic(w.org.ID))
		defer org.Close()
		p := w.d.NewPresence()
		op := w.actor(t, model.RoleOperator)
		want := func(what string, status desk.PresenceStatus) {
			t.Helper()
			ev := next(t, org)
			got := decode[desk.PresenceEvent](t, ev)
			if ev.Type != "presence" || got.UserID != op.User.ID || got.Status != status {
				t.Errorf("%s: event %s %s, want %s", what, ev.Type, ev.Data, status)
			}
			if s := p.Status(op.User.ID); s != status {
				t.Errorf("%s: Status %s, want %s", what, s, status)
			}
		}
		if s := p.Status(op.User.ID); s != desk.Offline {
			t.Errorf("before any tab: %s", s)
		}
		first := p.Join(op)
		want("first tab", desk.Online)
		second := p.Join(op)
		none(t, "second tab: still online", org)

		first.SetAway(true)
		none(t, "one of two tabs idle: still online", org)
		second.SetAway(true)
		want("both tabs idle", desk.Away)
		second.SetAway(false)
		want("back at one tab", desk.Online)
		second.Leave()
		want("the active tab closed, the idle one left", desk.Away)
		if got := p.Statuses(w.org.ID); got[op.User.ID] != desk.Away || len(got) != 1 {
			t.Errorf("Statuses = %v", got)
		}
		if got := p.Statuses(w.org.ID + 1000); len(got) != 0 {
			t.Errorf("another organisation's statuses: %v", got)
		}
		first.Leave()
		want("last tab closed", desk.Offline)
		first.Leave() // twice is harmless
		first.SetAway(false)
		none(t, "after leaving", org)
		if got := p.Statuses(w.org.ID); len(got) != 0 {
			t.Errorf("Statuses after everyone left: %v", got)
		}
	})
}

func TestViewers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		id := w.conversation(t, "v1", store.ConversationPatch{})
		other := w.conversation(t, "v2", store.ConversationPatch{})
		staff := w.d.Hub().Subscribe(desk.StaffTopic(id))
		defer staff.Close()
		p := w.d.NewPresence()
		admin, coord := w.actor(t, model.RoleAdmin), w.actor(t, model.RoleCoordinator)
		names := func(ev realtime.Event) []string {
			t.Helper()
			if ev.Type != "viewers" || ev.ConversationID != id {
				t.Fatalf("event %s on conversation %d, want viewers of %d", ev.Type, ev.ConversationID, id)
			}
			var out []string
			for _, v := range decode[[]desk.Viewer](t, ev) {
				out = append(out, v.Name)
			}
			return out
		}
		wantNames := func(what string, got []string, want ...string) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: viewers %v, want %v", what, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: viewers %v, want %v", what, got, want)
					return
				}
			}
		}

		ta, tc := p.Join(admin), p.Join(coord)
		if err := ta.View(ctx, id); err != nil {
			t.Fatal(err)
		}
		wantNames("admin opens", names(next(t, staff)), "admin")
		if err := tc.View(ctx, id); err != nil {
			t.Fatal(err)
		}
		wantNames("coordinator opens too", names(next(t, staff)), "admin", "coordinator")
		again := p.Join(admin) // a second tab of the admin on the same conversation
		if err := again.View(ctx, id); err != nil {
			t.Fatal(err)
		}
		wantNames("admin's second tab", names(next(t, staff)), "admin", "coordinator")
		again.Leave()
		wantNames("admin's second tab closes", names(next(t, staff)), "admin", "coordinator")

		if err := tc.View(ctx, other); err != nil {
			t.Fatal(err)
		}
		wantNames("coordinator moves on", names(next(t, staff)), "admin")
		if got := tc.Viewing(); got != other {
			t.Errorf("coordinator's tab views %d, want %d", got, other)
		}

		// A volunteer cannot look at a conversation that is not theirs:
		// refused, and nobody is told they tried.
		tv := p.Join(w.actor(t, model.RoleVolunteer))
		if err := tv.View(ctx, id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("volunteer views an unassigned conversation: %v", err)
		}
		if tv.Viewing() != 0 {
			t.Errorf("volunteer's tab views %d after a refusal", tv.Viewing())
		}
		none(t, "after the volunteer's refusal", staff)

		ta.Leave()
		wantNames("admin leaves", names(next(t, staff)))
		if got := p.Viewers(id); len(got) != 0 {
			t.Errorf("Viewers after everyone left: %v", got)
		}
	})
}

func TestChatLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		hash, _ := w.d.HashPassword(password)
		karim := &model.User{OrgID: w.org.ID, Email: "karim@desk.example", Name: "Karim", Role: model.RoleMediator, Active: true, MaxChats: 2, PasswordHash: hash}
		if err := s.CreateUser(ctx, karim); err != nil {
			t.Fatal(err)
		}
		coord, op := w.actor(t, model.RoleCoordinator), w.actor(t, model.RoleOperator)
		a := w.conversation(t, "c1", store.ConversationPatch{})
		b := w.conversation(t, "c2", store.ConversationPatch{})
		c := w.conversation(t, "c3", store.ConversationPatch{})
		to := func(id int64) store.ConversationPatch { return store.ConversationPatch{AssigneeID: &id} }

		for _, id := range []int64{a, b} {
			if _, err := w.d.Update(ctx, op, id, to(karim.ID)); err != nil {
				t.Fatalf("assign within the limit: %v", err)
			}
		}
		if n, err := w.d.ActiveChats(ctx, w.org.ID, karim.ID); err != nil || n != 2 {
			t.Errorf("ActiveChats = %d, %v; want 2", n, err)
		}
		_, err := w.d.Update(ctx, op, c, to(karim.ID))
		e, ok := model.AsError(err)
		if !ok || e.Code != model.CodeConflict || e.Key != "error.max_chats" || e.Field != "assignee_id" || e.Args["Count"] != 2 || e.Args["Name"] != "Karim" {
			t.Fatalf("assign beyond the limit: %v, want a conflict on assignee_id naming Karim and 2", err)
		}
		if got, _ := s.Conversation(ctx, w.org.ID, c); got.AssigneeID != 0 {
			t.Error("the refused assignment was applied")
		}
		// Re-assigning what Karim already holds is no new chat.
		if _, err := w.d.Update(ctx, op, a, to(karim.ID)); err != nil {
			t.Errorf("same assignee again: %v", err)
		}
		// Only those allowed may override, and the override is audited.
		if _, err := w.d.UpdateOverLimit(ctx, op, c, to(karim.ID)); model.ErrorCode(err) != model.CodeForbidden {
			t.Errorf("operator overrides: %v, want forbidden", err)
		}
		if _, err := w.d.UpdateOverLimit(ctx, coord, c, to(karim.ID)); err != nil {
			t.Fatalf("coordinator overrides: %v", err)
		}
		log, _ := s.AuditLog(ctx, w.org.ID, 50, 0)
		audited := false
		for _, en := range log {
			audited = audited || en.Action == "assign_over_limit" && en.TargetID == c && en.ActorID == coord.User.ID
		}
		if !audited {
			t.Error("the override was not audited")
		}

		// Resolved and snoozed conversations do not count.
		resolved, snoozed := model.StatusResolved, model.StatusSnoozed
		later := time.Now().Add(time.Hour)
		if _, err := w.d.Update(ctx, coord, a, store.ConversationPatch{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.Update(ctx, coord, b, store.ConversationPatch{Status: &snoozed, SnoozedUntil: &later}); err != nil {
			t.Fatal(err)
		}
		d := w.conversation(t, "c4", store.ConversationPatch{})
		if _, err := w.d.Update(ctx, op, d, to(karim.ID)); err != nil {
			t.Errorf("assign after two chats ended: %v", err)
		}
		// Someone without a limit takes anything; clearing an assignee is
		// always allowed.
		zero := int64(0)
		if _, err := w.d.Update(ctx, op, d, store.ConversationPatch{AssigneeID: &zero}); err != nil {
			t.Errorf("unassign: %v", err)
		}
		if _, err := w.d.Update(ctx, op, d, to(op.User.ID)); err != nil {
			t.Errorf("operator without a limit takes it: %v", err)
		}
	})
}

func TestLiveActorDoesNotExtend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		u := w.users[model.RoleOperator]
		tok, _, err := w.d.StartSession(ctx, u, "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		a, se, err := w.d.LiveActor(ctx, tok, "10.0.0.1")
		if err != nil || a.User.ID != u.ID || se == nil {
			t.Fatalf("LiveActor: %v, %v", a, err)
		}
		// Checked every so often for 13 hours, the session still ends
		// after 12: an open tab is not activity.
		for range 13 {
			w.clock.add(time.Hour)
			_, _, err = w.d.LiveActor(ctx, tok, "")
		}
		if !errors.Is(err, desk.ErrUnauthenticated) {
			t.Errorf("after 13 hours: %v, want the session ended", err)
		}
		if _, _, err := w.d.LiveActor(ctx, "nope", ""); !errors.Is(err, desk.ErrUnauthenticated) {
			t.Errorf("unknown token: %v", err)
		}
	})
}
