package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Job kinds run by the desk's job runner.
const (
	JobDeliver    = "deliver"        // send an outbound message through its channel
	JobFetchMedia = "fetch_media"    // download a provider's media into an attachment
	JobRoute      = "route"          // after a provider's message: language, routing, due times, out of hours, the screener's flow
	JobReferral   = "referral_email" // e-mail an outside partner the link to a referral
)

// Job states. A done job is deleted.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobFailed  = "failed" // gave up after its last attempt; kept until retried
)

// DefaultMaxAttempts spans well over an hour of backoff (see
// desk.Backoff): a provider down for an hour gets its replies when it is
// back.
const DefaultMaxAttempts = 12

// Job is one unit of durable background work.
type Job struct {
	ID          int64
	OrgID       int64
	Kind        string
	Payload     string // JSON
	State       string
	Attempts    int // including the one running now
	MaxAttempts int
	RunAt       time.Time
	LastError   string
	MessageID   int64 // the message a deliver job sends, if any
	CreatedAt   time.Time
}

const jobColumns = "id, org_id, kind, payload, state, attempts, max_attempts, run_at, last_error, message_id, created_at"

func scanJob(sc interface{ Scan(...any) error }) (*Job, error) {
	var j Job
	var org, msg sql.NullInt64
	var runAt, created int64
	if err := sc.Scan(&j.ID, &org, &j.Kind, &j.Payload, &j.State, &j.Attempts, &j.MaxAttempts, &runAt, &j.LastError, &msg, &created); err != nil {
		return nil, err
	}
	j.OrgID, j.MessageID = org.Int64, msg.Int64
	j.RunAt, j.CreatedAt = fromMS(runAt), fromMS(created)
	return &j, nil
}

// insertJob queues j inside the caller's transaction, so the work and what
// asks for it commit together.
func insertJob(ctx context.Context, tx q, j *Job, now time.Time) error {
	if j.Payload == "" {
		j.Payload = "{}"
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	if j.RunAt.IsZero() || j.RunAt.Before(now) {
		j.RunAt = now
	}
	j.State, j.CreatedAt = JobQueued, now
	return tx.row(ctx, `INSERT INTO jobs (org_id, kind, payload, state, attempts, max_attempts, run_at, last_error, message_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, ?, ?, '', ?, ?, ?) RETURNING id`,
		nullID(j.OrgID), j.Kind, j.Payload, j.State, j.MaxAttempts, ms(j.RunAt), nullID(j.MessageID), ms(now), ms(now)).Scan(&j.ID)
}

// Enqueue adds a job on its own.
func (s *Store) Enqueue(ctx context.Context, j *Job) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error { return insertJob(ctx, tx, j, now) })
}

// ClaimJobs takes up to n jobs that are due — queued ones whose time has
// come, and running ones whose lease ran out because their worker died —
// and leases them for lease. Each claim counts an attempt. Several
// instances may claim at once: on PostgreSQL SKIP LOCKED keeps them apart,
// on SQLite the single writer does.
func (s *Store) ClaimJobs(ctx context.Context, n int, lease time.Duration) ([]*Job, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	pick := "SELECT id FROM jobs WHERE state IN ('queued', 'running') AND run_at <= ? ORDER BY run_at, id LIMIT ?"
	if s.engine == Postgres {
		pick += " FOR UPDATE SKIP LOCKED"
	}
	// Workers ask every few seconds: an empty queue costs a read, not a
	// write transaction.
	var due int
	err := s.reader().row(ctx, "SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND run_at <= ? LIMIT 1", ms(now)).Scan(&due)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Job
	err = s.inTx(ctx, func(tx q) error {
		out = out[:0]
		rows, err := tx.query(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, run_at = ?, updated_at = ?
			WHERE id IN (`+pick+`) RETURNING `+jobColumns, ms(now.Add(lease)), ms(now), ms(now), n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// FinishJob deletes a job that succeeded. attempts fences a worker whose
// lease ran out and whose job another worker has claimed since.
func (s *Store) FinishJob(ctx context.Context, id int64, attempts int) error {
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, "DELETE FROM jobs WHERE id = ? AND attempts = ? AND state = 'running'", id, attempts)
		return err
	})
}

// RetryJob puts a job that failed back in the queue for at, keeping the
// error. It reports false when the job is no longer this attempt's.
func (s *Store) RetryJob(ctx context.Context, id int64, attempts int, at time.Time, errText string) (bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	var ok bool
	err := s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running'",
			ms(at), clipText(errText, 1000), ms(now), id, attempts)
		ok = mustAffect(res, err)("job") == nil
		if model.ErrorIs(err, model.CodeNotFound) {
			return nil
		}
		return err
	})
	return ok, err
}

// FailJob gives a job up: it stays, failed, with its error, until someone
// retries it. A deliver job's message shows failed with the same error,
// in the same transaction.
func (s *Store) FailJob(ctx context.Context, id int64, attempts int, errText string) (*Job, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	errText = clipText(errText, 1000)
	var j *Job
	err := s.inTx(ctx, func(tx q) error {
		var err error
		j, err = scanJob(tx.row(ctx, `UPDATE jobs SET state = 'failed', last_error = ?, updated_at = ?
			WHERE id = ? AND attempts = ? AND state = 'running' RETURNING `+jobColumns, errText, ms(now), id, attempts))
		if err != nil {
			return notFound(err, "job")
		}
		if j.MessageID != 0 {
			_, err = tx.exec(ctx, "UPDATE messages SET delivery_status = 'failed', error = ? WHERE id = ?", errText, j.MessageID)
		}
		return err
	})
	return j, err
}

// RetryMessage queues again the failed delivery of an outbound message of
// the organisation, as the manual retry an operator asks for: the message
// shows queued, the job starts over with a full set of attempts.
func (s *Store) RetryMessage(ctx context.Context, orgID, messageID int64) (*model.Message, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	var m *model.Message
	err := s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "UPDATE messages SET delivery_status = 'queued', error = '' WHERE org_id = ? AND id = ? AND delivery_status = 'failed'", orgID, messageID)
		if err := mustAffect(res, err)("message"); err != nil {
			if model.ErrorIs(err, model.CodeNotFound) {
				return model.Invalid("message", "error.validation.retry_not_failed", "only a failed message can be sent again", nil)
			}
			return err
		}
		res, err = tx.exec(ctx, "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE message_id = ? AND state = 'failed'",
			ms(now), ms(now), messageID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// The failed job was deleted (or never existed): queue a new one.
			if err := insertJob(ctx, tx, &Job{OrgID: orgID, Kind: JobDeliver, MessageID: messageID}, now); err != nil {
				return err
			}
		}
		m, err = scanMessage(tx.row(ctx, "SELECT "+messageColumns+" FROM messages WHERE org_id = ? AND id = ?", orgID, messageID))
		return err
	})
	return m, err
}

// JobCounts counts jobs by state, for the metrics and the health page.
func (s *Store) JobCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.reader().query(ctx, "SELECT state, COUNT(*) FROM jobs GROUP BY state")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// NextJobAt returns when the earliest queued job is due, or zero when
// none is queued: the runner sleeps until then.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	if err := s.reader().row(ctx, "SELECT MIN(run_at) FROM jobs WHERE state IN ('queued', 'running')").Scan(&at); err != nil {
		return time.Time{}, err
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return fromMS(at.Int64), nil
}
