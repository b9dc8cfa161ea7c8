package console_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestLiveMediatorAlert: an Arabic conversation nobody present can take
// waits, flagged, and the Arabic-speaking mediator of the team, at the
// desk but away, is told on their console.
func TestLiveMediatorAlert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := t.Context()
		hash, err := e.d.HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		karim := &model.User{OrgID: e.org.ID, Email: "karim@desk.example", Name: "Karim", Role: model.RoleMediator,
			Languages: []string{"ar", "fr"}, Active: true, PasswordHash: hash}
		if err := s.CreateUser(ctx, karim); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTeamMembers(ctx, e.org.ID, e.team.ID, []int64{e.op.ID, karim.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateRoutingRule(ctx, e.org.ID, &routing.Rule{Name: "Web", Channel: model.ChannelWeb, TeamID: e.team.ID}); err != nil {
			t.Fatal(err)
		}
		kt := e.live(e.client().signIn("karim@desk.example"))
		ot := e.live(e.client().signIn("op@desk.example"))
		kt.send(map[string]any{"type": "presence", "status": "away"})
		ot.wait("presence", func(f frame) bool { return f.UserID == karim.ID && f.Status == "away" })

		res, err := e.d.Receive(ctx, store.Inbound{OrgID: e.org.ID, ChannelID: e.channel.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "youssef"}, DisplayName: "Youssef", Language: "ar", Body: "مرحبا"})
		if err != nil {
			t.Fatal(err)
		}
		f := kt.wait("alert", func(f frame) bool { return f.ConversationID == res.ConversationID })
		if !f.Notify || !strings.Contains(f.Announce, "Youssef") {
			t.Errorf("alert %s", f.raw)
		}
		conv, err := s.Conversation(ctx, e.org.ID, res.ConversationID)
		if err != nil || conv.NeedsMediator != "ar" || conv.AssigneeID != 0 {
			t.Errorf("conversation %+v, %v", conv, err)
		}
	})
}
