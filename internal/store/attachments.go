package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// maxLinkedAttachments bounds the attachments of one message.
const maxLinkedAttachments = 50

func checkAttachment(a *model.Attachment) error {
	if err := model.CheckText("filename", a.Filename, true, 200); err != nil {
		return err
	}
	if err := model.CheckText("content_type", a.ContentType, true, 100); err != nil {
		return err
	}
	if a.Size < 0 {
		return model.Invalid("size", "error.validation.range", "size must not be negative", map[string]any{"Field": "size"})
	}
	if b, err := hex.DecodeString(a.SHA256); err != nil || len(b) != 32 {
		return model.Invalid("sha256", "error.validation.sha256", "sha256 must be 64 hexadecimal digits", nil)
	}
	if a.StorageKey == "" {
		return errors.New("store: attachment without storage key")
	}
	return nil
}

// CreateAttachment records a stored file. With MessageID 0 it waits,
// unlinked, for LinkAttachments (uploads come before the message that
// carries them); otherwise the message must belong to a.OrgID.
func (s *Store) CreateAttachment(ctx context.Context, a *model.Attachment) error {
	if err := checkAttachment(a); err != nil {
		return err
	}
	a.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if a.MessageID == 0 {
			return tx.row(ctx, `INSERT INTO attachments (org_id, message_id, filename, content_type, size, sha256, storage_key, created_at)
				VALUES (?, NULL, ?, ?, ?, ?, ?, ?) RETURNING id`,
				a.OrgID, a.Filename, a.ContentType, a.Size, a.SHA256, a.StorageKey, ms(a.CreatedAt)).Scan(&a.ID)
		}
		// The SELECT keeps a message of another organisation out.
		err := tx.row(ctx, `INSERT INTO attachments (org_id, message_id, filename, content_type, size, sha256, storage_key, created_at)
			SELECT org_id, id, ?, ?, ?, ?, ?, ? FROM messages WHERE org_id = ? AND id = ?
			RETURNING id`,
			a.Filename, a.ContentType, a.Size, a.SHA256, a.StorageKey, ms(a.CreatedAt), a.OrgID, a.MessageID).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return model.NotFound("message")
		}
		return err
	})
}

// LinkAttachments attaches the unlinked attachments ids to a message. All
// must belong to the organisation and be unlinked (or already on this
// message), or none is linked.
func (s *Store) LinkAttachments(ctx context.Context, orgID, messageID int64, ids []int64) error {
	return s.inTx(ctx, func(tx q) error {
		return linkAttachmentIDs(ctx, tx, orgID, messageID, ids)
	})
}

// linkAttachmentIDs is LinkAttachments inside tx.
func linkAttachmentIDs(ctx context.Context, tx q, orgID, messageID int64, ids []int64) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > maxLinkedAttachments {
		return model.Invalid("attachment_ids", "error.validation.too_many", "too many attachments", map[string]any{"Field": "attachment_ids", "Limit": maxLinkedAttachments})
	}
	var n int
	if err := tx.row(ctx, "SELECT COUNT(*) FROM messages WHERE org_id = ? AND id = ?", orgID, messageID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return model.NotFound("message")
	}
	args := []any{messageID, orgID, messageID}
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := tx.exec(ctx, `UPDATE attachments SET message_id = ?
		WHERE org_id = ? AND (message_id IS NULL OR message_id = ?) AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return err
	}
	linked, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if linked != int64(len(ids)) {
		// Some id is of another organisation, missing or on another
		// message; the caller's transaction rolls the rest back.
		return model.NotFound("attachment")
	}
	return nil
}

const attachmentColumns = "id, org_id, message_id, filename, content_type, size, sha256, storage_key, created_at"

func scanAttachment(sc interface{ Scan(...any) error }) (model.Attachment, error) {
	var a model.Attachment
	var msg sql.NullInt64
	var created int64
	if err := sc.Scan(&a.ID, &a.OrgID, &msg, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &created); err != nil {
		return a, err
	}
	a.MessageID, a.CreatedAt = msg.Int64, fromMS(created)
	return a, nil
}

// Attachment returns one attachment of the organisation.
func (s *Store) Attachment(ctx context.Context, orgID, id int64) (*model.Attachment, error) {
	a, err := scanAttachment(s.reader().row(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "attachment")
	}
	return &a, nil
}

// attachmentsChunk bounds the ids of one query, well under both engines'
// limits on bound parameters.
const attachmentsChunk = 500

// AttachmentsOf returns the attachments of the given messages, by message
// id, each list in upload order. Messages without attachments are absent
// from the map.
func (s *Store) AttachmentsOf(ctx context.Context, orgID int64, messageIDs []int64) (map[int64][]model.Attachment, error) {
	out := map[int64][]model.Attachment{}
	messageIDs = slices.Compact(slices.Sorted(slices.Values(messageIDs)))
	for chunk := range slices.Chunk(messageIDs, attachmentsChunk) {
		args := []any{orgID}
		for _, id := range chunk {
			args = append(args, id)
		}
		if err := s.attachmentsOf(ctx, out, "SELECT "+attachmentColumns+` FROM attachments
			WHERE org_id = ? AND message_id IN (`+placeholders(len(chunk))+`) ORDER BY message_id, id`, args); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) attachmentsOf(ctx context.Context, out map[int64][]model.Attachment, query string, args []any) error {
	rows, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return err
		}
		out[a.MessageID] = append(out[a.MessageID], a)
	}
	return rows.Err()
}
