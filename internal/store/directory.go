package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
)

// ImportOptions tune ImportDirectory.
type ImportOptions struct {
	// Replace deletes the organisation's directory before importing;
	// otherwise records are added or replaced by id and the others kept.
	Replace bool
	// Lenient accepts what hsds.Options.Lenient accepts, as warnings.
	Lenient bool
}

// ImportResult tells what an import did.
type ImportResult struct {
	Records  int
	Services int
	Warnings []hsds.Problem
}

// ImportDirectory validates set against itself and the organisation's
// directory, and writes it in one transaction, with the search tables
// rebuilt: an invalid set is refused whole with every problem
// (*hsds.Invalid, code invalid), nothing written.
func (s *Store) ImportDirectory(ctx context.Context, orgID int64, set *hsds.Set, opt ImportOptions) (*ImportResult, error) {
	known := map[string]bool{}
	if !opt.Replace {
		rows, err := s.reader().query(ctx, `SELECT kind, id FROM directory_records WHERE org_id = ?`, orgID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k, id string
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nil, err
			}
			known[k+"\x00"+id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	vo := hsds.Options{Lenient: opt.Lenient, Known: func(t, id string) bool { return known[t+"\x00"+id] }}
	res := &ImportResult{}
	for _, p := range hsds.Validate(set, vo) {
		if p.Warning {
			res.Warnings = append(res.Warnings, p)
		}
	}
	if err := hsds.Check(set, vo); err != nil {
		return nil, &model.Error{Code: model.CodeInvalid, Key: "directory.error.invalid", Message: "the HSDS data has problems", Args: map[string]any{"Count": len(err.(*hsds.Invalid).Problems)}, Err: err}
	}
	now := ms(s.now())
	err := s.inTx(ctx, func(tx q) error {
		if opt.Replace {
			if err := deleteDirectory(ctx, tx, orgID); err != nil {
				return err
			}
		}
		for _, r := range set.Records() {
			data, err := json.Marshal(r.Fields)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO directory_records (org_id, kind, id, data, modified_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (org_id, kind, id) DO UPDATE SET data = excluded.data, modified_at = excluded.modified_at`,
				orgID, r.Table, r.ID(), string(data), now); err != nil {
				return err
			}
		}
		n, err := reindexDirectory(ctx, tx, orgID, now)
		res.Services = n
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Records = set.Len()
	return res, nil
}

func deleteDirectory(ctx context.Context, tx q, orgID int64) error {
	for _, t := range []string{"directory_sites", "directory_services", "directory_records"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+t+" WHERE org_id = ?", orgID); err != nil {
			return err
		}
	}
	return nil
}

// loadDirectory reads every record of the organisation into a Set.
func loadDirectory(ctx context.Context, x q, orgID int64) (*hsds.Set, map[string]int64, error) {
	rows, err := x.query(ctx, `SELECT kind, data, modified_at FROM directory_records WHERE org_id = ? ORDER BY kind, id`, orgID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	set := hsds.NewSet()
	modified := map[string]int64{}
	byTable := map[string][]*hsds.Record{}
	for rows.Next() {
		var kind, data string
		var mod int64
		if err := rows.Scan(&kind, &data, &mod); err != nil {
			return nil, nil, err
		}
		r := &hsds.Record{Table: kind}
		if err := json.Unmarshal([]byte(data), &r.Fields); err != nil {
			return nil, nil, err
		}
		byTable[kind] = append(byTable[kind], r)
		modified[kind+"\x00"+r.ID()] = mod
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// Tables in the specification's order, for stable exports.
	for _, t := range hsds.Tables() {
		for _, r := range byTable[t.Name] {
			set.Add(r)
		}
	}
	return set, modified, nil
}

// reindexDirectory rebuilds the organisation's search rows from its
// records, inside the caller's transaction, and returns the number of
// services.
func reindexDirectory(ctx context.Context, tx q, orgID int64, now int64) (int, error) {
	set, modified, err := loadDirectory(ctx, tx, orgID)
	if err != nil {
		return 0, err
	}
	for _, t := range []string{"directory_sites", "directory_services"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+t+" WHERE org_id = ?", orgID); err != nil {
			return 0, err
		}
	}
	idx := indexDirectory(set)
	for _, sv := range idx.services {
		mod := modified["service\x00"+sv.id]
		if mod == 0 {
			mod = now
		}
		if _, err := tx.exec(ctx, `INSERT INTO directory_services (org_id, id, name, status, verified_on, owner, modified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			orgID, sv.id, sv.name, sv.status, sv.verifiedOn, sv.owner, mod); err != nil {
			return 0, err
		}
		for _, si := range sv.sites {
			var lat, lon any
			if si.hasPos {
				lat, lon = si.lat, si.lon
			}
			if _, err := tx.exec(ctx, `INSERT INTO directory_sites (org_id, id, service_id, location_id, lat, lon, confidential, status, search, categories, languages, place, hours)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				orgID, si.id, sv.id, si.locationID, lat, lon, boolInt(si.confidential), sv.status, sv.search, sv.categories, si.languages, si.place, si.hours); err != nil {
				return 0, err
			}
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO directory_revisions (org_id, revision) VALUES (?, 1)
		ON CONFLICT (org_id) DO UPDATE SET revision = directory_revisions.revision + 1`, orgID)
	return len(idx.services), err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DirectoryExport returns the organisation's whole directory, for export.
func (s *Store) DirectoryExport(ctx context.Context, orgID int64) (*hsds.Set, error) {
	set, _, err := loadDirectory(ctx, s.reader(), orgID)
	return set, err
}

// Directory is a read-only view of an organisation's directory at one
// revision: its records, indexed for nesting, and when each was modified.
// Readers must not change it.
type Directory struct {
	Revision int64
	Set      *hsds.Set
	Modified map[string]time.Time // "table\x00id" → modified
	// refs[table+"\x00"+field+"\x00"+id] are the records of table whose
	// field (a foreign key, *_id or link_id) is id.
	refs map[string][]*hsds.Record

	nesterOnce sync.Once
	nester     *hsds.Nester
}

// Nester is the directory's nesting index, built at first use; take a
// With of it for each use, never the shared one.
func (d *Directory) Nester() *hsds.Nester {
	d.nesterOnce.Do(func() { d.nester = hsds.NewNester(d.Set) })
	return d.nester
}

// Referring returns the records of table whose field is id: a service's
// phones are Referring("phone", "service_id", id).
func (d *Directory) Referring(table, field, id string) []*hsds.Record {
	return d.refs[table+"\x00"+field+"\x00"+id]
}

func indexRefs(set *hsds.Set) map[string][]*hsds.Record {
	refs := map[string][]*hsds.Record{}
	for _, r := range set.Records() {
		for f := range r.Fields {
			if f == "id" || !strings.HasSuffix(f, "_id") {
				continue
			}
			if v := r.String(f); v != "" {
				k := r.Table + "\x00" + f + "\x00" + v
				refs[k] = append(refs[k], r)
			}
		}
	}
	return refs
}

// ModifiedAt returns when a record was last written.
func (d *Directory) ModifiedAt(table, id string) time.Time {
	return d.Modified[table+"\x00"+id]
}

type directoryCache struct {
	mu    sync.Mutex
	orgs  map[int64]*Directory
	hours sync.Map // calendar JSON → *hours.Schedule, nil when invalid
}

// DirectoryView returns the organisation's directory, read again only
// when its revision changed (on any instance sharing the database).
func (s *Store) DirectoryView(ctx context.Context, orgID int64) (*Directory, error) {
	var rev int64
	err := s.reader().row(ctx, `SELECT revision FROM directory_revisions WHERE org_id = ?`, orgID).Scan(&rev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	s.dir.mu.Lock()
	d := s.dir.orgs[orgID]
	s.dir.mu.Unlock()
	if d != nil && d.Revision == rev {
		return d, nil
	}
	set, mods, err := loadDirectory(ctx, s.reader(), orgID)
	if err != nil {
		return nil, err
	}
	d = &Directory{Revision: rev, Set: set, Modified: make(map[string]time.Time, len(mods)), refs: indexRefs(set)}
	for k, v := range mods {
		d.Modified[k] = fromMS(v)
	}
	s.dir.mu.Lock()
	if s.dir.orgs == nil {
		s.dir.orgs = map[int64]*Directory{}
	}
	s.dir.orgs[orgID] = d
	s.dir.mu.Unlock()
	return d, nil
}

// PutDirectoryRecords adds or replaces records of the organisation's
// directory (an operator's edit, a verification) after checking them
// with the rest of the directory, and rebuilds the search tables, in one
// transaction.
func (s *Store) PutDirectoryRecords(ctx context.Context, orgID int64, recs ...*hsds.Record) error {
	set := hsds.NewSet()
	for _, r := range recs {
		set.Add(r)
	}
	_, err := s.ImportDirectory(ctx, orgID, set, ImportOptions{})
	return err
}

// DeleteDirectoryRecord removes one record (and nothing else: records that
// refer to it keep their reference until edited).
func (s *Store) DeleteDirectoryRecord(ctx context.Context, orgID int64, table, id string) error {
	return s.inTx(ctx, func(tx q) error {
		if err := mustAffect(tx.exec(ctx, `DELETE FROM directory_records WHERE org_id = ? AND kind = ? AND id = ?`, orgID, table, id))(table); err != nil {
			return err
		}
		_, err := reindexDirectory(ctx, tx, orgID, ms(s.now()))
		return err
	})
}

// StaleService is a service whose record was not verified recently.
type StaleService struct {
	ID         string
	Name       string
	VerifiedOn string // "YYYY-MM-DD", "" never
	Owner      string
}

// StaleServices lists the services verified before the date given
// ("YYYY-MM-DD"), or never, oldest first.
func (s *Store) StaleServices(ctx context.Context, orgID int64, before string, limit int) ([]StaleService, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := s.reader().query(ctx, `SELECT id, name, verified_on, owner FROM directory_services
		WHERE org_id = ? AND verified_on < ? ORDER BY verified_on, name, id LIMIT ?`, orgID, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StaleService{}
	for rows.Next() {
		var x StaleService
		if err := rows.Scan(&x.ID, &x.Name, &x.VerifiedOn, &x.Owner); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// fold lowers text and takes the accents off Latin letters, for
// accent-insensitive search on both engines.
func fold(s string) string {
	return folder.Replace(strings.ToLower(s))
}

var folder = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "ã", "a",
	"è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i",
	"ò", "o", "ó", "o", "ô", "o", "ö", "o", "õ", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "u",
	"ç", "c", "ñ", "n", "’", "'",
)

// searchWords splits a search text into folded words, at most 8.
func searchWords(text string) []string {
	ws := indexWords(text)
	if len(ws) > 8 {
		ws = ws[:8]
	}
	return ws
}

// indexWords splits a text into folded words. Punctuation is dropped so
// that "Roma," matches "roma".
func indexWords(text string) []string {
	return strings.FieldsFunc(fold(text), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '\'' && r != '-' || r == '%' || r == '_' || r == '\\'
	})
}

func sortedUnique(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if s != "" && (i == 0 || s != ss[i-1]) {
			out = append(out, s)
		}
	}
	return out
}
