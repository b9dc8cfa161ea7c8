package store

import (
	"context"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// SLAPolicy sets service levels for a team (0: any team) and a priority
// (AnyPriority: any), in business time of the calendar that applies. A
// zero duration sets no target.
type SLAPolicy struct {
	ID            int64          `json:"id"`
	OrgID         int64          `json:"org_id"`
	TeamID        int64          `json:"team_id,omitempty"`
	Priority      model.Priority `json:"priority"`
	FirstResponse time.Duration  `json:"-"`
	Resolution    time.Duration  `json:"-"`
	WarnPercent   int            `json:"warn_percent"` // a warning when this share of the time is used
}

// AnyPriority is the Priority of a policy for every priority.
const AnyPriority model.Priority = -1

// Validate checks a policy.
func (p *SLAPolicy) Validate() error {
	if p.Priority != AnyPriority && !model.ValidPriority(p.Priority) {
		return model.Invalid("priority", "error.validation.priority", "priority must be 0 (low) to 3 (urgent)", nil)
	}
	if p.TeamID < 0 {
		return model.Invalid("team_id", "error.validation.id", "ids are positive numbers, or 0 for any team", nil)
	}
	const most = 365 * 24 * time.Hour
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"first_response_minutes", p.FirstResponse}, {"resolution_minutes", p.Resolution}} {
		if f.d < 0 || f.d > most || f.d%time.Minute != 0 {
			return model.Invalid(f.name, "error.sla.duration", "a target is a whole number of minutes, up to a year", map[string]any{"Field": f.name})
		}
	}
	if p.FirstResponse == 0 && p.Resolution == 0 {
		return model.Invalid("first_response_minutes", "error.sla.empty", "set a first response or a resolution target", nil)
	}
	if p.WarnPercent == 0 {
		p.WarnPercent = 80
	}
	if p.WarnPercent < 1 || p.WarnPercent > 100 {
		return model.Invalid("warn_percent", "error.validation.range", "warn_percent must be between 1 and 100", map[string]any{"Field": "warn_percent"})
	}
	return nil
}

// SLAPolicies lists the organisation's policies.
func (s *Store) SLAPolicies(ctx context.Context, orgID int64) ([]SLAPolicy, error) {
	rows, err := s.reader().query(ctx, `SELECT id, team_id, priority, first_response_minutes, resolution_minutes, warn_percent
		FROM sla_policies WHERE org_id = ? ORDER BY COALESCE(team_id, 0), priority, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SLAPolicy{}
	for rows.Next() {
		p := SLAPolicy{OrgID: orgID}
		var team nullInt
		var first, res int64
		if err := rows.Scan(&p.ID, &team, &p.Priority, &first, &res, &p.WarnPercent); err != nil {
			return nil, err
		}
		p.TeamID, p.FirstResponse, p.Resolution = team.Int64, time.Duration(first)*time.Minute, time.Duration(res)*time.Minute
		out = append(out, p)
	}
	return out, rows.Err()
}

// SaveSLAPolicy creates (ID 0) or updates a policy. Two policies for the
// same team and priority are a conflict.
func (s *Store) SaveSLAPolicy(ctx context.Context, p *SLAPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := ms(s.now())
	first, res := int64(p.FirstResponse/time.Minute), int64(p.Resolution/time.Minute)
	return s.inTx(ctx, func(tx q) error {
		if p.TeamID != 0 {
			if err := mustExist(ctx, tx, "teams", p.OrgID, p.TeamID, "team_id"); err != nil {
				return err
			}
		}
		if p.ID == 0 {
			return mapError(tx.row(ctx, `INSERT INTO sla_policies (org_id, team_id, priority, first_response_minutes, resolution_minutes, warn_percent, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.OrgID, nullID(p.TeamID), int(p.Priority), first, res, p.WarnPercent, now, now).Scan(&p.ID))
		}
		return mustAffect(tx.exec(ctx, `UPDATE sla_policies SET team_id = ?, priority = ?, first_response_minutes = ?, resolution_minutes = ?,
			warn_percent = ?, updated_at = ? WHERE org_id = ? AND id = ?`, nullID(p.TeamID), int(p.Priority), first, res, p.WarnPercent, now, p.OrgID, p.ID))("sla_policy")
	})
}

// DeleteSLAPolicy removes a policy; due times already set stay.
func (s *Store) DeleteSLAPolicy(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "DELETE FROM sla_policies WHERE org_id = ? AND id = ?", orgID, id))("sla_policy")
	})
}

// SLADue is when a conversation's targets fall due and when to warn.
type SLADue struct {
	FirstResponse, FirstResponseWarn *time.Time
	Resolution, ResolutionWarn       *time.Time
}

// SetSLADue sets a conversation's due times. Warnings and breaches marked
// before are cleared, so that a later due time (a lower priority, another
// team) starts afresh; one still overdue is found again by the next check.
func (s *Store) SetSLADue(ctx context.Context, orgID, convID int64, d SLADue) error {
	opt := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return ms(*t)
	}
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, `UPDATE conversations SET first_response_due_at = ?, first_response_warn_at = ?, resolution_due_at = ?,
			resolution_warn_at = ?, first_response_warned_at = NULL, first_response_breached_at = NULL, resolution_warned_at = NULL,
			resolution_breached_at = NULL WHERE org_id = ? AND id = ?`,
			opt(d.FirstResponse), opt(d.FirstResponseWarn), opt(d.Resolution), opt(d.ResolutionWarn), orgID, convID))("conversation")
	})
}

// SLAMark is a warning or a breach of one target.
type SLAMark string

const (
	SLAFirstResponseWarning  SLAMark = "first_response_warning"
	SLAFirstResponseBreached SLAMark = "first_response_breached"
	SLAResolutionWarning     SLAMark = "resolution_warning"
	SLAResolutionBreached    SLAMark = "resolution_breached"
)

// slaMarks says, for each mark, the column that records it and when it is
// due: the target not yet met, its time come, not yet marked. A breach
// makes its warning moot.
var slaMarks = []struct {
	mark   SLAMark
	column string
	due    string
}{
	{SLAFirstResponseWarning, "first_response_warned_at",
		"c.first_response_at IS NULL AND c.first_response_warn_at <= ? AND c.first_response_warned_at IS NULL AND c.first_response_breached_at IS NULL"},
	{SLAFirstResponseBreached, "first_response_breached_at",
		"c.first_response_at IS NULL AND c.first_response_due_at <= ? AND c.first_response_breached_at IS NULL"},
	{SLAResolutionWarning, "resolution_warned_at",
		"c.resolution_warn_at <= ? AND c.resolution_warned_at IS NULL AND c.resolution_breached_at IS NULL"},
	{SLAResolutionBreached, "resolution_breached_at",
		"c.resolution_due_at <= ? AND c.resolution_breached_at IS NULL"},
}

// SLADueItem is a mark to make on a conversation.
type SLADueItem struct {
	ConversationID int64
	Mark           SLAMark
}

// DueSLAMarks lists the warnings and breaches due at now among the
// organisation's open and pending conversations, up to limit.
func (s *Store) DueSLAMarks(ctx context.Context, orgID int64, now time.Time, limit int) ([]SLADueItem, error) {
	var out []SLADueItem
	for _, m := range slaMarks {
		rows, err := s.reader().query(ctx, "SELECT c.id FROM conversations c WHERE c.org_id = ? AND c.status IN ('open', 'pending') AND "+
			m.due+" ORDER BY c.id LIMIT ?", orgID, ms(now), limit)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, SLADueItem{ConversationID: id, Mark: m.mark})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkSLA records a warning or a breach on a conversation, with an event
// in its timeline, if it is still due and not yet marked. The conditional
// update makes it safe for several instances checking at once: exactly
// one marks it, and only that one reports true.
func (s *Store) MarkSLA(ctx context.Context, orgID, convID int64, mark SLAMark, now time.Time) (bool, error) {
	for _, m := range slaMarks {
		if m.mark != mark {
			continue
		}
		marked := false
		err := s.inTx(ctx, func(tx q) error {
			// The conditions are on the updated row itself (no subquery),
			// so PostgreSQL checks them again on the row another
			// instance has just marked, and finds nothing to do.
			n, err := affected(tx.exec(ctx, "UPDATE conversations AS c SET "+m.column+" = ? WHERE c.org_id = ? AND c.id = ? AND c.status IN ('open', 'pending') AND "+m.due,
				ms(now), orgID, convID, ms(now)))
			if err != nil || n == 0 {
				return err
			}
			marked = true
			return appendEvents(ctx, tx, orgID, convID, 0, []string{"sla:" + string(mark)}, now)
		})
		return marked, err
	}
	return false, model.Invalid("mark", "error.invalid", "unknown SLA mark", nil)
}
