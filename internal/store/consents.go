package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// RecordConsent stores a contact's consent. The contact must belong to
// c.OrgID, or it is not found. GivenAt defaults to now.
func (s *Store) RecordConsent(ctx context.Context, c *model.Consent) error {
	if err := model.CheckText("purpose", c.Purpose, true, 100); err != nil {
		return err
	}
	if err := model.CheckText("text_version", c.TextVersion, true, 100); err != nil {
		return err
	}
	if err := model.CheckText("source", c.Source, false, 100); err != nil {
		return err
	}
	if c.GivenAt.IsZero() {
		c.GivenAt = s.now()
	}
	c.GivenAt = c.GivenAt.UTC().Truncate(time.Millisecond)
	c.WithdrawnAt = nil
	return s.inTx(ctx, func(tx q) error {
		// The SELECT keeps a contact of another organisation out.
		err := tx.row(ctx, `INSERT INTO consents (org_id, contact_id, purpose, text_version, source, given_at)
			SELECT org_id, id, ?, ?, ?, ? FROM contacts WHERE org_id = ? AND id = ?
			RETURNING id`,
			c.Purpose, c.TextVersion, c.Source, ms(c.GivenAt), c.OrgID, c.ContactID).Scan(&c.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return model.NotFound("contact")
		}
		return err
	})
}

// Consents lists a contact's consents, withdrawn ones included, newest
// first.
func (s *Store) Consents(ctx context.Context, orgID, contactID int64) ([]*model.Consent, error) {
	rows, err := s.reader().query(ctx, `SELECT id, org_id, contact_id, purpose, text_version, source, given_at, withdrawn_at
		FROM consents WHERE org_id = ? AND contact_id = ? ORDER BY given_at DESC, id DESC`, orgID, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*model.Consent{}
	for rows.Next() {
		var c model.Consent
		var given int64
		var withdrawn sql.NullInt64
		if err := rows.Scan(&c.ID, &c.OrgID, &c.ContactID, &c.Purpose, &c.TextVersion, &c.Source, &given, &withdrawn); err != nil {
			return nil, err
		}
		c.GivenAt, c.WithdrawnAt = fromMS(given), fromNullMS(withdrawn)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// WithdrawConsent marks a consent withdrawn at at. Withdrawing it again is
// not an error and keeps the first withdrawal time.
func (s *Store) WithdrawConsent(ctx context.Context, orgID, id int64, at time.Time) error {
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "UPDATE consents SET withdrawn_at = COALESCE(withdrawn_at, ?) WHERE org_id = ? AND id = ?",
			ms(at), orgID, id))("consent")
	})
}
