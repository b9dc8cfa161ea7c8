package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// PollingChannels lists the active channels of kind in every
// organisation. It exists for the server's poller, which fetches the
// messages of channels that use long polling for all organisations; the
// poller scopes everything it then does by each channel's OrgID. Never
// use it where an organisation is known.
func (s *Store) PollingChannels(ctx context.Context, kind model.ChannelKind) ([]*model.Channel, error) {
	rows, err := s.reader().query(ctx, "SELECT "+channelColumns+" FROM channels WHERE kind = ? AND active = TRUE ORDER BY id", string(kind))
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

// ErrLeaseLost is a poller's (or a mailbox reader's) write after another instance took its
// channel over.
var ErrLeaseLost = errors.New("another instance holds this channel now")

// LeaseChannelPoll takes or renews, for owner (one server instance), the
// right to poll a channel until lease from now, and returns the cursor
// the channel's updates were read up to ("" at first). It reports false
// when another owner holds an unexpired lease. On PostgreSQL the row
// lock of the update makes two instances racing here take turns, and
// the second sees the first's lease.
func (s *Store) LeaseChannelPoll(ctx context.Context, orgID, channelID int64, owner string, lease time.Duration) (string, bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	var cursor string
	var ok bool
	err := s.inTx(ctx, func(tx q) error {
		ok = false
		if _, err := tx.exec(ctx, `INSERT INTO channel_polls (channel_id, org_id, poll_cursor, owner, lease_until, updated_at)
			SELECT id, org_id, '', '', 0, ? FROM channels WHERE org_id = ? AND id = ? ON CONFLICT (channel_id) DO NOTHING`,
			ms(now), orgID, channelID); err != nil {
			return err
		}
		err := tx.row(ctx, `UPDATE channel_polls SET owner = ?, lease_until = ?, updated_at = ?
			WHERE org_id = ? AND channel_id = ? AND (owner = ? OR lease_until < ?) RETURNING poll_cursor`,
			owner, ms(now.Add(lease)), ms(now), orgID, channelID, owner, ms(now)).Scan(&cursor)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	return cursor, ok, err
}

// SaveChannelPoll moves a channel's cursor forward, once the updates it
// confirms are stored. It fails with ErrLeaseLost when owner no longer
// holds the lease: the instance that does has its own cursor.
func (s *Store) SaveChannelPoll(ctx context.Context, orgID, channelID int64, owner, cursor string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, `UPDATE channel_polls SET poll_cursor = ?, updated_at = ?
			WHERE org_id = ? AND channel_id = ? AND owner = ? AND lease_until >= ?`, cursor, ms(now), orgID, channelID, owner, ms(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrLeaseLost
		}
		return nil
	})
}

// ReleaseChannelPoll gives up owner's lease, so that another instance
// takes the channel over at once (a server shutting down).
func (s *Store) ReleaseChannelPoll(ctx context.Context, orgID, channelID int64, owner string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, "UPDATE channel_polls SET owner = '', lease_until = 0, updated_at = ? WHERE org_id = ? AND channel_id = ? AND owner = ?",
			ms(now), orgID, channelID, owner)
		return err
	})
}
