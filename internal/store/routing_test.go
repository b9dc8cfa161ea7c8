package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestRoutingRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newFixture(t, s, "a"), newFixture(t, s, "b")
		var ids []int64
		for _, name := range []string{"one", "two", "three"} {
			r := &routing.Rule{Name: name, TeamID: a.team.ID, Keywords: []string{"Casa", "affitto"}, Language: "AR"}
			if err := s.CreateRoutingRule(ctx, a.org.ID, r); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		// Another organisation's team is refused by field.
		err := s.CreateRoutingRule(ctx, a.org.ID, &routing.Rule{Name: "x", TeamID: b.team.ID})
		if e, ok := model.AsError(err); !ok || e.Field != "team_id" {
			t.Errorf("another organisation's team: %v", err)
		}
		if err := s.MoveRoutingRule(ctx, a.org.ID, ids[2], 1); err != nil {
			t.Fatal(err)
		}
		rules, err := s.RoutingRules(ctx, a.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rules {
			names = append(names, r.Name)
		}
		if len(rules) != 3 || names[0] != "three" || names[1] != "one" || names[2] != "two" {
			t.Errorf("order %v, want three, one, two", names)
		}
		if r := rules[0]; r.Language != "ar" || len(r.Keywords) != 2 || r.Keywords[0] != "casa" {
			t.Errorf("stored %+v", r)
		}
		r := rules[1]
		r.Disabled, r.Channel = true, model.ChannelSMS
		if err := s.UpdateRoutingRule(ctx, a.org.ID, &r); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RoutingRule(ctx, a.org.ID, r.ID); !got.Disabled || got.Channel != model.ChannelSMS {
			t.Errorf("updated %+v", got)
		}
		// Organisation B sees none of A's rules and can change none.
		if _, err := s.RoutingRule(ctx, b.org.ID, r.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B reads A's rule: %v", err)
		}
		if err := s.DeleteRoutingRule(ctx, b.org.ID, r.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B deletes A's rule: %v", err)
		}
		if err := s.MoveRoutingRule(ctx, b.org.ID, r.ID, 1); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B moves A's rule: %v", err)
		}
		if err := s.DeleteRoutingRule(ctx, a.org.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if rules, _ := s.RoutingRules(ctx, a.org.ID); len(rules) != 2 {
			t.Errorf("%d rules after a delete", len(rules))
		}
		// Team routing: defaults, then saved.
		trs, err := s.TeamRoutings(ctx, a.org.ID)
		if err != nil || trs[a.team.ID] != store.DefaultTeamRouting(a.team.ID) {
			t.Errorf("default team routing %+v, %v", trs[a.team.ID], err)
		}
		if err := s.SetTeamRouting(ctx, a.org.ID, store.TeamRouting{TeamID: a.team.ID, Strategy: routing.RoundRobin}); err != nil {
			t.Fatal(err)
		}
		if trs, _ := s.TeamRoutings(ctx, a.org.ID); trs[a.team.ID].Strategy != routing.RoundRobin || trs[a.team.ID].ReassignOffline {
			t.Errorf("saved team routing %+v", trs[a.team.ID])
		}
		if err := s.SetTeamRouting(ctx, a.org.ID, store.TeamRouting{TeamID: b.team.ID, Strategy: routing.Manual}); err == nil {
			t.Error("A set B's team's routing")
		}
	})
}

func TestPlaceNeverOverridesAPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		res, err := s.RecordInbound(ctx, f.inbound("v1", "مرحبا", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		id := res.ConversationID
		ar := "ar"
		placed, err := s.Place(ctx, f.org.ID, id, store.Placement{TeamID: f.team.ID, NeedsMediator: &ar})
		if err != nil || !placed.Team || !placed.Mediator {
			t.Fatalf("placed %+v, %v", placed, err)
		}
		c, _ := s.Conversation(ctx, f.org.ID, id)
		if c.TeamID != f.team.ID || c.NeedsMediator != "ar" || c.AssigneeID != 0 {
			t.Errorf("after placing: %+v", c)
		}
		// A person assigns it: routing's later decisions change nothing.
		if _, err := s.UpdateConversation(ctx, f.org.ID, id, f.user.ID, store.ConversationPatch{AssigneeID: &f.user.ID}); err != nil {
			t.Fatal(err)
		}
		other := &model.User{OrgID: f.org.ID, Email: "other@a.example", Name: "Other", Role: model.RoleOperator, Active: true}
		if err := s.CreateUser(ctx, other); err != nil {
			t.Fatal(err)
		}
		if placed, err := s.Place(ctx, f.org.ID, id, store.Placement{AssigneeID: other.ID}); err != nil || placed.Assignee {
			t.Errorf("routing over a person's choice: %+v, %v", placed, err)
		}
		if placed, err := s.Place(ctx, f.org.ID, id, store.Placement{AssigneeID: other.ID, From: f.user.ID}); err != nil || placed.Assignee {
			t.Errorf("handing on a person's choice: %+v, %v", placed, err)
		}
		c, _ = s.Conversation(ctx, f.org.ID, id)
		if c.AssigneeID != f.user.ID || c.AutoAssigned || c.NeedsMediator != "" {
			t.Errorf("after routing tried: %+v", c)
		}
	})
}

func TestClosedReplyOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		res, err := s.RecordInbound(ctx, f.inbound("v1", "ciao", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		period := time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC)
		for i, want := range []bool{true, false} {
			sent, err := s.AddClosedReply(ctx, f.org.ID, res.ConversationID, period, &model.Message{Body: "siamo chiusi"})
			if err != nil || sent != want {
				t.Errorf("call %d: sent %v, %v; want %v", i, sent, err, want)
			}
		}
		if sent, _ := s.AddClosedReply(ctx, f.org.ID, res.ConversationID, period.Add(72*time.Hour), &model.Message{Body: "siamo chiusi"}); !sent {
			t.Error("no reply in the next closed period")
		}
		c, _ := s.Conversation(ctx, f.org.ID, res.ConversationID)
		if c.FirstResponseAt != nil || c.Preview != "ciao" {
			t.Errorf("an automatic reply counted as a response: %+v", c)
		}
	})
}

func TestOrganizationSettingKeepsTheOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a")
		if err := s.SetOrganizationSettings(ctx, f.org.ID, `{"webchat": {"privacy_url": "https://x.example"}}`); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCalendar(ctx, f.org.ID, store.CalendarRef{}, `{"weekly": {}}`); err != nil {
			t.Fatal(err)
		}
		doc, _ := s.OrganizationSettings(ctx, f.org.ID)
		if doc != `{"hours":{"weekly":{}},"webchat":{"privacy_url":"https://x.example"}}` {
			t.Errorf("settings %s", doc)
		}
		if err := s.SetCalendar(ctx, f.org.ID, store.CalendarRef{}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Calendar(ctx, f.org.ID, store.CalendarRef{}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a removed calendar: %v", err)
		}
	})
}
