package store_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestSecretIsSharedByInstances(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, e)
			open := func() *store.Store {
				s, err := store.Open(ctx, url, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return s
			}
			// Two instances on one database, starting together.
			a, b := open(), open()
			got := make([][]byte, 16)
			var wg sync.WaitGroup
			for i := range got {
				s := a
				if i%2 == 1 {
					s = b
				}
				wg.Go(func() {
					v, err := s.Secret(ctx, "webchat", 32)
					if err != nil {
						t.Error(err)
					}
					got[i] = v
				})
			}
			wg.Wait()
			for i, v := range got {
				if len(v) != 32 || !bytes.Equal(v, got[0]) {
					t.Fatalf("instance call %d got %x, want the same 32 bytes as call 0 (%x)", i, v, got[0])
				}
			}
			other, err := a.Secret(ctx, "other", 48)
			if err != nil || len(other) != 48 || bytes.Equal(other[:32], got[0]) {
				t.Errorf("another secret: %x, %v; want 48 fresh bytes", other, err)
			}
			if _, err := a.Secret(ctx, "weak", 8); err == nil {
				t.Error("an 8-byte secret was accepted")
			}
		})
	}
}

func TestEnsureWebContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, _ := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")

		id, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: orgA.ID, VisitorID: "v1", DisplayName: "Amina", Language: "ar", Note: "reply to +393331234567"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Contact(ctx, orgA.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.DisplayName != "Amina" || c.Language != "ar" || c.Notes != "reply to +393331234567" ||
			len(c.Identities) != 1 || c.Identities[0] != (model.Identity{Kind: model.IdentityWeb, Value: "v1"}) {
			t.Errorf("new contact %+v", c)
		}

		// An operator corrects the name; the visitor fills the form again.
		c.DisplayName = "Amina B."
		if err := s.UpdateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		again, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: orgA.ID, VisitorID: "v1", DisplayName: "Mina", Language: "fr", Note: "reply to +393331234567"})
		if err != nil || again != id {
			t.Fatalf("second time: %d, %v; want the same contact %d", again, err, id)
		}
		again, err = s.EnsureWebContact(ctx, store.WebContact{OrgID: orgA.ID, VisitorID: "v1", Note: "reply to amina@example.org"})
		if err != nil || again != id {
			t.Fatalf("third time: %d, %v; want the same contact %d", again, err, id)
		}
		c, _ = s.Contact(ctx, orgA.ID, id)
		if c.DisplayName != "Amina B." || c.Language != "ar" || c.Notes != "reply to +393331234567\nreply to amina@example.org" {
			t.Errorf("after filling the form again: %+v; want the operator's name, the first language, each note once", c)
		}

		// The same visitor id in another organisation is another person.
		idB, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: orgB.ID, VisitorID: "v1"})
		if err != nil || idB == id {
			t.Errorf("other organisation: %d, %v; want a contact of its own", idB, err)
		}
		if _, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: orgA.ID, VisitorID: ""}); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("empty visitor id: %v, want invalid", err)
		}

		// A merged contact's visitor reaches the contact kept.
		keep := &model.Contact{OrgID: orgA.ID, DisplayName: "Amina Keep"}
		if err := s.CreateContact(ctx, keep); err != nil {
			t.Fatal(err)
		}
		if err := s.MergeContacts(ctx, orgA.ID, keep.ID, id); err != nil {
			t.Fatal(err)
		}
		if got, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: orgA.ID, VisitorID: "v1"}); err != nil || got != keep.ID {
			t.Errorf("after a merge: %d, %v; want %d", got, err, keep.ID)
		}
	})
}

func TestWebVisitor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, _ := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")
		if _, err := s.WebVisitor(ctx, orgA.ID, "v1"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("before the form: %v, want not found", err)
		}
		contact, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: orgA.ID, VisitorID: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		v := &store.WebVisitor{OrgID: orgA.ID, VisitorID: "v1", ContactID: contact, Name: "Amina", ReplyTo: "+393331234567",
			Topic: "permit", Language: "ar", ConsentVersion: "privacy-2026-01"}
		if err := s.SaveWebVisitor(ctx, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.WebVisitor(ctx, orgA.ID, "v1")
		if err != nil {
			t.Fatal(err)
		}
		if *got != *v {
			t.Errorf("WebVisitor = %+v, want %+v", got, v)
		}
		v2 := *v
		v2.Topic, v2.ReplyTo = "work", ""
		if err := s.SaveWebVisitor(ctx, &v2); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.WebVisitor(ctx, orgA.ID, "v1"); got.Topic != "work" || got.ReplyTo != "" || !got.CreatedAt.Equal(v.CreatedAt) {
			t.Errorf("after saving again: %+v; want the new answers and the first creation time", got)
		}
		if _, err := s.WebVisitor(ctx, orgB.ID, "v1"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("from another organisation: %v, want not found", err)
		}
		foreign := &store.WebVisitor{OrgID: orgB.ID, VisitorID: "v9", ContactID: contact}
		if err := s.SaveWebVisitor(ctx, foreign); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("with another organisation's contact: %v, want not found", err)
		}
		long := &store.WebVisitor{OrgID: orgA.ID, VisitorID: "v1", ContactID: contact, Name: strings.Repeat("x", 201)}
		wantCode(t, "long name", s.SaveWebVisitor(ctx, long), model.CodeInvalid)
	})
}

func TestWebThreadAndAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		other := newFixture(t, s, "b")

		if th, err := s.WebThread(ctx, f.org.ID, "v1"); err != nil || th != (store.WebThread{}) {
			t.Fatalf("unknown visitor: %+v, %v; want nothing", th, err)
		}
		contact, err := s.EnsureWebContact(ctx, store.WebContact{OrgID: f.org.ID, VisitorID: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		if th, err := s.WebThread(ctx, f.org.ID, "v1"); err != nil || th != (store.WebThread{ContactID: contact}) {
			t.Fatalf("visitor without messages: %+v, %v", th, err)
		}

		upload := func(orgID int64, name string) model.Attachment {
			t.Helper()
			a := newAttachment(orgID, 0, name)
			if err := s.CreateAttachment(ctx, a); err != nil {
				t.Fatal(err)
			}
			return *a
		}
		in := f.inbound("v1", "ecco il permesso", "c1")
		in.Attachments = []model.Attachment{upload(f.org.ID, "permesso.pdf")}
		r1, err := s.RecordInbound(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		th, err := s.WebThread(ctx, f.org.ID, "v1")
		if err != nil || th != (store.WebThread{ContactID: contact, ConversationID: r1.ConversationID, LastSeq: 1}) {
			t.Fatalf("after a message: %+v, %v", th, err)
		}
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "grazie", Attachments: []model.Attachment{upload(f.org.ID, "modulo.pdf")}}
		note := &model.Message{Direction: model.DirectionNote, Body: "interno", Attachments: []model.Attachment{upload(f.org.ID, "interno.pdf")}}
		for _, m := range []*model.Message{reply, note} {
			if err := s.AddMessage(ctx, f.org.ID, r1.ConversationID, m); err != nil {
				t.Fatal(err)
			}
		}
		in2 := f.inbound("v2", "altro", "c2")
		in2.Attachments = []model.Attachment{upload(f.org.ID, "altro.pdf")}
		if _, err := s.RecordInbound(ctx, in2); err != nil {
			t.Fatal(err)
		}
		unsent := upload(f.org.ID, "unsent.pdf")
		otherIn := other.inbound("v1", "stesso visitatore, altro sportello", "c1")
		otherIn.Attachments = []model.Attachment{upload(other.org.ID, "other-org.pdf")}
		if _, err := s.RecordInbound(ctx, otherIn); err != nil {
			t.Fatal(err)
		}
		msgs, err := s.Messages(ctx, f.org.ID, r1.ConversationID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			id   int64
			ok   bool
		}{
			{"the visitor's own file", msgs[0].Attachments[0].ID, true},
			{"a reply's file", reply.Attachments[0].ID, true},
			{"an internal note's file", note.Attachments[0].ID, false},
			{"another visitor's file", in2.Attachments[0].ID, false},
			{"an upload not sent yet", unsent.ID, false},
			{"another organisation's file", otherIn.Attachments[0].ID, false},
		}
		for _, tt := range tests {
			a, err := s.WebAttachment(ctx, f.org.ID, "v1", tt.id)
			if tt.ok && (err != nil || a.ID != tt.id || a.StorageKey == "") {
				t.Errorf("%s: %+v, %v; want it", tt.name, a, err)
			}
			if !tt.ok && !errors.Is(err, model.ErrNotFound) {
				t.Errorf("%s: %+v, %v; want not found", tt.name, a, err)
			}
		}

		// Resolved, the conversation stays on the page until the visitor
		// writes again, which opens a new one.
		resolved := model.StatusResolved
		if _, err := s.UpdateConversation(ctx, f.org.ID, r1.ConversationID, f.user.ID, store.ConversationPatch{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		if th, _ := s.WebThread(ctx, f.org.ID, "v1"); th.ConversationID != r1.ConversationID {
			t.Errorf("after resolving: conversation %d, want %d", th.ConversationID, r1.ConversationID)
		}
		r2, err := s.RecordInbound(ctx, f.inbound("v1", "ancora io", "c3"))
		if err != nil || !r2.NewConversation {
			t.Fatalf("writing again: %+v, %v", r2, err)
		}
		if th, _ := s.WebThread(ctx, f.org.ID, "v1"); th.ConversationID != r2.ConversationID || th.LastSeq != 1 {
			t.Errorf("after writing again: %+v, want conversation %d at seq 1", th, r2.ConversationID)
		}
	})
}

func TestSetDeliveryUpTo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		other := newFixture(t, s, "b")
		r, err := s.RecordInbound(ctx, f.inbound("v1", "ciao", "c1"))
		if err != nil {
			t.Fatal(err)
		}
		conv := r.ConversationID
		var replies []*model.Message
		for _, body := range []string{"uno", "due", "tre"} {
			m := &model.Message{Direction: model.DirectionOutbound, Body: body}
			if err := s.AddMessage(ctx, f.org.ID, conv, m); err != nil {
				t.Fatal(err)
			}
			replies = append(replies, m)
		}
		// The third reply failed; a failure is never overwritten.
		if err := s.RawExecForTest(ctx, "UPDATE messages SET delivery_status = 'failed' WHERE id = ?", replies[2].ID); err != nil {
			t.Fatal(err)
		}
		status := func() []model.DeliveryStatus {
			t.Helper()
			ms, err := s.Messages(ctx, f.org.ID, conv, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []model.DeliveryStatus
			for _, m := range ms {
				out = append(out, m.DeliveryStatus)
			}
			return out
		}
		steps := []struct {
			name string
			org  int64
			dir  model.Direction
			upTo int64
			st   model.DeliveryStatus
			n    int64
			want []model.DeliveryStatus
		}{
			{"read the first reply", f.org.ID, model.DirectionOutbound, 2, model.DeliveryRead, 1, []model.DeliveryStatus{"", "read", "queued", "failed"}},
			{"a late delivered does not undo read", f.org.ID, model.DirectionOutbound, 4, model.DeliveryDelivered, 1, []model.DeliveryStatus{"", "read", "delivered", "failed"}},
			{"the same again changes nothing", f.org.ID, model.DirectionOutbound, 4, model.DeliveryDelivered, 0, []model.DeliveryStatus{"", "read", "delivered", "failed"}},
			{"another organisation changes nothing", other.org.ID, model.DirectionOutbound, 4, model.DeliveryRead, 0, []model.DeliveryStatus{"", "read", "delivered", "failed"}},
			{"the citizen's message read by the desk", f.org.ID, model.DirectionInbound, 4, model.DeliveryRead, 1, []model.DeliveryStatus{"read", "read", "delivered", "failed"}},
			{"seq 0 is nothing", f.org.ID, model.DirectionOutbound, 0, model.DeliveryRead, 0, []model.DeliveryStatus{"read", "read", "delivered", "failed"}},
		}
		for _, st := range steps {
			n, err := s.SetDeliveryUpTo(ctx, st.org, conv, st.dir, st.upTo, st.st)
			if err != nil || n != st.n {
				t.Errorf("%s: changed %d, %v; want %d", st.name, n, err, st.n)
			}
			if got := status(); !slices.Equal(got, st.want) {
				t.Errorf("%s: statuses %q, want %q", st.name, got, st.want)
			}
		}
		_, err = s.SetDeliveryUpTo(ctx, f.org.ID, conv, model.DirectionNote, 4, model.DeliveryRead)
		wantCode(t, "notes", err, model.CodeInvalid)
		_, err = s.SetDeliveryUpTo(ctx, f.org.ID, conv, model.DirectionOutbound, 4, model.DeliveryFailed)
		wantCode(t, "failed", err, model.CodeInvalid)
	})
}
