package desk_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestPresenceAcrossInstances: two app instances share one database. Karim's
// console is connected to the first; the second routes an Arabic chat to
// him, and does not hand his chats on while he is online there. When the
// first instance stops, he is offline for the second.
func TestPresenceAcrossInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSportello(t, s.Engine(), romeTime(2026, time.March, 10, 10, 0)) // Tuesday, open
		// newSportello's desk is the first instance, without sharing: make
		// both anew over its store, as two processes would be.
		open := func() *desk.Service {
			d, err := desk.New(w.s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams(),
				Now: w.clock.now, SharedPresence: true})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		first, second := open(), open()
		tab := first.NewPresence().Join(w.actor(t, w.karim))
		second.NewPresence() // no tabs here
		if err := first.FlushPresence(ctx, false); err != nil {
			t.Fatal(err)
		}

		res, err := second.ReceiveWeb(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.web.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "youssef"}, Language: "ar", Body: "مرحبا", ProviderMessageID: "y1"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if c := w.conv(t, res.ConversationID); c.AssigneeID != w.karim.ID {
			t.Fatalf("the second instance routed to %d, want Karim, online on the first", c.AssigneeID)
		}

		// His tab moves to the second instance (a reload through the load
		// balancer): the first sees him leave, yet must not hand his chat
		// on, for the second says he is there.
		tab.Leave()
		tab2 := second.NewPresence().Join(w.actor(t, w.karim))
		defer tab2.Leave()
		if err := second.FlushPresence(ctx, false); err != nil {
			t.Fatal(err)
		}
		if err := first.FlushPresence(ctx, false); err != nil {
			t.Fatal(err)
		}
		w.clock.add(5 * time.Minute)
		if err := second.FlushPresence(ctx, false); err != nil { // the second's heartbeat
			t.Fatal(err)
		}
		if n, err := first.ReassignOffline(ctx, 2*time.Minute); err != nil || n != 0 {
			t.Errorf("the first instance handed on %d chats (%v) of someone online on the second", n, err)
		}
		if c := w.conv(t, res.ConversationID); c.AssigneeID != w.karim.ID {
			t.Errorf("assignee now %d, want still Karim", c.AssigneeID)
		}

		// The second instance stops: nobody is online any more, and a new
		// Arabic chat waits for a mediator.
		tab2.Leave()
		if err := second.FlushPresence(ctx, true); err != nil {
			t.Fatal(err)
		}
		w.clock.add(5 * time.Second) // past the read cache
		res2, err := first.ReceiveWeb(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.web.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "ahmed"}, Language: "ar", Body: "السلام عليكم", ProviderMessageID: "a1"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if c := w.conv(t, res2.ConversationID); c.AssigneeID != 0 || c.NeedsMediator != "ar" {
			t.Errorf("with nobody online: assignee %d, mediator %q", c.AssigneeID, c.NeedsMediator)
		}
	})
}
