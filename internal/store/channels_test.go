package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestCreateChannelValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		tests := []struct {
			name         string
			ch           model.Channel
			code         model.Code
			key          string
			wantSettings string
		}{
			{"settings default to an empty object", model.Channel{Kind: model.ChannelWhatsApp, Name: "WhatsApp"}, "", "", "{}"},
			{"settings object", model.Channel{Kind: model.ChannelTelegram, Name: "Bot", Settings: ` {"token":"x"} `}, "", "", `{"token":"x"}`},
			{"unknown kind", model.Channel{Kind: "fax", Name: "Fax"}, model.CodeInvalid, "error.validation.channel_kind", ""},
			{"empty kind", model.Channel{Name: "Nothing"}, model.CodeInvalid, "error.validation.channel_kind", ""},
			{"empty name", model.Channel{Kind: model.ChannelWeb, Name: "  "}, model.CodeInvalid, "error.validation.required", ""},
			{"name too long", model.Channel{Kind: model.ChannelWeb, Name: strings.Repeat("è", 101)}, model.CodeInvalid, "error.validation.too_long", ""},
			{"name of 100 runes", model.Channel{Kind: model.ChannelWeb, Name: strings.Repeat("è", 100)}, "", "", "{}"},
			{"settings not JSON", model.Channel{Kind: model.ChannelWeb, Name: "Web", Settings: "{token"}, model.CodeInvalid, "error.validation.settings", ""},
			{"settings an array", model.Channel{Kind: model.ChannelWeb, Name: "Web", Settings: "[]"}, model.CodeInvalid, "error.validation.settings", ""},
			{"settings null", model.Channel{Kind: model.ChannelWeb, Name: "Web", Settings: "null"}, model.CodeInvalid, "error.validation.settings", ""},
			{"settings with trailing garbage", model.Channel{Kind: model.ChannelWeb, Name: "Web", Settings: "{} {}"}, model.CodeInvalid, "error.validation.settings", ""},
		}
		for _, tt := range tests {
			ch := tt.ch
			ch.OrgID, ch.Active = org.ID, true
			err := s.CreateChannel(ctx, &ch)
			wantCode(t, tt.name, err, tt.code)
			if e, ok := model.AsError(err); ok && e.Key != tt.key {
				t.Errorf("%s: key %q, want %q", tt.name, e.Key, tt.key)
			}
			if err != nil {
				continue
			}
			got, err := s.Channel(ctx, org.ID, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			if *got != ch || got.Settings != tt.wantSettings {
				t.Errorf("%s: stored %+v, want %+v with settings %s", tt.name, got, ch, tt.wantSettings)
			}
		}
	})
}

func TestChannelsScopedAndUpdated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgA, _ := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")
		ch := &model.Channel{OrgID: orgA.ID, Kind: model.ChannelSMS, Name: "SMS", Active: true}
		if err := s.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}

		if _, err := s.Channel(ctx, orgB.ID, ch.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Channel from another organisation: %v, want not found", err)
		}
		if got, err := s.ChannelByID(ctx, ch.ID); err != nil || got.OrgID != orgA.ID {
			t.Errorf("ChannelByID = %+v, %v, want the channel of organisation A", got, err)
		}
		if list, err := s.Channels(ctx, orgB.ID); err != nil || len(list) != 0 {
			t.Errorf("Channels of organisation B = %v, %v, want none", list, err)
		}

		foreign := *ch
		foreign.OrgID, foreign.Name = orgB.ID, "Hijacked"
		if err := s.UpdateChannel(ctx, &foreign); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("UpdateChannel from another organisation: %v, want not found", err)
		}

		upd := *ch
		upd.Kind, upd.Name, upd.Settings, upd.Active = model.ChannelEmail, "SMS gateway", `{"from":"+390000000"}`, false
		if err := s.UpdateChannel(ctx, &upd); err != nil {
			t.Fatal(err)
		}
		if upd.Kind != model.ChannelSMS {
			t.Errorf("UpdateChannel changed the kind to %q", upd.Kind)
		}
		list, err := s.Channels(ctx, orgA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || *list[0] != upd {
			t.Errorf("Channels = %+v, want [%+v]", list, upd)
		}
		wantCode(t, "update with bad settings", s.UpdateChannel(ctx, &model.Channel{OrgID: orgA.ID, ID: ch.ID, Name: "x", Settings: "[1]"}), model.CodeInvalid)
	})
}

func TestDefaultChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		inactive := &model.Channel{OrgID: org.ID, Kind: model.ChannelWeb, Name: "Old chat", Active: false}
		if err := s.CreateChannel(ctx, inactive); err != nil {
			t.Fatal(err)
		}

		// Concurrent first calls agree on one new channel.
		const n = 32
		got := make([]*model.Channel, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { got[i], errs[i] = s.DefaultChannel(ctx, org.ID, model.ChannelWeb) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if got[i].ID != got[0].ID {
				t.Errorf("DefaultChannel call %d = channel %d, call 0 = %d", i, got[i].ID, got[0].ID)
			}
		}
		c := got[0]
		if c.ID == inactive.ID || c.Kind != model.ChannelWeb || c.Name != "web" || !c.Active || c.Settings != "{}" || c.OrgID != org.ID {
			t.Errorf("DefaultChannel = %+v, want a new active web channel named web", c)
		}
		list, err := s.Channels(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Errorf("%d channels after DefaultChannel, want 2", len(list))
		}

		_, err = s.DefaultChannel(ctx, org.ID, "fax")
		wantCode(t, "DefaultChannel of an unknown kind", err, model.CodeInvalid)
		_, err = s.DefaultChannel(ctx, org.ID+1000, model.ChannelWeb)
		wantCode(t, "DefaultChannel of a missing organisation", err, model.CodeNotFound)
	})
}
