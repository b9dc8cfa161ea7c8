package store

import (
	"context"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Mailbox is how far an e-mail channel's mailbox has been read.
type Mailbox struct {
	ChannelID   int64
	UIDValidity uint32
	LastUID     uint32
}

// ClaimMailbox gives owner the right to read channel channelID's mailbox
// until now+lease, when nobody else holds it, and returns where reading
// got to. ok is false when another instance holds it.
func (s *Store) ClaimMailbox(ctx context.Context, orgID, channelID int64, owner string, lease time.Duration) (mb Mailbox, ok bool, err error) {
	now := s.now()
	err = s.inTx(ctx, func(tx q) error {
		if _, err := tx.exec(ctx, `INSERT INTO email_mailboxes (channel_id, org_id, updated_at)
			SELECT id, org_id, ? FROM channels WHERE id = ? AND org_id = ? ON CONFLICT (channel_id) DO NOTHING`, ms(now), channelID, orgID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE email_mailboxes SET lease_owner = ?, lease_until = ?
			WHERE channel_id = ? AND org_id = ? AND (lease_owner = ? OR lease_until < ?)`,
			owner, ms(now.Add(lease)), channelID, orgID, owner, ms(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		ok = true
		var v, u int64
		if err := tx.row(ctx, "SELECT uid_validity, last_uid FROM email_mailboxes WHERE channel_id = ?", channelID).Scan(&v, &u); err != nil {
			return err
		}
		mb = Mailbox{ChannelID: channelID, UIDValidity: uint32(v), LastUID: uint32(u)}
		return nil
	})
	return mb, ok, err
}

// ActiveChannelsOfKind lists every organisation's active channels of a
// kind, for the workers that serve them (the mailbox readers).
func (s *Store) ActiveChannelsOfKind(ctx context.Context, kind model.ChannelKind) ([]*model.Channel, error) {
	rows, err := s.reader().query(ctx, "SELECT "+channelColumns+" FROM channels WHERE kind = ? AND active = ? ORDER BY id", string(kind), true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*model.Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveMailbox records that owner handled the mailbox up to mb.LastUID.
// It fails with a conflict when owner's lease was taken over.
func (s *Store) SaveMailbox(ctx context.Context, owner string, mb Mailbox) error {
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, `UPDATE email_mailboxes SET uid_validity = ?, last_uid = ?, updated_at = ? WHERE channel_id = ? AND lease_owner = ?`,
			int64(mb.UIDValidity), int64(mb.LastUID), ms(s.now()), mb.ChannelID, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return ErrLeaseLost
		}
		return nil
	})
}

// ReleaseMailbox gives up owner's lease, so that another instance can
// take the mailbox over at once.
func (s *Store) ReleaseMailbox(ctx context.Context, channelID int64, owner string) error {
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, "UPDATE email_mailboxes SET lease_until = 0 WHERE channel_id = ? AND lease_owner = ?", channelID, owner)
		return err
	})
}

// ConversationOfMessages returns the conversation of the newest of the
// channel's messages known by one of providerIDs (an e-mail's
// In-Reply-To and References); not found when none is ours.
func (s *Store) ConversationOfMessages(ctx context.Context, orgID, channelID int64, providerIDs []string) (int64, error) {
	if len(providerIDs) == 0 {
		return 0, model.NotFound("conversation")
	}
	if len(providerIDs) > 100 {
		providerIDs = providerIDs[len(providerIDs)-100:]
	}
	args := []any{channelID}
	for _, id := range providerIDs {
		args = append(args, id)
	}
	args = append(args, orgID)
	var conv int64
	err := s.reader().row(ctx, "SELECT conversation_id FROM messages WHERE channel_id = ? AND provider_message_id IN ("+placeholders(len(providerIDs))+
		") AND org_id = ? ORDER BY id DESC LIMIT 1", args...).Scan(&conv)
	return conv, notFound(err, "conversation")
}

// Thread is what an e-mail reply needs to join its thread.
type Thread struct {
	Subject    string
	InReplyTo  string   // the citizen's last message
	References []string // the conversation's messages, oldest first
}

// ThreadOf returns the thread of a conversation for a reply: the
// provider ids (e-mail Message-IDs) of its messages, at most the last 20.
func (s *Store) ThreadOf(ctx context.Context, orgID, conversationID int64) (Thread, error) {
	var t Thread
	r := s.reader()
	if err := r.row(ctx, "SELECT subject FROM conversations WHERE id = ? AND org_id = ?", conversationID, orgID).Scan(&t.Subject); err != nil {
		return t, notFound(err, "conversation")
	}
	rows, err := r.query(ctx, `SELECT direction, provider_message_id FROM messages
		WHERE org_id = ? AND conversation_id = ? AND provider_message_id IS NOT NULL AND direction IN ('inbound', 'outbound')
		ORDER BY seq DESC LIMIT 20`, orgID, conversationID)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var dir, id string
		if err := rows.Scan(&dir, &id); err != nil {
			return t, err
		}
		if dir == string(model.DirectionInbound) && t.InReplyTo == "" {
			t.InReplyTo = id
		}
		ids = append(ids, id)
	}
	for i := len(ids) - 1; i >= 0; i-- {
		t.References = append(t.References, ids[i])
	}
	return t, rows.Err()
}

func insertCertificate(ctx context.Context, tx q, orgID, messageID int64, c *model.Certificate) error {
	if c == nil {
		return nil
	}
	var at any
	if c.At != nil {
		at = ms(*c.At)
	}
	_, err := tx.exec(ctx, `INSERT INTO message_certificates (message_id, org_id, transport, provider, identifier, certified_at) VALUES (?, ?, ?, ?, ?, ?)`,
		messageID, orgID, clipText(c.Transport, 50), clipText(c.Provider, 200), clipText(c.Identifier, 300), at)
	return err
}

// AddReceipt records a certified e-mail receipt about the channel's
// message known by providerID, and moves the message's delivery status
// to st (forward only, except failed) with errText. It returns the
// message.
func (s *Store) AddReceipt(ctx context.Context, orgID, channelID int64, providerID string, r model.Receipt, st model.DeliveryStatus, errText string) (int64, error) {
	var id int64
	now := s.now()
	if r.At.IsZero() {
		r.At = now
	}
	err := s.inTx(ctx, func(tx q) error {
		var cur string
		if err := tx.row(ctx, "SELECT id, delivery_status FROM messages WHERE channel_id = ? AND provider_message_id = ? AND org_id = ? AND direction = 'outbound'",
			channelID, providerID, orgID).Scan(&id, &cur); err != nil {
			return notFound(err, "message")
		}
		if _, err := tx.exec(ctx, `INSERT INTO message_receipts (org_id, message_id, kind, recipient, error, provider, at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			orgID, id, clipText(r.Kind, 50), clipText(r.Recipient, 320), clipText(r.Error, 1000), clipText(r.Provider, 200), ms(r.At), ms(now)); err != nil {
			return err
		}
		if st == model.DeliveryNone || (st != model.DeliveryFailed && deliveryRank(model.DeliveryStatus(cur)) >= deliveryRank(st)) {
			return nil
		}
		_, err := tx.exec(ctx, "UPDATE messages SET delivery_status = ?, error = ? WHERE id = ?", string(st), errText, id)
		return err
	})
	return id, err
}

// fillCertified loads what e-mail messages have besides their body: the
// quoted history folded away, the certificates and the receipts.
func (s *Store) fillCertified(ctx context.Context, r q, orgID int64, out []*model.Message) error {
	if len(out) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Message, len(out))
	args := []any{orgID}
	for _, m := range out {
		byID[m.ID] = m
		args = append(args, m.ID)
	}
	in := placeholders(len(out))
	qrows, err := r.query(ctx, "SELECT message_id, body FROM message_quotes WHERE org_id = ? AND message_id IN ("+in+")", args...)
	if err != nil {
		return err
	}
	defer qrows.Close()
	for qrows.Next() {
		var id int64
		var body string
		if err := qrows.Scan(&id, &body); err != nil {
			return err
		}
		if m := byID[id]; m != nil {
			m.Quoted = body
		}
	}
	if err := qrows.Err(); err != nil {
		return err
	}
	qrows.Close()
	rows, err := r.query(ctx, "SELECT message_id, transport, provider, identifier, certified_at FROM message_certificates WHERE org_id = ? AND message_id IN ("+in+")", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c model.Certificate
		var at *int64
		if err := rows.Scan(&id, &c.Transport, &c.Provider, &c.Identifier, &at); err != nil {
			return err
		}
		if at != nil {
			t := fromMS(*at)
			c.At = &t
		}
		if m := byID[id]; m != nil {
			m.Certificate = &c
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	rows, err = r.query(ctx, "SELECT message_id, kind, recipient, error, provider, at FROM message_receipts WHERE org_id = ? AND message_id IN ("+in+") ORDER BY at, id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		var rc model.Receipt
		if err := rows.Scan(&id, &rc.Kind, &rc.Recipient, &rc.Error, &rc.Provider, &at); err != nil {
			return err
		}
		rc.At = fromMS(at)
		if m := byID[id]; m != nil {
			m.Receipts = append(m.Receipts, rc)
		}
	}
	return rows.Err()
}
