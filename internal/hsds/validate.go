package hsds

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Problem is one thing wrong with a record, located by the record's
// origin and the field.
type Problem struct {
	Where   string `json:"where"` // "services.csv:3", "service_full.json $.phones[0]"
	Table   string `json:"table"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"` // required, enum, type, coordinates, reference, duplicate, cells
	Message string `json:"message"`
	// Warning marks a problem Lenient lets through.
	Warning bool `json:"warning,omitempty"`
}

func (p Problem) String() string {
	where := p.Where
	if where == "" {
		where = p.Table + " " + p.ID
	}
	if p.Field != "" {
		return where + ": " + p.Field + ": " + p.Message
	}
	return where + ": " + p.Message
}

// Invalid is the error of a Set that cannot be imported: every problem.
type Invalid struct {
	Problems []Problem
}

func (e *Invalid) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems in the HSDS data", len(e.Problems))
	for i, p := range e.Problems {
		if i == 20 {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-20)
			break
		}
		b.WriteString("; ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Options tune Validate.
type Options struct {
	// Known reports whether a record outside the Set exists (one already in
	// the directory), so that a partial import may refer to it.
	Known func(table, id string) bool
	// Lenient lets through, as warnings, two things Open Referral's own
	// example data has: optional references to records not in the data
	// and coordinates outside WGS 84's ranges (such a location is then
	// kept off the map). Required fields, required references and
	// everything else are still errors.
	Lenient bool
}

var (
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	timeRE = regexp.MustCompile(`^([01]\d|2[0-4]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$`)
)

// Validate checks every record of s and returns every problem found, in
// the order of the records. The Set is importable when no problem is an
// error (Warning false); Check wraps that test.
func Validate(s *Set, o Options) []Problem {
	var out []Problem
	add := func(r *Record, field, code, msg string, warn bool) {
		out = append(out, Problem{Where: r.Origin, Table: r.Table, ID: r.ID(), Field: field, Code: code, Message: msg, Warning: warn})
	}
	exists := func(table, id string) bool {
		return s.Get(table, id) != nil || o.Known != nil && o.Known(table, id)
	}
	for _, r := range s.order {
		t := TableOf(r.Table)
		if n, ok := r.Fields[badRowField]; ok {
			add(r, "", "cells", "the row has "+string(n)+" cells, not as many as the header", false)
		}
		for _, f := range t.Fields {
			raw, present := r.Fields[f.Name]
			if !present || isEmpty(raw) {
				if f.Required {
					add(r, f.Name, "required", "is required", false)
				}
				continue
			}
			checkType(r, f, raw, add)
		}
		checkCoordinates(r, o.Lenient, add)
		for _, f := range slices.Sorted(mapKeys(t.Refs)) {
			id := r.String(f)
			if id == "" {
				continue
			}
			target := t.Refs[f]
			if !exists(target, id) {
				required := t.field(f).Required
				add(r, f, "reference", fmt.Sprintf("refers to %s %q, which is not in the data", target, id), o.Lenient && !required)
			}
		}
	}
	for _, r := range s.Duplicates {
		add(r, "id", "duplicate", "another "+r.Table+" has the same id with different values", false)
	}
	return out
}

// Check validates s and returns *Invalid listing every error, or nil.
func Check(s *Set, o Options) error {
	var errs []Problem
	for _, p := range Validate(s, o) {
		if !p.Warning {
			errs = append(errs, p)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &Invalid{Problems: errs}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func checkType(r *Record, f Field, raw json.RawMessage, add func(*Record, string, string, string, bool)) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		add(r, f.Name, "type", "is not a JSON value", false)
		return
	}
	if f.Name == "id" {
		if _, ok := v.(string); !ok {
			add(r, f.Name, "type", "must be text", false)
		}
		return
	}
	switch f.Type {
	case "number", "integer":
		if _, ok := v.(float64); !ok {
			add(r, f.Name, "type", fmt.Sprintf("%s is not a number", string(raw)), false)
		}
		return
	case "object":
		if _, ok := v.(map[string]any); !ok {
			add(r, f.Name, "type", fmt.Sprintf("%s is not an object", string(raw)), false)
		}
		return
	case "boolean":
		if _, ok := v.(bool); !ok {
			add(r, f.Name, "type", fmt.Sprintf("%s is not true or false", string(raw)), false)
		}
		return
	}
	s, ok := v.(string)
	if !ok {
		add(r, f.Name, "type", fmt.Sprintf("%s is not text", string(raw)), false)
		return
	}
	switch f.Type {
	case "date":
		if _, err := time.Parse(time.DateOnly, s); err != nil || !dateRE.MatchString(s) {
			add(r, f.Name, "type", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s), false)
		}
	case "datetime":
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			add(r, f.Name, "type", fmt.Sprintf("%q is not a date and time (RFC 3339)", s), false)
		}
	case "time":
		if !timeRE.MatchString(s) {
			add(r, f.Name, "type", fmt.Sprintf("%q is not a time (HH:MM:SS)", s), false)
		}
	}
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
		add(r, f.Name, "enum", fmt.Sprintf("%q is not one of %s", s, strings.Join(f.Enum, ", ")), false)
	}
}

func checkCoordinates(r *Record, lenient bool, add func(*Record, string, string, string, bool)) {
	if r.Table != "location" {
		return
	}
	lat, hasLat := r.Number("latitude")
	lon, hasLon := r.Number("longitude")
	_, latPresent := r.Fields["latitude"]
	_, lonPresent := r.Fields["longitude"]
	if latPresent != lonPresent {
		add(r, "latitude", "coordinates", "latitude and longitude go together", false)
		return
	}
	if hasLat && (lat < -90 || lat > 90) {
		add(r, "latitude", "coordinates", fmt.Sprintf("%v is outside -90…90", lat), lenient)
	}
	if hasLon && (lon < -180 || lon > 180) {
		add(r, "longitude", "coordinates", fmt.Sprintf("%v is outside -180…180", lon), lenient)
	}
}

// Position returns a location's WGS 84 coordinates when it has plausible
// ones.
func Position(r *Record) (lat, lon float64, ok bool) {
	lat, ok1 := r.Number("latitude")
	lon, ok2 := r.Number("longitude")
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}
