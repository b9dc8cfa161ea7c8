package desk

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
)

// Service levels: a policy per team and priority sets how much business
// time a first response and a resolution may take. A conversation's due
// times are set when it gets its team and again when its team or priority
// changes, counted from its creation in the business time of the calendar
// that applies (the channel's, the team's or the organisation's; without
// one, every hour counts). The worker (worker.go) marks warnings and
// breaches as they fall due: a timeline event, a live "sla" event, a
// highlight in the console.

// policyFor picks the most specific policy for a team and a priority:
// team and priority, then team, then priority, then the default.
func policyFor(policies []store.SLAPolicy, teamID int64, pr model.Priority) (store.SLAPolicy, bool) {
	best, rank := store.SLAPolicy{}, 0
	for _, p := range policies {
		r := 0
		switch {
		case p.TeamID == teamID && teamID != 0 && p.Priority == pr:
			r = 4
		case p.TeamID == teamID && teamID != 0 && p.Priority == store.AnyPriority:
			r = 3
		case p.TeamID == 0 && p.Priority == pr:
			r = 2
		case p.TeamID == 0 && p.Priority == store.AnyPriority:
			r = 1
		}
		if r > rank {
			best, rank = p, r
		}
	}
	return best, rank > 0
}

// dueTimes computes a conversation's due times under policy p on sched
// (nil: every hour counts).
func dueTimes(sched *hours.Schedule, from time.Time, p store.SLAPolicy) store.SLADue {
	add := func(d time.Duration) *time.Time {
		if d <= 0 {
			return nil
		}
		if sched == nil {
			t := from.Add(d).UTC()
			return &t
		}
		t, ok := sched.AddBusinessTime(from, d)
		if !ok {
			return nil
		}
		t = t.UTC()
		return &t
	}
	warn := func(d time.Duration) time.Duration { return d * time.Duration(p.WarnPercent) / 100 }
	return store.SLADue{
		FirstResponse: add(p.FirstResponse), FirstResponseWarn: add(warn(p.FirstResponse)),
		Resolution: add(p.Resolution), ResolutionWarn: add(warn(p.Resolution)),
	}
}

// applySLA sets c's due times from the policy that applies to it now and
// returns it as it is then. Without a policy, due times already set stay.
func (d *Service) applySLA(ctx context.Context, c *model.Conversation) (*model.Conversation, error) {
	policies, err := d.st.SLAPolicies(ctx, c.OrgID)
	if err != nil || len(policies) == 0 {
		return c, err
	}
	p, ok := policyFor(policies, c.TeamID, c.Priority)
	if !ok {
		return c, nil
	}
	sched, err := d.scheduleFor(ctx, c.OrgID, c.TeamID, c.ChannelID)
	if err != nil {
		d.log.Warn("sla: calendar", "conversation", c.ID, "err", err)
	}
	if err := d.st.SetSLADue(ctx, c.OrgID, c.ID, dueTimes(sched, c.CreatedAt, p)); err != nil {
		return c, err
	}
	return d.st.Conversation(ctx, c.OrgID, c.ID)
}

// SLAEvent is the data of an "sla" event on the organisation's topic.
type SLAEvent struct {
	Mark store.SLAMark `json:"mark"`
}

// CheckSLAs marks the organisation's warnings and breaches due at now and
// tells the consoles. Several instances may run it at once: each mark is
// made, and announced, once. It reports how many it made.
func (d *Service) CheckSLAs(ctx context.Context, orgID int64, now time.Time) (int, error) {
	due, err := d.st.DueSLAMarks(ctx, orgID, now, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, it := range due {
		ok, err := d.st.MarkSLA(ctx, orgID, it.ConversationID, it.Mark, now)
		if err != nil {
			return n, err
		}
		if !ok {
			continue
		}
		n++
		c, err := d.st.Conversation(ctx, orgID, it.ConversationID)
		if err != nil {
			d.log.Warn("sla: load conversation", "conversation", it.ConversationID, "err", err)
			continue
		}
		d.publishConversation(c)
		data, _ := json.Marshal(SLAEvent{Mark: it.Mark})
		d.pub.Publish(realtime.OrgTopic(orgID), realtime.Event{Type: "sla", OrgID: orgID, ConversationID: c.ID, Seq: c.LastSeq, Data: data})
	}
	return n, nil
}

// SLA policies, for administrators.

// SLAPolicies lists the organisation's policies.
func (d *Service) SLAPolicies(ctx context.Context, a *Actor) ([]store.SLAPolicy, error) {
	if !a.Can(model.PermSettingsManage) {
		return nil, errForbidden
	}
	return d.st.SLAPolicies(ctx, a.OrgID())
}

// SaveSLAPolicy creates (ID 0) or changes a policy. Conversations keep the
// due times they have; new ones, and those whose team or priority
// changes, follow the new policy.
func (d *Service) SaveSLAPolicy(ctx context.Context, a *Actor, p *store.SLAPolicy) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	p.OrgID = a.OrgID()
	action := "sla_policy_update"
	if p.ID == 0 {
		action = "sla_policy_create"
	}
	if err := d.st.SaveSLAPolicy(ctx, p); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, action, "sla_policy", p.ID,
		"first_response="+strconv.Itoa(int(p.FirstResponse/time.Minute))+"m resolution="+strconv.Itoa(int(p.Resolution/time.Minute))+"m", a.IP)
	return nil
}

// DeleteSLAPolicy removes a policy.
func (d *Service) DeleteSLAPolicy(ctx context.Context, a *Actor, id int64) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	if err := d.st.DeleteSLAPolicy(ctx, a.OrgID(), id); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "sla_policy_delete", "sla_policy", id, "", a.IP)
	return nil
}

// afterUpdate follows a change an operator made: new due times when the
// team or the priority changed, and a language set by hand remembered on
// the contact. It returns the conversation as it is then.
func (d *Service) afterUpdate(ctx context.Context, c *model.Conversation, p store.ConversationPatch) *model.Conversation {
	if p.Language != nil {
		d.rememberLanguage(ctx, c)
		if nc, err := d.st.Conversation(ctx, c.OrgID, c.ID); err == nil {
			c = nc
		}
	}
	if p.TeamID != nil || p.Priority != nil {
		nc, err := d.applySLA(ctx, c)
		if err != nil {
			d.log.Warn("sla: due times", "conversation", c.ID, "err", err)
			return c
		}
		c = nc
	}
	return c
}
