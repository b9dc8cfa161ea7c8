package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// ErrLastAdmin refuses a change that would leave an organisation without
// an active administrator: nobody could then manage its people.
var ErrLastAdmin = &model.Error{Code: model.CodeConflict, Key: "error.user.last_admin",
	Message: "this is the last active administrator: make someone else administrator first"}

// lockOrg makes the write transactions that check a rule across an
// organisation's rows take turns, so that two of them cannot both pass on
// what the other is changing. On SQLite the one writer already
// serialises them. NO KEY leaves inserts that refer to the organisation
// free to go on.
func lockOrg(ctx context.Context, tx q, orgID int64) error {
	if tx.d.engine != Postgres {
		return nil
	}
	var id int64
	return tx.row(ctx, "SELECT id FROM organizations WHERE id = ? FOR NO KEY UPDATE", orgID).Scan(&id)
}

// ChangeUser changes user id of the organisation in one transaction:
// change edits the user as it is now (not their id, organisation, e-mail
// or password), the result is validated and saved, and the entries audit
// returns for the user before and after are recorded with it. A change
// that leaves the organisation without an active administrator fails
// with ErrLastAdmin, and writes nothing.
func (s *Store) ChangeUser(ctx context.Context, orgID, id int64, change func(u *model.User),
	audit func(before, after *model.User) []*model.AuditEntry) (*model.User, error) {
	var after *model.User
	err := s.inTx(ctx, func(tx q) error {
		if err := lockOrg(ctx, tx, orgID); err != nil {
			return notFound(err, "user")
		}
		u, err := scanUser(tx.row(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND id = ?", orgID, id))
		if err != nil {
			return notFound(err, "user")
		}
		before := *u
		before.Languages = append([]string(nil), u.Languages...)
		change(u)
		u.ID, u.OrgID, u.Email, u.PasswordHash, u.CreatedAt = before.ID, before.OrgID, before.Email, before.PasswordHash, before.CreatedAt
		if err := validateUser(u); err != nil {
			return err
		}
		if isActiveAdmin(&before) && !isActiveAdmin(u) {
			if err := keepAnAdmin(ctx, tx, orgID, id); err != nil {
				return err
			}
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		u.UpdatedAt = now
		if _, err := tx.exec(ctx, `UPDATE users SET name = ?, role = ?, languages = ?, active = ?, max_chats = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`,
			u.Name, string(u.Role), strings.Join(u.Languages, ","), u.Active, u.MaxChats, ms(now), orgID, id); err != nil {
			return err
		}
		for _, e := range audit(&before, u) {
			e.OrgID, e.CreatedAt = orgID, now
			if err := checkAudit(e); err != nil {
				return err
			}
			if err := insertAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		after = u
		return nil
	})
	return after, err
}

func isActiveAdmin(u *model.User) bool { return u.Active && u.Role == model.RoleAdmin }

// keepAnAdmin fails unless the organisation has an active administrator
// other than userID. The caller holds lockOrg, so two administrators
// demoting each other at once cannot both succeed: the second waits, then
// sees the first one's change.
func keepAnAdmin(ctx context.Context, tx q, orgID, userID int64) error {
	var others int
	if err := tx.row(ctx, "SELECT COUNT(*) FROM users WHERE org_id = ? AND role = ? AND active = TRUE AND id <> ?",
		orgID, string(model.RoleAdmin), userID).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return ErrLastAdmin
	}
	return nil
}

// UpdateTeam saves a team's name and replaces its members, in one
// transaction.
func (s *Store) UpdateTeam(ctx context.Context, t *model.Team) error {
	if err := model.CheckText("name", t.Name, true, 200); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx q) error {
		if err := mustAffect(tx.exec(ctx, "UPDATE teams SET name = ? WHERE org_id = ? AND id = ?", t.Name, t.OrgID, t.ID))("team"); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM team_members WHERE org_id = ? AND team_id = ?", t.OrgID, t.ID); err != nil {
			return err
		}
		return setTeamMembers(ctx, tx, t.OrgID, t.ID, t.MemberIDs)
	})
}

// APIToken returns one token of the organisation, revoked or not.
func (s *Store) APIToken(ctx context.Context, orgID, id int64) (*model.APIToken, error) {
	var t tokenRow
	err := s.reader().row(ctx, "SELECT "+tokenColumns+" FROM api_tokens t WHERE t.org_id = ? AND t.id = ?", orgID, id).Scan(t.dest()...)
	if err != nil {
		return nil, notFound(err, "api_token")
	}
	return t.token(), nil
}

// AuditFilter selects a page of the audit log.
type AuditFilter struct {
	Action   string // only this action; "" for all
	Limit    int    // <= 0: 50; at most 500
	BeforeID int64  // the id of the last entry of the previous page; 0 for the first page
}

// AuditEntries returns the organisation's audit entries under f, newest
// first. A BeforeID of another organisation yields an empty page.
func (s *Store) AuditEntries(ctx context.Context, orgID int64, f AuditFilter) ([]*model.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditPage
	}
	limit = min(limit, maxAuditPage)
	query := "SELECT id, org_id, actor_id, action, target_type, target_id, detail, ip, created_at FROM audit_log WHERE org_id = ?"
	args := []any{orgID}
	if f.Action != "" {
		query += " AND action = ?"
		args = append(args, f.Action)
	}
	if f.BeforeID != 0 {
		// The cursor is the (created_at, id) of the entry BeforeID, so the
		// page walks the audit_log_org index.
		query += " AND (created_at, id) < (SELECT created_at, id FROM audit_log WHERE org_id = ? AND id = ?)"
		args = append(args, orgID, f.BeforeID)
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT ?"
	rows, err := s.reader().query(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.AuditEntry{}
	for rows.Next() {
		var e model.AuditEntry
		var actor, target sql.NullInt64
		var created int64
		if err := rows.Scan(&e.ID, &e.OrgID, &actor, &e.Action, &e.TargetType, &target, &e.Detail, &e.IP, &created); err != nil {
			return nil, err
		}
		e.ActorID, e.TargetID, e.CreatedAt = actor.Int64, target.Int64, fromMS(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}
