package hsds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// link is how a table's JSON object holds another table's records.
type link struct {
	prop  string // the JSON property
	table string
	many  bool
	// fk: for many, the child's field holding the parent's id; for one,
	// the parent's field holding the child's id.
	fk string
}

// nested is HSDS 3.0's nesting of JSON objects. attributes and metadata,
// which every table may carry, are added by linksOf.
var nested = map[string][]link{
	"organization": {
		{"funding", "funding", true, "organization_id"},
		{"contacts", "contact", true, "organization_id"},
		{"phones", "phone", true, "organization_id"},
		{"locations", "location", true, "organization_id"},
		{"programs", "program", true, "organization_id"},
		{"organization_identifiers", "organization_identifier", true, "organization_id"},
		{"services", "service", true, "organization_id"},
	},
	"service": {
		{"organization", "organization", false, "organization_id"},
		{"program", "program", false, "program_id"},
		{"phones", "phone", true, "service_id"},
		{"schedules", "schedule", true, "service_id"},
		{"service_areas", "service_area", true, "service_id"},
		{"service_at_locations", "service_at_location", true, "service_id"},
		{"languages", "language", true, "service_id"},
		{"funding", "funding", true, "service_id"},
		{"cost_options", "cost_option", true, "service_id"},
		{"required_documents", "required_document", true, "service_id"},
		{"contacts", "contact", true, "service_id"},
	},
	"service_at_location": {
		{"service", "service", false, "service_id"},
		{"location", "location", false, "location_id"},
		{"contacts", "contact", true, "service_at_location_id"},
		{"phones", "phone", true, "service_at_location_id"},
		{"schedules", "schedule", true, "service_at_location_id"},
	},
	"location": {
		{"languages", "language", true, "location_id"},
		{"addresses", "address", true, "location_id"},
		{"contacts", "contact", true, "location_id"},
		{"accessibility", "accessibility", true, "location_id"},
		{"phones", "phone", true, "location_id"},
		{"schedules", "schedule", true, "location_id"},
	},
	"phone":     {{"languages", "language", true, "phone_id"}},
	"contact":   {{"phones", "phone", true, "contact_id"}},
	"attribute": {{"taxonomy_term", "taxonomy_term", false, "taxonomy_term_id"}},
	"taxonomy_term": {
		{"taxonomy_detail", "taxonomy", false, "taxonomy_id"},
	},
}

func linksOf(table string) []link {
	ls := nested[table]
	if table != "metadata" && table != "taxonomy" && table != "taxonomy_term" && table != "attribute" {
		ls = append(ls[:len(ls):len(ls)], link{"attributes", "attribute", true, "link_id"})
	}
	if table != "metadata" {
		ls = append(ls[:len(ls):len(ls)], link{"metadata", "metadata", true, "resource_id"})
	}
	return ls
}

func linkOf(table, prop string) (link, bool) {
	for _, l := range linksOf(table) {
		if l.prop == prop {
			return l, true
		}
	}
	return link{}, false
}

// bundleKeys are the top-level keys of Sportello's JSON export: one per
// table, the name of its CSV file without ".csv".
func bundleKey(t *Table) string { return strings.TrimSuffix(t.File, ".csv") }

// ParseJSON reads HSDS JSON into a Set. It accepts one HSDS object (a
// service, organisation, service at location, location, taxonomy or
// taxonomy term, told apart by their fields), an array of them, a page of
// the HSDS API ({"contents": [...]}), or the export of [Set.WriteJSON]
// (an object with a key per table: "services", "organizations"…). name is
// the file's name, used in origins.
func ParseJSON(name string, data []byte) (*Set, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", name)
	}
	s := NewSet()
	f := flattener{set: s, file: name}
	switch v := top.(type) {
	case []any:
		for i, el := range v {
			if err := f.guessed(el, "$["+strconv.Itoa(i)+"]"); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		if contents, ok := v["contents"].([]any); ok {
			for i, el := range contents {
				if err := f.guessed(el, "$.contents["+strconv.Itoa(i)+"]"); err != nil {
					return nil, err
				}
			}
			return s, nil
		}
		_, hasVersion := v["version"].(string)
		_, hasServices := v["services"].([]any)
		bundle := false
		for _, t := range tables {
			if !hasVersion || !hasServices {
				break
			}
			arr, ok := v[bundleKey(t)].([]any)
			if !ok {
				continue
			}
			bundle = true
			for i, el := range arr {
				obj, ok := el.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s: $.%s[%d] is not an object", name, bundleKey(t), i)
				}
				f.object(obj, t.Name, "$."+bundleKey(t)+"["+strconv.Itoa(i)+"]")
			}
		}
		if !bundle {
			if err := f.guessed(v, "$"); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%s: expected an HSDS object or an array of them", name)
	}
	return s, nil
}

type flattener struct {
	set  *Set
	file string
}

func (f flattener) guessed(v any, path string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %s is not an object", f.file, path)
	}
	table := guess(obj)
	if table == "" {
		return fmt.Errorf("%s: %s: cannot tell which HSDS object this is", f.file, path)
	}
	f.object(obj, table, path)
	return nil
}

// guess tells which table a top-level JSON object belongs to by the fields
// that only that table has.
func guess(o map[string]any) string {
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := o[n]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("status", "service_at_locations", "service_areas", "required_documents"):
		return "service"
	case has("location_type", "addresses", "accessibility", "latitude"):
		return "location"
	case has("service", "location") || has("service_id") && has("location_id"):
		return "service_at_location"
	case has("taxonomy_detail", "term_uri", "parent_id", "code"):
		return "taxonomy_term"
	case has("organization_identifiers", "year_incorporated", "legal_status", "locations", "programs", "website", "services"):
		return "organization"
	case has("version", "uri") && has("name"):
		return "taxonomy"
	}
	return ""
}

// object flattens a JSON object of table and the objects nested in it,
// adding them all to the Set, and returns the record's id.
func (f flattener) object(obj map[string]any, table, path string) string {
	r := &Record{Table: table, Fields: map[string]json.RawMessage{}, Origin: f.file + " " + path}
	type child struct {
		l    link
		v    any
		path string
	}
	var children []child
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if l, ok := linkOf(table, k); ok {
			switch {
			case v == nil:
				continue
			case l.many:
				if arr, ok := v.([]any); ok && allObjects(arr) {
					children = append(children, child{l, v, path + "." + k})
					continue
				}
			default:
				if _, ok := v.(map[string]any); ok {
					children = append(children, child{l, v, path + "." + k})
					continue
				}
			}
		}
		raw, _ := json.Marshal(v)
		r.Fields[k] = raw
	}
	id := r.ID()
	f.set.Add(r)
	for _, c := range children {
		if !c.l.many {
			cid := f.object(c.v.(map[string]any), c.l.table, c.path)
			if isEmpty(r.Fields[c.l.fk]) && cid != "" {
				r.Set(c.l.fk, cid)
			}
			continue
		}
		for i, el := range c.v.([]any) {
			obj := el.(map[string]any)
			if _, ok := obj[c.l.fk]; !ok && id != "" {
				// The copy keeps the caller's map untouched.
				cp := make(map[string]any, len(obj)+1)
				for k, v := range obj {
					cp[k] = v
				}
				cp[c.l.fk] = id
				obj = cp
			}
			f.object(obj, c.l.table, c.path+"["+strconv.Itoa(i)+"]")
		}
	}
	return id
}

func allObjects(arr []any) bool {
	for _, el := range arr {
		if _, ok := el.(map[string]any); !ok {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Object is a JSON object in the key order of its table, then any keys the
// table does not know, sorted.
type Object struct {
	keys []string
	vals map[string]any
}

// Put sets a key.
func (o *Object) Put(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// Get returns a key's value.
func (o *Object) Get(k string) any { return o.vals[k] }

// Delete removes a key.
func (o *Object) Delete(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, kk := range o.keys {
		if kk == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// MarshalJSON writes the keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Flat is a record as a JSON object without anything nested.
func Flat(r *Record) *Object {
	o := &Object{}
	t := TableOf(r.Table)
	seen := map[string]bool{}
	if t != nil {
		for _, f := range t.Fields {
			if v, ok := r.Fields[f.Name]; ok {
				o.Put(f.Name, v)
				seen[f.Name] = true
			}
		}
	}
	var rest []string
	for k := range r.Fields {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		o.Put(k, r.Fields[k])
	}
	return o
}

// Nester builds nested HSDS objects out of a Set. It indexes the Set's
// foreign keys once; build one per Set.
type Nester struct {
	set *Set
	// children[table+"\x00"+fk+"\x00"+id] are the records of table whose
	// field fk is id.
	children map[string][]*Record
	// Filter, when set, is applied to every object built: a confidential
	// location loses its address there, for instance. It may return false
	// to leave the record out.
	Filter func(r *Record, o *Object) bool
	// Emitted collects the records put into some object.
	Emitted map[string]bool
}

// With returns a Nester sharing n's index, with its own filter and its
// own Emitted: the index is built once per Set and read by many
// requests at once, each with a With of its own.
func (n *Nester) With(filter func(r *Record, o *Object) bool) *Nester {
	return &Nester{set: n.set, children: n.children, Filter: filter, Emitted: map[string]bool{}}
}

// NewNester indexes s.
func NewNester(s *Set) *Nester {
	n := &Nester{set: s, children: map[string][]*Record{}, Emitted: map[string]bool{}}
	for _, r := range s.order {
		for _, l := range allManyLinks(r.Table) {
			if id := r.String(l); id != "" {
				k := r.Table + "\x00" + l + "\x00" + id
				n.children[k] = append(n.children[k], r)
			}
		}
	}
	return n
}

// allManyLinks lists the fields of table that may point at a parent.
func allManyLinks(table string) []string {
	var out []string
	seen := map[string]bool{}
	for parent := range nested {
		for _, l := range linksOf(parent) {
			if l.many && l.table == table && !seen[l.fk] {
				seen[l.fk] = true
				out = append(out, l.fk)
			}
		}
	}
	if table == "attribute" {
		out = append(out, "link_id")
	}
	if table == "metadata" {
		out = append(out, "resource_id")
	}
	return out
}

// Nest returns the record fully nested: its scalar fields, the objects it
// refers to (a service's organisation) and the records that refer to it
// (a service's phones, its service at locations with their locations…).
// skip names properties to leave out (an organisation nested in a service
// does not repeat the services).
func (n *Nester) Nest(r *Record, skip ...string) *Object {
	return n.nest(r, map[string]bool{}, skip)
}

func (n *Nester) nest(r *Record, path map[string]bool, skip []string) *Object {
	k := key(r.Table, r.ID())
	o := Flat(r)
	if n.Filter != nil && !n.Filter(r, o) {
		return nil
	}
	n.Emitted[k] = true
	path[k] = true
	defer delete(path, k)
	for _, l := range linksOf(r.Table) {
		if contains(skip, l.prop) {
			continue
		}
		if !l.many {
			id := r.String(l.fk)
			c := n.set.Get(l.table, id)
			if c == nil || path[key(c.Table, c.ID())] {
				continue
			}
			var childSkip []string
			if l.table == "organization" {
				childSkip = []string{"services"}
			}
			if l.table == "service" {
				childSkip = []string{"service_at_locations"}
			}
			if co := n.nest(c, path, childSkip); co != nil {
				o.Put(l.prop, co)
			}
			continue
		}
		var arr []*Object
		for _, c := range n.children[l.table+"\x00"+l.fk+"\x00"+r.ID()] {
			if path[key(c.Table, c.ID())] {
				continue
			}
			var childSkip []string
			if l.table == "service_at_location" {
				childSkip = []string{"service"}
			}
			if co := n.nest(c, path, childSkip); co != nil {
				arr = append(arr, co)
			}
		}
		if len(arr) > 0 {
			o.Put(l.prop, arr)
		}
	}
	return o
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// WriteJSON writes the Set as one JSON object: "version" and "profile",
// then "services", every service fully nested, then for each other table
// the records not already nested in a service, themselves nested.
// ParseJSON reads it back into the same records.
func (s *Set) WriteJSON(w io.Writer) error {
	n := NewNester(s)
	out := &Object{}
	out.Put("version", Version)
	out.Put("profile", Profile)
	order := []string{"service", "organization", "service_at_location", "location", "taxonomy_term", "taxonomy"}
	for _, t := range tables {
		if !contains(order, t.Name) {
			order = append(order, t.Name)
		}
	}
	for _, name := range order {
		arr := []*Object{}
		for _, r := range s.Of(name) {
			if n.Emitted[key(r.Table, r.ID())] {
				continue
			}
			var skip []string
			if name == "organization" {
				skip = []string{"services"}
			}
			if o := n.Nest(r, skip...); o != nil {
				arr = append(arr, o)
			}
		}
		if len(arr) > 0 || name == "service" {
			out.Put(bundleKey(TableOf(name)), arr)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
