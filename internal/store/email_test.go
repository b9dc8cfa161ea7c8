package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// TestMailboxLease: one instance reads a mailbox at a time; another takes
// over when the lease runs out, and the first can no longer save.
func TestMailboxLease(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "mail")
		other, _ := newTenant(t, s, "other")
		ch := &model.Channel{OrgID: org.ID, Kind: model.ChannelEmail, Name: "e-mail", Settings: "{}", Active: true}
		if err := s.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.ClaimMailbox(ctx, other.ID, ch.ID, "a", time.Minute); ok || err != nil {
			t.Fatalf("another organisation claimed the mailbox: %v %v", ok, err)
		}
		mb, ok, err := s.ClaimMailbox(ctx, org.ID, ch.ID, "a", time.Minute)
		if err != nil || !ok || mb.LastUID != 0 {
			t.Fatalf("first claim: %+v %v %v", mb, ok, err)
		}
		if err := s.SaveMailbox(ctx, "a", store.Mailbox{ChannelID: ch.ID, UIDValidity: 7, LastUID: 41}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.ClaimMailbox(ctx, org.ID, ch.ID, "b", time.Minute); ok {
			t.Fatal("b claimed a mailbox a holds")
		}
		clock.Advance(61 * time.Second)
		mb, ok, err = s.ClaimMailbox(ctx, org.ID, ch.ID, "b", time.Minute)
		if err != nil || !ok || mb.UIDValidity != 7 || mb.LastUID != 41 {
			t.Fatalf("takeover: %+v %v %v", mb, ok, err)
		}
		if err := s.SaveMailbox(ctx, "a", store.Mailbox{ChannelID: ch.ID, UIDValidity: 7, LastUID: 42}); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("a saved after losing the lease: %v", err)
		}
		if err := s.ReleaseMailbox(ctx, ch.ID, "b"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.ClaimMailbox(ctx, org.ID, ch.ID, "a", time.Minute); !ok {
			t.Error("a could not claim a released mailbox")
		}
	})
}
