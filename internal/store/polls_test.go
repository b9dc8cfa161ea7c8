package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func TestChannelPollLease(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		other, _ := newTenant(t, s, "b")
		ch := &model.Channel{OrgID: org.ID, Kind: model.ChannelTelegram, Name: "Bot", Settings: `{"mode":"polling"}`, Active: true}
		off := &model.Channel{OrgID: other.ID, Kind: model.ChannelTelegram, Name: "Off", Active: false}
		for _, c := range []*model.Channel{ch, off, {OrgID: other.ID, Kind: model.ChannelAPI, Name: "App", Active: true}} {
			if err := s.CreateChannel(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := s.PollingChannels(ctx, model.ChannelTelegram)
		if err != nil || len(cs) != 1 || cs[0].ID != ch.ID {
			t.Fatalf("polling channels %+v %v: want only the active Telegram one", cs, err)
		}

		lease := func(owner string) (string, bool) {
			t.Helper()
			cur, ok, err := s.LeaseChannelPoll(ctx, org.ID, ch.ID, owner, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return cur, ok
		}
		if cur, ok := lease("a"); !ok || cur != "" {
			t.Fatalf("first lease: %v %q", ok, cur)
		}
		if _, ok := lease("b"); ok {
			t.Errorf("a second instance took a held lease")
		}
		if err := s.SaveChannelPoll(ctx, org.ID, ch.ID, "a", "501"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveChannelPoll(ctx, org.ID, ch.ID, "b", "999"); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("a non-holder saved its cursor: %v", err)
		}
		clock.Advance(2 * time.Minute)
		if _, ok, err := s.LeaseChannelPoll(ctx, other.ID, ch.ID, "c", time.Minute); err != nil || ok {
			t.Errorf("leased another organisation's channel: %v %v", ok, err)
		}
		clock.Advance(-2 * time.Minute)

		// The holder renews; once it stops, the lease runs out and another
		// instance carries on from the saved cursor.
		clock.Advance(50 * time.Second)
		if cur, ok := lease("a"); !ok || cur != "501" {
			t.Errorf("renewal: %v %q", ok, cur)
		}
		clock.Advance(50 * time.Second)
		if _, ok := lease("b"); ok {
			t.Errorf("lease taken before it ran out")
		}
		clock.Advance(11 * time.Second)
		if cur, ok := lease("b"); !ok || cur != "501" {
			t.Errorf("after expiry: %v %q, want b from 501", ok, cur)
		}
		if err := s.SaveChannelPoll(ctx, org.ID, ch.ID, "a", "502"); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("the old holder saved after losing its lease: %v", err)
		}

		// Releasing hands over at once.
		if err := s.ReleaseChannelPoll(ctx, org.ID, ch.ID, "b"); err != nil {
			t.Fatal(err)
		}
		if cur, ok := lease("a"); !ok || cur != "501" {
			t.Errorf("after release: %v %q", ok, cur)
		}
	})
}
