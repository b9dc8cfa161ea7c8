package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// seedOrg makes an organisation with a web channel, two teams and three
// users, as Seed expects.
func seedOrg(tb testing.TB, s *store.Store, slug string) (*model.Organization, *model.Channel) {
	tb.Helper()
	ctx := context.Background()
	org := &model.Organization{Slug: slug, Name: "Org " + slug}
	if err := s.CreateOrganization(ctx, org); err != nil {
		tb.Fatal(err)
	}
	var ids []int64
	for i := range 3 {
		u := &model.User{OrgID: org.ID, Email: fmt.Sprintf("op%d@%s.example", i, slug), Name: fmt.Sprintf("Operator %d", i),
			Role: model.RoleOperator, Active: true}
		if err := s.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	for i, members := range [][]int64{ids[:2], ids[2:]} {
		if err := s.CreateTeam(ctx, &model.Team{OrgID: org.ID, Slug: fmt.Sprintf("team-%d", i), Name: fmt.Sprintf("Team %d", i), MemberIDs: members}); err != nil {
			tb.Fatal(err)
		}
	}
	ch, err := s.DefaultChannel(ctx, org.ID, model.ChannelWeb)
	if err != nil {
		tb.Fatal(err)
	}
	return org, ch
}

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		opt := store.SeedOptions{Conversations: 300, Messages: 2500, Contacts: 200, Seed: 7, Now: now}
		a, _ := seedOrg(t, s, "a")
		var calls int
		if err := s.Seed(ctx, a.ID, opt, func(done, total int64) {
			calls++
			if total != 300 || done > total {
				t.Errorf("progress %d/%d", done, total)
			}
		}); err != nil {
			t.Fatal(err)
		}
		if calls == 0 {
			t.Error("progress never called")
		}
		counts := []struct {
			query string
			want  int64
		}{
			{"SELECT COUNT(*) FROM conversations WHERE org_id = ?", 300},
			{"SELECT COUNT(*) FROM messages WHERE org_id = ?", 2500},
			{"SELECT COUNT(*) FROM contacts WHERE org_id = ?", 200},
			{"SELECT COUNT(*) FROM contact_identities WHERE org_id = ? AND kind = 'web'", 200},
			// Every contact has a conversation.
			{"SELECT COUNT(DISTINCT contact_id) FROM conversations WHERE org_id = ?", 200},
			// Messages are numbered 1…last_seq in each conversation
			// ((conversation_id, seq) is unique, so count and max suffice).
			{`SELECT COUNT(*) FROM conversations c WHERE c.org_id = ? AND (c.last_seq <> (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)
				OR c.last_seq <> (SELECT MAX(seq) FROM messages m WHERE m.conversation_id = c.id)
				OR (SELECT MIN(seq) FROM messages m WHERE m.conversation_id = c.id) <> 1)`, 0},
			// The last message is the last activity, and none is older than its conversation.
			{`SELECT COUNT(*) FROM conversations c WHERE c.org_id = ? AND (c.last_activity_at <> (SELECT MAX(created_at) FROM messages m WHERE m.conversation_id = c.id)
				OR c.created_at <> (SELECT MIN(created_at) FROM messages m WHERE m.conversation_id = c.id))`, 0},
			{"SELECT COUNT(*) FROM messages WHERE org_id = ? AND seq = 1 AND direction <> 'inbound'", 0},
			{fmt.Sprintf("SELECT COUNT(*) FROM conversations WHERE org_id = ? AND (last_activity_at > %d OR created_at < %d)",
				now.UnixMilli(), now.AddDate(-1, 0, 0).UnixMilli()), 0},
			{"SELECT COUNT(*) FROM conversations WHERE org_id = ? AND status = 'snoozed' AND snoozed_until IS NULL", 0},
		}
		for _, c := range counts {
			got, err := s.RawInt64ForTest(ctx, c.query, a.ID)
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			if got != c.want {
				t.Errorf("%s: got %d, want %d", c.query, got, c.want)
			}
		}

		if err := s.Seed(ctx, a.ID, opt, nil); model.ErrorCode(err) != model.CodeConflict {
			t.Errorf("seeding again: got %v, want a conflict", err)
		}

		// The same seed loads the same data into another organisation.
		b, _ := seedOrg(t, s, "b")
		if err := s.Seed(ctx, b.ID, opt, nil); err != nil {
			t.Fatal(err)
		}
		fingerprint := func(orgID int64) string {
			list, _, err := s.Conversations(ctx, orgID, store.ConversationFilter{Limit: store.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			out := ""
			for _, c := range list {
				out += fmt.Sprintln(c.Status, c.Priority, c.Language, c.LastSeq, c.LastActivityAt.UnixMilli(), c.ContactName, c.Preview, c.Tags)
			}
			return out
		}
		if fa, fb := fingerprint(a.ID), fingerprint(b.ID); fa != fb {
			t.Errorf("same seed, different data:\n%s\n---\n%s", fa, fb)
		}
	})
}

// TestSeedThenRecordInbound checks that seeded data is what the desk
// writes: a seeded visitor writing again finds their contact, and their
// open conversation continues its numbering.
func TestSeedThenRecordInbound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, ch := seedOrg(t, s, "a")
		if err := s.Seed(ctx, org.ID, store.SeedOptions{Conversations: 200, Messages: 1000, Seed: 1}, nil); err != nil {
			t.Fatal(err)
		}
		open, _, err := s.Conversations(ctx, org.ID, store.ConversationFilter{Status: model.StatusOpen, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(open) == 0 {
			t.Fatal("no open conversation seeded")
		}
		c, err := s.Contact(ctx, org.ID, open[0].ContactID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.RecordInbound(ctx, store.Inbound{OrgID: org.ID, ChannelID: ch.ID, Channel: model.ChannelWeb,
			From: c.Identities[0], ProviderMessageID: "after-seed", Body: "sono di nuovo io"})
		if err != nil {
			t.Fatal(err)
		}
		if r.NewContact || r.ContactID != c.ID {
			t.Errorf("got contact %d (new %v), want the seeded %d", r.ContactID, r.NewContact, c.ID)
		}
		// The contact may have a newer open conversation than open[0];
		// whichever it is, the numbering goes on from its last_seq.
		conv, err := s.Conversation(ctx, org.ID, r.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if r.NewConversation || r.Seq < 2 || conv.LastSeq != r.Seq {
			t.Errorf("got %+v (conversation last seq %d), want the message appended to a seeded conversation", r, conv.LastSeq)
		}
	})
}
