package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// fixture is one organisation with a web channel, a team and an operator.
type fixture struct {
	org     *model.Organization
	channel int64
	team    *model.Team
	user    *model.User
}

func newFixture(t *testing.T, s *store.Store, slug string) fixture {
	t.Helper()
	ctx := context.Background()
	org := &model.Organization{Slug: slug, Name: "Org " + slug}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := &model.User{OrgID: org.ID, Email: "op@" + slug + ".example", Name: "Operator", Role: model.RoleOperator, Languages: []string{"it", "AR"}, Active: true}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	team := &model.Team{OrgID: org.ID, Slug: "first-contact", Name: "First contact", MemberIDs: []int64{u.ID}}
	if err := s.CreateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	var ch int64
	err := s.RawExecForTest(ctx, "INSERT INTO channels (org_id, kind, name, created_at) VALUES (?, 'web', 'Web chat', 0)", org.ID)
	if err != nil {
		t.Fatal(err)
	}
	ch, err = s.RawInt64ForTest(ctx, "SELECT id FROM channels WHERE org_id = ?", org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{org: org, channel: ch, team: team, user: u}
}

func (f fixture) inbound(from, body, provider string) store.Inbound {
	return store.Inbound{OrgID: f.org.ID, ChannelID: f.channel, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: from}, DisplayName: "Visitor " + from, ProviderMessageID: provider, Body: body}
}

func TestRecordInbound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		r1, err := s.RecordInbound(ctx, f.inbound("v1", "مرحبا، أحتاج مساعدة", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		if !r1.NewContact || !r1.NewConversation || r1.Seq != 1 {
			t.Errorf("first message: got %+v, want new contact and conversation, seq 1", r1)
		}
		r2, err := s.RecordInbound(ctx, f.inbound("v1", "second", "p2"))
		if err != nil {
			t.Fatal(err)
		}
		if r2.NewContact || r2.NewConversation || r2.ConversationID != r1.ConversationID || r2.Seq != 2 {
			t.Errorf("second message: got %+v, want same conversation, seq 2", r2)
		}
		dup, err := s.RecordInbound(ctx, f.inbound("v1", "second (redelivered)", "p2"))
		if err != nil {
			t.Fatal(err)
		}
		if !dup.Duplicate || dup.MessageID != r2.MessageID {
			t.Errorf("redelivery: got %+v, want duplicate of message %d", dup, r2.MessageID)
		}
		msgs, err := s.Messages(ctx, f.org.ID, r1.ConversationID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 || msgs[0].Body != "مرحبا، أحتاج مساعدة" || msgs[1].Seq != 2 {
			t.Errorf("messages: got %d, want the two originals in order", len(msgs))
		}
		after, err := s.Messages(ctx, f.org.ID, r1.ConversationID, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 1 || after[0].Seq != 2 {
			t.Errorf("messages after seq 1: got %d", len(after))
		}

		// A resolved conversation is not reused: the next message opens a new one.
		resolved := model.StatusResolved
		if _, err := s.UpdateConversation(ctx, f.org.ID, r1.ConversationID, f.user.ID, store.ConversationPatch{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		r3, err := s.RecordInbound(ctx, f.inbound("v1", "again", "p3"))
		if err != nil {
			t.Fatal(err)
		}
		if !r3.NewConversation || r3.ContactID != r1.ContactID {
			t.Errorf("after resolve: got %+v, want a new conversation for the same contact", r3)
		}
	})
}

func TestRecordInboundRejectsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		bad := []store.Inbound{
			f.inbound("v1", "", "x1"),
			{OrgID: f.org.ID, ChannelID: f.channel, Channel: model.ChannelSMS, From: model.Identity{Kind: model.IdentityPhone, Value: "12"}, Body: "hi"},
			{OrgID: f.org.ID, ChannelID: f.channel, Channel: model.ChannelWeb, From: model.Identity{Kind: "fax", Value: "1"}, Body: "hi"},
		}
		for i, in := range bad {
			if _, err := s.RecordInbound(ctx, in); model.ErrorCode(err) != model.CodeInvalid {
				t.Errorf("case %d: got %v, want an invalid-input error", i, err)
			}
		}
		list, _, err := s.Conversations(ctx, f.org.ID, store.ConversationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("got %d conversations after refused input, want 0", len(list))
		}
	})
}

// TestRecordInboundConcurrent checks the group committer: many writers at
// once, each result its own, nothing lost, one duplicate per provider id.
func TestRecordInboundConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		const visitors, each = 20, 15
		var wg sync.WaitGroup
		errs := make(chan error, visitors*each*2)
		for v := range visitors {
			wg.Go(func() {
				for i := range each {
					id := fmt.Sprintf("v%d-m%d", v, i)
					in := f.inbound(fmt.Sprintf("v%d", v), "hello "+id, id)
					if _, err := s.RecordInbound(ctx, in); err != nil {
						errs <- err
					}
					// A retry by the provider, and a bad message in the same batch.
					if r, err := s.RecordInbound(ctx, in); err != nil || !r.Duplicate {
						errs <- fmt.Errorf("redelivery of %s: %+v %v", id, r, err)
					}
					if _, err := s.RecordInbound(ctx, f.inbound(fmt.Sprintf("v%d", v), "", "")); err == nil {
						errs <- errors.New("empty body accepted")
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		list, _, err := s.Conversations(ctx, f.org.ID, store.ConversationFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != visitors {
			t.Fatalf("got %d conversations, want %d", len(list), visitors)
		}
		for _, c := range list {
			if c.LastSeq != each {
				t.Errorf("conversation %d: last seq %d, want %d", c.ID, c.LastSeq, each)
			}
			msgs, err := s.Messages(ctx, f.org.ID, c.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range msgs {
				if m.Seq != int64(i+1) {
					t.Errorf("conversation %d: message %d has seq %d", c.ID, i, m.Seq)
				}
			}
		}
	})
}

func TestConversationsFiltersAndPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		var ids []int64
		for i := range 7 {
			r, err := s.RecordInbound(ctx, f.inbound(fmt.Sprintf("v%d", i), fmt.Sprintf("message %d", i), ""))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ConversationID)
		}
		team, assignee := f.team.ID, f.user.ID
		pending := model.StatusPending
		if _, err := s.UpdateConversation(ctx, f.org.ID, ids[2], 0, store.ConversationPatch{TeamID: &team, AssigneeID: &assignee, Status: &pending,
			Tags: &[]string{"Affitto", "bonus"}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    store.ConversationFilter
			want int
		}{
			{"all", store.ConversationFilter{}, 7},
			{"open", store.ConversationFilter{Status: model.StatusOpen}, 6},
			{"pending", store.ConversationFilter{Status: model.StatusPending}, 1},
			{"team", store.ConversationFilter{TeamID: team}, 1},
			{"no team", store.ConversationFilter{TeamID: store.Unassigned}, 6},
			{"assignee", store.ConversationFilter{AssigneeID: assignee, Status: model.StatusPending}, 1},
			{"unassigned", store.ConversationFilter{AssigneeID: store.Unassigned}, 6},
			{"tag", store.ConversationFilter{Tag: "affitto"}, 1},
			{"channel", store.ConversationFilter{Channel: model.ChannelWeb}, 7},
			{"q contact", store.ConversationFilter{Q: "visitor v3"}, 1},
			{"q text", store.ConversationFilter{Q: "MESSAGE 4"}, 1},
			{"q like chars", store.ConversationFilter{Q: "%"}, 0},
			{"volunteer sees own", store.ConversationFilter{Visibility: store.Visibility{UserID: assignee, AssignedOnly: true}}, 1},
		}
		for _, tt := range tests {
			got, _, err := s.Conversations(ctx, f.org.ID, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if len(got) != tt.want {
				t.Errorf("%s: got %d conversations, want %d", tt.name, len(got), tt.want)
			}
		}

		// Paging walks every conversation once, newest activity first.
		seen := map[int64]bool{}
		cursor := ""
		for page := 0; ; page++ {
			got, next, err := s.Conversations(ctx, f.org.ID, store.ConversationFilter{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if seen[c.ID] {
					t.Errorf("conversation %d seen twice", c.ID)
				}
				seen[c.ID] = true
			}
			if next == "" {
				break
			}
			cursor = next
			if page > 5 {
				t.Fatal("paging does not end")
			}
		}
		if len(seen) != 7 {
			t.Errorf("paging saw %d conversations, want 7", len(seen))
		}
		if _, _, err := s.Conversations(ctx, f.org.ID, store.ConversationFilter{Cursor: "%%%"}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("bad cursor: got %v, want invalid", err)
		}
		if _, _, err := s.Conversations(ctx, f.org.ID, store.ConversationFilter{Status: "lost"}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("bad status: got %v, want invalid", err)
		}

		counts, err := s.CountConversations(ctx, f.org.ID, store.ConversationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if counts[model.StatusOpen] != 6 || counts[model.StatusPending] != 1 {
			t.Errorf("counts: got %v", counts)
		}
	})
}

func TestUpdateConversationRecordsEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		r, err := s.RecordInbound(ctx, f.inbound("v1", "hello", ""))
		if err != nil {
			t.Fatal(err)
		}
		snooze := time.Now().Add(time.Hour)
		c, err := s.UpdateConversation(ctx, f.org.ID, r.ConversationID, f.user.ID, store.ConversationPatch{SnoozedUntil: &snooze})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != model.StatusSnoozed || c.SnoozedUntil == nil {
			t.Errorf("got status %s, want snoozed with a time", c.Status)
		}
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "ciao", AuthorUserID: f.user.ID}
		if err := s.AddMessage(ctx, f.org.ID, r.ConversationID, reply); err != nil {
			t.Fatal(err)
		}
		// The citizen writes again: the snoozed conversation wakes up.
		if _, err := s.RecordInbound(ctx, f.inbound("v1", "grazie", "")); err != nil {
			t.Fatal(err)
		}
		c, err = s.Conversation(ctx, f.org.ID, r.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != model.StatusOpen || c.FirstResponseAt == nil || c.LastSeq != 4 {
			t.Errorf("got status %s, first response %v, last seq %d; want open, set, 4", c.Status, c.FirstResponseAt, c.LastSeq)
		}
		msgs, err := s.Messages(ctx, f.org.ID, c.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var dirs []model.Direction
		for _, m := range msgs {
			dirs = append(dirs, m.Direction)
		}
		want := []model.Direction{model.DirectionInbound, model.DirectionEvent, model.DirectionOutbound, model.DirectionInbound}
		if fmt.Sprint(dirs) != fmt.Sprint(want) {
			t.Errorf("timeline: got %v, want %v", dirs, want)
		}
		if msgs[2].DeliveryStatus != model.DeliveryQueued {
			t.Errorf("reply delivery: got %q, want queued", msgs[2].DeliveryStatus)
		}
	})
}

// TestTenantIsolation checks that ids of another organisation are not found.
func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newFixture(t, s, "a"), newFixture(t, s, "b")
		rb, err := s.RecordInbound(ctx, b.inbound("v1", "secret of b", ""))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Conversation(ctx, a.org.ID, rb.ConversationID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("conversation of b through a: got %v, want not found", err)
		}
		if _, err := s.Contact(ctx, a.org.ID, rb.ContactID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("contact of b through a: got %v, want not found", err)
		}
		msgs, err := s.Messages(ctx, a.org.ID, rb.ConversationID, 0, 0)
		if err != nil || len(msgs) != 0 {
			t.Errorf("messages of b through a: got %d, %v; want none", len(msgs), err)
		}
		if err := s.AddMessage(ctx, a.org.ID, rb.ConversationID, &model.Message{Direction: model.DirectionOutbound, Body: "x"}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("reply to b through a: got %v, want not found", err)
		}
		st := model.StatusClosed
		if _, err := s.UpdateConversation(ctx, a.org.ID, rb.ConversationID, 0, store.ConversationPatch{Status: &st}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("update b through a: got %v, want not found", err)
		}
		other := b.user.ID
		ra, err := s.RecordInbound(ctx, a.inbound("v1", "hi", ""))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateConversation(ctx, a.org.ID, ra.ConversationID, 0, store.ConversationPatch{AssigneeID: &other}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("assign a's conversation to b's user: got %v, want invalid", err)
		}
		if err := s.SetTeamMembers(ctx, a.org.ID, a.team.ID, []int64{b.user.ID}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("b's user in a's team: got %v, want invalid", err)
		}
		if _, err := s.User(ctx, a.org.ID, b.user.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("user of b through a: got %v", err)
		}
		// The same visitor id in two organisations is two contacts.
		if ra.ContactID == rb.ContactID {
			t.Error("one contact shared across organisations")
		}
	})
}

func TestContactsMergeAndSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		c1 := &model.Contact{OrgID: f.org.ID, DisplayName: "Amina", Language: "ar",
			Identities: []model.Identity{{Kind: model.IdentityPhone, Value: "+39 333 123 4567"}}}
		if err := s.CreateContact(ctx, c1); err != nil {
			t.Fatal(err)
		}
		if c1.Identities[0].Value != "+393331234567" {
			t.Errorf("phone normalised to %q", c1.Identities[0].Value)
		}
		dup := &model.Contact{OrgID: f.org.ID, DisplayName: "Amina B.", Identities: []model.Identity{{Kind: model.IdentityPhone, Value: "+393331234567"}}}
		if err := s.CreateContact(ctx, dup); !errors.Is(err, model.ErrDuplicate) {
			t.Errorf("same phone twice: got %v, want duplicate", err)
		}
		r, err := s.RecordInbound(ctx, f.inbound("visitor-9", "hello", ""))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MergeContacts(ctx, f.org.ID, c1.ID, r.ContactID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Contact(ctx, f.org.ID, c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Identities) != 2 {
			t.Errorf("after merge: %d identities, want 2", len(got.Identities))
		}
		// The web visitor writes again: the message lands on the kept contact.
		r2, err := s.RecordInbound(ctx, f.inbound("visitor-9", "again", ""))
		if err != nil {
			t.Fatal(err)
		}
		if r2.ContactID != c1.ID || r2.ConversationID != r.ConversationID {
			t.Errorf("after merge: message went to contact %d conversation %d, want %d %d", r2.ContactID, r2.ConversationID, c1.ID, r.ConversationID)
		}
		list, _, err := s.Contacts(ctx, f.org.ID, store.ContactFilter{Q: "3331234"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != c1.ID {
			t.Errorf("search by phone: got %d contacts", len(list))
		}
		all, _, err := s.Contacts(ctx, f.org.ID, store.ContactFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Errorf("merged contact still listed: %d contacts", len(all))
		}
		if err := s.MergeContacts(ctx, f.org.ID, c1.ID, c1.ID); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("merge into itself: got %v", err)
		}
	})
}

// A message the provider delivers late (written an hour before the last
// one stored) joins the conversation, but moves neither its last
// activity, nor the instant the citizen last wrote (a reply window runs
// from it), nor the address replies go to, back in time.
func TestRecordInboundLateDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "late")
		now := time.Now().UTC().Truncate(time.Millisecond)
		in := f.inbound("v1", "now", "p1")
		in.At = now.Add(-time.Minute)
		r1, err := s.RecordInbound(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		late := f.inbound("v1", "written an hour ago", "p0")
		late.At = now.Add(-time.Hour)
		if _, err := s.RecordInbound(ctx, late); err != nil {
			t.Fatal(err)
		}
		c, err := s.Conversation(ctx, f.org.ID, r1.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if c.LastSeq != 2 {
			t.Errorf("last seq %d, want 2: the late message is stored", c.LastSeq)
		}
		if c.LastInboundAt == nil || !c.LastInboundAt.Equal(in.At) {
			t.Errorf("last inbound at %v, want %v (the later message's)", c.LastInboundAt, in.At)
		}
		if !c.LastActivityAt.Equal(in.At) {
			t.Errorf("last activity at %v, want %v", c.LastActivityAt, in.At)
		}
	})
}
