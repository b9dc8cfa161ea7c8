package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// touchEvery is how stale last_used_at may get: a token used many times a
// second costs one write a minute, not one per request.
const touchEvery = time.Minute

// CreateAPIToken stores a token of t.UserID in t.OrgID. The caller has
// already made the secret and put its hash and display prefix in t.
func (s *Store) CreateAPIToken(ctx context.Context, t *model.APIToken) error {
	if err := model.CheckText("name", t.Name, true, 100); err != nil {
		return err
	}
	if t.Hash == "" || t.Prefix == "" {
		return errors.New("store: API token without hash or prefix")
	}
	t.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	t.LastUsedAt, t.RevokedAt = nil, nil
	return s.inTx(ctx, func(tx q) error {
		// The SELECT keeps a user of another organisation out.
		err := tx.row(ctx, `INSERT INTO api_tokens (org_id, user_id, name, prefix, hash, created_at)
			SELECT org_id, id, ?, ?, ?, ? FROM users WHERE org_id = ? AND id = ?
			RETURNING id`,
			t.Name, t.Prefix, t.Hash, ms(t.CreatedAt), t.OrgID, t.UserID).Scan(&t.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return model.Invalid("user_id", "error.validation.user", "no such user in this organisation", map[string]any{"Value": t.UserID})
		}
		return err
	})
}

const tokenColumns = "t.id, t.org_id, t.user_id, t.name, t.prefix, t.hash, t.created_at, t.last_used_at, t.revoked_at"

// tokenRow scans tokenColumns, alone or as part of a join.
type tokenRow struct {
	t             model.APIToken
	created       int64
	used, revoked sql.NullInt64
}

func (r *tokenRow) dest() []any {
	return []any{&r.t.ID, &r.t.OrgID, &r.t.UserID, &r.t.Name, &r.t.Prefix, &r.t.Hash, &r.created, &r.used, &r.revoked}
}

func (r *tokenRow) token() *model.APIToken {
	r.t.CreatedAt, r.t.LastUsedAt, r.t.RevokedAt = fromMS(r.created), fromNullMS(r.used), fromNullMS(r.revoked)
	return &r.t
}

// userRow scans userColumns as part of a join; scanUser does the
// same for a query of users alone.
type userRow struct {
	u                model.User
	role, langs      string
	created, updated int64
}

func (r *userRow) dest() []any {
	return []any{&r.u.ID, &r.u.OrgID, &r.u.Email, &r.u.Name, &r.role, &r.langs, &r.u.Active, &r.u.MaxChats, &r.u.PasswordHash, &r.created, &r.updated}
}

func (r *userRow) user() *model.User {
	r.u.Role, r.u.Languages = model.Role(r.role), splitList(r.langs)
	r.u.CreatedAt, r.u.UpdatedAt = fromMS(r.created), fromMS(r.updated)
	return &r.u
}

// APITokenByHash authenticates an API request: it returns the live token
// with that hash and its user, or not-found when the token is unknown,
// revoked, or its user deactivated. One lookup on the unique hash index.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*model.APIToken, *model.User, error) {
	var t tokenRow
	var u userRow
	err := s.reader().row(ctx, "SELECT "+tokenColumns+", "+prefixColumns("u.", userColumns)+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id AND u.org_id = t.org_id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND u.active = TRUE`, hash).Scan(append(t.dest(), u.dest()...)...)
	if err != nil {
		return nil, nil, notFound(err, "api_token")
	}
	return t.token(), u.user(), nil
}

// TouchAPIToken records that token id was used at at. It writes at most
// once a minute per token: the common case is one indexed read on the read
// pool, with no transaction and no wait for the writer. The id comes from
// APITokenByHash, which already scoped the token to its organisation.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	stale := ms(at.Add(-touchEvery))
	var n int
	if err := s.reader().row(ctx, `SELECT COUNT(*) FROM api_tokens
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, id, stale).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx q) error {
		// The condition again: another request may have touched it meanwhile.
		_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, ms(at), id, stale)
		return err
	})
}

// APITokens lists the organisation's tokens, revoked ones included, newest
// first.
func (s *Store) APITokens(ctx context.Context, orgID int64) ([]*model.APIToken, error) {
	rows, err := s.reader().query(ctx, "SELECT "+tokenColumns+" FROM api_tokens t WHERE t.org_id = ? ORDER BY t.id DESC", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.APIToken{}
	for rows.Next() {
		var t tokenRow
		if err := rows.Scan(t.dest()...); err != nil {
			return nil, err
		}
		out = append(out, t.token())
	}
	return out, rows.Err()
}

// RevokeAPIToken stops a token from working. Revoking it again is not an
// error and keeps the first revocation time.
func (s *Store) RevokeAPIToken(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE org_id = ? AND id = ?",
			ms(s.now()), orgID, id))("api_token")
	})
}
