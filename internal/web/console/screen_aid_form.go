package console

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
)

// The local aid as a form: what an administrator fills in, compiled into
// the benefit and parameters the engine validates, and back. Form fields
// are named as the errors are keyed: "id", "name", "c.0.question",
// "p.1.from"…

// aidLangs are the languages of an aid's texts, Italian first (required).
var aidLangs = []string{"it", "en", "fr", "ar", "es"}

// texts are a text per language of aidLangs, as typed.
type texts map[string]string

// Others reports whether a language other than Italian has text: its
// fields are then shown open.
func (t texts) Others() bool {
	for lang, s := range t {
		if lang != "it" && strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

type aidForm struct {
	ID                       string
	Name, Summary            texts
	Steps, Documents         texts // one step; one document a line
	Reference, URL           string
	StepURL, Directory       string
	AmountKind, AmountPeriod string // "", "fixed" or "param"; month, year, once
	AmountValue, AmountParam string
	Conditions               []condRow
	Parameters               []paramFormRow
	kept                     map[string][]eligibility.ParameterValue // the later values of a parameter being edited
	keptDesc                 map[string]eligibility.Text             // its description, in every language
	rowOfCond, rowOfParam    []int                                   // compiled index → form row
	otherRequirements        []eligibility.Text
	toVerify                 bool
	note                     string
}

type condRow struct {
	N, Num                         int
	Question, Field, Op, Value     string
	Param                          string
	Values                         []string
	Holds, Fails                   texts
	Type                           string
	Ops, Options, Fields, ParamOpt []option
}

type paramFormRow struct {
	N, Num                                        int
	ID, Unit, Description, From, Value, Reference string
	URL                                           string
	Units                                         []option
}

// Blank rows offered after the filled ones.
const (
	blankConds  = 1
	blankParams = 1
)

func textOf(m map[string]string) eligibility.Text {
	t := eligibility.Text{}
	for _, lang := range aidLangs {
		if s := strings.TrimSpace(m[lang]); s != "" {
			t[lang] = s
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

func formText(f url.Values, name string) texts {
	m := texts{}
	for _, lang := range aidLangs {
		m[lang] = f.Get(name + "." + lang)
	}
	return m
}

func mapOf(t eligibility.Text) texts {
	m := texts{}
	for _, lang := range aidLangs {
		m[lang] = t[lang]
	}
	return m
}

// readAidForm reads the posted form. rows=1 in "more" asks for one more
// row of conditions and of parameters (the form works without
// JavaScript).
func readAidForm(f url.Values) aidForm {
	af := aidForm{ID: strings.TrimSpace(f.Get("id")), Name: formText(f, "name"), Summary: formText(f, "summary"),
		Steps: formText(f, "steps"), Documents: formText(f, "documents"),
		Reference: strings.TrimSpace(f.Get("reference")), URL: strings.TrimSpace(f.Get("url")),
		StepURL: strings.TrimSpace(f.Get("step_url")), Directory: strings.TrimSpace(f.Get("directory")),
		AmountKind: f.Get("amount_kind"), AmountPeriod: f.Get("amount_period"),
		AmountValue: strings.TrimSpace(f.Get("amount_value")), AmountParam: f.Get("amount_param")}
	n, _ := strconv.Atoi(f.Get("conditions"))
	for i := range min(n, 50) {
		k := "c." + strconv.Itoa(i) + "."
		af.Conditions = append(af.Conditions, condRow{Question: f.Get(k + "question"), Field: f.Get(k + "field"), Op: f.Get(k + "op"),
			Value: strings.TrimSpace(f.Get(k + "value")), Param: f.Get(k + "param"), Values: f[k+"values"],
			Holds: formText(f, k+"holds"), Fails: formText(f, k+"fails")})
	}
	n, _ = strconv.Atoi(f.Get("parameters"))
	for i := range min(n, 20) {
		k := "p." + strconv.Itoa(i) + "."
		af.Parameters = append(af.Parameters, paramFormRow{ID: strings.TrimSpace(f.Get(k + "id")), Unit: f.Get(k + "unit"),
			Description: strings.TrimSpace(f.Get(k + "description")), From: strings.TrimSpace(f.Get(k + "from")),
			Value: strings.TrimSpace(f.Get(k + "value")), Reference: strings.TrimSpace(f.Get(k + "reference")), URL: strings.TrimSpace(f.Get(k + "url"))})
	}
	return af
}

func (r condRow) empty() bool { return r.Question == "" }

func (r paramFormRow) empty() bool {
	return r.ID == "" && r.Value == "" && r.From == "" && r.Reference == "" && r.Description == ""
}

var wordsRE = regexp.MustCompile(`[,;\s]+`)

// compile turns the form into a local aid; errs gets what the form
// itself can tell is wrong (a number that is not one), keyed by field.
func (af *aidForm) compile(p *locale.Printer, q *eligibility.Questionnaire, errs map[string]string) desk.LocalAid {
	b := eligibility.Benefit{ID: af.ID, Name: textOf(af.Name), Summary: textOf(af.Summary), Legal: []eligibility.Source{},
		Conditions: []eligibility.Condition{}, OtherRequirements: af.otherRequirements, ToVerify: af.toVerify, Note: af.note}
	if af.Reference != "" || af.URL != "" {
		b.Legal = append(b.Legal, eligibility.Source{Reference: af.Reference, URL: af.URL})
	}
	number := func(field, s string) float64 {
		n, ok := eligibility.ParseNumber(s, p.Lang())
		if !ok {
			errs[field] = p.T("error.screen.number", nil)
		}
		return n
	}
	af.rowOfCond = nil
	for i, row := range af.Conditions {
		if row.empty() {
			continue
		}
		k := "c." + strconv.Itoa(i) + "."
		c := eligibility.Condition{Question: row.Question, Op: row.Op, Holds: textOf(row.Holds), Fails: textOf(row.Fails)}
		qu := findQuestion(q, row.Question)
		switch {
		case qu == nil:
			c.Value = row.Value // the engine names the unknown question
		case qu.Type == eligibility.YesNo:
			c.Op = eligibility.OpEq
			switch row.Value {
			case "yes":
				c.Value = true
			case "no":
				c.Value = false
			default:
				errs[k+"value"] = p.T("error.validation.required", map[string]any{"Field": p.T("screener.aid_value", nil)})
			}
		case qu.Type == eligibility.Choice:
			for _, v := range row.Values {
				c.Values = append(c.Values, v)
			}
			if c.Op != eligibility.OpNotIn {
				c.Op = eligibility.OpIn
			}
		case qu.Type == eligibility.Date:
			c.Value = row.Value
		default:
			if qu.Type == eligibility.Household {
				c.Field = row.Field
			}
			switch {
			case row.Param != "":
				c.Param = row.Param
			case row.Value == "":
				errs[k+"value"] = p.T("error.validation.required", map[string]any{"Field": p.T("screener.aid_value", nil)})
			default:
				c.Value = number(k+"value", row.Value)
			}
		}
		b.Conditions = append(b.Conditions, c)
		af.rowOfCond = append(af.rowOfCond, i)
	}
	aid := desk.LocalAid{Benefit: b}
	af.rowOfParam = nil
	for i, row := range af.Parameters {
		if row.empty() {
			continue
		}
		k := "p." + strconv.Itoa(i) + "."
		v := eligibility.ParameterValue{From: row.From, Reference: row.Reference, URL: row.URL}
		switch {
		case row.Value == "":
			errs[k+"value"] = p.T("error.validation.required", map[string]any{"Field": p.T("screener.admin_value", nil)})
		case row.Unit == eligibility.UnitDate:
			v.Value = row.Value
		default:
			v.Value = number(k+"value", row.Value)
		}
		prm := eligibility.Parameter{ID: row.ID, Unit: row.Unit, Values: []eligibility.ParameterValue{v}}
		if row.Description != "" {
			prm.Description = eligibility.Text{"it": row.Description}
			for lang, d := range af.keptDesc[row.ID] { // the form shows the Italian only
				if lang != "it" {
					prm.Description[lang] = d
				}
			}
		}
		prm.Values = append(prm.Values, af.kept[row.ID]...)
		aid.Parameters = append(aid.Parameters, prm)
		af.rowOfParam = append(af.rowOfParam, i)
	}
	switch af.AmountKind {
	case "fixed":
		f := number("amount", af.AmountValue)
		aid.Benefit.Amount = &eligibility.Amount{Period: af.AmountPeriod, Value: &eligibility.Expr{Value: &f}}
	case "param":
		aid.Benefit.Amount = &eligibility.Amount{Period: af.AmountPeriod, Value: &eligibility.Expr{Param: af.AmountParam}}
	}
	docs := map[string][]string{}
	most := 0
	for _, lang := range aidLangs {
		for line := range strings.SplitSeq(af.Documents[lang], "\n") {
			docs[lang] = append(docs[lang], strings.TrimSpace(line))
		}
		for len(docs[lang]) > 0 && docs[lang][len(docs[lang])-1] == "" {
			docs[lang] = docs[lang][:len(docs[lang])-1]
		}
		most = max(most, len(docs[lang]))
	}
	for i := range most {
		t := eligibility.Text{}
		for _, lang := range aidLangs {
			if i < len(docs[lang]) && docs[lang][i] != "" {
				t[lang] = docs[lang][i]
			}
		}
		aid.Benefit.Documents = append(aid.Benefit.Documents, t) // an empty line in Italian is the engine's to refuse
	}
	if t := textOf(af.Steps); t != nil || af.StepURL != "" || af.Directory != "" {
		st := eligibility.Step{Text: t, URL: af.StepURL}
		for _, w := range wordsRE.Split(af.Directory, -1) {
			if w != "" {
				st.Directory = append(st.Directory, strings.ToLower(w))
			}
		}
		aid.Benefit.NextSteps = []eligibility.Step{st}
	}
	return aid
}

func findQuestion(q *eligibility.Questionnaire, id string) *eligibility.Question {
	if q == nil {
		return nil
	}
	for i := range q.Questions {
		if q.Questions[i].ID == id {
			return &q.Questions[i]
		}
	}
	return nil
}

// aidFormOf fills the form from a saved aid, or says it cannot: an aid
// written in JSON with rules the form has no fields for (any, not,
// predicates, formulas, an amount range, several next steps) is edited
// in JSON.
func aidFormOf(p *locale.Printer, q *eligibility.Questionnaire, aid desk.LocalAid) (aidForm, bool) {
	b := aid.Benefit
	af := aidForm{ID: b.ID, Name: mapOf(b.Name), Summary: mapOf(b.Summary), Steps: mapOf(nil), Documents: texts{},
		kept: map[string][]eligibility.ParameterValue{}, keptDesc: map[string]eligibility.Text{}, otherRequirements: b.OtherRequirements, toVerify: b.ToVerify, note: b.Note}
	if len(b.Legal) > 1 || len(b.NextSteps) > 1 {
		return af, false
	}
	if len(b.Legal) == 1 {
		af.Reference, af.URL = b.Legal[0].Reference, b.Legal[0].URL
	}
	for _, c := range b.Conditions {
		simple := c.Question != "" && c.Since == "" && c.Expr == nil && !c.ToVerify && c.Note == ""
		if !simple {
			return af, false
		}
		row := condRow{Question: c.Question, Field: c.Field, Op: c.Op, Param: c.Param, Holds: mapOf(c.Holds), Fails: mapOf(c.Fails)}
		switch v := c.Value.(type) {
		case bool:
			row.Value = map[bool]string{true: "yes", false: "no"}[v]
		case float64:
			row.Value = p.FormatFloat(v, -1)
		case string:
			row.Value = v
		case nil:
		default:
			return af, false
		}
		for _, x := range c.Values {
			s, ok := x.(string)
			if !ok {
				return af, false
			}
			row.Values = append(row.Values, s)
		}
		// A choice is one of a set in the form: "= x" is "in [x]".
		if qu := findQuestion(q, c.Question); qu != nil && qu.Type == eligibility.Choice && c.Values == nil {
			row.Values, row.Value = []string{row.Value}, ""
			row.Op = map[string]string{eligibility.OpEq: eligibility.OpIn, eligibility.OpNe: eligibility.OpNotIn}[c.Op]
		}
		af.Conditions = append(af.Conditions, row)
	}
	for _, prm := range aid.Parameters {
		if len(prm.Values) == 0 {
			return af, false
		}
		v := prm.Values[0]
		row := paramFormRow{ID: prm.ID, Unit: prm.Unit, Description: prm.Description["it"], From: v.From, Reference: v.Reference, URL: v.URL}
		if v.ToVerify || v.Note != "" {
			return af, false
		}
		switch x := v.Value.(type) {
		case float64:
			row.Value = p.FormatFloat(x, -1)
		case string:
			row.Value = x
		}
		af.kept[prm.ID], af.keptDesc[prm.ID] = prm.Values[1:], prm.Description
		af.Parameters = append(af.Parameters, row)
	}
	if a := b.Amount; a != nil {
		if a.Min != nil || a.Max != nil || a.Value == nil || a.Note != nil {
			return af, false
		}
		af.AmountPeriod = a.Period
		switch {
		case a.Value.Value != nil:
			af.AmountKind, af.AmountValue = "fixed", p.FormatFloat(*a.Value.Value, -1)
		case a.Value.Param != "":
			af.AmountKind, af.AmountParam = "param", a.Value.Param
		default:
			return af, false
		}
	}
	for _, lang := range aidLangs {
		var lines []string
		for _, d := range b.Documents {
			lines = append(lines, d[lang])
		}
		af.Documents[lang] = strings.TrimRight(strings.Join(lines, "\n"), "\n")
	}
	if len(b.NextSteps) == 1 {
		st := b.NextSteps[0]
		af.Steps, af.StepURL, af.Directory = mapOf(st.Text), st.URL, strings.Join(st.Directory, ", ")
	}
	return af, true
}

// fieldOf is the form field where a problem the desk located in the aid
// ("benefit.conditions[1].value") is shown: "c.3.value" when the second
// condition is the form's fourth row.
func (af *aidForm) fieldOf(loc string) string {
	var i int
	var rest string
	switch {
	case loc == "benefit.id":
		return "id"
	case strings.HasPrefix(loc, "benefit.name"):
		return "name"
	case strings.HasPrefix(loc, "benefit.summary"):
		return "summary"
	case strings.HasPrefix(loc, "benefit.legal"):
		return "reference"
	case strings.HasPrefix(loc, "benefit.amount"):
		return "amount"
	case strings.HasPrefix(loc, "benefit.documents"):
		return "documents"
	case strings.HasPrefix(loc, "benefit.next_steps"):
		return "steps"
	case loc == "benefit.conditions":
		return "conditions"
	case scan(loc, "benefit.conditions[%d]", &i, &rest) && i < len(af.rowOfCond):
		k := "c." + strconv.Itoa(af.rowOfCond[i]) + "."
		switch {
		case strings.HasPrefix(rest, ".question"):
			return k + "question"
		case strings.HasPrefix(rest, ".op"):
			return k + "op"
		case strings.HasPrefix(rest, ".field"):
			return k + "field"
		case strings.HasPrefix(rest, ".holds"):
			return k + "holds"
		case strings.HasPrefix(rest, ".fails"):
			return k + "fails"
		}
		return k + "value"
	case scan(loc, "parameters[%d]", &i, &rest) && i < len(af.rowOfParam):
		k := "p." + strconv.Itoa(af.rowOfParam[i]) + "."
		for _, f := range []string{"id", "unit", "description", "from", "reference", "url"} {
			if strings.HasSuffix(rest, "."+f) || strings.HasPrefix(rest, "."+f+".") {
				return k + f
			}
		}
		return k + "value"
	}
	return ""
}

// scan reads "prefix[N]rest" as format says, with rest what follows.
func scan(loc, format string, i *int, rest *string) bool {
	head, _, ok := strings.Cut(format, "%d")
	if !ok || !strings.HasPrefix(loc, head) {
		return false
	}
	num, tail, ok := strings.Cut(loc[len(head):], "]")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return false
	}
	*i, *rest = n, tail
	return true
}

// prepare fills what the template needs to draw the rows: operators
// suited to each question's type, its options, the parameters to compare
// with, and blank rows to fill in.
func (af *aidForm) prepare(p *locale.Printer, q *eligibility.Questionnaire, more bool) {
	extra := 0
	if more {
		extra = 1
	}
	// Blank rows at the end are drawn anew; errors never point at them.
	for len(af.Conditions) > 0 && af.Conditions[len(af.Conditions)-1].empty() {
		af.Conditions = af.Conditions[:len(af.Conditions)-1]
	}
	for len(af.Parameters) > 0 && af.Parameters[len(af.Parameters)-1].empty() {
		af.Parameters = af.Parameters[:len(af.Parameters)-1]
	}
	for range blankConds + extra {
		af.Conditions = append(af.Conditions, condRow{Holds: mapOf(nil), Fails: mapOf(nil)})
	}
	for range blankParams + extra {
		af.Parameters = append(af.Parameters, paramFormRow{})
	}
	// Parameters a number may be compared with: the questionnaire's and
	// the form's own.
	numeric := []string{}
	for _, prm := range q.Parameters {
		if prm.Unit != eligibility.UnitDate {
			numeric = append(numeric, prm.ID)
		}
	}
	for _, row := range af.Parameters {
		if row.ID != "" && row.Unit != eligibility.UnitDate && !slices.Contains(numeric, row.ID) {
			numeric = append(numeric, row.ID)
		}
	}
	paramOpts := func(sel string) []option {
		out := []option{{Value: "", Label: p.T("screener.aid_no_param", nil)}}
		for _, id := range numeric {
			out = append(out, option{Value: id, Label: id, Selected: id == sel})
		}
		return out
	}
	for i := range af.Conditions {
		row := &af.Conditions[i]
		row.N, row.Num = i, i+1
		qu := findQuestion(q, row.Question)
		if qu == nil {
			continue
		}
		row.Type = string(qu.Type)
		switch qu.Type {
		case eligibility.YesNo:
		case eligibility.Choice:
			row.Ops = opOptions(p, []string{eligibility.OpIn, eligibility.OpNotIn}, row.Op)
			for _, o := range qu.Options {
				row.Options = append(row.Options, option{Value: o.Value, Label: o.Text.In(p.Lang()), Selected: slices.Contains(row.Values, o.Value)})
			}
		default:
			row.Ops = opOptions(p, []string{eligibility.OpLe, eligibility.OpLt, eligibility.OpGe, eligibility.OpGt, eligibility.OpEq, eligibility.OpNe}, row.Op)
			if qu.Type != eligibility.Date {
				row.ParamOpt = paramOpts(row.Param)
			}
			if qu.Type == eligibility.Household {
				for _, f := range [][2]string{{"size", "screener.aid_household_size"}, {"minors", "screener.aid_household_minors"},
					{"over_60", "screener.aid_household_over_60"}, {"disabled", "screener.aid_household_disabled"}} {
					row.Fields = append(row.Fields, option{Value: f[0], Label: p.T(f[1], nil), Selected: f[0] == row.Field})
				}
			}
		}
	}
	for i := range af.Parameters {
		row := &af.Parameters[i]
		row.N, row.Num = i, i+1
		unit := row.Unit
		if unit == "" {
			unit = eligibility.UnitEuro
		}
		for _, u := range []string{eligibility.UnitEuro, eligibility.UnitCount, eligibility.UnitDays, eligibility.UnitWeeks,
			eligibility.UnitYears, eligibility.UnitRatio, eligibility.UnitDate} {
			row.Units = append(row.Units, option{Value: u, Label: u, Selected: u == unit})
		}
	}
}

func opOptions(p *locale.Printer, ops []string, sel string) []option {
	labels := map[string]string{
		eligibility.OpIn: "screener.aid_op_in", eligibility.OpNotIn: "screener.aid_op_not_in",
		eligibility.OpLe: "screener.aid_op_le", eligibility.OpLt: "screener.aid_op_lt", eligibility.OpGe: "screener.aid_op_ge",
		eligibility.OpGt: "screener.aid_op_gt", eligibility.OpEq: "screener.aid_op_eq", eligibility.OpNe: "screener.aid_op_ne",
	}
	var out []option
	for _, op := range ops {
		out = append(out, option{Value: op, Label: p.T(labels[op], nil), Selected: op == sel})
	}
	return out
}
