package store

import (
	"context"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Canned is a canned response: a ready answer an operator inserts into a
// reply. Its body may hold placeholders such as {{contact.name}}, which
// the console fills in as plain text; the store keeps them as written.
type Canned struct {
	ID        int64
	OrgID     int64
	TeamID    int64  // 0: the whole organisation
	Language  string // "": suits any language
	Title     string // what the picker shows and filters on
	Body      string
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits of a canned response, in characters.
const (
	CannedTitleMax = 100
	CannedBodyMax  = 5000
)

// CannedFilter selects canned responses. The zero value selects all of
// the organisation's.
type CannedFilter struct {
	// TeamScoped keeps the organisation's own responses and those of
	// Teams only.
	TeamScoped bool
	Teams      []int64
	// Language, when set, keeps responses in that language and those for
	// any language, the former first.
	Language string
}

// validateCanned checks and normalises a response before it is written.
func validateCanned(c *Canned) error {
	c.Title = strings.TrimSpace(c.Title)
	if err := model.CheckText("title", c.Title, true, CannedTitleMax); err != nil {
		return err
	}
	if err := model.CheckText("body", c.Body, true, CannedBodyMax); err != nil {
		return err
	}
	if c.TeamID < 0 {
		return model.Invalid("team_id", "error.validation.reference", "no such team in this organisation", map[string]any{"Field": "team_id"})
	}
	langs, err := model.NormalizeLanguages("language", []string{c.Language})
	if err != nil {
		return err
	}
	c.Language = ""
	if len(langs) == 1 {
		c.Language = langs[0]
	}
	return nil
}

// CreateCanned adds a canned response to c.OrgID. Its team and author must
// belong to the same organisation.
func (s *Store) CreateCanned(ctx context.Context, c *Canned) error {
	if err := validateCanned(c); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	c.CreatedAt, c.UpdatedAt = now, now
	return s.inTx(ctx, func(tx q) error {
		if c.TeamID != 0 {
			if err := mustExist(ctx, tx, "teams", c.OrgID, c.TeamID, "team_id"); err != nil {
				return err
			}
		}
		if c.CreatedBy != 0 {
			if err := mustExist(ctx, tx, "users", c.OrgID, c.CreatedBy, "created_by"); err != nil {
				return err
			}
		}
		return mapError(tx.row(ctx, `INSERT INTO canned_responses (org_id, team_id, language, title, body, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.OrgID, nullID(c.TeamID), c.Language, c.Title, c.Body, nullID(c.CreatedBy), ms(now), ms(now)).Scan(&c.ID))
	})
}

// UpdateCanned replaces the title, body, team and language of a canned
// response of c.OrgID.
func (s *Store) UpdateCanned(ctx context.Context, c *Canned) error {
	if err := validateCanned(c); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if c.TeamID != 0 {
			if err := mustExist(ctx, tx, "teams", c.OrgID, c.TeamID, "team_id"); err != nil {
				return err
			}
		}
		res, err := tx.exec(ctx, `UPDATE canned_responses SET team_id = ?, language = ?, title = ?, body = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`, nullID(c.TeamID), c.Language, c.Title, c.Body, ms(now), c.OrgID, c.ID)
		if err := mustAffect(res, err)("canned_response"); err != nil {
			return err
		}
		c.UpdatedAt = now
		return nil
	})
}

// DeleteCanned removes a canned response of the organisation.
func (s *Store) DeleteCanned(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "DELETE FROM canned_responses WHERE org_id = ? AND id = ?", orgID, id)
		return mustAffect(res, err)("canned_response")
	})
}

const cannedColumns = "id, org_id, team_id, language, title, body, created_by, created_at, updated_at"

func scanCanned(sc interface{ Scan(...any) error }) (*Canned, error) {
	var c Canned
	var team, by nullInt
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.OrgID, &team, &c.Language, &c.Title, &c.Body, &by, &created, &updated); err != nil {
		return nil, err
	}
	c.TeamID, c.CreatedBy = team.Int64, by.Int64
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// CannedResponse returns one canned response of the organisation.
func (s *Store) CannedResponse(ctx context.Context, orgID, id int64) (*Canned, error) {
	c, err := scanCanned(s.reader().row(ctx, "SELECT "+cannedColumns+" FROM canned_responses WHERE org_id = ? AND id = ?", orgID, id))
	return c, notFound(err, "canned_response")
}

// CannedResponses lists the organisation's canned responses under f, by
// title.
func (s *Store) CannedResponses(ctx context.Context, orgID int64, f CannedFilter) ([]*Canned, error) {
	where := []string{"org_id = ?"}
	args := []any{orgID}
	order := "title, id"
	if f.TeamScoped {
		if len(f.Teams) == 0 {
			where = append(where, "team_id IS NULL")
		} else {
			where = append(where, "(team_id IS NULL OR team_id IN ("+placeholders(len(f.Teams))+"))")
			for _, id := range f.Teams {
				args = append(args, id)
			}
		}
	}
	if f.Language != "" {
		where = append(where, "(language = '' OR language = ?)")
		args = append(args, f.Language)
		order = "CASE WHEN language = '' THEN 1 ELSE 0 END, title, id"
	}
	rows, err := s.reader().query(ctx, "SELECT "+cannedColumns+" FROM canned_responses WHERE "+strings.Join(where, " AND ")+" ORDER BY "+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Canned{}
	for rows.Next() {
		c, err := scanCanned(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
