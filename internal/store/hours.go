package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// CalendarRef names whose opening hours: a team's, a channel's, or (both
// zero) the organisation's own, kept in its settings under "hours".
type CalendarRef struct {
	TeamID    int64 `json:"team_id,omitempty"`
	ChannelID int64 `json:"channel_id,omitempty"`
}

// StoredCalendar is a team's or a channel's calendar as stored: an
// hours.Calendar as JSON.
type StoredCalendar struct {
	CalendarRef
	Calendar  string    `json:"calendar"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (r CalendarRef) check() error {
	if r.TeamID < 0 || r.ChannelID < 0 || r.TeamID != 0 && r.ChannelID != 0 {
		return model.Invalid("", "error.hours.scope", "opening hours belong to the organisation, a team or a channel", nil)
	}
	return nil
}

// Calendar returns the stored calendar of ref, or a not-found error when
// none is set (the next one up applies).
func (s *Store) Calendar(ctx context.Context, orgID int64, ref CalendarRef) (string, error) {
	if err := ref.check(); err != nil {
		return "", err
	}
	if ref == (CalendarRef{}) {
		raw, err := s.OrganizationSetting(ctx, orgID, "hours")
		if err != nil {
			return "", err
		}
		if len(raw) == 0 || string(raw) == "null" {
			return "", model.NotFound("calendar")
		}
		return string(raw), nil
	}
	col, id := ref.column()
	var doc string
	err := s.reader().row(ctx, "SELECT calendar FROM hours_calendars WHERE org_id = ? AND "+col+" = ?", orgID, id).Scan(&doc)
	return doc, notFound(err, "calendar")
}

func (r CalendarRef) column() (string, int64) {
	if r.TeamID != 0 {
		return "team_id", r.TeamID
	}
	return "channel_id", r.ChannelID
}

// Calendars lists the teams' and channels' calendars of the organisation.
func (s *Store) Calendars(ctx context.Context, orgID int64) ([]StoredCalendar, error) {
	rows, err := s.reader().query(ctx, "SELECT team_id, channel_id, calendar, updated_at FROM hours_calendars WHERE org_id = ? ORDER BY id", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StoredCalendar{}
	for rows.Next() {
		var c StoredCalendar
		var team, channel nullInt
		var updated int64
		if err := rows.Scan(&team, &channel, &c.Calendar, &updated); err != nil {
			return nil, err
		}
		c.TeamID, c.ChannelID, c.UpdatedAt = team.Int64, channel.Int64, fromMS(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetCalendar stores the calendar of ref (JSON the caller validated); an
// empty doc removes it, so the next one up applies. The organisation's own
// goes into its settings.
func (s *Store) SetCalendar(ctx context.Context, orgID int64, ref CalendarRef, doc string) error {
	if err := ref.check(); err != nil {
		return err
	}
	if doc != "" && !json.Valid([]byte(doc)) {
		return model.Invalid("calendar", "error.invalid", "the calendar is not valid JSON", nil)
	}
	if ref == (CalendarRef{}) {
		var raw json.RawMessage
		if doc != "" {
			raw = json.RawMessage(doc)
		}
		return s.SetOrganizationSetting(ctx, orgID, "hours", raw)
	}
	col, id := ref.column()
	return s.inTx(ctx, func(tx q) error {
		table := "teams"
		if col == "channel_id" {
			table = "channels"
		}
		if err := mustExist(ctx, tx, table, orgID, id, col); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM hours_calendars WHERE org_id = ? AND "+col+" = ?", orgID, id); err != nil {
			return err
		}
		if doc == "" {
			return nil
		}
		_, err := tx.exec(ctx, "INSERT INTO hours_calendars (org_id, "+col+", calendar, updated_at) VALUES (?, ?, ?, ?)", orgID, id, doc, ms(s.now()))
		return err
	})
}

// OrganizationSetting returns one member of the organisation's settings
// document, nil when absent.
func (s *Store) OrganizationSetting(ctx context.Context, orgID int64, key string) (json.RawMessage, error) {
	doc, err := s.OrganizationSettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	m, err := settingsMembers(doc)
	if err != nil {
		return nil, err
	}
	return m[key], nil
}

// SetOrganizationSetting replaces one member of the organisation's
// settings document (nil removes it) and keeps the others, in one
// transaction, so two administrators saving different parts do not undo
// each other.
func (s *Store) SetOrganizationSetting(ctx context.Context, orgID int64, key string, value json.RawMessage) error {
	if value != nil && !json.Valid(value) {
		return model.Invalid(key, "error.invalid", "not valid JSON", nil)
	}
	return s.inTx(ctx, func(tx q) error {
		lock := ""
		if s.engine == Postgres {
			lock = " FOR UPDATE"
		}
		var doc string
		if err := tx.row(ctx, "SELECT settings FROM organizations WHERE id = ?"+lock, orgID).Scan(&doc); err != nil {
			return notFound(err, "organization")
		}
		m, err := settingsMembers(doc)
		if err != nil {
			return err
		}
		if value == nil {
			delete(m, key)
		} else {
			m[key] = value
		}
		out, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE organizations SET settings = ? WHERE id = ?", string(out), orgID)
		return err
	})
}

func settingsMembers(doc string) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if strings.TrimSpace(doc) == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return nil, errors.New("organisation settings are not a JSON object: " + err.Error())
	}
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	return m, nil
}

// MarkArrivedClosed records that a conversation came in while the desk
// was closed, at, unless it already is marked: it then waits in the
// "arrived while closed" queue until someone answers.
func (s *Store) MarkArrivedClosed(ctx context.Context, orgID, convID int64, at time.Time) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(tx q) error {
		var err error
		n, err = affected(tx.exec(ctx, "UPDATE conversations SET arrived_closed_at = ? WHERE org_id = ? AND id = ? AND arrived_closed_at IS NULL AND first_response_at IS NULL",
			ms(at), orgID, convID))
		return err
	})
	return n > 0, err
}

// AddClosedReply appends the automatic "we are closed" reply m to a
// conversation, once per closed period: period is the instant that period
// began, and a second call with the same period (another message, another
// instance) writes nothing and reports false. The reply is the system's,
// queued for delivery like any reply; it is not a first response.
func (s *Store) AddClosedReply(ctx context.Context, orgID, convID int64, period time.Time, m *model.Message) (bool, error) {
	if err := model.CheckText("body", m.Body, true, MaxBody); err != nil {
		return false, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	m.OrgID, m.ConversationID, m.Direction, m.AuthorUserID = orgID, convID, model.DirectionOutbound, 0
	m.DeliveryStatus, m.CreatedAt = model.DeliveryQueued, now
	if m.Attachments == nil {
		m.Attachments = []model.Attachment{}
	}
	key := ms(period)
	sent := false
	err := s.inTx(ctx, func(tx q) error {
		sent = false
		n, err := affected(tx.exec(ctx, `UPDATE conversations SET closed_reply_period = ?
			WHERE org_id = ? AND id = ? AND (closed_reply_period IS NULL OR closed_reply_period <> ?)`, key, orgID, convID, key))
		if err != nil || n == 0 {
			return err
		}
		var channelID, lastSeq int64
		if err := tx.row(ctx, "SELECT channel_id, last_seq FROM conversations WHERE org_id = ? AND id = ?", orgID, convID).Scan(&channelID, &lastSeq); err != nil {
			return notFound(err, "conversation")
		}
		m.Seq = lastSeq + 1
		if err := insertMessage(ctx, tx, m, channelID); err != nil {
			return err
		}
		sent = true
		_, err = tx.exec(ctx, "UPDATE conversations SET last_seq = ?, last_activity_at = ? WHERE org_id = ? AND id = ?", m.Seq, ms(now), orgID, convID)
		return err
	})
	return sent, err
}

// closedQueueWhere selects the "arrived while closed" queue: conversations
// that came in while the desk was closed and nobody has answered yet.
const closedQueueWhere = "c.arrived_closed_at IS NOT NULL AND c.first_response_at IS NULL AND c.status IN ('open', 'pending')"

// arrivedClosed lists the "arrived while closed" queue, oldest first, for
// Conversations with f.ArrivedClosed.
func (s *Store) arrivedClosed(ctx context.Context, orgID int64, f ConversationFilter) ([]*model.Conversation, string, error) {
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
		where = append(where, "(c.arrived_closed_at, c.id) > (?, ?)")
		args = append(args, at, id)
	}
	r := s.reader()
	rows, err := r.query(ctx, "SELECT "+conversationColumns+" FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE "+
		strings.Join(where, " AND ")+" ORDER BY c.arrived_closed_at, c.id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	out, err := scanConversations(rows)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(ms(*last.ArrivedClosedAt), last.ID)
	}
	return out, next, s.loadTags(ctx, r, orgID, out)
}
