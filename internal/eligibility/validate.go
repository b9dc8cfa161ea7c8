package eligibility

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// compiled is a valid questionnaire's lookup tables.
type compiled struct {
	questions  map[string]int // id → index in Questions
	options    []map[string]bool
	params     map[string]*param
	formulas   map[string]int
	predicates map[string]int
	benefits   map[string]int
	// validFrom is the first day on which every parameter has a value.
	validFrom int
	// lineParams[b][i] are the parameters behind benefit b's condition i,
	// amountParams[b] those behind its amount: the sources to cite.
	lineParams   [][][]string
	amountParams [][]string
}

// param is a parameter with its dates parsed, in ascending order.
type param struct {
	def  *Parameter
	from []int // day numbers
	num  []float64
}

// at returns the value in force on day, or -1.
func (p *param) at(day int) int {
	i := -1
	for j, f := range p.from {
		if f > day {
			break
		}
		i = j
	}
	return i
}

// Validate reports the first problem in q as a *model.Error whose Field is
// the path of the offending value, such as
// "benefits[assegno_sociale].conditions[2].question" or
// "parameters[adi_isee_max].values[0].from".
func (q *Questionnaire) Validate() error {
	_, err := compile(q)
	return err
}

// get returns q's compiled tables, compiling it on first use.
func (q *Questionnaire) get() (*compiled, error) {
	if c := q.compiled.Load(); c != nil {
		return c, nil
	}
	c, err := compile(q)
	if err != nil {
		return nil, err
	}
	q.compiled.Store(c)
	return c, nil
}

type edge struct {
	to   string // node, e.g. "questions[age]"
	path string // where the reference is written
}

type validator struct {
	q     *Questionnaire
	c     *compiled
	edges map[string][]edge
	node  string // the definition being validated
	// paramIDs are the parameters declared, for placeholders in texts.
	paramIDs map[string]int
}

func compile(q *Questionnaire) (*compiled, error) {
	if q == nil {
		return nil, model.Invalid("", "error.eligibility.required", "no questionnaire", nil)
	}
	c := &compiled{
		questions:  map[string]int{},
		params:     map[string]*param{},
		formulas:   map[string]int{},
		predicates: map[string]int{},
		benefits:   map[string]int{},
	}
	v := &validator{q: q, c: c, edges: map[string][]edge{}, paramIDs: map[string]int{}}

	if err := checkID("id", q.ID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(q.Version) == "" {
		return nil, model.Invalid("version", "error.eligibility.required", "a version is required", nil)
	}

	// Index every definition first, so references may point forward.
	if err := index("questions", len(q.Questions), func(i int) string { return q.Questions[i].ID }, c.questions); err != nil {
		return nil, err
	}
	if err := index("parameters", len(q.Parameters), func(i int) string { return q.Parameters[i].ID }, v.paramIDs); err != nil {
		return nil, err
	}
	if err := index("formulas", len(q.Formulas), func(i int) string { return q.Formulas[i].ID }, c.formulas); err != nil {
		return nil, err
	}
	if err := index("predicates", len(q.Predicates), func(i int) string { return q.Predicates[i].ID }, c.predicates); err != nil {
		return nil, err
	}
	if len(q.Benefits) == 0 {
		return nil, model.Invalid("benefits", "error.eligibility.required", "at least one benefit is required", nil)
	}
	if err := index("benefits", len(q.Benefits), func(i int) string { return q.Benefits[i].ID }, c.benefits); err != nil {
		return nil, err
	}

	for _, t := range []struct {
		path string
		text Text
	}{{"title", q.Title}, {"notice", q.Notice}} {
		if err := v.text(t.path, t.text, true); err != nil {
			return nil, err
		}
	}
	if err := v.text("description", q.Description, false); err != nil {
		return nil, err
	}
	if err := v.messages(); err != nil {
		return nil, err
	}

	c.options = make([]map[string]bool, len(q.Questions))
	for i := range q.Questions {
		if err := v.questionShape(i); err != nil {
			return nil, err
		}
	}
	for i := range q.Parameters {
		if err := v.parameter(i); err != nil {
			return nil, err
		}
	}
	for i := range q.Questions {
		qu := &q.Questions[i]
		if qu.ShowIf != nil {
			v.node = "questions[" + qu.ID + "]"
			if err := v.condition(v.node+".show_if", qu.ShowIf); err != nil {
				return nil, err
			}
		}
	}
	for i := range q.Consistency {
		if err := v.consistency(i); err != nil {
			return nil, err
		}
	}
	for i := range q.Formulas {
		f := &q.Formulas[i]
		v.node = "formulas[" + f.ID + "]"
		if err := v.text(v.node+".description", f.Description, false); err != nil {
			return nil, err
		}
		if err := v.expr(v.node+".expr", &f.Expr); err != nil {
			return nil, err
		}
	}
	for i := range q.Predicates {
		p := &q.Predicates[i]
		v.node = "predicates[" + p.ID + "]"
		if err := v.condition(v.node+".when", &p.When); err != nil {
			return nil, err
		}
		if err := v.text(v.node+".holds", p.Holds, true); err != nil {
			return nil, err
		}
		if err := v.text(v.node+".fails", p.Fails, true); err != nil {
			return nil, err
		}
	}
	for i := range q.Benefits {
		if err := v.benefit(i); err != nil {
			return nil, err
		}
	}
	if err := v.cycles(); err != nil {
		return nil, err
	}

	for _, p := range c.params {
		c.validFrom = max(c.validFrom, p.from[0])
	}
	c.lineParams = make([][][]string, len(q.Benefits))
	c.amountParams = make([][]string, len(q.Benefits))
	for i := range q.Benefits {
		b := &q.Benefits[i]
		for j := range b.Conditions {
			ps := v.newParams()
			ps.cond(&b.Conditions[j])
			c.lineParams[i] = append(c.lineParams[i], ps.ids)
		}
		if a := b.Amount; a != nil {
			ps := v.newParams()
			for _, e := range []*Expr{a.Value, a.Min, a.Max} {
				if e != nil {
					ps.expr(e)
				}
			}
			c.amountParams[i] = ps.ids
		}
	}
	return c, nil
}

func checkID(path, id string) error {
	ok := id != "" && len(id) <= 64 && id[0] >= 'a' && id[0] <= 'z'
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			ok = false
		}
	}
	if !ok {
		return model.Invalid(path, "error.eligibility.id_invalid",
			fmt.Sprintf("%q is not an identifier: lowercase letters, digits, _ and -, starting with a letter", id),
			map[string]any{"Value": id})
	}
	return nil
}

// index checks a kind's ids and fills into (if not nil) with id → index.
func index(kind string, n int, id func(int) string, into map[string]int) error {
	seen := map[string]bool{}
	for i := range n {
		name := id(i)
		path := fmt.Sprintf("%s[%d].id", kind, i)
		if err := checkID(path, name); err != nil {
			return err
		}
		if seen[name] {
			return model.Invalid(path, "error.eligibility.id_duplicate",
				fmt.Sprintf("another entry of %s has the id %q", kind, name), map[string]any{"Value": name})
		}
		seen[name] = true
		if into != nil {
			into[name] = i
		}
	}
	return nil
}

// text checks that t has Italian or English when required, and that its
// placeholders name parameters.
func (v *validator) text(path string, t Text, required bool) error {
	return v.textWith(path, t, required, func(name string) bool {
		_, ok := v.paramIDs[name]
		return ok
	})
}

func (v *validator) textWith(path string, t Text, required bool, allowed func(string) bool) error {
	if required && t.empty() {
		return model.Invalid(path, "error.eligibility.text_missing",
			"the text is required in Italian or English", map[string]any{"Lang": "it"})
	}
	langs := make([]string, 0, len(t))
	for lang := range t {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		if lang == "" {
			return model.Invalid(path, "error.eligibility.text_missing", "a text has an empty language code", nil)
		}
		for _, name := range placeholders(t[lang]) {
			if !allowed(name) {
				return model.Invalid(path+"."+lang, "error.eligibility.placeholder_unknown",
					fmt.Sprintf("unknown placeholder {%s}", name), map[string]any{"Value": name})
			}
		}
	}
	return nil
}

func (v *validator) messages() error {
	m := v.q.Messages
	for _, t := range []struct {
		path    string
		text    Text
		allowed []string
	}{
		{"messages.missing", m.Missing, []string{"questions"}},
		{"messages.to_verify", m.ToVerify, nil},
		{"messages.per_month", m.PerMonth, nil},
		{"messages.per_year", m.PerYear, nil},
		{"messages.once", m.Once, nil},
		{"messages.amount_exact", m.AmountExact, []string{"amount", "period"}},
		{"messages.amount_range", m.AmountRange, []string{"min", "max", "period"}},
		{"messages.amount_up_to", m.AmountUpTo, []string{"max", "period"}},
	} {
		if err := v.textWith(t.path, t.text, true, func(name string) bool { return slices.Contains(t.allowed, name) }); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) questionShape(i int) error {
	qu := &v.q.Questions[i]
	path := "questions[" + qu.ID + "]"
	switch qu.Type {
	case YesNo, Choice, Number, Money, Date, Age, Household:
	default:
		return model.Invalid(path+".type", "error.eligibility.type_unknown",
			fmt.Sprintf("unknown question type %q (yes_no, choice, number, money, date, age, household)", qu.Type),
			map[string]any{"Value": string(qu.Type)})
	}
	if err := v.text(path+".text", qu.Text, true); err != nil {
		return err
	}
	if err := v.text(path+".help", qu.Help, false); err != nil {
		return err
	}
	if qu.Type == Choice {
		if len(qu.Options) == 0 {
			return model.Invalid(path+".options", "error.eligibility.required", "a choice needs options", nil)
		}
		opts := map[string]bool{}
		for j, o := range qu.Options {
			op := fmt.Sprintf("%s.options[%d]", path, j)
			if err := checkID(op+".value", o.Value); err != nil {
				return err
			}
			if opts[o.Value] {
				return model.Invalid(op+".value", "error.eligibility.id_duplicate",
					fmt.Sprintf("option %q appears twice", o.Value), map[string]any{"Value": o.Value})
			}
			opts[o.Value] = true
			if err := v.text(op+".text", o.Text, true); err != nil {
				return err
			}
		}
		v.c.options[i] = opts
	} else if len(qu.Options) > 0 {
		return model.Invalid(path+".options", "error.eligibility.operand_invalid", "only a choice has options", nil)
	}
	if qu.Min != nil || qu.Max != nil {
		if qu.Type != Number && qu.Type != Money && qu.Type != Age {
			return model.Invalid(path+".min", "error.eligibility.operand_invalid", "only numbers, money and ages have bounds", nil)
		}
		if qu.Min != nil && (!finite(*qu.Min) || qu.Type != Number && *qu.Min < 0) {
			return model.Invalid(path+".min", "error.eligibility.operand_invalid", "min must be a number, not negative for money or an age", nil)
		}
		if qu.Max != nil && (!finite(*qu.Max) || qu.Min != nil && *qu.Max < *qu.Min) {
			return model.Invalid(path+".max", "error.eligibility.operand_invalid", "max must be a number not below min", nil)
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// toFloat reads a number decoded from JSON or written in Go.
func toFloat(x any) (float64, bool) {
	var f float64
	switch n := x.(type) {
	case float64:
		f = n
	case float32:
		f = float64(n)
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case int32:
		f = float64(n)
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return f, finite(f)
}

// dayNumber parses "YYYY-MM-DD" into days since 1970-01-01.
func dayNumber(s string) (int, bool) {
	if len(s) != 10 {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return int(t.Unix() / 86400), true
}

func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dayString(day int) string {
	return time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly)
}

func (v *validator) parameter(i int) error {
	p := &v.q.Parameters[i]
	path := "parameters[" + p.ID + "]"
	if !slices.Contains(units, p.Unit) {
		return model.Invalid(path+".unit", "error.eligibility.type_unknown",
			fmt.Sprintf("unknown unit %q (%s)", p.Unit, strings.Join(units, ", ")), map[string]any{"Value": p.Unit})
	}
	if err := v.text(path+".description", p.Description, true); err != nil {
		return err
	}
	if len(p.Values) == 0 {
		return model.Invalid(path+".values", "error.eligibility.required", "a parameter needs at least one dated value", nil)
	}
	cp := &param{def: p}
	for j, val := range p.Values {
		vp := fmt.Sprintf("%s.values[%d]", path, j)
		if val.From == "" {
			return model.Invalid(vp+".from", "error.eligibility.date_missing",
				"every value needs the date from which it applies", nil)
		}
		day, ok := dayNumber(val.From)
		if !ok {
			return model.Invalid(vp+".from", "error.eligibility.date_invalid",
				fmt.Sprintf("%q is not a date YYYY-MM-DD", val.From), map[string]any{"Value": val.From})
		}
		if j > 0 && day <= cp.from[j-1] {
			return model.Invalid(vp+".from", "error.eligibility.dates_unordered",
				"values must be in ascending order of date, one per date", map[string]any{"Value": val.From})
		}
		var num float64
		if p.Unit == UnitDate {
			s, _ := val.Value.(string)
			d, ok := dayNumber(s)
			if !ok {
				return model.Invalid(vp+".value", "error.eligibility.operand_invalid", "the value must be a date YYYY-MM-DD", nil)
			}
			num = float64(d)
		} else {
			if num, ok = toFloat(val.Value); !ok {
				return model.Invalid(vp+".value", "error.eligibility.operand_invalid", "the value must be a number", nil)
			}
		}
		if strings.TrimSpace(val.Reference) == "" {
			return model.Invalid(vp+".reference", "error.eligibility.source_missing",
				"every value needs its legal reference", nil)
		}
		cp.from = append(cp.from, day)
		cp.num = append(cp.num, num)
	}
	v.c.params[p.ID] = cp
	return nil
}

func (v *validator) consistency(i int) error {
	cs := &v.q.Consistency[i]
	path := fmt.Sprintf("consistency[%d]", i)
	qi, ok := v.c.questions[cs.Question]
	if !ok {
		return unknownRef(path+".question", "question", cs.Question)
	}
	if cs.Field != "" && (v.q.Questions[qi].Type != Household || !slices.Contains(householdFields, cs.Field)) {
		return model.Invalid(path+".field", "error.eligibility.operand_invalid",
			"field names a household field: "+strings.Join(householdFields, ", "), map[string]any{"Value": cs.Field})
	}
	v.node = path
	if err := v.condition(path+".rule", &cs.Rule); err != nil {
		return err
	}
	return v.text(path+".message", cs.Message, true)
}

func (v *validator) benefit(i int) error {
	b := &v.q.Benefits[i]
	path := "benefits[" + b.ID + "]"
	v.node = path
	if err := v.text(path+".name", b.Name, true); err != nil {
		return err
	}
	if err := v.text(path+".summary", b.Summary, false); err != nil {
		return err
	}
	if len(b.Legal) == 0 {
		return model.Invalid(path+".legal", "error.eligibility.source_missing", "a benefit needs its legal source", nil)
	}
	for j, s := range b.Legal {
		if strings.TrimSpace(s.Reference) == "" {
			return model.Invalid(fmt.Sprintf("%s.legal[%d].reference", path, j), "error.eligibility.source_missing",
				"the reference is required", nil)
		}
	}
	if len(b.Conditions) == 0 {
		return model.Invalid(path+".conditions", "error.eligibility.required", "a benefit needs at least one condition", nil)
	}
	for j := range b.Conditions {
		cond := &b.Conditions[j]
		cp := fmt.Sprintf("%s.conditions[%d]", path, j)
		if err := v.condition(cp, cond); err != nil {
			return err
		}
		// A predicate brings its own sentences; anything else needs them.
		inherit := cond.Predicate != ""
		if err := v.text(cp+".holds", cond.Holds, !inherit); err != nil {
			return err
		}
		if err := v.text(cp+".fails", cond.Fails, !inherit); err != nil {
			return err
		}
	}
	for j, t := range b.OtherRequirements {
		if err := v.text(fmt.Sprintf("%s.other_requirements[%d]", path, j), t, true); err != nil {
			return err
		}
	}
	for j, t := range b.Documents {
		if err := v.text(fmt.Sprintf("%s.documents[%d]", path, j), t, true); err != nil {
			return err
		}
	}
	for j, s := range b.NextSteps {
		if err := v.text(fmt.Sprintf("%s.next_steps[%d].text", path, j), s.Text, true); err != nil {
			return err
		}
	}
	if a := b.Amount; a != nil {
		ap := path + ".amount"
		if a.Period != PerMonth && a.Period != PerYear && a.Period != Once {
			return model.Invalid(ap+".period", "error.eligibility.type_unknown",
				fmt.Sprintf("unknown period %q (month, year, once)", a.Period), map[string]any{"Value": a.Period})
		}
		if a.Value == nil && a.Min == nil && a.Max == nil {
			return model.Invalid(ap, "error.eligibility.required", "an amount needs a value, a min or a max", nil)
		}
		for _, e := range []struct {
			name string
			expr *Expr
		}{{"value", a.Value}, {"min", a.Min}, {"max", a.Max}} {
			if e.expr != nil {
				if err := v.expr(ap+"."+e.name, e.expr); err != nil {
					return err
				}
			}
		}
		if err := v.text(ap+".note", a.Note, false); err != nil {
			return err
		}
	}
	return nil
}

func unknownRef(path, kind, id string) error {
	return model.Invalid(path, "error.eligibility.reference_unknown",
		fmt.Sprintf("unknown %s %q", kind, id), map[string]any{"Kind": kind, "Value": id})
}

func (v *validator) link(path, to string) {
	v.edges[v.node] = append(v.edges[v.node], edge{to: to, path: path})
}

// condition checks a condition's shape, references and operand types.
func (v *validator) condition(path string, c *Condition) error {
	kinds := 0
	for _, set := range []bool{c.All != nil, c.Any != nil, c.Not != nil, c.Predicate != "", c.Question != "", c.Formula != "", c.Benefit != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return model.Invalid(path, "error.eligibility.condition_shape",
			"a condition is exactly one of all, any, not, predicate, or a comparison of a question, formula or benefit", nil)
	}
	leaf := c.Question != "" || c.Formula != "" || c.Benefit != ""
	if !leaf && (c.Op != "" || c.Value != nil || c.Values != nil || c.Param != "" || c.Expr != nil || c.Field != "" || c.Since != "") {
		return model.Invalid(path, "error.eligibility.condition_shape",
			"op, value, values, param, expr, field and since belong to a comparison", nil)
	}
	switch {
	case c.All != nil || c.Any != nil:
		name, parts := "all", c.All
		if c.Any != nil {
			name, parts = "any", c.Any
		}
		if len(parts) == 0 {
			return model.Invalid(path+"."+name, "error.eligibility.condition_shape", name+" needs at least one condition", nil)
		}
		for i := range parts {
			if err := v.condition(fmt.Sprintf("%s.%s[%d]", path, name, i), &parts[i]); err != nil {
				return err
			}
		}
		return nil
	case c.Not != nil:
		return v.condition(path+".not", c.Not)
	case c.Predicate != "":
		if _, ok := v.c.predicates[c.Predicate]; !ok {
			return unknownRef(path+".predicate", "predicate", c.Predicate)
		}
		v.link(path+".predicate", "predicates["+c.Predicate+"]")
		return nil
	case c.Benefit != "":
		if _, ok := v.c.benefits[c.Benefit]; !ok {
			return unknownRef(path+".benefit", "benefit", c.Benefit)
		}
		v.link(path+".benefit", "benefits["+c.Benefit+"]")
		if c.Field != "" || c.Since != "" || c.Param != "" || c.Expr != nil {
			return model.Invalid(path, "error.eligibility.condition_shape", "a benefit is compared with value or values", nil)
		}
		// need_more_info is not a value to compare with: a benefit that
		// is not settled makes the comparison unknown.
		return v.setOperands(path, c, func(s string) bool { return s == string(LikelyEligible) || s == string(NotEligible) })
	case c.Formula != "":
		if _, ok := v.c.formulas[c.Formula]; !ok {
			return unknownRef(path+".formula", "formula", c.Formula)
		}
		v.link(path+".formula", "formulas["+c.Formula+"]")
		if c.Field != "" || c.Since != "" {
			return model.Invalid(path, "error.eligibility.condition_shape", "field and since apply to questions", nil)
		}
		return v.numberOperands(path, c)
	}

	qi, ok := v.c.questions[c.Question]
	if !ok {
		return unknownRef(path+".question", "question", c.Question)
	}
	v.link(path+".question", "questions["+c.Question+"]")
	qu := &v.q.Questions[qi]
	if err := v.measure(path, qu, c.Field, c.Since); err != nil {
		return err
	}
	switch {
	case qu.Type == YesNo:
		if !slices.Contains(eqOps, c.Op) {
			return badOp(path, c.Op, eqOps)
		}
		if _, ok := c.Value.(bool); !ok || c.Values != nil || c.Param != "" || c.Expr != nil {
			return model.Invalid(path+".value", "error.eligibility.operand_invalid", "a yes/no question is compared with true or false", nil)
		}
		return nil
	case qu.Type == Choice:
		if c.Param != "" || c.Expr != nil {
			return model.Invalid(path, "error.eligibility.operand_invalid", "a choice is compared with value or values", nil)
		}
		return v.setOperands(path, c, func(s string) bool { return v.c.options[qi][s] })
	case qu.Type == Date && c.Since == "":
		if !slices.Contains(orderOps, c.Op) {
			return badOp(path, c.Op, orderOps)
		}
		if c.Values != nil || c.Expr != nil {
			return model.Invalid(path, "error.eligibility.operand_invalid", "a date is compared with a date value or a date parameter", nil)
		}
		if c.Param != "" {
			if c.Value != nil {
				return model.Invalid(path, "error.eligibility.operand_invalid", "give either value or param", nil)
			}
			p, ok := v.c.params[c.Param]
			if !ok {
				return unknownRef(path+".param", "parameter", c.Param)
			}
			if p.def.Unit != UnitDate {
				return model.Invalid(path+".param", "error.eligibility.operand_invalid", "a date is compared with a parameter of unit date", nil)
			}
			return nil
		}
		if s, ok := c.Value.(string); !ok {
			return model.Invalid(path+".value", "error.eligibility.operand_invalid", "a date is compared with a date YYYY-MM-DD", nil)
		} else if _, ok := dayNumber(s); !ok {
			return model.Invalid(path+".value", "error.eligibility.date_invalid", fmt.Sprintf("%q is not a date YYYY-MM-DD", s), map[string]any{"Value": s})
		}
		return nil
	default:
		return v.numberOperands(path, c)
	}
}

func badOp(path, op string, allowed []string) error {
	return model.Invalid(path+".op", "error.eligibility.operator_invalid",
		fmt.Sprintf("operator %q is not one of %s", op, strings.Join(allowed, " ")), map[string]any{"Value": op})
}

// measure checks field and since against the question's type.
func (v *validator) measure(path string, qu *Question, field, since string) error {
	if qu.Type == Household {
		if !slices.Contains(householdFields, field) {
			return model.Invalid(path+".field", "error.eligibility.operand_invalid",
				"a household is read through field: "+strings.Join(householdFields, ", "), map[string]any{"Value": field})
		}
	} else if field != "" {
		return model.Invalid(path+".field", "error.eligibility.operand_invalid", "only a household has fields", nil)
	}
	if since != "" && (qu.Type != Date || since != "days" && since != "years") {
		return model.Invalid(path+".since", "error.eligibility.operand_invalid", `since is "days" or "years", on a date question`, map[string]any{"Value": since})
	}
	return nil
}

// setOperands checks a comparison with one value or a list of values.
func (v *validator) setOperands(path string, c *Condition, valid func(string) bool) error {
	if !slices.Contains(setOps, c.Op) {
		return badOp(path, c.Op, setOps)
	}
	if c.Op == OpIn || c.Op == OpNotIn {
		if c.Value != nil || len(c.Values) == 0 {
			return model.Invalid(path+".values", "error.eligibility.operand_invalid", c.Op+" needs values, a non-empty list", nil)
		}
		for i, x := range c.Values {
			if s, ok := x.(string); !ok || !valid(s) {
				return model.Invalid(fmt.Sprintf("%s.values[%d]", path, i), "error.eligibility.choice_unknown",
					fmt.Sprintf("%v is not one of the possible values", x), map[string]any{"Value": fmt.Sprint(x)})
			}
		}
		return nil
	}
	if c.Values != nil {
		return model.Invalid(path+".values", "error.eligibility.operand_invalid", c.Op+" takes value, not values", nil)
	}
	if s, ok := c.Value.(string); !ok || !valid(s) {
		return model.Invalid(path+".value", "error.eligibility.choice_unknown",
			fmt.Sprintf("%v is not one of the possible values", c.Value), map[string]any{"Value": fmt.Sprint(c.Value)})
	}
	return nil
}

// numberOperands checks an order comparison with one number.
func (v *validator) numberOperands(path string, c *Condition) error {
	if !slices.Contains(orderOps, c.Op) {
		return badOp(path, c.Op, orderOps)
	}
	n := 0
	for _, set := range []bool{c.Value != nil, c.Param != "", c.Expr != nil} {
		if set {
			n++
		}
	}
	if n != 1 || c.Values != nil {
		return model.Invalid(path, "error.eligibility.operand_invalid", "a number is compared with exactly one of value, param or expr", nil)
	}
	switch {
	case c.Param != "":
		return v.numberParam(path+".param", c.Param)
	case c.Expr != nil:
		return v.expr(path+".expr", c.Expr)
	}
	if _, ok := toFloat(c.Value); !ok {
		return model.Invalid(path+".value", "error.eligibility.operand_invalid", "the value must be a number", nil)
	}
	return nil
}

func (v *validator) numberParam(path, id string) error {
	p, ok := v.c.params[id]
	if !ok {
		return unknownRef(path, "parameter", id)
	}
	if p.def.Unit == UnitDate {
		return model.Invalid(path, "error.eligibility.operand_invalid", "a date parameter is not a number", map[string]any{"Value": id})
	}
	return nil
}

// expr checks that e is exactly one thing, and a number.
func (v *validator) expr(path string, e *Expr) error {
	kinds := 0
	for _, set := range []bool{e.Value != nil, e.Param != "", e.Question != "", e.Formula != "",
		e.Add != nil, e.Sub != nil, e.Mul != nil, e.Div != nil, e.Min != nil, e.Max != nil, e.If != nil, e.Interp != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 || e.Question == "" && (e.Field != "" || e.Since != "") {
		return model.Invalid(path, "error.eligibility.expr_shape",
			"an expression is exactly one of value, param, question, formula, add, sub, mul, div, min, max, if, interp", nil)
	}
	switch {
	case e.Value != nil:
		if !finite(*e.Value) {
			return model.Invalid(path+".value", "error.eligibility.operand_invalid", "the value must be a number", nil)
		}
	case e.Param != "":
		return v.numberParam(path+".param", e.Param)
	case e.Formula != "":
		if _, ok := v.c.formulas[e.Formula]; !ok {
			return unknownRef(path+".formula", "formula", e.Formula)
		}
		v.link(path+".formula", "formulas["+e.Formula+"]")
	case e.Question != "":
		qi, ok := v.c.questions[e.Question]
		if !ok {
			return unknownRef(path+".question", "question", e.Question)
		}
		v.link(path+".question", "questions["+e.Question+"]")
		qu := &v.q.Questions[qi]
		if err := v.measure(path, qu, e.Field, e.Since); err != nil {
			return err
		}
		if qu.Type == YesNo || qu.Type == Choice || qu.Type == Date && e.Since == "" {
			return model.Invalid(path+".question", "error.eligibility.operand_invalid",
				fmt.Sprintf("question %q is not a number (use since for a date)", e.Question), map[string]any{"Value": e.Question})
		}
	case e.If != nil:
		if err := v.condition(path+".if.when", &e.If.When); err != nil {
			return err
		}
		if err := v.expr(path+".if.then", &e.If.Then); err != nil {
			return err
		}
		return v.expr(path+".if.else", &e.If.Else)
	case e.Interp != nil:
		for _, part := range []struct {
			name string
			e    *Expr
		}{{"x", &e.Interp.X}, {"x0", &e.Interp.X0}, {"x1", &e.Interp.X1}, {"y0", &e.Interp.Y0}, {"y1", &e.Interp.Y1}} {
			if err := v.expr(path+".interp."+part.name, part.e); err != nil {
				return err
			}
		}
	default:
		name, parts, least := e.op()
		if len(parts) < least {
			return model.Invalid(path+"."+name, "error.eligibility.expr_shape",
				fmt.Sprintf("%s needs at least %d parts", name, least), nil)
		}
		for i := range parts {
			if err := v.expr(fmt.Sprintf("%s.%s[%d]", path, name, i), &parts[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// op returns an arithmetic expression's operator, operands and arity.
func (e *Expr) op() (string, []Expr, int) {
	switch {
	case e.Add != nil:
		return "add", e.Add, 1
	case e.Sub != nil:
		return "sub", e.Sub, 2
	case e.Mul != nil:
		return "mul", e.Mul, 1
	case e.Div != nil:
		return "div", e.Div, 2
	case e.Min != nil:
		return "min", e.Min, 1
	default:
		return "max", e.Max, 1
	}
}

// cycles fails when a definition depends on itself: a question shown only
// if it is answered, formulas or predicates defined in terms of each other,
// benefits that wait on each other's outcome.
func (v *validator) cycles() error {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(node string) error
	visit = func(node string) error {
		color[node] = grey
		stack = append(stack, node)
		for _, e := range v.edges[node] {
			switch color[e.to] {
			case grey:
				start := slices.Index(stack, e.to)
				loop := append(slices.Clone(stack[start:]), e.to)
				chain := strings.Join(loop, " → ")
				return model.Invalid(e.path, "error.eligibility.cycle",
					"the definition depends on itself: "+chain, map[string]any{"Cycle": chain, "Value": chain})
			case white:
				if err := visit(e.to); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[node] = black
		return nil
	}
	nodes := make([]string, 0, len(v.edges))
	for n := range v.edges {
		nodes = append(nodes, n)
	}
	// Report the first cycle in the order of the document.
	order := func(n string) int {
		for i, prefix := range []string{"questions[", "consistency[", "formulas[", "predicates[", "benefits["} {
			if strings.HasPrefix(n, prefix) {
				return i
			}
		}
		return 9
	}
	slices.SortFunc(nodes, func(a, b string) int {
		if d := order(a) - order(b); d != 0 {
			return d
		}
		return v.position(a) - v.position(b)
	})
	for _, n := range nodes {
		if color[n] == white {
			if err := visit(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// position is a node's index in its list, for a stable report.
func (v *validator) position(node string) int {
	open := strings.IndexByte(node, '[')
	id := strings.TrimSuffix(node[open+1:], "]")
	var m map[string]int
	switch node[:open] {
	case "questions":
		m = v.c.questions
	case "formulas":
		m = v.c.formulas
	case "predicates":
		m = v.c.predicates
	case "benefits":
		m = v.c.benefits
	default:
		var i int
		fmt.Sscan(id, &i)
		return i
	}
	return m[id]
}

// params collects the parameters a condition or expression reads, in
// first-use order, walking each predicate and formula once however many
// paths lead to it.
type params struct {
	v        *validator
	ids      []string
	preds    map[string]bool
	formulas map[string]bool
}

func (v *validator) newParams() *params {
	return &params{v: v, preds: map[string]bool{}, formulas: map[string]bool{}}
}

func (ps *params) add(id string) {
	if id != "" && !slices.Contains(ps.ids, id) {
		ps.ids = append(ps.ids, id)
	}
}

func (ps *params) cond(c *Condition) {
	for i := range c.All {
		ps.cond(&c.All[i])
	}
	for i := range c.Any {
		ps.cond(&c.Any[i])
	}
	if c.Not != nil {
		ps.cond(c.Not)
	}
	if c.Predicate != "" && !ps.preds[c.Predicate] {
		ps.preds[c.Predicate] = true
		ps.cond(&ps.v.q.Predicates[ps.v.c.predicates[c.Predicate]].When)
	}
	if c.Formula != "" {
		ps.formula(c.Formula)
	}
	ps.add(c.Param)
	if c.Expr != nil {
		ps.expr(c.Expr)
	}
}

func (ps *params) formula(id string) {
	if !ps.formulas[id] {
		ps.formulas[id] = true
		ps.expr(&ps.v.q.Formulas[ps.v.c.formulas[id]].Expr)
	}
}

func (ps *params) expr(e *Expr) {
	ps.add(e.Param)
	if e.Formula != "" {
		ps.formula(e.Formula)
	}
	if e.Question == "" && e.Value == nil && e.Param == "" && e.Formula == "" && e.If == nil && e.Interp == nil {
		_, parts, _ := e.op()
		for i := range parts {
			ps.expr(&parts[i])
		}
	}
	if e.If != nil {
		ps.cond(&e.If.When)
		ps.expr(&e.If.Then)
		ps.expr(&e.If.Else)
	}
	if e.Interp != nil {
		for _, p := range []*Expr{&e.Interp.X, &e.Interp.X0, &e.Interp.X1, &e.Interp.Y0, &e.Interp.Y1} {
			ps.expr(p)
		}
	}
}
