package desk_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// cloudAPI is a fake of WhatsApp's send endpoint.
type cloudAPI struct {
	mu   sync.Mutex
	sent []string
}

func (c *cloudAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.sent = append(c.sent, string(b))
	c.mu.Unlock()
	io.WriteString(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.T1"}]}`)
}

func TestWhatsAppWindowAndTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		api := &cloudAPI{}
		srv := httptest.NewServer(api)
		defer srv.Close()
		ch, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelWhatsApp, "WhatsApp", channel.Settings{"phone_number_id": "1065", "access_token": "tok",
			"app_secret": "sec", "verify_token": "ver", "api_base_url": srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		admin, volunteer := w.actor(t, model.RoleAdmin), w.actor(t, model.RoleVolunteer)

		// The citizen wrote 25 hours ago: the window is closed.
		ev := channel.Event{Type: channel.EventMessage, ProviderID: "wamid.in1", From: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"},
			Text: "Buongiorno", At: w.clock.now().Add(-25 * time.Hour)}
		if err := w.d.ReceiveEvents(ctx, ch, []channel.Event{ev}); err != nil {
			t.Fatal(err)
		}
		convs, _, _ := s.Conversations(ctx, w.org.ID, store.ConversationFilter{Channel: model.ChannelWhatsApp})
		if len(convs) != 1 {
			t.Fatalf("%d conversations", len(convs))
		}
		conv := convs[0]
		win := w.d.WindowOf(conv)
		if !win.Applies || win.Open || win.Remaining(w.clock.now()) != 0 {
			t.Errorf("window %+v: want closed", win)
		}
		err = w.d.Post(ctx, admin, conv.ID, &model.Message{Direction: model.DirectionOutbound, Body: "Ci sono novità"})
		if e, ok := model.AsError(err); !ok || e.Code != model.CodeInvalid || e.Key != "whatsapp.error_window_closed" {
			t.Fatalf("free reply outside the window: %v", err)
		}
		// A note is always fine.
		if err := w.d.Post(ctx, admin, conv.ID, &model.Message{Direction: model.DirectionNote, Body: "richiamare"}); err != nil {
			t.Errorf("note: %v", err)
		}

		// Templates: only admins register them, only on WhatsApp, well formed.
		tpl := &store.Template{ChannelID: ch.ID, Name: "appointment_update", Language: "it", Body: "Gentile {{1}}, il suo appuntamento è il {{2}}."}
		if err := w.d.CreateTemplate(ctx, volunteer, tpl); !model.ErrorIs(err, model.CodeForbidden) {
			t.Errorf("volunteer creates a template: %v", err)
		}
		for _, bad := range []store.Template{
			{ChannelID: ch.ID, Name: "Bad Name", Language: "it", Body: "x"},
			{ChannelID: ch.ID, Name: "ok", Language: "italiano", Body: "x"},
			{ChannelID: ch.ID, Name: "ok", Language: "it", Body: "{{1}} e {{3}}"},
			{ChannelID: ch.ID, Name: "ok", Language: "it", Body: ""},
			{ChannelID: w.ch.ID, Name: "ok", Language: "it", Body: "x"}, // the web chat
		} {
			if err := w.d.CreateTemplate(ctx, admin, &bad); !model.ErrorIs(err, model.CodeInvalid) {
				t.Errorf("template %+v: %v, want invalid", bad, err)
			}
		}
		if err := w.d.CreateTemplate(ctx, admin, tpl); err != nil || tpl.Params != 2 {
			t.Fatalf("create: %v (params %d)", err, tpl.Params)
		}
		dup := *tpl
		if err := w.d.CreateTemplate(ctx, admin, &dup); !model.ErrorIs(err, model.CodeConflict) {
			t.Errorf("same name and language twice: %v", err)
		}
		list, err := w.d.ConversationTemplates(ctx, admin, conv.ID)
		if err != nil || len(list) != 1 || list[0].ID != tpl.ID {
			t.Fatalf("conversation templates %v %v", list, err)
		}

		if _, err := w.d.SendTemplate(ctx, admin, conv.ID, tpl.ID, []string{"Mario"}); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("one parameter of two: %v", err)
		}
		m, err := w.d.SendTemplate(ctx, admin, conv.ID, tpl.ID, []string{"Mario\nRossi", "12 marzo alle 10"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Body != "Gentile Mario Rossi, il suo appuntamento è il 12 marzo alle 10." || m.DeliveryStatus != model.DeliveryQueued {
			t.Errorf("template message %q %s", m.Body, m.DeliveryStatus)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		stored, _ := s.Message(ctx, w.org.ID, m.ID)
		if stored.DeliveryStatus != model.DeliverySent || stored.Template == nil || stored.Template.Name != "appointment_update" {
			t.Errorf("stored %+v", stored)
		}
		api.mu.Lock()
		var got map[string]any
		_ = json.Unmarshal([]byte(api.sent[len(api.sent)-1]), &got)
		api.mu.Unlock()
		b, _ := json.Marshal(got["template"])
		if want := `{"components":[{"parameters":[{"text":"Mario Rossi","type":"text"},{"text":"12 marzo alle 10","type":"text"}],"type":"body"}],"language":{"code":"it"},"name":"appointment_update"}`; string(b) != want || got["type"] != "template" {
			t.Errorf("sent %s\nwant %s", b, want)
		}

		// The citizen answers: the window opens for 24 hours. Their
		// message quotes the one it answers.
		ev.ProviderID, ev.At, ev.ReplyTo, ev.Text = "wamid.in2", time.Time{}, "wamid.T1", "Va bene"
		if err := w.d.ReceiveEvents(ctx, ch, []channel.Event{ev}); err != nil {
			t.Fatal(err)
		}
		conv, _ = s.Conversation(ctx, w.org.ID, conv.ID)
		win = w.d.WindowOf(conv)
		if !win.Open || win.Remaining(w.clock.now()) < 23*time.Hour {
			t.Errorf("after the citizen wrote: %+v", win)
		}
		if ms, _ := s.Messages(ctx, w.org.ID, conv.ID, 0, 0); len(ms) == 0 || ms[len(ms)-1].Body != "↩ “Gentile Mario Rossi, il suo appuntamento è il 12 marzo alle 10.”\nVa bene" {
			t.Errorf("the answer does not quote what it answers: %q", ms[len(ms)-1].Body)
		}
		if err := w.d.Post(ctx, admin, conv.ID, &model.Message{Direction: model.DirectionOutbound, Body: "Ci sono novità"}); err != nil {
			t.Errorf("free reply inside the window: %v", err)
		}

		if _, err := w.d.DeleteTemplate(ctx, admin, tpl.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.SendTemplate(ctx, admin, conv.ID, tpl.ID, []string{"a", "b"}); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("deleted template: %v", err)
		}
	})
}
