// Package hsds reads, checks and writes directories of human services in
// Open Referral's Human Services Data Specification 3.0: the JSON objects
// of its API (services, organisations, locations nested in one another)
// and its tabular data package (one CSV file per table and a
// datapackage.json).
//
// Both forms meet in a [Set]: every record flat, in its tabular shape, with
// its foreign keys, keyed by table and id. JSON is flattened into a Set
// (a child nested in a parent gets the parent's id in its foreign key when
// it lacks one) and nested back out of it ([Set.Nest]); CSV maps row to
// record. A Set carries where each record came from, so that [Validate]
// names the file, row or JSON path of every problem it finds.
//
// Values keep their JSON form (json.RawMessage): a number stays the
// digits it was written with, so an import followed by an export gives
// back the same records. Fields a table does not know are kept too.
//
// The package does no I/O beyond reading the fs.FS or reader it is given
// and writing to the writer or directory it is given.
package hsds

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Version is the HSDS version this package reads and writes.
const Version = "3.0.0"

// Profile names Sportello's additions to HSDS: location.confidential.
const Profile = "https://github.com/sportello/sportello/blob/main/docs/DIRECTORY.md#hsds-it-profile"

// Table describes one HSDS table in its tabular form.
type Table struct {
	Name   string // singular, as in foreign keys: "service_at_location"
	File   string // the CSV file of the tabular package
	Fields []Field
	Refs   map[string]string // foreign key field → table it points to
}

// Field is one column of a Table.
type Field struct {
	Name     string
	Type     string // string, number, boolean, date, datetime, time
	Required bool
	Enum     []string
	Profile  bool // an addition of Sportello's profile, not in HSDS
}

// Tables returns HSDS's tables in the order of the specification.
func Tables() []*Table { return tables }

// TableOf returns the table called name, or nil.
func TableOf(name string) *Table {
	for _, t := range tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (t *Table) field(name string) *Field {
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i]
		}
	}
	return nil
}

// Record is one row of a table: its fields in JSON form, id included.
// Fields holds only the fields present; an empty CSV cell is absent.
type Record struct {
	Table  string
	Fields map[string]json.RawMessage
	// Origin says where the record was read: "services.csv:3" (file and
	// line) or "service_full.json $.service_at_locations[0]" (file and
	// JSON path). Empty for records built in code.
	Origin string
}

// ID is the record's id.
func (r *Record) ID() string { return r.String("id") }

// String returns a string field, or "" when it is absent or not a string.
func (r *Record) String(name string) string {
	raw, ok := r.Fields[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// Number returns a numeric field and whether it is present and a number.
func (r *Record) Number(name string) (float64, bool) {
	raw, ok := r.Fields[name]
	if !ok {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return 0, false
	}
	return f, true
}

// Bool returns a boolean field (false when absent).
func (r *Record) Bool(name string) bool {
	raw, ok := r.Fields[name]
	if !ok {
		return false
	}
	var b bool
	_ = json.Unmarshal(raw, &b)
	return b
}

// Set sets a field to a JSON value; a nil value removes it.
func (r *Record) Set(name string, v any) {
	if v == nil {
		delete(r.Fields, name)
		return
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return
	}
	if r.Fields == nil {
		r.Fields = map[string]json.RawMessage{}
	}
	r.Fields[name] = raw
}

// Equal reports whether two records have the same table and fields.
func (r *Record) Equal(o *Record) bool {
	if r.Table != o.Table || len(r.Fields) != len(o.Fields) {
		return false
	}
	for k, v := range r.Fields {
		w, ok := o.Fields[k]
		if !ok || !sameJSON(v, w) {
			return false
		}
	}
	return true
}

// sameJSON compares two JSON values, ignoring insignificant white space.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// Set is a directory: records keyed by table and id, in the order they
// were added.
type Set struct {
	byKey map[string]*Record
	order []*Record
	// Duplicates are records whose table and id were already in the Set
	// with other values; Validate reports them.
	Duplicates []*Record
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{byKey: map[string]*Record{}} }

func key(table, id string) string { return table + "\x00" + id }

// Add adds a record. A record with the table and id of one already in the
// Set is merged into it: fields the first lacks are taken from the
// second (the same object nested in two places of a JSON document); a
// field with two different values makes it a duplicate.
func (s *Set) Add(r *Record) {
	k := key(r.Table, r.ID())
	old, ok := s.byKey[k]
	if !ok {
		s.byKey[k] = r
		s.order = append(s.order, r)
		return
	}
	conflict := false
	for f, v := range r.Fields {
		w, ok := old.Fields[f]
		if !ok {
			old.Fields[f] = v
		} else if !sameJSON(v, w) {
			conflict = true
		}
	}
	if conflict {
		s.Duplicates = append(s.Duplicates, r)
	}
}

// Get returns the record of table with id, or nil.
func (s *Set) Get(table, id string) *Record { return s.byKey[key(table, id)] }

// Records returns every record, in the order added.
func (s *Set) Records() []*Record { return s.order }

// Of returns the records of one table, in the order added.
func (s *Set) Of(table string) []*Record {
	var out []*Record
	for _, r := range s.order {
		if r.Table == table {
			out = append(out, r)
		}
	}
	return out
}

// Len is the number of records.
func (s *Set) Len() int { return len(s.order) }

// Diff lists the differences between two Sets as lines of text, empty
// when they hold the same records (in any order).
func Diff(a, b *Set) []string {
	var out []string
	for _, r := range a.order {
		o := b.Get(r.Table, r.ID())
		switch {
		case o == nil:
			out = append(out, "only in first: "+r.Table+" "+r.ID())
		case !r.Equal(o):
			for _, f := range slices.Sorted(maps.Keys(unionKeys(r.Fields, o.Fields))) {
				if !sameJSON(r.Fields[f], o.Fields[f]) {
					out = append(out, r.Table+" "+r.ID()+" "+f+": "+string(r.Fields[f])+" != "+string(o.Fields[f]))
				}
			}
		}
	}
	for _, r := range b.order {
		if a.Get(r.Table, r.ID()) == nil {
			out = append(out, "only in second: "+r.Table+" "+r.ID())
		}
	}
	return out
}

func unionKeys(a, b map[string]json.RawMessage) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// isEmpty reports whether a value counts as missing: absent, null or "".
func isEmpty(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == `""`
}
