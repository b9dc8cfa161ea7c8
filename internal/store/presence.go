package store

import (
	"context"
	"time"
)

// PresenceRow is one operator's status as one instance sees it.
type PresenceRow struct {
	UserID, OrgID int64
	Status        string
}

// SavePresence replaces what instance says about operators: rows are
// written (seen now), and the instance's other rows removed (those
// operators left it).
func (s *Store) SavePresence(ctx context.Context, instance string, rows []PresenceRow) error {
	now := ms(s.now())
	return s.inTx(ctx, func(tx q) error {
		if _, err := tx.exec(ctx, "DELETE FROM operator_presence WHERE instance = ?", instance); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.exec(ctx, "INSERT INTO operator_presence (instance, user_id, org_id, status, seen_at) VALUES (?, ?, ?, ?, ?)",
				instance, r.UserID, r.OrgID, r.Status, now); err != nil {
				return err
			}
		}
		// Instances that stopped without a word (a crash) leave rows
		// behind: they are ignored once stale, and cleared here.
		_, err := tx.exec(ctx, "DELETE FROM operator_presence WHERE seen_at < ?", now-int64(24*time.Hour/time.Millisecond))
		return err
	})
}

// SharedPresence returns the statuses other instances than instance have
// written for the organisation's operators since since. An operator with
// tabs on several instances appears once per instance.
func (s *Store) SharedPresence(ctx context.Context, orgID int64, instance string, since time.Time) ([]PresenceRow, error) {
	rows, err := s.reader().query(ctx, `SELECT user_id, org_id, status FROM operator_presence
		WHERE org_id = ? AND seen_at >= ? AND instance <> ?`, orgID, ms(since), instance)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PresenceRow
	for rows.Next() {
		var r PresenceRow
		if err := rows.Scan(&r.UserID, &r.OrgID, &r.Status); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
