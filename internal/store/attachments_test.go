package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// newMessage records an inbound web chat message in org and returns its id.
func newMessage(t *testing.T, s *store.Store, orgID int64, visitor string) int64 {
	t.Helper()
	ctx := context.Background()
	ch, err := s.DefaultChannel(ctx, orgID, model.ChannelWeb)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RecordInbound(ctx, store.Inbound{OrgID: orgID, ChannelID: ch.ID, Channel: model.ChannelWeb,
		From: model.Identity{Kind: model.IdentityWeb, Value: visitor}, Body: "ciao"})
	if err != nil {
		t.Fatal(err)
	}
	return res.MessageID
}

func newAttachment(orgID, messageID int64, name string) *model.Attachment {
	return &model.Attachment{OrgID: orgID, MessageID: messageID, Filename: name, ContentType: "application/pdf", Size: 3,
		SHA256: strings.Repeat("ab", 32), StorageKey: "1/2026/03/" + name}
}

func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, _ := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")
		msgA1 := newMessage(t, s, orgA.ID, "v1")
		msgA2 := newMessage(t, s, orgA.ID, "v2")
		msgB := newMessage(t, s, orgB.ID, "v1")

		unlinked1, unlinked2 := newAttachment(orgA.ID, 0, "a.pdf"), newAttachment(orgA.ID, 0, "b.pdf")
		direct := newAttachment(orgA.ID, msgA2, "c.pdf")
		ofB := newAttachment(orgB.ID, 0, "d.pdf")
		for _, a := range []*model.Attachment{unlinked1, unlinked2, direct, ofB} {
			if err := s.CreateAttachment(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		err := s.CreateAttachment(ctx, newAttachment(orgA.ID, msgB, "e.pdf"))
		wantCode(t, "attachment on another organisation's message", err, model.CodeNotFound)
		bad := newAttachment(orgA.ID, 0, "f.pdf")
		bad.SHA256 = "abc"
		wantCode(t, "attachment with a bad hash", s.CreateAttachment(ctx, bad), model.CodeInvalid)

		got, err := s.Attachment(ctx, orgA.ID, unlinked1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *got != *unlinked1 || got.MessageID != 0 {
			t.Errorf("Attachment = %+v, want %+v", got, unlinked1)
		}
		if _, err := s.Attachment(ctx, orgB.ID, unlinked1.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Attachment from another organisation: %v, want not found", err)
		}

		// A refused link links none of the ids.
		err = s.LinkAttachments(ctx, orgA.ID, msgA1, []int64{unlinked1.ID, ofB.ID})
		wantCode(t, "link with another organisation's attachment", err, model.CodeNotFound)
		if got, err := s.Attachment(ctx, orgA.ID, unlinked1.ID); err != nil || got.MessageID != 0 {
			t.Errorf("after a refused link: %+v, %v, want still unlinked", got, err)
		}

		linkTests := []struct {
			name      string
			orgID     int64
			messageID int64
			ids       []int64
			code      model.Code
		}{
			{"another organisation's message", orgA.ID, msgB, []int64{unlinked1.ID}, model.CodeNotFound},
			{"attachment of another message", orgA.ID, msgA1, []int64{direct.ID}, model.CodeNotFound},
			{"nothing", orgA.ID, msgA1, nil, ""},
			{"two, one twice", orgA.ID, msgA1, []int64{unlinked2.ID, unlinked1.ID, unlinked2.ID}, ""},
			{"again", orgA.ID, msgA1, []int64{unlinked1.ID}, ""},
			{"to a second message", orgA.ID, msgA2, []int64{unlinked1.ID}, model.CodeNotFound},
		}
		for _, tt := range linkTests {
			wantCode(t, tt.name, s.LinkAttachments(ctx, tt.orgID, tt.messageID, tt.ids), tt.code)
		}

		byMsg, err := s.AttachmentsOf(ctx, orgA.ID, []int64{msgA1, msgA2, msgB, msgA1})
		if err != nil {
			t.Fatal(err)
		}
		names := map[int64][]string{}
		for id, as := range byMsg {
			for _, a := range as {
				if a.MessageID != id || a.OrgID != orgA.ID {
					t.Errorf("attachment %+v listed under message %d", a, id)
				}
				names[id] = append(names[id], a.Filename)
			}
		}
		if len(names) != 2 || strings.Join(names[msgA1], ",") != "a.pdf,b.pdf" || strings.Join(names[msgA2], ",") != "c.pdf" {
			t.Errorf("AttachmentsOf = %v, want a.pdf,b.pdf on message %d and c.pdf on %d", names, msgA1, msgA2)
		}
		if got, err := s.AttachmentsOf(ctx, orgB.ID, []int64{msgA1}); err != nil || len(got) != 0 {
			t.Errorf("AttachmentsOf from another organisation = %v, %v, want none", got, err)
		}
		if got, err := s.Attachment(ctx, orgB.ID, ofB.ID); err != nil || got.MessageID != 0 {
			t.Errorf("the refused link touched organisation B's attachment: %+v, %v", got, err)
		}
	})
}
