package store

import (
	"context"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// CreateOrganization adds a tenant.
func (s *Store) CreateOrganization(ctx context.Context, o *model.Organization) error {
	if !model.ValidSlug(o.Slug) {
		return model.Invalid("slug", "error.validation.slug", "slug must be lower-case letters, digits and dashes", nil)
	}
	if err := model.CheckText("name", o.Name, true, 200); err != nil {
		return err
	}
	if o.TimeZone == "" {
		o.TimeZone = "Europe/Rome"
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil {
		return model.Invalid("time_zone", "error.validation.time_zone", "unknown time zone", map[string]any{"Value": o.TimeZone})
	}
	if o.Language == "" {
		o.Language = "it"
	}
	if !model.ValidLanguage(o.Language) {
		return model.Invalid("language", "error.validation.language", "not a valid language code", map[string]any{"Value": o.Language})
	}
	o.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		return tx.row(ctx, `INSERT INTO organizations (slug, name, time_zone, language, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			o.Slug, o.Name, o.TimeZone, o.Language, ms(o.CreatedAt)).Scan(&o.ID)
	})
}

const orgColumns = "id, slug, name, time_zone, language, created_at"

func scanOrg(sc interface{ Scan(...any) error }) (*model.Organization, error) {
	var o model.Organization
	var created int64
	if err := sc.Scan(&o.ID, &o.Slug, &o.Name, &o.TimeZone, &o.Language, &created); err != nil {
		return nil, err
	}
	o.CreatedAt = fromMS(created)
	return &o, nil
}

// Organization returns the organisation with the given id.
func (s *Store) Organization(ctx context.Context, id int64) (*model.Organization, error) {
	o, err := scanOrg(s.reader().row(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", id))
	return o, notFound(err, "organization")
}

// OrganizationBySlug returns the organisation with the given slug.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (*model.Organization, error) {
	o, err := scanOrg(s.reader().row(ctx, "SELECT "+orgColumns+" FROM organizations WHERE slug = ?", slug))
	return o, notFound(err, "organization")
}

// Organizations lists every organisation by slug.
func (s *Store) Organizations(ctx context.Context) ([]*model.Organization, error) {
	rows, err := s.reader().query(ctx, "SELECT "+orgColumns+" FROM organizations ORDER BY slug")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*model.Organization
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OrganizationSettings returns the organisation's settings document (JSON).
func (s *Store) OrganizationSettings(ctx context.Context, orgID int64) (string, error) {
	var v string
	err := s.reader().row(ctx, "SELECT settings FROM organizations WHERE id = ?", orgID).Scan(&v)
	return v, notFound(err, "organization")
}

// SetOrganizationSettings replaces the organisation's settings document.
func (s *Store) SetOrganizationSettings(ctx context.Context, orgID int64, settings string) error {
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "UPDATE organizations SET settings = ? WHERE id = ?", settings, orgID))("organization")
	})
}

// IsEmpty reports whether the database holds no organisation yet.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := s.reader().row(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM organizations LIMIT 1) x").Scan(&n)
	return n == 0, err
}
