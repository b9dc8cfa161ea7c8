package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestTranscripts: a transcript is queued with its job, up to the limit
// even when requests race; another organisation's conversation is not
// found; finishing it leaves the event; the contact's address is their
// e-mail identity, else the web chat's pre-chat address.
func TestTranscripts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var orgs [2]*model.Organization
		var convs [2]store.InboundResult
		for i, slug := range []string{"uno", "due"} {
			orgs[i] = &model.Organization{Slug: slug, Name: slug}
			if err := s.CreateOrganization(ctx, orgs[i]); err != nil {
				t.Fatal(err)
			}
			ch, err := s.DefaultChannel(ctx, orgs[i].ID, model.ChannelWeb)
			if err != nil {
				t.Fatal(err)
			}
			if convs[i], err = s.RecordInbound(ctx, store.Inbound{OrgID: orgs[i].ID, ChannelID: ch.ID, Channel: model.ChannelWeb,
				From: model.Identity{Kind: model.IdentityWeb, Value: "visitor-" + slug}, Body: "ciao"}); err != nil {
				t.Fatal(err)
			}
		}
		org, conv := orgs[0].ID, convs[0].ConversationID
		since := time.Now().Add(-time.Hour)

		// Another organisation's conversation: not found, nothing queued.
		if err := s.QueueTranscript(ctx, &store.Transcript{OrgID: org, ConversationID: convs[1].ConversationID, Recipient: "a@example.org", Language: "it"}, 3, since); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("another organisation's conversation: %v", err)
		}

		// Five at once, limit three: three pass.
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed, limited := 0, 0
		for range 5 {
			wg.Go(func() {
				err := s.QueueTranscript(ctx, &store.Transcript{OrgID: org, ConversationID: conv, Recipient: "a@example.org", Language: "it"}, 3, since)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					passed++
				case model.ErrorIs(err, model.CodeRateLimited):
					limited++
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if passed != 3 || limited != 2 {
			t.Errorf("%d queued, %d limited; want 3 and 2", passed, limited)
		}
		list, err := s.Transcripts(ctx, org, conv)
		if err != nil || len(list) != 3 || list[0].UntilSeq != 1 || list[0].State != store.TranscriptQueued {
			t.Fatalf("transcripts %+v, %v", list, err)
		}
		jobs, err := s.ClaimJobs(ctx, 10, time.Minute)
		if err != nil || len(jobs) != 3 || jobs[0].Kind != store.JobTranscript {
			t.Errorf("jobs %+v, %v; want 3 transcript jobs", jobs, err)
		}
		// Since a later time, the window is empty again.
		if err := s.QueueTranscript(ctx, &store.Transcript{OrgID: org, ConversationID: conv, Recipient: "a@example.org", Language: "it"}, 3, time.Now().Add(time.Second)); err != nil {
			t.Errorf("after the window: %v", err)
		}

		if _, err := s.Transcript(ctx, orgs[1].ID, list[0].ID); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("another organisation reads it: %v", err)
		}
		if _, err := s.FinishTranscript(ctx, orgs[1].ID, list[0].ID, store.TranscriptSent, ""); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("another organisation finishes it: %v", err)
		}
		ev, err := s.FinishTranscript(ctx, org, list[0].ID, store.TranscriptSent, "")
		if err != nil || ev.Direction != model.DirectionEvent || ev.Body != "transcript_sent:a@example.org" || ev.ConversationID != conv {
			t.Errorf("the event: %+v, %v", ev, err)
		}
		if got, err := s.Transcript(ctx, org, list[0].ID); err != nil || got.State != store.TranscriptSent || got.SentAt == nil {
			t.Errorf("after sending: %+v, %v", got, err)
		}

		// The contact's address.
		contact := convs[0].ContactID
		if _, err := s.ContactEmail(ctx, org, contact); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("no address yet: %v", err)
		}
		if err := s.SaveWebVisitor(ctx, &store.WebVisitor{OrgID: org, VisitorID: "visitor-uno", ContactID: contact, ReplyTo: "prechat@example.org", ConsentVersion: "v1"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ContactEmail(ctx, org, contact); err != nil || got != "prechat@example.org" {
			t.Errorf("the pre-chat address: %q, %v", got, err)
		}
		if _, err := s.ContactEmail(ctx, orgs[1].ID, contact); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("another organisation's contact: %v", err)
		}
		if err := s.AddIdentity(ctx, org, contact, model.Identity{Kind: model.IdentityEmail, Value: "known@example.org"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ContactEmail(ctx, org, contact); err != nil || got != "known@example.org" {
			t.Errorf("the e-mail identity first: %q, %v", got, err)
		}
	})
}
