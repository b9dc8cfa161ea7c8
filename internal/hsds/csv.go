package hsds

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// descriptor is the part of a tabular data package's datapackage.json
// this package reads and writes.
type descriptor struct {
	Name      string     `json:"name"`
	Title     string     `json:"title,omitempty"`
	Profile   string     `json:"profile"`
	Version   string     `json:"version"`
	Resources []resource `json:"resources"`
}

type resource struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Format  string `json:"format,omitempty"`
	Profile string `json:"profile,omitempty"`
	Schema  struct {
		PrimaryKey  string       `json:"primaryKey,omitempty"`
		Fields      []fieldDesc  `json:"fields"`
		ForeignKeys []foreignKey `json:"foreignKeys,omitempty"`
	} `json:"schema"`
}

type fieldDesc struct {
	Name        string       `json:"name"`
	Type        string       `json:"type"`
	Constraints *constraints `json:"constraints,omitempty"`
}

type constraints struct {
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

type foreignKey struct {
	Fields    string `json:"fields"`
	Reference struct {
		Resource string `json:"resource"`
		Fields   string `json:"fields"`
	} `json:"reference"`
}

// maxCSV bounds one CSV file of a package.
const maxCSV = 256 << 20

// ParseCSV reads a tabular data package: datapackage.json and the CSV
// files it lists, or, without datapackage.json, the CSV files named as
// HSDS names them (services.csv…). A cell's type comes from the
// package's field type (number, boolean, else text); an empty cell is an
// absent field. Cells that do not parse as their type are kept as text
// for Validate to report.
func ParseCSV(fsys fs.FS) (*Set, error) {
	types := map[string]map[string]string{} // table → field → type
	var res []resource
	data, err := fs.ReadFile(fsys, "datapackage.json")
	switch {
	case err == nil:
		var d descriptor
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("datapackage.json: %w", err)
		}
		res = d.Resources
	case errors.Is(err, fs.ErrNotExist):
		for _, t := range tables {
			if _, err := fs.Stat(fsys, t.File); err == nil {
				res = append(res, resource{Name: t.Name, Path: t.File})
			}
		}
		if len(res) == 0 {
			return nil, errors.New("neither datapackage.json nor any HSDS CSV file (organizations.csv, services.csv…)")
		}
	default:
		return nil, err
	}
	s := NewSet()
	for _, r := range res {
		t := TableOf(r.Name)
		if t == nil {
			return nil, fmt.Errorf("datapackage.json: resource %q is not an HSDS table", r.Name)
		}
		ft := map[string]string{}
		for _, f := range t.Fields {
			ft[f.Name] = f.Type
		}
		for _, f := range r.Schema.Fields {
			if f.Type != "" {
				ft[f.Name] = f.Type
			}
		}
		types[t.Name] = ft
		if strings.Contains(r.Path, "..") || strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("datapackage.json: resource %q: path %q leaves the package", r.Name, r.Path)
		}
		if err := readTable(fsys, r.Path, t.Name, ft, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func readTable(fsys fs.FS, path, table string, types map[string]string, s *Set) error {
	f, err := fsys.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: listed in datapackage.json but missing", path)
		}
		return err
	}
	defer f.Close()
	cr := csv.NewReader(io.LimitReader(f, maxCSV))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		rec := &Record{Table: table, Fields: map[string]json.RawMessage{}, Origin: path + ":" + strconv.Itoa(line)}
		if len(row) != len(header) {
			rec.Fields[badRowField] = json.RawMessage(strconv.Itoa(len(row)))
		}
		for i, cell := range row {
			if i >= len(header) || cell == "" {
				continue
			}
			rec.Fields[header[i]] = cellValue(cell, types[header[i]])
		}
		if rec.ID() == "" && len(rec.Fields) == 0 {
			continue
		}
		s.Add(rec)
	}
}

// badRowField marks a CSV row with the wrong number of cells; Validate
// reports it and export never sees it, since such a Set is refused.
const badRowField = "\x00cells"

func cellValue(cell, typ string) json.RawMessage {
	switch typ {
	case "number", "integer":
		if _, err := strconv.ParseFloat(cell, 64); err == nil && !strings.ContainsAny(cell, "xXpP_") && json.Valid([]byte(cell)) {
			return json.RawMessage(cell)
		}
	case "object":
		if strings.HasPrefix(strings.TrimSpace(cell), "{") && json.Valid([]byte(cell)) {
			return json.RawMessage(cell)
		}
	case "boolean":
		switch strings.ToLower(cell) {
		case "true", "1", "yes":
			return json.RawMessage("true")
		case "false", "0", "no":
			return json.RawMessage("false")
		}
	}
	raw, _ := json.Marshal(cell)
	return raw
}

// cellText is the CSV form of a JSON value.
func cellText(raw json.RawMessage) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	var b bytes.Buffer
	_ = json.Compact(&b, raw)
	return b.String()
}

// WriteCSV writes the Set as a tabular data package: datapackage.json and
// one CSV file per HSDS table (header only when the table is empty).
// create opens a file of the package for writing.
func (s *Set) WriteCSV(create func(name string) (io.WriteCloser, error)) error {
	d := descriptor{Name: "human_services_data", Title: "Human Services Data Specification", Profile: "tabular-data-package", Version: Version}
	for _, t := range tables {
		recs := s.Of(t.Name)
		cols := columns(t, recs)
		r := resource{Name: t.Name, Path: t.File, Format: "csv", Profile: "tabular-data-resource"}
		r.Schema.PrimaryKey = "id"
		for _, c := range cols {
			fd := fieldDesc{Name: c, Type: "string"}
			if f := t.field(c); f != nil {
				fd.Type = f.Type
				if f.Required || len(f.Enum) > 0 {
					fd.Constraints = &constraints{Required: f.Required, Enum: f.Enum}
				}
			}
			r.Schema.Fields = append(r.Schema.Fields, fd)
		}
		refs := make([]string, 0, len(t.Refs))
		for f := range t.Refs {
			refs = append(refs, f)
		}
		sort.Strings(refs)
		for _, f := range refs {
			var fk foreignKey
			fk.Fields = f
			fk.Reference.Resource = t.Refs[f]
			fk.Reference.Fields = "id"
			r.Schema.ForeignKeys = append(r.Schema.ForeignKeys, fk)
		}
		d.Resources = append(d.Resources, r)
		if err := writeTable(create, t.File, cols, recs); err != nil {
			return err
		}
	}
	w, err := create("datapackage.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// columns are the table's HSDS fields (profile fields only when some
// record has them), then any other field a record has, sorted.
func columns(t *Table, recs []*Record) []string {
	used := map[string]bool{}
	for _, r := range recs {
		for k := range r.Fields {
			used[k] = true
		}
	}
	var cols []string
	for _, f := range t.Fields {
		if !f.Profile || used[f.Name] {
			cols = append(cols, f.Name)
		}
		delete(used, f.Name)
	}
	var rest []string
	for k := range used {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(cols, rest...)
}

func writeTable(create func(string) (io.WriteCloser, error), name string, cols []string, recs []*Record) error {
	w, err := create(name)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		w.Close()
		return err
	}
	row := make([]string, len(cols))
	for _, r := range recs {
		for i, c := range cols {
			row[i] = ""
			if v, ok := r.Fields[c]; ok {
				row[i] = cellText(v)
			}
		}
		if err := cw.Write(row); err != nil {
			w.Close()
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
