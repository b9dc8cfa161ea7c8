package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// whatsappConversation opens a conversation on a WhatsApp channel by an
// inbound message, as a webhook would.
func whatsappConversation(t *testing.T, s *store.Store, orgID int64) (*model.Channel, store.InboundResult) {
	t.Helper()
	ctx := context.Background()
	ch := &model.Channel{OrgID: orgID, Kind: model.ChannelWhatsApp, Name: "WhatsApp", Active: true}
	if err := s.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	res, err := s.RecordInbound(ctx, store.Inbound{OrgID: orgID, ChannelID: ch.ID, Channel: ch.Kind,
		From: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}, ProviderMessageID: "wamid.1", Body: "Ciao",
		Media: []store.Media{{Ref: "media-1", ContentType: "image/jpeg"}}})
	if err != nil {
		t.Fatal(err)
	}
	return ch, res
}

func TestJobQueue(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		ch, res := whatsappConversation(t, s, org.ID)

		conv, err := s.Conversation(ctx, org.ID, res.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if conv.Address != (model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}) || conv.LastInboundAt == nil {
			t.Errorf("conversation address %+v, last inbound %v: want the sender's phone and a time", conv.Address, conv.LastInboundAt)
		}

		// The inbound media became a fetch job, in the same transaction.
		jobs, err := s.ClaimJobs(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 || jobs[0].Kind != store.JobFetchMedia || jobs[0].MessageID != res.MessageID || jobs[0].Attempts != 1 {
			t.Fatalf("claimed %+v, want one fetch_media job of the message, first attempt", jobs)
		}
		if err := s.FinishJob(ctx, jobs[0].ID, jobs[0].Attempts); err != nil {
			t.Fatal(err)
		}

		// A reply on a provider's channel is queued with its deliver job.
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Buongiorno"}
		if err := s.AddMessage(ctx, org.ID, res.ConversationID, reply); err != nil {
			t.Fatal(err)
		}
		jobs, err = s.ClaimJobs(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 || jobs[0].Kind != store.JobDeliver || jobs[0].MessageID != reply.ID {
			t.Fatalf("claimed %+v, want the reply's deliver job", jobs)
		}
		j := jobs[0]

		// Claimed jobs are leased: nobody else gets them meanwhile.
		if again, _ := s.ClaimJobs(ctx, 10, time.Minute); len(again) != 0 {
			t.Errorf("claimed %d leased jobs again", len(again))
		}
		// A worker that died lets the lease run out; the job is taken again
		// as a new attempt, and the first worker's late answer is fenced off.
		clock.Advance(2 * time.Minute)
		again, err := s.ClaimJobs(ctx, 10, time.Minute)
		if err != nil || len(again) != 1 || again[0].Attempts != 2 {
			t.Fatalf("after the lease: %+v, %v; want the job again, second attempt", again, err)
		}
		if ok, err := s.RetryJob(ctx, j.ID, j.Attempts, clock.Now(), "late"); err != nil || ok {
			t.Errorf("retry by the first worker: %v, %v; want refused", ok, err)
		}
		j = again[0]

		// A failure is retried at the time given, not before.
		if ok, err := s.RetryJob(ctx, j.ID, j.Attempts, clock.Now().Add(time.Hour), "provider answered 503"); err != nil || !ok {
			t.Fatalf("retry: %v, %v", ok, err)
		}
		if early, _ := s.ClaimJobs(ctx, 10, time.Minute); len(early) != 0 {
			t.Errorf("claimed a job before its retry time")
		}
		if next, _ := s.NextJobAt(ctx); !next.Equal(clock.Now().Add(time.Hour).Truncate(time.Millisecond)) {
			t.Errorf("next job at %v", next)
		}
		clock.Advance(time.Hour)
		jobs, _ = s.ClaimJobs(ctx, 10, time.Minute)
		if len(jobs) != 1 || jobs[0].LastError != "provider answered 503" {
			t.Fatalf("after the wait: %+v", jobs)
		}
		j = jobs[0]

		// Giving up marks the message failed with the reason.
		if _, err := s.FailJob(ctx, j.ID, j.Attempts, "provider answered 400: invalid number"); err != nil {
			t.Fatal(err)
		}
		m, err := s.Message(ctx, org.ID, reply.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.DeliveryStatus != model.DeliveryFailed || m.Error != "provider answered 400: invalid number" {
			t.Errorf("message after failing: %s %q", m.DeliveryStatus, m.Error)
		}
		health, err := s.ChannelsHealth(ctx, org.ID)
		if err != nil || len(health) != 1 || health[0].Failed != 1 || health[0].Queued != 0 {
			t.Errorf("health %+v, %v: want one failed", health, err)
		}
		if counts, _ := s.JobCounts(ctx); counts[store.JobFailed] != 1 {
			t.Errorf("job counts %v", counts)
		}

		// A manual retry queues it again with a full set of attempts.
		m, err = s.RetryMessage(ctx, org.ID, reply.ID)
		if err != nil || m.DeliveryStatus != model.DeliveryQueued || m.Error != "" {
			t.Fatalf("retry message: %+v, %v", m, err)
		}
		if _, err := s.RetryMessage(ctx, org.ID, reply.ID); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("retrying a queued message: %v, want invalid", err)
		}
		other, _ := newTenant(t, s, "b")
		if _, err := s.RetryMessage(ctx, other.ID, reply.ID); err == nil {
			t.Errorf("another organisation retried the message")
		}
		jobs, _ = s.ClaimJobs(ctx, 10, time.Minute)
		if len(jobs) != 1 || jobs[0].Attempts != 1 {
			t.Fatalf("after the manual retry: %+v", jobs)
		}
		if err := s.MarkSent(ctx, org.ID, reply.ID, ch.ID, "wamid.out"); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishJob(ctx, jobs[0].ID, jobs[0].Attempts); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetDelivery(ctx, ch.ID, "wamid.out", model.DeliveryDelivered, ""); err != nil {
			t.Fatal(err)
		}
		m, err = s.MessageByProviderID(ctx, org.ID, ch.ID, "wamid.out")
		if err != nil || m.ID != reply.ID || m.DeliveryStatus != model.DeliveryDelivered {
			t.Errorf("by provider id: %+v, %v", m, err)
		}
		if counts, _ := s.JobCounts(ctx); len(counts) != 0 {
			t.Errorf("jobs left: %v", counts)
		}
	})
}

func TestWebChatRepliesAreNotQueued(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		web, err := s.DefaultChannel(ctx, org.ID, model.ChannelWeb)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.RecordInbound(ctx, store.Inbound{OrgID: org.ID, ChannelID: web.ID, Channel: web.Kind,
			From: model.Identity{Kind: model.IdentityWeb, Value: "v1"}, Body: "Ciao"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMessage(ctx, org.ID, res.ConversationID, &model.Message{Direction: model.DirectionOutbound, Body: "Salve"}); err != nil {
			t.Fatal(err)
		}
		if jobs, _ := s.ClaimJobs(ctx, 10, time.Minute); len(jobs) != 0 {
			t.Errorf("a web chat reply was queued for a provider: %+v", jobs)
		}
	})
}
