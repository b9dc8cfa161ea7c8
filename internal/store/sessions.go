package store

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
)

// CreateSession stores a login. The user must be active and belong to
// se.OrgID; CreatedAt is set here.
func (s *Store) CreateSession(ctx context.Context, se *model.Session) error {
	if se.Hash == "" || se.CSRF == "" {
		return errors.New("store: session without hash or CSRF token")
	}
	// What the browser sent is kept for the user's list of sessions; it
	// must not make the login fail.
	se.UserAgent, se.IP = clipText(se.UserAgent, 500), clipText(se.IP, 64)
	se.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	se.ExpiresAt = se.ExpiresAt.UTC().Truncate(time.Millisecond)
	if !se.ExpiresAt.After(se.CreatedAt) {
		return errors.New("store: session expires before it starts")
	}
	return s.inTx(ctx, func(tx q) error {
		// The SELECT keeps out users of another organisation and
		// deactivated ones.
		res, err := tx.exec(ctx, `INSERT INTO sessions (hash, user_id, org_id, csrf, ip, user_agent, created_at, expires_at)
			SELECT ?, id, org_id, ?, ?, ?, ?, ? FROM users WHERE org_id = ? AND id = ? AND active = TRUE`,
			se.Hash, se.CSRF, se.IP, se.UserAgent, ms(se.CreatedAt), ms(se.ExpiresAt), se.OrgID, se.UserID)
		return mustAffect(res, err)("user")
	})
}

const sessionColumns = "s.hash, s.user_id, s.org_id, s.csrf, s.ip, s.user_agent, s.created_at, s.expires_at"

// Session returns the unexpired session with that hash and its user, or
// not-found when the session is unknown, expired or its user deactivated.
func (s *Store) Session(ctx context.Context, hash string) (*model.Session, *model.User, error) {
	var se model.Session
	var created, expires int64
	var u userRow
	dest := append([]any{&se.Hash, &se.UserID, &se.OrgID, &se.CSRF, &se.IP, &se.UserAgent, &created, &expires}, u.dest()...)
	err := s.reader().row(ctx, "SELECT "+sessionColumns+", "+prefixColumns("u.", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
		WHERE s.hash = ? AND s.expires_at > ? AND u.active = TRUE`, hash, ms(s.now())).Scan(dest...)
	if err != nil {
		return nil, nil, notFound(err, "session")
	}
	se.CreatedAt, se.ExpiresAt = fromMS(created), fromMS(expires)
	return &se, u.user(), nil
}

// DeleteSession ends a session (logout). Ending one that is already gone
// is not an error: the outcome is the same.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.inTx(ctx, func(tx q) error {
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE hash = ?", hash)
		return err
	})
}

// DeleteExpiredSessions removes sessions past their expiry and reports how
// many; a periodic job calls it. Session already ignores expired rows, so
// this only reclaims space.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ms(s.now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ExtendSession moves a live session's expiry to expiresAt (sliding
// expiry). An expired session cannot be brought back: that is not-found.
func (s *Store) ExtendSession(ctx context.Context, hash string, expiresAt time.Time) error {
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "UPDATE sessions SET expires_at = ? WHERE hash = ? AND expires_at > ?",
			ms(expiresAt), hash, ms(s.now())))("session")
	})
}

// clipText makes s valid UTF-8 of at most n runes.
func clipText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
