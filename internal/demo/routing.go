package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
)

// The demo desk's routing: Arabic goes to first contact, where Karim
// Benali mediates; housing and work by their words; the web chat and
// WhatsApp to first contact. Legal takes from its queue by hand.

var rules = []routing.Rule{
	{Name: "Arabo: primo contatto con mediazione", Language: "ar"},
	{Name: "Casa e sfratti", Keywords: []string{"sfratto", "affitto", "padrone di casa", "eviction", "rent", "expulsion", "loyer"}},
	{Name: "Lavoro", Keywords: []string{"lavoro", "contratto", "busta paga", "licenziat", "naspi", "work", "salary", "travail", "salaire"}},
	{Name: "Chat sul sito", Channel: model.ChannelWeb},
	{Name: "WhatsApp", Channel: model.ChannelWhatsApp},
}

// ruleTeams are the rules' teams, by slug, in the same order.
var ruleTeams = []string{"primo-contatto", "legale", "lavoro", "primo-contatto", "primo-contatto"}

var strategies = map[string]routing.Strategy{
	"primo-contatto": routing.LeastLoaded,
	"legale":         routing.Manual,
	"lavoro":         routing.RoundRobin,
	"amministrativo": routing.LeastLoaded,
}

// slaPolicies: a first answer within four business hours and a solution
// within three working days; an urgent case within half an hour and one
// day.
var slaPolicies = []store.SLAPolicy{
	{Priority: store.AnyPriority, FirstResponse: 4 * time.Hour, Resolution: 25*time.Hour + 30*time.Minute, WarnPercent: 75},
	{Priority: model.PriorityUrgent, FirstResponse: 30 * time.Minute, Resolution: 8*time.Hour + 30*time.Minute, WarnPercent: 50},
}

// emergency is what the automatic out-of-hours reply adds.
var emergency = map[string]string{
	"it": "112 (emergenze); 1522 (violenza e stalking, gratuito, 24 ore su 24)",
	"en": "112 (emergencies); 1522 (violence and stalking, free, 24 hours a day)",
	"fr": "112 (urgences) ; 1522 (violences et harcèlement, gratuit, 24 h sur 24)",
	"ar": "112 (الطوارئ)؛ 1522 (العنف والملاحقة، مجاني، على مدار 24 ساعة)",
	"es": "112 (emergencias); 1522 (violencia y acoso, gratuito, 24 horas al día)",
}

// routing sets the rules, the teams' strategies, the service levels and
// the out-of-hours reply, and puts the conversations that came in while
// the desk was closed, still unanswered, in their queue.
func (l *loader) routing(ctx context.Context) error {
	for i, r := range rules {
		team, err := l.team(ruleTeams[i])
		if err != nil {
			return err
		}
		r.TeamID = team.ID
		if err := l.s.CreateRoutingRule(ctx, l.org.ID, &r); err != nil {
			return fmt.Errorf("routing rule %q: %w", r.Name, err)
		}
	}
	for slug, s := range strategies {
		team, err := l.team(slug)
		if err != nil {
			return err
		}
		if err := l.s.SetTeamRouting(ctx, l.org.ID, store.TeamRouting{TeamID: team.ID, Strategy: s, ReassignOffline: true}); err != nil {
			return fmt.Errorf("team routing %s: %w", slug, err)
		}
	}
	for _, p := range slaPolicies {
		p.OrgID = l.org.ID
		if err := l.s.SaveSLAPolicy(ctx, &p); err != nil {
			return fmt.Errorf("service level: %w", err)
		}
	}
	raw, err := json.Marshal(map[string]any{"emergency": emergency})
	if err != nil {
		return err
	}
	if err := l.s.SetOrganizationSetting(ctx, l.org.ID, "out_of_hours", raw); err != nil {
		return fmt.Errorf("out of hours: %w", err)
	}
	sched, err := hours.Compile(openingHours())
	if err != nil {
		return err
	}
	f := store.ConversationFilter{Limit: store.MaxLimit}
	for {
		convs, next, err := l.s.Conversations(ctx, l.org.ID, f)
		if err != nil {
			return err
		}
		for _, c := range convs {
			if c.FirstResponseAt == nil && !sched.Open(c.CreatedAt) && (c.Status == model.StatusOpen || c.Status == model.StatusPending) {
				if _, err := l.s.MarkArrivedClosed(ctx, l.org.ID, c.ID, c.CreatedAt); err != nil {
					return err
				}
			}
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}

func (l *loader) team(slug string) (*model.Team, error) {
	t, ok := l.teams[slug]
	if !ok {
		return nil, fmt.Errorf("no team %q", slug)
	}
	return t, nil
}
