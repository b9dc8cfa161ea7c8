package store

import (
	"context"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// CreateTeam adds a team with its members.
func (s *Store) CreateTeam(ctx context.Context, t *model.Team) error {
	if !model.ValidSlug(t.Slug) {
		return model.Invalid("slug", "error.validation.slug", "slug must be lower-case letters, digits and dashes", nil)
	}
	if err := model.CheckText("name", t.Name, true, 200); err != nil {
		return err
	}
	t.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if err := tx.row(ctx, "INSERT INTO teams (org_id, slug, name, created_at) VALUES (?, ?, ?, ?) RETURNING id",
			t.OrgID, t.Slug, t.Name, ms(t.CreatedAt)).Scan(&t.ID); err != nil {
			return mapError(err)
		}
		return setTeamMembers(ctx, tx, t.OrgID, t.ID, t.MemberIDs)
	})
}

// SetTeamMembers replaces the members of a team.
func (s *Store) SetTeamMembers(ctx context.Context, orgID, teamID int64, userIDs []int64) error {
	return s.inTx(ctx, func(tx q) error {
		var n int
		if err := tx.row(ctx, "SELECT COUNT(*) FROM teams WHERE org_id = ? AND id = ?", orgID, teamID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return model.NotFound("team")
		}
		if _, err := tx.exec(ctx, "DELETE FROM team_members WHERE org_id = ? AND team_id = ?", orgID, teamID); err != nil {
			return err
		}
		return setTeamMembers(ctx, tx, orgID, teamID, userIDs)
	})
}

func setTeamMembers(ctx context.Context, tx q, orgID, teamID int64, userIDs []int64) error {
	for _, uid := range userIDs {
		// The SELECT keeps a user of another organisation out.
		res, err := tx.exec(ctx, `INSERT INTO team_members (org_id, team_id, user_id)
			SELECT ?, ?, id FROM users WHERE org_id = ? AND id = ? ON CONFLICT DO NOTHING`, orgID, teamID, orgID, uid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := tx.row(ctx, "SELECT COUNT(*) FROM users WHERE org_id = ? AND id = ?", orgID, uid).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return model.Invalid("member_ids", "error.validation.member", "no such user in this organisation", map[string]any{"Value": uid})
			}
		}
	}
	return nil
}

// Team returns one team with its members.
func (s *Store) Team(ctx context.Context, orgID, id int64) (*model.Team, error) {
	teams, err := s.teams(ctx, "SELECT id, org_id, slug, name, created_at FROM teams WHERE org_id = ? AND id = ?", orgID, id)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return nil, model.NotFound("team")
	}
	return teams[0], nil
}

// Teams lists the organisation's teams with their members, by name.
func (s *Store) Teams(ctx context.Context, orgID int64) ([]*model.Team, error) {
	return s.teams(ctx, "SELECT id, org_id, slug, name, created_at FROM teams WHERE org_id = ? ORDER BY name, id", orgID)
}

// TeamsOf lists the ids of the teams a user belongs to.
func (s *Store) TeamsOf(ctx context.Context, orgID, userID int64) ([]int64, error) {
	rows, err := s.reader().query(ctx, "SELECT team_id FROM team_members WHERE org_id = ? AND user_id = ? ORDER BY team_id", orgID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Store) teams(ctx context.Context, query string, orgID int64, args ...any) ([]*model.Team, error) {
	r := s.reader()
	rows, err := r.query(ctx, query, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.Team{}
	byID := map[int64]*model.Team{}
	for rows.Next() {
		var t model.Team
		var created int64
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Slug, &t.Name, &created); err != nil {
			return nil, err
		}
		t.CreatedAt = fromMS(created)
		t.MemberIDs = []int64{}
		out = append(out, &t)
		byID[t.ID] = &t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	mrows, err := r.query(ctx, "SELECT team_id, user_id FROM team_members WHERE org_id = ? ORDER BY user_id", orgID)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var tid, uid int64
		if err := mrows.Scan(&tid, &uid); err != nil {
			return nil, err
		}
		if t := byID[tid]; t != nil {
			t.MemberIDs = append(t.MemberIDs, uid)
		}
	}
	return out, mrows.Err()
}
