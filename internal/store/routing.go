package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
)

// routingColumns are the conversation columns that routing, the opening
// hours and the SLAs keep; scanConversation reads them through
// routingScan.
const routingColumns = `c.arrived_closed_at, c.needs_mediator, c.language_source, c.auto_assigned,
	c.first_response_due_at, c.resolution_due_at, c.first_response_breached_at, c.resolution_breached_at,
	c.first_response_warn_at, c.resolution_warn_at`

type routingScan struct {
	arrived, frDue, resDue, frBreached, resBreached, frWarn, resWarn nullInt
}

func (r *routingScan) dest(c *model.Conversation) []any {
	return []any{&r.arrived, &c.NeedsMediator, &c.LanguageSource, &c.AutoAssigned,
		&r.frDue, &r.resDue, &r.frBreached, &r.resBreached, &r.frWarn, &r.resWarn}
}

func (r *routingScan) fill(c *model.Conversation) {
	c.ArrivedClosedAt = optMS(r.arrived)
	c.FirstResponseDueAt, c.ResolutionDueAt = optMS(r.frDue), optMS(r.resDue)
	c.FirstResponseBreachedAt, c.ResolutionBreachedAt = optMS(r.frBreached), optMS(r.resBreached)
	c.FirstResponseWarnAt, c.ResolutionWarnAt = optMS(r.frWarn), optMS(r.resWarn)
}

// RoutingRules lists the organisation's rules in the order they are tried.
func (s *Store) RoutingRules(ctx context.Context, orgID int64) ([]routing.Rule, error) {
	rows, err := s.reader().query(ctx, `SELECT id, name, channel, language, topic, keywords, team_id, disabled
		FROM routing_rules WHERE org_id = ? ORDER BY position, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []routing.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRule(sc interface{ Scan(...any) error }) (routing.Rule, error) {
	var r routing.Rule
	var channel, keywords string
	err := sc.Scan(&r.ID, &r.Name, &channel, &r.Language, &r.Topic, &keywords, &r.TeamID, &r.Disabled)
	r.Channel = model.ChannelKind(channel)
	r.Keywords = []string{}
	for k := range strings.SplitSeq(keywords, "\n") {
		if k != "" {
			r.Keywords = append(r.Keywords, k)
		}
	}
	return r, err
}

// RoutingRule returns one rule of the organisation.
func (s *Store) RoutingRule(ctx context.Context, orgID, id int64) (routing.Rule, error) {
	r, err := scanRule(s.reader().row(ctx, `SELECT id, name, channel, language, topic, keywords, team_id, disabled
		FROM routing_rules WHERE org_id = ? AND id = ?`, orgID, id))
	return r, notFound(err, "routing_rule")
}

// CreateRoutingRule adds a rule after the others. It is normalised (see
// routing.Rule.Normalize) and its team must be the organisation's.
func (s *Store) CreateRoutingRule(ctx context.Context, orgID int64, r *routing.Rule) error {
	if err := r.Normalize(); err != nil {
		return err
	}
	now := ms(s.now())
	return s.inTx(ctx, func(tx q) error {
		if err := mustExist(ctx, tx, "teams", orgID, r.TeamID, "team_id"); err != nil {
			return err
		}
		var n, last int64
		if err := tx.row(ctx, "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM routing_rules WHERE org_id = ?", orgID).Scan(&n, &last); err != nil {
			return err
		}
		if n >= routing.MaxRules {
			return model.Invalid("", "error.routing.too_many", "an organisation has at most 500 rules", map[string]any{"Limit": routing.MaxRules})
		}
		return tx.row(ctx, `INSERT INTO routing_rules (org_id, position, name, channel, language, topic, keywords, team_id, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			orgID, last+1, r.Name, string(r.Channel), r.Language, r.Topic, strings.Join(r.Keywords, "\n"), r.TeamID, r.Disabled, now, now).Scan(&r.ID)
	})
}

// UpdateRoutingRule replaces a rule's conditions and team, keeping its
// place.
func (s *Store) UpdateRoutingRule(ctx context.Context, orgID int64, r *routing.Rule) error {
	if err := r.Normalize(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx q) error {
		if err := mustExist(ctx, tx, "teams", orgID, r.TeamID, "team_id"); err != nil {
			return err
		}
		return mustAffect(tx.exec(ctx, `UPDATE routing_rules SET name = ?, channel = ?, language = ?, topic = ?, keywords = ?, team_id = ?,
			disabled = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
			r.Name, string(r.Channel), r.Language, r.Topic, strings.Join(r.Keywords, "\n"), r.TeamID, r.Disabled, ms(s.now()), orgID, r.ID))("routing_rule")
	})
}

// DeleteRoutingRule removes a rule.
func (s *Store) DeleteRoutingRule(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "DELETE FROM routing_rules WHERE org_id = ? AND id = ?", orgID, id))("routing_rule")
	})
}

// MoveRoutingRule moves a rule to position (1 is tried first; a position
// past either end means that end), shifting the others.
func (s *Store) MoveRoutingRule(ctx context.Context, orgID, id int64, position int) error {
	return s.inTx(ctx, func(tx q) error {
		rows, err := tx.query(ctx, "SELECT id FROM routing_rules WHERE org_id = ? ORDER BY position, id", orgID)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var x int64
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		i := -1
		for k, x := range ids {
			if x == id {
				i = k
			}
		}
		if i < 0 {
			return model.NotFound("routing_rule")
		}
		j := min(max(position, 1), len(ids)) - 1
		ids = append(ids[:i], ids[i+1:]...)
		ids = append(ids[:j], append([]int64{id}, ids[j:]...)...)
		// Positions are renumbered 1…n, which also mends any gaps.
		for k, x := range ids {
			if _, err := tx.exec(ctx, "UPDATE routing_rules SET position = ? WHERE org_id = ? AND id = ?", k+1, orgID, x); err != nil {
				return err
			}
		}
		return nil
	})
}

// TeamRouting is how a team shares its conversations.
type TeamRouting struct {
	TeamID          int64            `json:"team_id"`
	Strategy        routing.Strategy `json:"strategy"`
	ReassignOffline bool             `json:"reassign_offline"` // hand on the chats of an operator who goes offline
	LastAssigned    int64            `json:"-"`
}

// DefaultTeamRouting is a team's routing until an administrator sets it.
func DefaultTeamRouting(teamID int64) TeamRouting {
	return TeamRouting{TeamID: teamID, Strategy: routing.LeastLoaded, ReassignOffline: true}
}

// TeamRoutings returns the routing of every team of the organisation,
// defaults included.
func (s *Store) TeamRoutings(ctx context.Context, orgID int64) (map[int64]TeamRouting, error) {
	rows, err := s.reader().query(ctx, `SELECT t.id, tr.strategy, tr.reassign_offline, tr.last_assigned
		FROM teams t LEFT JOIN team_routing tr ON tr.team_id = t.id WHERE t.org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]TeamRouting{}
	for rows.Next() {
		var id int64
		var strategy *string
		var reassign *bool
		var last nullInt
		if err := rows.Scan(&id, &strategy, &reassign, &last); err != nil {
			return nil, err
		}
		tr := DefaultTeamRouting(id)
		if strategy != nil {
			tr.Strategy = routing.Strategy(*strategy)
		}
		if reassign != nil {
			tr.ReassignOffline = *reassign
		}
		tr.LastAssigned = last.Int64
		out[id] = tr
	}
	return out, rows.Err()
}

// SetTeamRouting saves a team's strategy and whether chats of an operator
// who goes offline are handed on.
func (s *Store) SetTeamRouting(ctx context.Context, orgID int64, tr TeamRouting) error {
	if tr.Strategy == "" {
		tr.Strategy = routing.LeastLoaded
	}
	if err := routing.CheckStrategy(tr.Strategy); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx q) error {
		if err := mustExist(ctx, tx, "teams", orgID, tr.TeamID, "team_id"); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO team_routing (team_id, org_id, strategy, reassign_offline, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (team_id) DO UPDATE SET strategy = excluded.strategy, reassign_offline = excluded.reassign_offline, updated_at = excluded.updated_at`,
			tr.TeamID, orgID, string(tr.Strategy), tr.ReassignOffline, ms(s.now()))
		return err
	})
}

// ActiveChatCounts counts, per user, the open and pending conversations
// assigned to them: the load routing balances.
func (s *Store) ActiveChatCounts(ctx context.Context, orgID int64) (map[int64]int, error) {
	rows, err := s.reader().query(ctx, `SELECT assignee_id, COUNT(*) FROM conversations
		WHERE org_id = ? AND assignee_id IS NOT NULL AND status IN ('open', 'pending') GROUP BY assignee_id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Placement is what routing decided for a conversation, to apply.
type Placement struct {
	// TeamID is set only if the conversation has no team yet.
	TeamID int64
	// AssigneeID is set only if nobody has the conversation yet, or, with
	// From, only if From still has it from routing: a manual assignment
	// is never overwritten.
	AssigneeID int64
	From       int64
	// Unassign takes the conversation from From (still only if routing
	// gave it), when nobody can take it over.
	Unassign bool
	// NeedsMediator is the language nobody present speaks, "" for none;
	// nil leaves the flag alone.
	NeedsMediator *string
}

// Placed tells what Place changed.
type Placed struct {
	Team, Assignee, Mediator bool
}

// Place applies a routing decision in one transaction, each change only
// if the conversation is still as routing saw it, with the changes
// recorded in the timeline as the system's. The chosen operator becomes
// the team's last assigned, for round robin.
func (s *Store) Place(ctx context.Context, orgID, convID int64, p Placement) (Placed, error) {
	now := s.now().UTC()
	var done Placed
	err := s.inTx(ctx, func(tx q) error {
		done = Placed{}
		var events []string
		if p.TeamID != 0 {
			if err := mustExist(ctx, tx, "teams", orgID, p.TeamID, "team_id"); err != nil {
				return err
			}
			n, err := affected(tx.exec(ctx, "UPDATE conversations SET team_id = ? WHERE org_id = ? AND id = ? AND team_id IS NULL", p.TeamID, orgID, convID))
			if err != nil {
				return err
			}
			if n > 0 {
				done.Team = true
				events = append(events, "team:"+strconv.FormatInt(p.TeamID, 10))
			}
		}
		if p.AssigneeID != 0 || p.Unassign {
			if p.AssigneeID != 0 {
				if err := mustExist(ctx, tx, "users", orgID, p.AssigneeID, "assignee_id"); err != nil {
					return err
				}
			}
			cond := "assignee_id IS NULL AND status IN ('open', 'pending')"
			args := []any{nullID(p.AssigneeID), p.AssigneeID != 0, orgID, convID}
			if p.From != 0 {
				cond = "assignee_id = ? AND auto_assigned = TRUE"
				args = append(args, p.From)
			}
			set := "assignee_id = ?, auto_assigned = ?"
			if p.AssigneeID != 0 {
				set += ", needs_mediator = ''" // someone has it now
			}
			n, err := affected(tx.exec(ctx, "UPDATE conversations SET "+set+" WHERE org_id = ? AND id = ? AND "+cond, args...))
			if err != nil {
				return err
			}
			if n > 0 {
				done.Assignee = true
				events = append(events, "assignee:"+strconv.FormatInt(p.AssigneeID, 10))
				if p.AssigneeID != 0 {
					if _, err := tx.exec(ctx, `UPDATE team_routing SET last_assigned = ? WHERE org_id = ?
						AND team_id = (SELECT team_id FROM conversations WHERE id = ?)`, p.AssigneeID, orgID, convID); err != nil {
						return err
					}
					if _, err := tx.exec(ctx, `INSERT INTO team_routing (team_id, org_id, last_assigned, updated_at)
						SELECT team_id, org_id, ?, ? FROM conversations WHERE id = ? AND team_id IS NOT NULL ON CONFLICT (team_id) DO NOTHING`,
						p.AssigneeID, ms(now), convID); err != nil {
						return err
					}
				}
			}
		}
		if p.NeedsMediator != nil && (!done.Assignee || p.AssigneeID == 0) {
			n, err := affected(tx.exec(ctx, "UPDATE conversations SET needs_mediator = ? WHERE org_id = ? AND id = ? AND needs_mediator <> ? AND assignee_id IS NULL",
				*p.NeedsMediator, orgID, convID, *p.NeedsMediator))
			if err != nil {
				return err
			}
			done.Mediator = n > 0
		}
		if _, err := tx.exec(ctx, "UPDATE conversations SET routed_at = ? WHERE org_id = ? AND id = ? AND routed_at IS NULL", ms(now), orgID, convID); err != nil {
			return err
		}
		return appendEvents(ctx, tx, orgID, convID, 0, events, now)
	})
	return done, err
}

func affected(res interface{ RowsAffected() (int64, error) }, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// appendEvents records events in a conversation's timeline, by actorID (0
// for the system), inside tx.
func appendEvents(ctx context.Context, tx q, orgID, convID, actorID int64, events []string, now time.Time) error {
	if len(events) == 0 {
		return nil
	}
	var lastSeq int64
	if err := tx.row(ctx, "SELECT last_seq FROM conversations WHERE org_id = ? AND id = ?", orgID, convID).Scan(&lastSeq); err != nil {
		return notFound(err, "conversation")
	}
	for _, ev := range events {
		lastSeq++
		if _, err := tx.exec(ctx, `INSERT INTO messages (org_id, conversation_id, seq, direction, body, author_user_id, channel_id, created_at)
			SELECT org_id, id, ?, 'event', ?, ?, channel_id, ? FROM conversations WHERE id = ?`,
			lastSeq, ev, nullID(actorID), ms(now), convID); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, "UPDATE conversations SET last_seq = ? WHERE org_id = ? AND id = ?", lastSeq, orgID, convID)
	return err
}

// WaitingConversations lists open conversations of a team that nobody
// has, in the order they should be taken: those that arrived while the
// desk was closed first, oldest first, then the others, oldest first.
func (s *Store) WaitingConversations(ctx context.Context, orgID int64, limit int) ([]*model.Conversation, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := s.reader().query(ctx, "SELECT "+conversationColumns+` FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
		WHERE c.org_id = ? AND c.assignee_id IS NULL AND c.status = 'open' AND c.team_id IS NOT NULL
		ORDER BY CASE WHEN c.arrived_closed_at IS NULL THEN 1 ELSE 0 END, COALESCE(c.arrived_closed_at, c.created_at), c.id LIMIT ?`, orgID, limit)
	if err != nil {
		return nil, err
	}
	return scanConversations(rows)
}

// AutoAssignedTo lists the open and pending conversations routing gave to
// a user, oldest first.
func (s *Store) AutoAssignedTo(ctx context.Context, orgID, userID int64) ([]*model.Conversation, error) {
	rows, err := s.reader().query(ctx, "SELECT "+conversationColumns+` FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
		WHERE c.org_id = ? AND c.assignee_id = ? AND c.auto_assigned = TRUE AND c.status IN ('open', 'pending')
		ORDER BY c.created_at, c.id`, orgID, userID)
	if err != nil {
		return nil, err
	}
	return scanConversations(rows)
}

func scanConversations(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]*model.Conversation, error) {
	defer rows.Close()
	out := []*model.Conversation{}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
