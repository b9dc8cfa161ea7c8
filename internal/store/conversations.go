package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Unassigned, as an AssigneeID or TeamID filter, selects conversations
// with nobody (no team) set.
const Unassigned int64 = -1

// Visibility narrows a list to what one user may see. The zero value sees
// everything of the organisation.
type Visibility struct {
	UserID       int64
	AssignedOnly bool    // volunteers: only what is assigned to them
	TeamIDs      []int64 // operators: their teams' work, work of no team (the whole desk's), and their own
	TeamScoped   bool    // apply TeamIDs
	Restricted   bool    // may see restricted cases not assigned to them
}

// ConversationFilter selects conversations for the inbox and the API.
type ConversationFilter struct {
	Status     model.Status
	TeamID     int64 // 0 any, Unassigned none, else that team
	AssigneeID int64 // 0 any, Unassigned nobody, else that user
	Channel    model.ChannelKind
	Language   string
	Tag        string
	ContactID  int64
	Q          string // part of the contact's name, an identity or the subject
	Limit      int
	Cursor     string
	Visibility Visibility
	// ArrivedClosed selects the "arrived while closed" queue: what came
	// in while the desk was closed and nobody has answered, oldest first.
	ArrivedClosed bool
}

const conversationColumns = `c.id, c.org_id, c.contact_id, c.channel_id, c.channel, c.language, c.subject, c.status, c.priority,
	c.team_id, c.assignee_id, c.restricted, c.snoozed_until, c.created_at, c.first_response_at, c.last_activity_at,
	c.resolved_at, c.last_seq, c.preview, ct.display_name, c.address_kind, c.address, c.last_inbound_at, ` + routingColumns

func scanConversation(sc interface{ Scan(...any) error }) (*model.Conversation, error) {
	var c model.Conversation
	var channel, status string
	var team, assignee nullInt
	var snoozed, firstResp, resolved nullInt
	var created, last int64
	var addrKind string
	var lastIn nullInt
	var rt routingScan
	dest := []any{&c.ID, &c.OrgID, &c.ContactID, &c.ChannelID, &channel, &c.Language, &c.Subject, &status, &c.Priority,
		&team, &assignee, &c.Restricted, &snoozed, &created, &firstResp, &last, &resolved, &c.LastSeq, &c.Preview, &c.ContactName,
		&addrKind, &c.Address.Value, &lastIn}
	if err := sc.Scan(append(dest, rt.dest(&c)...)...); err != nil {
		return nil, err
	}
	rt.fill(&c)
	c.Channel, c.Status = model.ChannelKind(channel), model.Status(status)
	c.TeamID, c.AssigneeID = team.Int64, assignee.Int64
	c.SnoozedUntil, c.FirstResponseAt, c.ResolvedAt = optMS(snoozed), optMS(firstResp), optMS(resolved)
	c.CreatedAt, c.LastActivityAt = fromMS(created), fromMS(last)
	c.Address.Kind, c.LastInboundAt = model.IdentityKind(addrKind), optMS(lastIn)
	c.Tags = []string{}
	return &c, nil
}

func optMS(n nullInt) *time.Time {
	if n.Int64 == 0 {
		return nil
	}
	t := fromMS(n.Int64)
	return &t
}

// Conversation returns one conversation with its tags.
func (s *Store) Conversation(ctx context.Context, orgID, id int64) (*model.Conversation, error) {
	r := s.reader()
	c, err := scanConversation(r.row(ctx, "SELECT "+conversationColumns+
		" FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.org_id = ? AND c.id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "conversation")
	}
	if err := s.loadTags(ctx, r, orgID, []*model.Conversation{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// Conversations lists conversations newest activity first, with cursor
// paging: the inbox.
func (s *Store) Conversations(ctx context.Context, orgID int64, f ConversationFilter) ([]*model.Conversation, string, error) {
	if f.ArrivedClosed {
		return s.arrivedClosed(ctx, orgID, f)
	}
	limit := clampLimit(f.Limit)
	where, args, err := s.conversationWhere(orgID, f)
	if err != nil {
		return nil, "", err
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(c.last_activity_at, c.id) < (?, ?)")
		args = append(args, at, id)
	}
	r := s.reader()
	rows, err := r.query(ctx, "SELECT "+conversationColumns+" FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE "+
		strings.Join(where, " AND ")+" ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := make([]*model.Conversation, 0, limit+1)
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rows.Close()
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(ms(last.LastActivityAt), last.ID)
	}
	return out, next, s.loadTags(ctx, r, orgID, out)
}

// CountConversations counts conversations per status under the same
// filter (status and cursor ignored), for the inbox's live counts.
func (s *Store) CountConversations(ctx context.Context, orgID int64, f ConversationFilter) (map[model.Status]int, error) {
	f.Status = ""
	where, args, err := s.conversationWhere(orgID, f)
	if err != nil {
		return nil, err
	}
	// Only a search by name needs the contacts: without it the count is a
	// covering scan of an inbox index.
	from := "conversations c"
	if strings.TrimSpace(f.Q) != "" {
		from += " JOIN contacts ct ON ct.id = c.contact_id"
	}
	rows, err := s.reader().query(ctx, "SELECT c.status, COUNT(*) FROM "+from+" WHERE "+
		strings.Join(where, " AND ")+" GROUP BY c.status", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[model.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[model.Status(st)] = n
	}
	return out, rows.Err()
}

func (s *Store) conversationWhere(orgID int64, f ConversationFilter) ([]string, []any, error) {
	where := []string{"c.org_id = ?"}
	args := []any{orgID}
	if f.Status != "" {
		if !model.ValidStatus(f.Status) {
			return nil, nil, model.Invalid("status", "error.validation.status", "unknown status", map[string]any{"Value": string(f.Status)})
		}
		where = append(where, "c.status = ?")
		args = append(args, string(f.Status))
	}
	switch {
	case f.TeamID == Unassigned:
		where = append(where, "c.team_id IS NULL")
	case f.TeamID > 0:
		where = append(where, "c.team_id = ?")
		args = append(args, f.TeamID)
	}
	switch {
	case f.AssigneeID == Unassigned:
		where = append(where, "c.assignee_id IS NULL")
	case f.AssigneeID > 0:
		where = append(where, "c.assignee_id = ?")
		args = append(args, f.AssigneeID)
	}
	if f.Channel != "" {
		if !model.ValidChannelKind(f.Channel) {
			return nil, nil, model.Invalid("channel", "error.validation.channel", "unknown channel", map[string]any{"Value": string(f.Channel)})
		}
		where = append(where, "c.channel = ?")
		args = append(args, string(f.Channel))
	}
	if f.Language != "" {
		if !model.ValidLanguage(f.Language) {
			return nil, nil, model.Invalid("language", "error.validation.language", "not a valid language code", map[string]any{"Value": f.Language})
		}
		where = append(where, "c.language = ?")
		args = append(args, f.Language)
	}
	if f.Tag != "" {
		if err := model.CheckText("tag", f.Tag, false, 63); err != nil {
			return nil, nil, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag = ?)")
		args = append(args, strings.ToLower(f.Tag))
	}
	if f.ContactID > 0 {
		where = append(where, "c.contact_id = ?")
		args = append(args, f.ContactID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if err := model.CheckText("q", q, false, 200); err != nil {
			return nil, nil, err
		}
		like := "%" + escapeLike(q) + "%"
		il := s.ilike()
		where = append(where, "(ct.display_name "+il+" ? ESCAPE '\\' OR c.subject "+il+" ? ESCAPE '\\' OR c.preview "+il+" ? ESCAPE '\\'"+
			" OR EXISTS (SELECT 1 FROM contact_identities i WHERE i.org_id = c.org_id AND i.contact_id = c.contact_id AND i.value "+il+" ? ESCAPE '\\'))")
		args = append(args, like, like, like, like)
	}
	if f.ArrivedClosed {
		where = append(where, closedQueueWhere)
	}
	v := f.Visibility
	switch {
	case v.AssignedOnly:
		where = append(where, "c.assignee_id = ?")
		args = append(args, v.UserID)
	case v.TeamScoped:
		cond := "c.assignee_id = ? OR c.team_id IS NULL"
		args = append(args, v.UserID)
		if len(v.TeamIDs) > 0 {
			cond += " OR c.team_id IN (" + placeholders(len(v.TeamIDs)) + ")"
			for _, id := range v.TeamIDs {
				args = append(args, id)
			}
		}
		where = append(where, "("+cond+")")
	}
	if !v.Restricted && (v.AssignedOnly || v.TeamScoped) {
		where = append(where, "(c.restricted = FALSE OR c.assignee_id = ?)")
		args = append(args, v.UserID)
	}
	return where, args, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (s *Store) loadTags(ctx context.Context, r q, orgID int64, cs []*model.Conversation) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Conversation, len(cs))
	args := []any{orgID}
	for _, c := range cs {
		byID[c.ID] = c
		args = append(args, c.ID)
	}
	rows, err := r.query(ctx, "SELECT conversation_id, tag FROM conversation_tags WHERE org_id = ? AND conversation_id IN ("+
		placeholders(len(cs))+") ORDER BY tag", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		byID[id].Tags = append(byID[id].Tags, tag)
	}
	return rows.Err()
}

// ConversationPatch names the fields to change; nil leaves one alone.
type ConversationPatch struct {
	Status       *model.Status
	Priority     *model.Priority
	TeamID       *int64 // 0 clears
	AssigneeID   *int64 // 0 clears
	Language     *string
	Subject      *string
	Tags         *[]string
	Restricted   *bool
	SnoozedUntil *time.Time
}

// UpdateConversation applies a patch and records each change as an event
// message in the timeline, all in one transaction. actorID is the user
// making the change (0 for the system).
func (s *Store) UpdateConversation(ctx context.Context, orgID, id, actorID int64, p ConversationPatch) (*model.Conversation, error) {
	if err := validatePatch(&p); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err := s.inTx(ctx, func(tx q) error {
		var status, language string
		var lastSeq int64
		var priority int
		var team, assignee nullInt
		var restricted bool
		if err := tx.row(ctx, "SELECT status, last_seq, priority, team_id, assignee_id, language, restricted FROM conversations WHERE org_id = ? AND id = ?",
			orgID, id).Scan(&status, &lastSeq, &priority, &team, &assignee, &language, &restricted); err != nil {
			return notFound(err, "conversation")
		}
		// Only real changes are written and recorded in the timeline.
		if p.Priority != nil && int(*p.Priority) == priority {
			p.Priority = nil
		}
		if p.TeamID != nil && *p.TeamID == team.Int64 {
			p.TeamID = nil
		}
		if p.AssigneeID != nil && *p.AssigneeID == assignee.Int64 {
			p.AssigneeID = nil
		}
		if p.Language != nil && *p.Language == language {
			p.Language = nil
		}
		if p.Restricted != nil && *p.Restricted == restricted {
			p.Restricted = nil
		}
		var sets []string
		var args []any
		var events []string
		if p.Status != nil && string(*p.Status) != status {
			sets = append(sets, "status = ?")
			args = append(args, string(*p.Status))
			switch *p.Status {
			case model.StatusResolved, model.StatusClosed:
				sets = append(sets, "resolved_at = ?")
				args = append(args, ms(now))
			case model.StatusSnoozed:
				if p.SnoozedUntil == nil {
					return model.Invalid("snoozed_until", "error.validation.snooze", "a snoozed conversation needs a time to wake up", nil)
				}
			default:
				sets = append(sets, "resolved_at = NULL")
			}
			if *p.Status != model.StatusSnoozed {
				sets = append(sets, "snoozed_until = NULL")
			}
			events = append(events, "status:"+string(*p.Status))
		}
		if p.SnoozedUntil != nil {
			if !p.SnoozedUntil.After(now) {
				return model.Invalid("snoozed_until", "error.validation.snooze_past", "the snooze time must be in the future", nil)
			}
			sets = append(sets, "snoozed_until = ?")
			args = append(args, ms(*p.SnoozedUntil))
			if p.Status == nil && status != string(model.StatusSnoozed) {
				sets = append(sets, "status = ?")
				args = append(args, string(model.StatusSnoozed))
				events = append(events, "status:snoozed")
			}
		}
		if p.Priority != nil {
			sets = append(sets, "priority = ?")
			args = append(args, int(*p.Priority))
			events = append(events, "priority:"+strconv.Itoa(int(*p.Priority)))
		}
		if p.TeamID != nil {
			if *p.TeamID != 0 {
				if err := mustExist(ctx, tx, "teams", orgID, *p.TeamID, "team_id"); err != nil {
					return err
				}
			}
			sets = append(sets, "team_id = ?")
			args = append(args, nullID(*p.TeamID))
			events = append(events, "team:"+strconv.FormatInt(*p.TeamID, 10))
		}
		if p.AssigneeID != nil {
			if *p.AssigneeID != 0 {
				if err := mustExist(ctx, tx, "users", orgID, *p.AssigneeID, "assignee_id"); err != nil {
					return err
				}
			}
			sets = append(sets, "assignee_id = ?", "auto_assigned = ?", "needs_mediator = ''")
			args = append(args, nullID(*p.AssigneeID), false) // a person's choice: routing never overrides it
			events = append(events, "assignee:"+strconv.FormatInt(*p.AssigneeID, 10))
		}
		if p.Language != nil {
			sets = append(sets, "language = ?")
			args = append(args, *p.Language)
			events = append(events, "language:"+*p.Language)
		}
		if p.Subject != nil {
			sets = append(sets, "subject = ?")
			args = append(args, *p.Subject)
		}
		if p.Restricted != nil {
			sets = append(sets, "restricted = ?")
			args = append(args, *p.Restricted)
			events = append(events, "restricted:"+strconv.FormatBool(*p.Restricted))
		}
		if p.Tags != nil {
			if _, err := tx.exec(ctx, "DELETE FROM conversation_tags WHERE org_id = ? AND conversation_id = ?", orgID, id); err != nil {
				return err
			}
			for _, t := range *p.Tags {
				if _, err := tx.exec(ctx, "INSERT INTO conversation_tags (org_id, conversation_id, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", orgID, id, t); err != nil {
					return err
				}
			}
		}
		for _, ev := range events {
			lastSeq++
			if _, err := tx.exec(ctx, `INSERT INTO messages (org_id, conversation_id, seq, direction, body, author_user_id, channel_id, created_at)
				SELECT org_id, id, ?, 'event', ?, ?, channel_id, ? FROM conversations WHERE id = ?`,
				lastSeq, ev, nullID(actorID), ms(now), id); err != nil {
				return err
			}
		}
		if len(events) > 0 {
			sets = append(sets, "last_seq = ?")
			args = append(args, lastSeq)
		}
		if len(sets) == 0 {
			return nil
		}
		_, err := tx.exec(ctx, "UPDATE conversations SET "+strings.Join(sets, ", ")+" WHERE org_id = ? AND id = ?", append(args, orgID, id)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Conversation(ctx, orgID, id)
}

func validatePatch(p *ConversationPatch) error {
	if p.Status != nil && !model.ValidStatus(*p.Status) {
		return model.Invalid("status", "error.validation.status", "unknown status", map[string]any{"Value": string(*p.Status)})
	}
	if p.Priority != nil && !model.ValidPriority(*p.Priority) {
		return model.Invalid("priority", "error.validation.priority", "priority must be 0 (low) to 3 (urgent)", nil)
	}
	if p.Language != nil {
		langs, err := model.NormalizeLanguages("language", []string{*p.Language})
		if err != nil {
			return err
		}
		if len(langs) == 0 {
			return model.Invalid("language", "error.validation.language", "not a valid language code", nil)
		}
		*p.Language = langs[0]
	}
	if p.Subject != nil {
		if err := model.CheckText("subject", *p.Subject, false, 300); err != nil {
			return err
		}
	}
	if p.Tags != nil {
		if len(*p.Tags) > 50 {
			return model.Invalid("tags", "error.validation.too_many", "at most 50 tags", map[string]any{"Field": "tags", "Limit": 50})
		}
		tags := make([]string, 0, len(*p.Tags))
		for _, t := range *p.Tags {
			t = strings.ToLower(strings.TrimSpace(t))
			if !model.ValidTag(t) {
				return model.Invalid("tags", "error.validation.tag", "tags are letters, digits, spaces, dots, dashes and underscores, up to 63", map[string]any{"Value": t})
			}
			tags = append(tags, t)
		}
		*p.Tags = tags
	}
	if p.TeamID != nil && *p.TeamID < 0 || p.AssigneeID != nil && *p.AssigneeID < 0 {
		return model.Invalid("assignee_id", "error.validation.id", "ids are positive numbers, or 0 to clear", nil)
	}
	return nil
}

// mustExist checks that the row id of table belongs to the organisation:
// an id of another organisation is reported as invalid for field.
func mustExist(ctx context.Context, tx q, table string, orgID, id int64, field string) error {
	var n int
	if err := tx.row(ctx, "SELECT COUNT(*) FROM "+table+" WHERE org_id = ? AND id = ?", orgID, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return model.Invalid(field, "error.validation.reference", "no such record in this organisation", map[string]any{"Field": field})
	}
	return nil
}
