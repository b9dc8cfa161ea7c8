package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/apichannel"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestBackoff(t *testing.T) {
	total := time.Duration(0)
	prev := time.Duration(0)
	for attempt := 1; attempt < store.DefaultMaxAttempts; attempt++ {
		d := desk.Backoff(attempt)
		if d < 4*time.Second || d > 36*time.Minute {
			t.Errorf("attempt %d waits %v: outside 5 s … 30 min ±20%%", attempt, d)
		}
		if attempt > 1 && attempt < 9 && d <= prev { // doubling beats ±20% jitter
			t.Errorf("attempt %d waits %v after %v: want it to grow", attempt, d, prev)
		}
		prev = d
		total += d
	}
	if total < time.Hour {
		t.Errorf("all retries span %v: a provider down for an hour would lose replies", total)
	}
}

// partner is a fake of a partner's system that receives the API
// channel's callbacks.
type partner struct {
	mu     sync.Mutex
	status int
	got    []apichannel.Callback
	sigOK  []bool
}

func (p *partner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var cb apichannel.Callback
	_ = json.Unmarshal(body, &cb)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, cb)
	p.sigOK = append(p.sigOK, r.Header.Get(apichannel.SignatureHeader) == apichannel.Sign("s3cret", body))
	w.WriteHeader(p.status)
}

func (p *partner) set(status int) { p.mu.Lock(); p.status = status; p.mu.Unlock() }

func TestDeliverThroughTheQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		p := &partner{status: http.StatusServiceUnavailable}
		srv := httptest.NewServer(p)
		defer srv.Close()
		ch, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelAPI, "App", channel.Settings{"callback_url": srv.URL, "callback_secret": "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		ev := channel.Event{Type: channel.EventMessage, ProviderID: "app-1", From: model.Identity{Kind: model.IdentityExternal, Value: "user-42"}, Text: "Salve"}
		for range 2 { // a redelivery stores nothing new
			if err := w.d.ReceiveEvents(ctx, ch, []channel.Event{ev}); err != nil {
				t.Fatal(err)
			}
		}
		convs, _, err := s.Conversations(ctx, w.org.ID, store.ConversationFilter{Channel: model.ChannelAPI})
		if err != nil || len(convs) != 1 || convs[0].LastSeq != 1 {
			t.Fatalf("conversations %+v, %v: want one with one message", convs, err)
		}
		conv := convs[0]

		// Routing follows in a job of its own.
		if n, err := w.d.RunDueJobs(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d jobs after the message, %v; want its routing", n, err)
		}
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Buongiorno, come possiamo aiutarla?"}
		if err := w.d.Post(ctx, w.actor(t, model.RoleAdmin), conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		// The partner is down: the attempt fails and is put off.
		if n, err := w.d.RunDueJobs(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d jobs, %v", n, err)
		}
		if n, _ := w.d.RunDueJobs(ctx); n != 0 {
			t.Errorf("a failed attempt ran again at once")
		}
		m, _ := s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliveryQueued {
			t.Errorf("after a 503: %s, want still queued", m.DeliveryStatus)
		}
		health, _ := w.d.ChannelsOf(ctx, w.org.ID)
		for _, h := range health {
			if h.ID == ch.ID && (h.Queued != 1 || h.LastError == "") {
				t.Errorf("health %+v: want one queued and the error", h)
			}
		}

		// A refusal (4xx) is final: the message shows failed with the reason.
		p.set(http.StatusBadRequest)
		if err := s.Enqueue(ctx, &store.Job{OrgID: w.org.ID, Kind: store.JobDeliver, MessageID: reply.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		m, _ = s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliveryFailed || m.Error == "" {
			t.Fatalf("after a 400: %s %q, want failed with the provider's answer", m.DeliveryStatus, m.Error)
		}

		// The operator retries by hand once the partner is back.
		p.set(http.StatusOK)
		if _, err := w.d.RetryMessage(ctx, w.actor(t, model.RoleVolunteer), conv.ID, reply.ID); err == nil {
			t.Errorf("a volunteer who cannot see the conversation retried it")
		}
		if _, err := w.d.RetryMessage(ctx, w.actor(t, model.RoleAdmin), conv.ID, reply.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		m, _ = s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliverySent || m.ProviderMessageID == "" {
			t.Errorf("after the retry: %s %q, want sent", m.DeliveryStatus, m.ProviderMessageID)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		last := p.got[len(p.got)-1]
		if last.Text != reply.Body || last.To.Value != "user-42" || !p.sigOK[len(p.sigOK)-1] {
			t.Errorf("partner got %+v (signature ok %v)", last, p.sigOK[len(p.sigOK)-1])
		}
	})
}

// TestContactFormReplyGoesThroughItsReplyChannel: a citizen writes on the
// contact form leaving a phone number; the form's reply channel (here the
// API channel of a partner's SMS gateway) carries the operator's answer
// to that number.
func TestContactFormReplyGoesThroughItsReplyChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		p := &partner{status: http.StatusOK}
		srv := httptest.NewServer(p)
		defer srv.Close()
		gw, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelAPI, "SMS gateway", channel.Settings{"callback_url": srv.URL, "callback_secret": "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.d.ReceiveForm(ctx, desk.FormSubmission{OrgID: w.org.ID, ID: "f1", Name: "Amina", Phone: "+39 333 765 4321",
			Language: "it", Body: "Vorrei un appuntamento", ConsentVersion: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		admin := w.actor(t, model.RoleAdmin)
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Martedì alle 10 va bene?"}
		if err := w.d.Post(ctx, admin, res.ConversationID, reply); err != nil {
			t.Fatal(err)
		}
		// Without a reply channel the reply fails at once, saying why.
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Message(ctx, w.org.ID, reply.ID); m.DeliveryStatus != model.DeliveryFailed || !strings.Contains(m.Error, "reply channel") {
			t.Fatalf("without a reply channel: %s %q", m.DeliveryStatus, m.Error)
		}
		// With one, the retry goes out to the number the citizen left.
		form, err := s.FirstChannel(ctx, w.org.ID, model.ChannelForm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.UpdateChannel(ctx, admin, form.ID, form.Name, channel.Settings{"reply_channel_id": fmt.Sprint(gw.ID)}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RetryMessage(ctx, admin, res.ConversationID, reply.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		m, _ := s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliverySent {
			t.Fatalf("through the reply channel: %s %q", m.DeliveryStatus, m.Error)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.got) != 1 || p.got[0].To != (model.Identity{Kind: model.IdentityPhone, Value: "+393337654321"}) || p.got[0].Text != reply.Body {
			t.Errorf("the gateway got %+v", p.got)
		}
	})
}
