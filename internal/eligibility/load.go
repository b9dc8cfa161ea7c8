package eligibility

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/sportello/sportello/internal/model"
)

//go:embed screeners/*.json
var screeners embed.FS

// MaxSize bounds a questionnaire file.
const MaxSize = 4 << 20

// Parse decodes and validates one questionnaire. Unknown fields are an
// error, so a misspelt "show_if" is not silently ignored.
func Parse(data []byte) (*Questionnaire, error) {
	if len(data) > MaxSize {
		return nil, model.Invalid("", "error.eligibility.too_large",
			fmt.Sprintf("a questionnaire is at most %d bytes", MaxSize), map[string]any{"Max": MaxSize})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	q := &Questionnaire{}
	if err := dec.Decode(q); err != nil {
		return nil, &model.Error{Code: model.CodeInvalid, Key: "error.eligibility.json",
			Message: "not a questionnaire: " + err.Error(), Args: map[string]any{"Detail": err.Error(), "Value": err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &model.Error{Code: model.CodeInvalid, Key: "error.eligibility.json",
			Message: "not a questionnaire: data after the JSON object", Args: map[string]any{"Detail": "trailing data", "Value": "trailing data"}}
	}
	if _, err := q.get(); err != nil {
		return nil, err
	}
	return q, nil
}

// Load reads every *.json file at the root of fsys as a questionnaire,
// sorted by id. An error names the file.
func Load(fsys fs.FS) ([]*Questionnaire, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	var out []*Questionnaire
	seen := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		q, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if other, dup := seen[q.ID]; dup {
			return nil, fmt.Errorf("%s: %w", name, model.Invalid("id", "error.eligibility.id_duplicate",
				fmt.Sprintf("questionnaire %q is also defined in %s", q.ID, other), map[string]any{"Value": q.ID}))
		}
		seen[q.ID] = name
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b *Questionnaire) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Builtin returns the questionnaires shipped with Sportello.
func Builtin() ([]*Questionnaire, error) {
	sub, err := fs.Sub(screeners, path.Clean("screeners"))
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// Find returns the questionnaire with the given id.
func Find(list []*Questionnaire, id string) (*Questionnaire, bool) {
	for _, q := range list {
		if q.ID == id {
			return q, true
		}
	}
	return nil, false
}

// MissingTranslations lists the texts lacking one of q.Languages, as
// "path: lang". They fall back to Italian, then English, so this is a
// warning, not an error.
func (q *Questionnaire) MissingTranslations() []string {
	var out []string
	check := func(path string, t Text) {
		if t == nil {
			return
		}
		for _, lang := range q.Languages {
			if t[lang] == "" {
				out = append(out, path+": "+lang)
			}
		}
	}
	check("title", q.Title)
	check("description", q.Description)
	check("notice", q.Notice)
	m := q.Messages
	for _, t := range []struct {
		path string
		text Text
	}{{"missing", m.Missing}, {"to_verify", m.ToVerify}, {"per_month", m.PerMonth}, {"per_year", m.PerYear},
		{"once", m.Once}, {"amount_exact", m.AmountExact}, {"amount_range", m.AmountRange}, {"amount_up_to", m.AmountUpTo}} {
		check("messages."+t.path, t.text)
	}
	for _, qu := range q.Questions {
		p := "questions[" + qu.ID + "]"
		check(p+".text", qu.Text)
		check(p+".help", qu.Help)
		for _, o := range qu.Options {
			check(p+".options["+o.Value+"].text", o.Text)
		}
	}
	for i, cs := range q.Consistency {
		check(fmt.Sprintf("consistency[%d].message", i), cs.Message)
	}
	for _, p := range q.Parameters {
		check("parameters["+p.ID+"].description", p.Description)
	}
	for _, f := range q.Formulas {
		check("formulas["+f.ID+"].description", f.Description)
	}
	for _, p := range q.Predicates {
		check("predicates["+p.ID+"].holds", p.Holds)
		check("predicates["+p.ID+"].fails", p.Fails)
	}
	for _, b := range q.Benefits {
		p := "benefits[" + b.ID + "]"
		check(p+".name", b.Name)
		check(p+".summary", b.Summary)
		for i, c := range b.Conditions {
			check(fmt.Sprintf("%s.conditions[%d].holds", p, i), c.Holds)
			check(fmt.Sprintf("%s.conditions[%d].fails", p, i), c.Fails)
		}
		for i, t := range b.OtherRequirements {
			check(fmt.Sprintf("%s.other_requirements[%d]", p, i), t)
		}
		if b.Amount != nil {
			check(p+".amount.note", b.Amount.Note)
		}
		for i, t := range b.Documents {
			check(fmt.Sprintf("%s.documents[%d]", p, i), t)
		}
		for i, s := range b.NextSteps {
			check(fmt.Sprintf("%s.next_steps[%d].text", p, i), s.Text)
		}
	}
	return out
}
