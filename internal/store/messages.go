package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
)

// MaxBody bounds a message's text.
const MaxBody = 20000

// previewLen bounds the excerpt kept on the conversation for the inbox.
const previewLen = 140

func preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= previewLen {
		return body
	}
	r := []rune(body)
	return string(r[:previewLen-1]) + "…"
}

// AddMessage appends an operator's reply or note (or a system event) to a
// conversation. Outbound replies start as queued; the first one sets the
// conversation's first response time.
func (s *Store) AddMessage(ctx context.Context, orgID, conversationID int64, m *model.Message) error {
	switch m.Direction {
	case model.DirectionOutbound, model.DirectionNote, model.DirectionEvent:
	default:
		return model.Invalid("direction", "error.validation.direction", "operators write replies or notes", nil)
	}
	if err := model.CheckText("body", m.Body, len(m.Attachments) == 0, MaxBody); err != nil {
		return err
	}
	if m.Direction == model.DirectionOutbound && m.DeliveryStatus == "" {
		m.DeliveryStatus = model.DeliveryQueued
	}
	m.OrgID, m.ConversationID = orgID, conversationID
	// A time in the past is kept (imports, the demo); otherwise now.
	if now := s.now().UTC(); m.CreatedAt.IsZero() || m.CreatedAt.After(now) {
		m.CreatedAt = now
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		var channelID, lastSeq int64
		var firstResp nullInt
		if err := tx.row(ctx, "SELECT channel_id, last_seq, first_response_at FROM conversations WHERE org_id = ? AND id = ?",
			orgID, conversationID).Scan(&channelID, &lastSeq, &firstResp); err != nil {
			return notFound(err, "conversation")
		}
		m.Seq = lastSeq + 1
		if err := insertMessage(ctx, tx, m, channelID); err != nil {
			return err
		}
		if err := linkAttachments(ctx, tx, orgID, m); err != nil {
			return err
		}
		if err := insertQuickReplies(ctx, tx, m); err != nil {
			return err
		}
		if err := insertOriginal(ctx, tx, m); err != nil {
			return err
		}
		sets := "last_seq = ?, last_activity_at = ?"
		args := []any{m.Seq, ms(m.CreatedAt)}
		if m.Direction == model.DirectionOutbound {
			sets += ", preview = ?"
			args = append(args, preview(m.Body))
			if firstResp.Int64 == 0 {
				sets += ", first_response_at = ?"
				args = append(args, ms(m.CreatedAt))
			}
		}
		_, err := tx.exec(ctx, "UPDATE conversations SET "+sets+" WHERE org_id = ? AND id = ?", append(args, orgID, conversationID)...)
		return err
	})
}

// insertMessage appends m. A queued reply on a channel that a provider
// delivers gets its deliver job in the same transaction: stored replies
// are never forgotten, and a reply the transaction drops is never sent.
func insertMessage(ctx context.Context, tx q, m *model.Message, channelID int64) error {
	var provider any
	if m.ProviderMessageID != "" {
		provider = m.ProviderMessageID
	}
	var kind, template string
	if m.Template != nil {
		b, err := json.Marshal(m.Template)
		if err != nil {
			return err
		}
		template = string(b)
	}
	err := tx.row(ctx, `INSERT INTO messages (org_id, conversation_id, seq, direction, body, author_user_id, channel_id,
		provider_message_id, delivery_status, error, created_at, template) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id, (SELECT kind FROM channels WHERE id = ?)`,
		m.OrgID, m.ConversationID, m.Seq, string(m.Direction), m.Body, nullID(m.AuthorUserID), channelID,
		provider, string(m.DeliveryStatus), m.Error, ms(m.CreatedAt), template, channelID).Scan(&m.ID, &kind)
	if err != nil {
		return mapError(err)
	}
	if m.Direction != model.DirectionOutbound || m.DeliveryStatus != model.DeliveryQueued || !model.ChannelKind(kind).Queued() {
		return nil
	}
	return insertJob(ctx, tx, &Job{OrgID: m.OrgID, Kind: JobDeliver, MessageID: m.ID}, m.CreatedAt)
}

// linkAttachments binds already stored attachments (by id) to m; ids of
// another organisation, or already linked, are refused.
func linkAttachments(ctx context.Context, tx q, orgID int64, m *model.Message) error {
	for i, a := range m.Attachments {
		res, err := tx.exec(ctx, "UPDATE attachments SET message_id = ? WHERE org_id = ? AND id = ? AND message_id IS NULL", m.ID, orgID, a.ID)
		if err := mustAffect(res, err)("attachment"); err != nil {
			return err
		}
		m.Attachments[i].MessageID = m.ID
	}
	return nil
}

const messageColumns = "id, org_id, conversation_id, seq, direction, body, author_user_id, provider_message_id, delivery_status, error, created_at, template"

// Messages returns a conversation's messages with seq greater than
// afterSeq, oldest first: a client that has seen up to afterSeq resumes
// from there without losing or repeating any.
func (s *Store) Messages(ctx context.Context, orgID, conversationID, afterSeq int64, limit int) ([]*model.Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	r := s.reader()
	rows, err := r.query(ctx, "SELECT "+messageColumns+" FROM messages WHERE org_id = ? AND conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		orgID, conversationID, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, s.fillMessages(ctx, r, orgID, conversationID, out)
}

// fillMessages loads what hangs off messages of one conversation: quick
// replies, originals of translated replies, attachments.
func (s *Store) fillMessages(ctx context.Context, r q, orgID, conversationID int64, out []*model.Message) error {
	if err := s.fillQuickReplies(ctx, r, orgID, conversationID, out); err != nil {
		return err
	}
	if err := s.fillOriginals(ctx, r, orgID, conversationID, out); err != nil {
		return err
	}
	if err := s.fillCertified(ctx, r, orgID, out); err != nil {
		return err
	}
	return s.fillAttachments(ctx, r, orgID, out)
}

func scanMessage(sc interface{ Scan(...any) error }) (*model.Message, error) {
	var m model.Message
	var dir, status string
	var author nullInt
	var provider *string
	var created int64
	var template string
	if err := sc.Scan(&m.ID, &m.OrgID, &m.ConversationID, &m.Seq, &dir, &m.Body, &author, &provider, &status, &m.Error, &created, &template); err != nil {
		return nil, notFound(err, "message")
	}
	if template != "" {
		var t model.MessageTemplate
		if err := json.Unmarshal([]byte(template), &t); err == nil {
			m.Template = &t
		}
	}
	m.Direction, m.DeliveryStatus = model.Direction(dir), model.DeliveryStatus(status)
	m.AuthorUserID = author.Int64
	if provider != nil {
		m.ProviderMessageID = *provider
	}
	m.CreatedAt = fromMS(created)
	m.Attachments = []model.Attachment{}
	return &m, nil
}

// Message returns one message of the organisation with its attachments.
func (s *Store) Message(ctx context.Context, orgID, id int64) (*model.Message, error) {
	r := s.reader()
	m, err := scanMessage(r.row(ctx, "SELECT "+messageColumns+" FROM messages WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, err
	}
	return m, s.fillMessages(ctx, r, orgID, m.ConversationID, []*model.Message{m})
}

func (s *Store) fillAttachments(ctx context.Context, r q, orgID int64, ms []*model.Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Message, len(ms))
	args := []any{orgID}
	for _, m := range ms {
		byID[m.ID] = m
		args = append(args, m.ID)
	}
	rows, err := r.query(ctx, "SELECT id, message_id, filename, content_type, size, sha256, storage_key, created_at FROM attachments WHERE org_id = ? AND message_id IN ("+
		placeholders(len(ms))+") ORDER BY id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a model.Attachment
		var created int64
		if err := rows.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &created); err != nil {
			return err
		}
		a.OrgID, a.CreatedAt = orgID, fromMS(created)
		if m := byID[a.MessageID]; m != nil {
			m.Attachments = append(m.Attachments, a)
		}
	}
	return rows.Err()
}

// SetDelivery records a provider's delivery report on an outbound message
// found by its provider id. Statuses only move forward (a late "sent" does
// not undo "read"), except failed, which always wins.
func (s *Store) SetDelivery(ctx context.Context, channelID int64, providerMessageID string, st model.DeliveryStatus, errText string) (int64, error) {
	var convID int64
	err := s.inTx(ctx, func(tx q) error {
		var cur string
		var id int64
		if err := tx.row(ctx, "SELECT id, conversation_id, delivery_status FROM messages WHERE channel_id = ? AND provider_message_id = ?",
			channelID, providerMessageID).Scan(&id, &convID, &cur); err != nil {
			return notFound(err, "message")
		}
		if st != model.DeliveryFailed && deliveryRank(model.DeliveryStatus(cur)) >= deliveryRank(st) {
			return nil
		}
		_, err := tx.exec(ctx, "UPDATE messages SET delivery_status = ?, error = ? WHERE id = ?", string(st), errText, id)
		return err
	})
	return convID, err
}

func deliveryRank(s model.DeliveryStatus) int {
	switch s {
	case model.DeliveryQueued:
		return 1
	case model.DeliverySent:
		return 2
	case model.DeliveryDelivered:
		return 3
	case model.DeliveryRead:
		return 4
	case model.DeliveryFailed:
		return 5
	}
	return 0
}

// MarkSent records that a provider accepted a queued reply, with the
// provider's id of it, which later delivery reports name.
func (s *Store) MarkSent(ctx context.Context, orgID, messageID, channelID int64, providerID string) error {
	var provider any
	if providerID != "" {
		provider = providerID
	}
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, `UPDATE messages SET delivery_status = 'sent', provider_message_id = ?, error = '', channel_id = ?
			WHERE org_id = ? AND id = ? AND delivery_status = 'queued'`, provider, channelID, orgID, messageID)
		return err
	})
}

// MessageByProviderID returns the message a channel knows by providerID.
func (s *Store) MessageByProviderID(ctx context.Context, orgID, channelID int64, providerID string) (*model.Message, error) {
	var id int64
	if err := s.reader().row(ctx, "SELECT id FROM messages WHERE channel_id = ? AND provider_message_id = ? AND org_id = ?",
		channelID, providerID, orgID).Scan(&id); err != nil {
		return nil, notFound(err, "message")
	}
	return s.Message(ctx, orgID, id)
}
