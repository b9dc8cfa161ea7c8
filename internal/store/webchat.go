package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// WebVisitor is what a web chat visitor told the desk in the pre-chat
// form. VisitorID is the random id in their signed token, the value of
// their web identity.
type WebVisitor struct {
	OrgID          int64
	VisitorID      string
	ContactID      int64
	Name           string
	ReplyTo        string // a phone in E.164 or an e-mail, for a later answer; may be empty
	Topic          string // the id of a topic from the organisation's settings
	Language       string
	ConsentVersion string // the privacy notice's version the visitor agreed to
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebContact describes the contact behind a web visitor, for
// EnsureWebContact.
type WebContact struct {
	OrgID       int64
	VisitorID   string
	DisplayName string // for a new contact, or one without a name
	Language    string // likewise
	Note        string // added to the contact's notes unless they hold it already
}

// EnsureWebContact returns the contact reached at the visitor's web
// identity, creating it when there is none: the pre-chat form needs a
// contact before the first message, to record a consent against. An
// existing contact keeps its name and language (an operator may have
// corrected them); only empty ones are filled in.
func (s *Store) EnsureWebContact(ctx context.Context, in WebContact) (int64, error) {
	from, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityWeb, Value: in.VisitorID})
	if err != nil {
		return 0, err
	}
	if err := model.CheckText("display_name", in.DisplayName, false, 200); err != nil {
		return 0, err
	}
	if err := model.CheckText("notes", in.Note, false, 1000); err != nil {
		return 0, err
	}
	if in.Language != "" && !model.ValidLanguage(in.Language) {
		in.Language = ""
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var id int64
	err = s.inTx(ctx, func(tx q) error {
		var name, lang, notes string
		var merged nullInt
		err := tx.row(ctx, `SELECT c.id, c.merged_into, c.display_name, c.language, c.notes FROM contact_identities i
			JOIN contacts c ON c.id = i.contact_id WHERE i.org_id = ? AND i.kind = ? AND i.value = ?`,
			in.OrgID, string(from.Kind), from.Value).Scan(&id, &merged, &name, &lang, &notes)
		if errors.Is(err, sql.ErrNoRows) {
			c := &model.Contact{OrgID: in.OrgID, DisplayName: in.DisplayName, Language: in.Language, Notes: in.Note,
				Identities: []model.Identity{from}, CreatedAt: now, UpdatedAt: now}
			if err := insertContact(ctx, tx, c); err != nil {
				return err
			}
			id = c.ID
			return nil
		}
		if err != nil {
			return err
		}
		if merged.Int64 != 0 {
			id = merged.Int64
			if err := tx.row(ctx, "SELECT display_name, language, notes FROM contacts WHERE org_id = ? AND id = ?",
				in.OrgID, id).Scan(&name, &lang, &notes); err != nil {
				return notFound(err, "contact")
			}
		}
		changed := false
		if name == "" && in.DisplayName != "" {
			name, changed = in.DisplayName, true
		}
		if lang == "" && in.Language != "" {
			lang, changed = in.Language, true
		}
		if in.Note != "" && !strings.Contains(notes, in.Note) {
			if notes != "" {
				notes += "\n"
			}
			notes, changed = notes+in.Note, true
		}
		if !changed {
			return nil
		}
		_, err = tx.exec(ctx, "UPDATE contacts SET display_name = ?, language = ?, notes = ?, updated_at = ? WHERE org_id = ? AND id = ?",
			name, lang, notes, ms(now), in.OrgID, id)
		return err
	})
	return id, err
}

// SaveWebVisitor records (or replaces) a visitor's pre-chat form. The
// contact must belong to v.OrgID.
func (s *Store) SaveWebVisitor(ctx context.Context, v *WebVisitor) error {
	if _, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityWeb, Value: v.VisitorID}); err != nil {
		return err
	}
	for _, f := range []struct {
		field, value string
		max          int
	}{{"name", v.Name, 200}, {"reply_to", v.ReplyTo, 254}, {"topic", v.Topic, 100}, {"consent_version", v.ConsentVersion, 100}} {
		if err := model.CheckText(f.field, f.value, false, f.max); err != nil {
			return err
		}
	}
	if v.Language != "" && !model.ValidLanguage(v.Language) {
		v.Language = ""
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		var created int64
		// The SELECT keeps a contact of another organisation out.
		err := tx.row(ctx, `INSERT INTO webchat_visitors (org_id, visitor_id, contact_id, name, reply_to, topic, language, consent_version, created_at, updated_at)
			SELECT org_id, ?, id, ?, ?, ?, ?, ?, ?, ? FROM contacts WHERE org_id = ? AND id = ?
			ON CONFLICT (org_id, visitor_id) DO UPDATE SET contact_id = excluded.contact_id, name = excluded.name,
				reply_to = excluded.reply_to, topic = excluded.topic, language = excluded.language,
				consent_version = excluded.consent_version, updated_at = excluded.updated_at
			RETURNING created_at`,
			v.VisitorID, v.Name, v.ReplyTo, v.Topic, v.Language, v.ConsentVersion, ms(now), ms(now), v.OrgID, v.ContactID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return model.NotFound("contact")
		}
		if err != nil {
			return err
		}
		v.CreatedAt, v.UpdatedAt = fromMS(created), now
		return nil
	})
}

// WebVisitor returns a visitor's pre-chat form, or a not-found error when
// they never filled one in.
func (s *Store) WebVisitor(ctx context.Context, orgID int64, visitorID string) (*WebVisitor, error) {
	v := WebVisitor{OrgID: orgID, VisitorID: visitorID}
	var created, updated int64
	err := s.reader().row(ctx, `SELECT contact_id, name, reply_to, topic, language, consent_version, created_at, updated_at
		FROM webchat_visitors WHERE org_id = ? AND visitor_id = ?`, orgID, visitorID).
		Scan(&v.ContactID, &v.Name, &v.ReplyTo, &v.Topic, &v.Language, &v.ConsentVersion, &created, &updated)
	if err != nil {
		return nil, notFound(err, "visitor")
	}
	v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
	return &v, nil
}

// WebThread is where a web visitor's chat stands: their contact and the
// conversation their page shows. Zero ids mean none yet.
type WebThread struct {
	ContactID      int64
	ConversationID int64
	LastSeq        int64
}

// webContactOf is the contact reached at a web visitor id, merges
// followed; it yields no row when there is none.
const webContactOf = `SELECT COALESCE(c.merged_into, c.id) FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
	WHERE i.org_id = ? AND i.kind = 'web' AND i.value = ?`

// WebThread finds the visitor's contact and the web chat conversation to
// show them: the one their next message goes to (still open, pending or
// snoozed), or else their latest. Reading writes nothing, so a visitor who
// only looks costs no disk.
func (s *Store) WebThread(ctx context.Context, orgID int64, visitorID string) (WebThread, error) {
	var th WebThread
	r := s.reader()
	err := r.row(ctx, webContactOf, orgID, visitorID).Scan(&th.ContactID)
	if errors.Is(err, sql.ErrNoRows) {
		return th, nil
	}
	if err != nil {
		return th, err
	}
	err = r.row(ctx, `SELECT id, last_seq FROM conversations WHERE org_id = ? AND contact_id = ? AND channel = 'web'
		ORDER BY CASE WHEN status IN ('open', 'pending', 'snoozed') THEN 0 ELSE 1 END, last_activity_at DESC, id DESC LIMIT 1`,
		orgID, th.ContactID).Scan(&th.ConversationID, &th.LastSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return th, nil
	}
	return th, err
}

// WebAttachment returns an attachment only if it belongs to a message the
// visitor may see: theirs or a reply to them, in one of their web chat
// conversations. Internal notes' files, other visitors' files and uploads
// not yet sent are all "not found".
func (s *Store) WebAttachment(ctx context.Context, orgID int64, visitorID string, id int64) (*model.Attachment, error) {
	a, err := scanAttachment(s.reader().row(ctx, "SELECT "+prefixColumns("a.", attachmentColumns)+` FROM attachments a
		JOIN messages m ON m.id = a.message_id JOIN conversations c ON c.id = m.conversation_id
		WHERE a.org_id = ? AND a.id = ? AND m.direction IN ('inbound', 'outbound') AND c.channel = 'web'
			AND c.contact_id = (`+webContactOf+`)`, orgID, id, orgID, visitorID))
	if err != nil {
		return nil, notFound(err, "attachment")
	}
	return &a, nil
}

// SetDeliveryUpTo moves the delivery status of a conversation's messages
// of one direction, up to and including seq upTo, forward to st: a
// citizen's page reporting replies delivered or read, or the console
// reporting a citizen's messages read. A status never moves back (a late
// "delivered" does not undo "read") and a failed message stays failed.
// It returns how many messages changed; zero writes nothing.
func (s *Store) SetDeliveryUpTo(ctx context.Context, orgID, conversationID int64, dir model.Direction, upTo int64, st model.DeliveryStatus) (int64, error) {
	if dir != model.DirectionInbound && dir != model.DirectionOutbound {
		return 0, model.Invalid("direction", "error.validation.direction", "delivery applies to messages to or from the citizen", nil)
	}
	switch st {
	case model.DeliverySent, model.DeliveryDelivered, model.DeliveryRead:
	default:
		return 0, model.Invalid("delivery_status", "error.invalid", "a delivery report is sent, delivered or read", nil)
	}
	if upTo <= 0 {
		return 0, nil
	}
	var n int64
	err := s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, `UPDATE messages SET delivery_status = ?
			WHERE org_id = ? AND conversation_id = ? AND direction = ? AND seq <= ?
				AND CASE delivery_status WHEN '' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3
					WHEN 'read' THEN 4 ELSE 5 END < ?`,
			string(st), orgID, conversationID, string(dir), upTo, deliveryRank(st))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
