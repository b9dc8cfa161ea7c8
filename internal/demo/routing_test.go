package demo_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestDemoRouting plays the story on the demo desk: a citizen
// writes in Arabic on the web chat at 18:05 on a Friday, gets the
// automatic reply in Arabic naming Monday 9:30, waits in the queue of
// what arrived while closed, and on Monday goes to Karim Benali, the
// Arabic-speaking mediator, first in line.
func TestDemoRouting(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			rome, _ := time.LoadLocation("Europe/Rome")
			friday := time.Date(2026, time.March, 6, 18, 5, 0, 0, rome)
			c := &clock{t: friday}
			s, err := store.Open(ctx, storetest.URL(t, e), store.Options{Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := demo.Load(ctx, s, options(friday))
			if err != nil {
				t.Fatal(err)
			}
			d, err := desk.New(s, slog.New(slog.DiscardHandler), desk.Options{Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			presence := d.NewPresence()
			web, err := s.DefaultChannel(ctx, res.Org.ID, model.ChannelWeb)
			if err != nil {
				t.Fatal(err)
			}
			in, err := d.ReceiveWeb(ctx, store.Inbound{OrgID: res.Org.ID, ChannelID: web.ID, Channel: model.ChannelWeb,
				From: model.Identity{Kind: model.IdentityWeb, Value: "wv-new-friday"}, Language: "ar",
				Body: "مساء الخير، لدي موعد في الكويستورا يوم الاثنين وأحتاج مساعدة", ProviderMessageID: "m1"}, "")
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := s.Messages(ctx, res.Org.ID, in.ConversationID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var reply *model.Message
			for _, m := range msgs {
				if m.Direction == model.DirectionOutbound && m.AuthorUserID == 0 {
					reply = m
				}
			}
			if reply == nil || !strings.Contains(reply.Body, "الاثنين") || !strings.Contains(reply.Body, "9:30") || !strings.Contains(reply.Body, "1522") {
				t.Fatalf("automatic reply %+v: want Arabic, Monday 9:30 and the emergency numbers", reply)
			}
			conv, err := s.Conversation(ctx, res.Org.ID, in.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			if conv.ArrivedClosedAt == nil || conv.AssigneeID != 0 || conv.NeedsMediator != "ar" || conv.FirstResponseDueAt == nil {
				t.Errorf("conversation %+v: want queued, unassigned, needing an Arabic mediator, with a due time", conv)
			}
			// Four business hours from Friday 18:05: Monday 13:30.
			if want := time.Date(2026, time.March, 9, 13, 30, 0, 0, rome); !conv.FirstResponseDueAt.Equal(want) {
				t.Errorf("first response due %v, want %v", conv.FirstResponseDueAt.In(rome), want)
			}
			karim, err := s.UserByEmail(ctx, res.Org.ID, "karim.benali@demo.sportello.local")
			if err != nil {
				t.Fatal(err)
			}
			c.set(time.Date(2026, time.March, 9, 9, 30, 0, 0, rome))
			teams, _ := s.TeamsOf(ctx, res.Org.ID, karim.ID)
			tab := presence.Join(&desk.Actor{User: karim, TeamIDs: teams})
			defer tab.Leave()
			if _, err := d.AssignWaiting(ctx, res.Org.ID); err != nil {
				t.Fatal(err)
			}
			conv, err = s.Conversation(ctx, res.Org.ID, in.ConversationID)
			if err != nil || conv.AssigneeID != karim.ID || conv.NeedsMediator != "" {
				t.Errorf("on Monday: assignee %d (%v), mediator %q; want Karim (%d)", conv.AssigneeID, err, conv.NeedsMediator, karim.ID)
			}
		})
	}
}
