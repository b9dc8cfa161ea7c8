package store

import (
	"context"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// validateUser checks and normalises a user before it is written.
func validateUser(u *model.User) error {
	email, err := model.NormalizeEmail("email", u.Email)
	if err != nil {
		return err
	}
	u.Email = email
	if err := model.CheckText("name", u.Name, true, 200); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return model.Invalid("role", "error.validation.role", "unknown role", map[string]any{"Value": string(u.Role)})
	}
	langs, err := model.NormalizeLanguages("languages", u.Languages)
	if err != nil {
		return err
	}
	u.Languages = langs
	if u.MaxChats < 0 || u.MaxChats > 1000 {
		return model.Invalid("max_chats", "error.validation.range", "max_chats must be between 0 and 1000", map[string]any{"Field": "max_chats"})
	}
	return nil
}

// CreateUser adds a user to u.OrgID. PasswordHash must already be hashed.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	u.CreatedAt, u.UpdatedAt = now, now
	return s.inTx(ctx, func(tx q) error {
		return mapError(tx.row(ctx, `INSERT INTO users (org_id, email, name, role, languages, active, max_chats, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.OrgID, u.Email, u.Name, string(u.Role), strings.Join(u.Languages, ","), u.Active, u.MaxChats, u.PasswordHash,
			ms(now), ms(now)).Scan(&u.ID))
	})
}

const userColumns = "id, org_id, email, name, role, languages, active, max_chats, password_hash, created_at, updated_at"

func scanUser(sc interface{ Scan(...any) error }) (*model.User, error) {
	var u model.User
	var role, langs string
	var created, updated int64
	if err := sc.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &role, &langs, &u.Active, &u.MaxChats, &u.PasswordHash, &created, &updated); err != nil {
		return nil, err
	}
	u.Role = model.Role(role)
	u.Languages = splitList(langs)
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// User returns one user of the organisation.
func (s *Store) User(ctx context.Context, orgID, id int64) (*model.User, error) {
	u, err := scanUser(s.reader().row(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND id = ?", orgID, id))
	return u, notFound(err, "user")
}

// UserByEmail returns the user with that e-mail in the organisation.
func (s *Store) UserByEmail(ctx context.Context, orgID int64, email string) (*model.User, error) {
	u, err := scanUser(s.reader().row(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND email = ?", orgID, strings.ToLower(strings.TrimSpace(email))))
	return u, notFound(err, "user")
}

// UsersByEmail returns the active users with that e-mail in any
// organisation: the login page asks for e-mail and password only, and one
// person may work for two organisations of the network.
func (s *Store) UsersByEmail(ctx context.Context, email string) ([]*model.User, error) {
	return s.listUsers(ctx, "SELECT "+userColumns+" FROM users WHERE email = ? AND active = TRUE ORDER BY org_id LIMIT 20",
		strings.ToLower(strings.TrimSpace(email)))
}

// Users lists the organisation's users by name.
func (s *Store) Users(ctx context.Context, orgID int64) ([]*model.User, error) {
	return s.listUsers(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? ORDER BY name, id", orgID)
}

func (s *Store) listUsers(ctx context.Context, query string, args ...any) ([]*model.User, error) {
	rows, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser saves name, role, languages, active and max_chats.
func (s *Store) UpdateUser(ctx context.Context, u *model.User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	u.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, `UPDATE users SET email = ?, name = ?, role = ?, languages = ?, active = ?, max_chats = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`,
			u.Email, u.Name, string(u.Role), strings.Join(u.Languages, ","), u.Active, u.MaxChats, ms(u.UpdatedAt), u.OrgID, u.ID))("user")
	})
}

// SetPassword stores a new password hash and ends the user's sessions
// except keepSession (the hash of the session that made the change, or "").
func (s *Store) SetPassword(ctx context.Context, orgID, userID int64, hash, keepSession string) error {
	return s.inTx(ctx, func(tx q) error {
		if err := mustAffect(tx.exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE org_id = ? AND id = ?",
			hash, ms(s.now()), orgID, userID))("user"); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE org_id = ? AND user_id = ? AND hash <> ?", orgID, userID, keepSession)
		return err
	})
}
