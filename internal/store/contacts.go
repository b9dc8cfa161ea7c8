package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

func validateContact(c *model.Contact) error {
	if err := model.CheckText("display_name", c.DisplayName, false, 200); err != nil {
		return err
	}
	if err := model.CheckText("notes", c.Notes, false, 10000); err != nil {
		return err
	}
	if c.Language != "" {
		langs, err := model.NormalizeLanguages("language", []string{c.Language})
		if err != nil {
			return err
		}
		c.Language = langs[0]
	}
	for i, id := range c.Identities {
		n, err := model.NormalizeIdentity(id)
		if err != nil {
			return err
		}
		c.Identities[i] = n
	}
	return nil
}

// CreateContact adds a citizen with their identities. An identity already
// held by another contact of the organisation is a conflict.
func (s *Store) CreateContact(ctx context.Context, c *model.Contact) error {
	if err := validateContact(c); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	c.CreatedAt, c.UpdatedAt = now, now
	return s.inTx(ctx, func(tx q) error {
		return insertContact(ctx, tx, c)
	})
}

func insertContact(ctx context.Context, tx q, c *model.Contact) error {
	if err := tx.row(ctx, `INSERT INTO contacts (org_id, display_name, language, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.DisplayName, c.Language, c.Notes, ms(c.CreatedAt), ms(c.UpdatedAt)).Scan(&c.ID); err != nil {
		return mapError(err)
	}
	for _, id := range c.Identities {
		if _, err := tx.exec(ctx, "INSERT INTO contact_identities (org_id, kind, value, contact_id, created_at) VALUES (?, ?, ?, ?, ?)",
			c.OrgID, string(id.Kind), id.Value, c.ID, ms(c.CreatedAt)); err != nil {
			return err
		}
	}
	if c.Identities == nil {
		c.Identities = []model.Identity{}
	}
	return nil
}

const contactColumns = "id, org_id, display_name, language, notes, merged_into, created_at, updated_at"

func scanContact(sc interface{ Scan(...any) error }) (*model.Contact, error) {
	var c model.Contact
	var merged nullInt
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.OrgID, &c.DisplayName, &c.Language, &c.Notes, &merged, &created, &updated); err != nil {
		return nil, err
	}
	c.MergedInto = merged.Int64
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	c.Identities = []model.Identity{}
	return &c, nil
}

// Contact returns one contact with its identities.
func (s *Store) Contact(ctx context.Context, orgID, id int64) (*model.Contact, error) {
	r := s.reader()
	c, err := scanContact(r.row(ctx, "SELECT "+contactColumns+" FROM contacts WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "contact")
	}
	if err := s.loadIdentities(ctx, r, orgID, []*model.Contact{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ContactByIdentity finds the contact reached at id, following merges.
func (s *Store) ContactByIdentity(ctx context.Context, orgID int64, id model.Identity) (*model.Contact, error) {
	n, err := model.NormalizeIdentity(id)
	if err != nil {
		return nil, err
	}
	var cid int64
	err = s.reader().row(ctx, "SELECT contact_id FROM contact_identities WHERE org_id = ? AND kind = ? AND value = ?",
		orgID, string(n.Kind), n.Value).Scan(&cid)
	if err != nil {
		return nil, notFound(err, "contact")
	}
	return s.Contact(ctx, orgID, cid)
}

func (s *Store) loadIdentities(ctx context.Context, r q, orgID int64, cs []*model.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Contact, len(cs))
	ph := make([]string, 0, len(cs))
	args := []any{orgID}
	for _, c := range cs {
		byID[c.ID] = c
		ph = append(ph, "?")
		args = append(args, c.ID)
	}
	rows, err := r.query(ctx, "SELECT contact_id, kind, value FROM contact_identities WHERE org_id = ? AND contact_id IN ("+
		strings.Join(ph, ",")+") ORDER BY created_at, kind, value", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var id model.Identity
		var kind string
		if err := rows.Scan(&cid, &kind, &id.Value); err != nil {
			return err
		}
		id.Kind = model.IdentityKind(kind)
		byID[cid].Identities = append(byID[cid].Identities, id)
	}
	return rows.Err()
}

// ContactFilter selects contacts for a list.
type ContactFilter struct {
	Q      string // part of the name or of an identity
	Limit  int
	Cursor string
}

// Contacts lists the organisation's contacts, most recently updated first,
// with cursor paging. Merged contacts are left out.
func (s *Store) Contacts(ctx context.Context, orgID int64, f ContactFilter) ([]*model.Contact, string, error) {
	limit := clampLimit(f.Limit)
	where := []string{"c.org_id = ?", "c.merged_into IS NULL"}
	args := []any{orgID}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(c.updated_at, c.id) < (?, ?)")
		args = append(args, at, id)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if err := model.CheckText("q", q, false, 200); err != nil {
			return nil, "", err
		}
		like := "%" + escapeLike(q) + "%"
		where = append(where, "(c.display_name "+s.ilike()+" ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM contact_identities i WHERE i.org_id = c.org_id AND i.contact_id = c.id AND i.value "+s.ilike()+" ? ESCAPE '\\'))")
		args = append(args, like, like)
	}
	r := s.reader()
	rows, err := r.query(ctx, "SELECT "+prefixColumns("c.", contactColumns)+" FROM contacts c WHERE "+strings.Join(where, " AND ")+
		" ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []*model.Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rows.Close()
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(ms(last.UpdatedAt), last.ID)
	}
	return out, next, s.loadIdentities(ctx, r, orgID, out)
}

// UpdateContact saves the display name, language and notes.
func (s *Store) UpdateContact(ctx context.Context, c *model.Contact) error {
	if err := validateContact(c); err != nil {
		return err
	}
	c.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		return mustAffect(tx.exec(ctx, "UPDATE contacts SET display_name = ?, language = ?, notes = ?, updated_at = ? WHERE org_id = ? AND id = ?",
			c.DisplayName, c.Language, c.Notes, ms(c.UpdatedAt), c.OrgID, c.ID))("contact")
	})
}

// AddIdentity attaches one more identity to a contact.
func (s *Store) AddIdentity(ctx context.Context, orgID, contactID int64, id model.Identity) error {
	n, err := model.NormalizeIdentity(id)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, `INSERT INTO contact_identities (org_id, kind, value, contact_id, created_at)
			SELECT ?, ?, ?, id, ? FROM contacts WHERE org_id = ? AND id = ?`,
			orgID, string(n.Kind), n.Value, ms(s.now()), orgID, contactID)
		return mustAffect(res, err)("contact")
	})
}

// MergeContacts folds contact dup into keep: identities, conversations and
// consents move to keep, and dup is marked as merged into it.
func (s *Store) MergeContacts(ctx context.Context, orgID, keepID, dupID int64) error {
	if keepID == dupID {
		return model.Invalid("contact_id", "error.contact.merge_self", "a contact cannot be merged into itself", nil)
	}
	return s.inTx(ctx, func(tx q) error {
		var n int
		if err := tx.row(ctx, "SELECT COUNT(*) FROM contacts WHERE org_id = ? AND id IN (?, ?) AND merged_into IS NULL", orgID, keepID, dupID).Scan(&n); err != nil {
			return err
		}
		if n != 2 {
			return model.NotFound("contact")
		}
		now := ms(s.now())
		for _, stmt := range []string{
			"UPDATE contact_identities SET contact_id = ? WHERE org_id = ? AND contact_id = ?",
			"UPDATE conversations SET contact_id = ? WHERE org_id = ? AND contact_id = ?",
			"UPDATE consents SET contact_id = ? WHERE org_id = ? AND contact_id = ?",
			"UPDATE contacts SET merged_into = ? WHERE org_id = ? AND id = ?",
		} {
			if _, err := tx.exec(ctx, stmt, keepID, orgID, dupID); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, "UPDATE contacts SET updated_at = ? WHERE org_id = ? AND id IN (?, ?)", now, orgID, keepID, dupID)
		return err
	})
}

// Cursors are opaque to clients: a time and an id, base64url-encoded.
func encodeCursor(at, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, int64, error) {
	bad := model.Invalid("cursor", "error.cursor.invalid", "malformed cursor", nil)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, bad
	}
	a, i, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, 0, bad
	}
	at, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(i, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, bad
	}
	return at, id, nil
}

// DefaultLimit and MaxLimit bound list pages.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func prefixColumns(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = prefix + p
	}
	return strings.Join(parts, ", ")
}

// nullInt scans a nullable integer column.
type nullInt struct{ Int64 int64 }

func (n *nullInt) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.Int64 = 0
	case int64:
		n.Int64 = x
	case int32:
		n.Int64 = int64(x)
	default:
		return fmt.Errorf("nullInt: unexpected %T", v)
	}
	return nil
}
