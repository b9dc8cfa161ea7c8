package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// JobTranscript e-mails a conversation's transcript (see QueueTranscript).
const JobTranscript = "transcript_email"

// Transcript states.
const (
	TranscriptQueued = "queued"
	TranscriptSent   = "sent"
	TranscriptFailed = "failed"
)

// ErrTranscriptLimit refuses a transcript over the conversation's limit.
var ErrTranscriptLimit = &model.Error{Code: model.CodeRateLimited, Key: "transcript.rate_limited",
	Message: "too many transcripts of this conversation: try again later"}

// Transcript is a conversation's transcript e-mailed to the citizen.
type Transcript struct {
	ID             int64
	OrgID          int64
	ConversationID int64
	Recipient      string // an e-mail address
	Language       string // the citizen's: headers and dates
	UntilSeq       int64  // the last message it shows: the conversation when it was asked for
	RequestedBy    int64  // the operator who sent it; 0 for the citizen
	State          string
	Error          string
	CreatedAt      time.Time
	SentAt         *time.Time
}

const transcriptColumns = "id, org_id, conversation_id, recipient, language, until_seq, requested_by, state, error, created_at, sent_at"

func scanTranscript(sc interface{ Scan(...any) error }) (*Transcript, error) {
	var t Transcript
	var by, sent sql.NullInt64
	var created int64
	if err := sc.Scan(&t.ID, &t.OrgID, &t.ConversationID, &t.Recipient, &t.Language, &t.UntilSeq, &by, &t.State, &t.Error, &created, &sent); err != nil {
		return nil, err
	}
	t.RequestedBy, t.CreatedAt, t.SentAt = by.Int64, fromMS(created), fromNullMS(sent)
	return &t, nil
}

// QueueTranscript records t and queues its job in one transaction, unless
// the conversation had limit transcripts or more since then
// (ErrTranscriptLimit). The transcript shows the conversation as it is
// now: UntilSeq is its last message. On PostgreSQL the conversation's row
// is locked while counting, so requests racing cannot pass the limit.
func (s *Store) QueueTranscript(ctx context.Context, t *Transcript, limit int, since time.Time) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if err := mustAffect(tx.exec(ctx, "UPDATE conversations SET id = id WHERE org_id = ? AND id = ?", t.OrgID, t.ConversationID))("conversation"); err != nil {
			return err
		}
		var lastSeq int64
		if err := tx.row(ctx, "SELECT last_seq FROM conversations WHERE org_id = ? AND id = ?", t.OrgID, t.ConversationID).Scan(&lastSeq); err != nil {
			return notFound(err, "conversation")
		}
		var n int
		if err := tx.row(ctx, "SELECT COUNT(*) FROM transcripts WHERE org_id = ? AND conversation_id = ? AND created_at > ?",
			t.OrgID, t.ConversationID, ms(since)).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			return ErrTranscriptLimit
		}
		t.UntilSeq, t.State, t.Error, t.CreatedAt, t.SentAt = lastSeq, TranscriptQueued, "", now, nil
		if err := tx.row(ctx, `INSERT INTO transcripts (org_id, conversation_id, recipient, language, until_seq, requested_by, state, error, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, '', ?) RETURNING id`,
			t.OrgID, t.ConversationID, t.Recipient, t.Language, t.UntilSeq, nullID(t.RequestedBy), t.State, ms(now)).Scan(&t.ID); err != nil {
			return mapError(err)
		}
		return insertJob(ctx, tx, &Job{OrgID: t.OrgID, Kind: JobTranscript, Payload: fmt.Sprintf(`{"transcript_id": %d}`, t.ID)}, now)
	})
}

// Transcript reads one transcript of the organisation.
func (s *Store) Transcript(ctx context.Context, orgID, id int64) (*Transcript, error) {
	t, err := scanTranscript(s.reader().row(ctx, "SELECT "+transcriptColumns+" FROM transcripts WHERE org_id = ? AND id = ?", orgID, id))
	return t, notFound(err, "transcript")
}

// Transcripts lists a conversation's transcripts, newest first.
func (s *Store) Transcripts(ctx context.Context, orgID, conversationID int64) ([]*Transcript, error) {
	rows, err := s.reader().query(ctx, "SELECT "+transcriptColumns+" FROM transcripts WHERE org_id = ? AND conversation_id = ? ORDER BY id DESC",
		orgID, conversationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Transcript
	for rows.Next() {
		t, err := scanTranscript(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FinishTranscript records how a transcript's sending ended (sent, or
// failed with errText) and appends the event to its conversation that
// operators see ("transcript_sent:ADDRESS" or "transcript_failed:…"),
// authored by the operator who sent it. It returns the event message.
func (s *Store) FinishTranscript(ctx context.Context, orgID, id int64, state, errText string) (*model.Message, error) {
	if state != TranscriptSent && state != TranscriptFailed {
		return nil, fmt.Errorf("transcript state %q", state)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var sent sql.NullInt64
	if state == TranscriptSent {
		sent = sql.NullInt64{Int64: ms(now), Valid: true}
	}
	var t *Transcript
	err := s.inTx(ctx, func(tx q) error {
		var err error
		t, err = scanTranscript(tx.row(ctx, `UPDATE transcripts SET state = ?, error = ?, sent_at = ? WHERE org_id = ? AND id = ?
			RETURNING `+transcriptColumns, state, errText, sent, orgID, id))
		return notFound(err, "transcript")
	})
	if err != nil {
		return nil, err
	}
	m := &model.Message{Direction: model.DirectionEvent, Body: "transcript_" + state + ":" + t.Recipient, AuthorUserID: t.RequestedBy}
	if err := s.AddMessage(ctx, orgID, t.ConversationID, m); err != nil {
		return nil, err
	}
	return m, nil
}

// ContactEmail is the address a contact's transcript goes to: their
// e-mail identity, else the e-mail they gave on the web chat's pre-chat
// form; not found when they gave none.
func (s *Store) ContactEmail(ctx context.Context, orgID, contactID int64) (string, error) {
	r := s.reader()
	var addr string
	err := r.row(ctx, "SELECT value FROM contact_identities WHERE org_id = ? AND contact_id = ? AND kind = 'email' ORDER BY created_at, value LIMIT 1",
		orgID, contactID).Scan(&addr)
	if errors.Is(err, sql.ErrNoRows) {
		err = r.row(ctx, `SELECT reply_to FROM webchat_visitors WHERE org_id = ? AND contact_id = ? AND reply_to LIKE '%@%'
			ORDER BY updated_at DESC LIMIT 1`, orgID, contactID).Scan(&addr)
	}
	return addr, notFound(err, "email")
}
