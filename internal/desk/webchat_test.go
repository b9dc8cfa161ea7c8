package desk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// webEvent waits for sub's next event.
func webEvent(t *testing.T, sub *realtime.Sub) realtime.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return realtime.Event{}
}

// noWebEvent fails if sub has an event waiting. Events are published before the
// publishing call returns, so nothing can still be on its way.
func noWebEvent(t *testing.T, sub *realtime.Sub, what string) {
	t.Helper()
	select {
	case ev := <-sub.C:
		t.Errorf("%s: unexpected event %+v", what, ev)
	default:
	}
}

func TestReceiveWebSetsTheSubjectOfANewConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		org := w.d.Hub().Subscribe(realtime.OrgTopic(w.org.ID))
		defer org.Close()
		in := store.Inbound{OrgID: w.org.ID, ChannelID: w.ch.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "v1"}, Body: "ciao", ProviderMessageID: "v1:c1"}
		res, err := w.d.ReceiveWeb(ctx, in, "Permesso di soggiorno")
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Conversation(ctx, w.org.ID, res.ConversationID)
		if err != nil || c.Subject != "Permesso di soggiorno" {
			t.Fatalf("new conversation: %+v, %v; want the topic as subject", c, err)
		}
		types := []string{webEvent(t, org).Type, webEvent(t, org).Type, webEvent(t, org).Type}
		if types[0] != "conversation" || types[1] != "message" || types[2] != "conversation" {
			t.Errorf("events %q, want the new conversation, the message, then its subject", types)
		}
		in.ProviderMessageID, in.Body = "v1:c2", "ancora"
		if _, err := w.d.ReceiveWeb(ctx, in, "Lavoro"); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.Conversation(ctx, w.org.ID, res.ConversationID); c.Subject != "Permesso di soggiorno" {
			t.Errorf("a later message changed the subject to %q", c.Subject)
		}
	})
}

func TestDeliveryMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		conv := w.conversation(t, "v1", store.ConversationPatch{})
		a := w.actor(t, model.RoleAdmin)
		for _, body := range []string{"uno", "due"} {
			if err := w.d.Post(ctx, a, conv, &model.Message{Direction: model.DirectionOutbound, Body: body}); err != nil {
				t.Fatal(err)
			}
		}
		org := w.d.Hub().Subscribe(realtime.OrgTopic(w.org.ID))
		defer org.Close()
		citizen := w.d.Hub().Subscribe(realtime.ConversationTopic(conv))
		defer citizen.Close()

		if err := w.d.VisitorReceived(ctx, w.org.ID, conv, 3); err != nil {
			t.Fatal(err)
		}
		if err := w.d.VisitorRead(ctx, w.org.ID, conv, 2); err != nil {
			t.Fatal(err)
		}
		var got []string
		for range 2 {
			ev := webEvent(t, org)
			var d struct {
				Direction, Status string
				UpToSeq           int64 `json:"up_to_seq"`
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil || ev.Type != "delivery" || ev.ConversationID != conv {
				t.Fatalf("event %+v: %v", ev, err)
			}
			got = append(got, fmt.Sprintf("%s %s %d", d.Direction, d.Status, d.UpToSeq))
		}
		if got[0] != "outbound delivered 3" || got[1] != "outbound read 2" {
			t.Errorf("delivery events %q", got)
		}
		// Reporting again what is already known writes and says nothing.
		if err := w.d.VisitorRead(ctx, w.org.ID, conv, 2); err != nil {
			t.Fatal(err)
		}
		noWebEvent(t, org, "a repeated read")
		noWebEvent(t, citizen, "replies read")
		ms, err := s.Messages(ctx, w.org.ID, conv, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ms[1].DeliveryStatus != model.DeliveryRead || ms[2].DeliveryStatus != model.DeliveryDelivered {
			t.Errorf("statuses %q and %q, want read and delivered", ms[1].DeliveryStatus, ms[2].DeliveryStatus)
		}

		// The desk reading the citizen's message shows on their page.
		if err := w.d.MessagesRead(ctx, a, conv, 1); err != nil {
			t.Fatal(err)
		}
		if ev := webEvent(t, citizen); ev.Type != "delivery" || ev.Seq != 1 {
			t.Errorf("citizen got %+v, want their message read", ev)
		}
		vol := w.actor(t, model.RoleVolunteer) // sees only what is assigned to them
		if err := w.d.MessagesRead(ctx, vol, conv, 1); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a volunteer marking another's conversation: %v, want not found", err)
		}
	})
}
