package eligibility

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Result is the screening of one person on one date.
type Result struct {
	Questionnaire string          `json:"questionnaire"`
	Version       string          `json:"version"`
	Date          string          `json:"date"`
	Lang          string          `json:"lang"`
	Notice        string          `json:"notice"` // orientation, not a decision
	Benefits      []BenefitResult `json:"benefits"`
	// Next are the questions still worth asking, in order (NextQuestions).
	Next []Prompt `json:"next_questions,omitempty"`
}

// BenefitResult is one benefit's outcome and why.
type BenefitResult struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Summary           string   `json:"summary,omitempty"`
	Outcome           Outcome  `json:"outcome"`
	Explanation       []Line   `json:"explanation"`
	OtherRequirements []string `json:"other_requirements,omitempty"`
	// Amount is given when it can be computed, at least as "up to".
	Amount    *AmountResult `json:"amount,omitempty"`
	Documents []string      `json:"documents,omitempty"`
	NextSteps []StepResult  `json:"next_steps,omitempty"`
	Sources   []Citation    `json:"sources"`
	// ToVerify is set when a rule or figure used is flagged to_verify.
	ToVerify bool   `json:"to_verify,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Line statuses.
const (
	Met     = "met"
	NotMet  = "not_met"
	Unknown = "unknown"
)

// Line explains one condition of a benefit.
type Line struct {
	Status     string     `json:"status"` // met, not_met, unknown
	Text       string     `json:"text"`
	ToVerify   bool       `json:"to_verify,omitempty"`
	Note       string     `json:"note,omitempty"`
	Parameters []Citation `json:"parameters,omitempty"`
}

// Citation is a source: a law, or a parameter's value on the date with
// its reference.
type Citation struct {
	Parameter string `json:"parameter,omitempty"`
	Value     string `json:"value,omitempty"` // formatted in the language
	From      string `json:"from,omitempty"`
	Reference string `json:"reference"`
	URL       string `json:"url,omitempty"`
	ToVerify  bool   `json:"to_verify,omitempty"`
	Note      string `json:"note,omitempty"`
}

// AmountResult is an amount in euro cents, exact when Min equals Max.
type AmountResult struct {
	Period     string     `json:"period"`
	MinCents   *int64     `json:"min_cents,omitempty"`
	MaxCents   *int64     `json:"max_cents,omitempty"`
	Text       string     `json:"text"` // "407,60 € al mese"
	Note       string     `json:"note,omitempty"`
	ToVerify   bool       `json:"to_verify,omitempty"`
	Parameters []Citation `json:"parameters,omitempty"`
}

// StepResult is a next step in the language asked for.
type StepResult struct {
	Text      string   `json:"text"`
	URL       string   `json:"url,omitempty"`
	Directory []string `json:"directory,omitempty"` // words to find where to do it in the directory
}

// Prompt is a question to ask, in the language asked for.
type Prompt struct {
	ID        string         `json:"id"`
	Type      QuestionType   `json:"type"`
	Text      string         `json:"text"`
	Help      string         `json:"help,omitempty"`
	Options   []PromptOption `json:"options,omitempty"`
	Min       *float64       `json:"min,omitempty"`
	Max       *float64       `json:"max,omitempty"`
	Sensitive bool           `json:"sensitive,omitempty"`
	// For lists the benefits waiting on the answer.
	For []string `json:"for"`
}

// PromptOption is one answer of a choice.
type PromptOption struct {
	Value string `json:"value"`
	Text  string `json:"text"`
}

// tri is a three-valued truth; 0 marks "not computed yet" in caches.
type tri int8

const (
	tFalse tri = iota + 1
	tTrue
	tUnknown
)

func truth(b bool) tri {
	if b {
		return tTrue
	}
	return tFalse
}

type number struct {
	done, known bool
	v           float64
}

// evaluator holds one evaluation's answers and caches.
type evaluator struct {
	q       *Questionnaire
	c       *compiled
	ans     []answer
	day     int
	lang    string
	nf      numberFormat
	visible []tri
	outcome []tri // a benefit's conditions, all together
	// preds caches a predicate's truth: a chain of predicates each using
	// the one before twice would otherwise cost 2ⁿ.
	preds    []tri
	formulas []number
	vars     map[string]string // parameter values formatted, for texts

	// hiddenUnknown makes a comparison with a hidden question unknown
	// rather than false. Only the shadow evaluator sets it, to tell a
	// condition that fails on the answers from one that fails because
	// its questions do not apply to the person; base is the evaluator it
	// shadows, which decides visibility.
	hiddenUnknown bool
	base          *evaluator
	shadow        *evaluator
}

// Evaluate screens answers against every benefit of q on the date on
// (read in on's location), explaining in lang. Impossible answers are a
// *model.Error with code invalid naming the question.
func Evaluate(q *Questionnaire, answers Answers, on time.Time, lang string) (Result, error) {
	ev, err := prepare(q, answers, on, lang)
	if err != nil {
		return Result{}, err
	}
	res := Result{
		Questionnaire: q.ID,
		Version:       q.Version,
		Date:          dayString(ev.day),
		Lang:          ev.lang,
		Notice:        ev.text(q.Notice),
		Benefits:      make([]BenefitResult, len(q.Benefits)),
	}
	for i := range q.Benefits {
		res.Benefits[i] = ev.benefitResult(i)
	}
	order, wanted := ev.next()
	for _, qi := range order {
		res.Next = append(res.Next, ev.prompt(qi, wanted[qi]))
	}
	return res, nil
}

// NextQuestions returns the questions still worth asking on the date on:
// those some benefit that is not settled needs, first to settle the
// outcome and then to compute the amount, each only once it is shown, in
// the questionnaire's order.
func NextQuestions(q *Questionnaire, answers Answers, on time.Time) ([]*Question, error) {
	ev, err := prepare(q, answers, on, "it")
	if err != nil {
		return nil, err
	}
	order, _ := ev.next()
	out := make([]*Question, len(order))
	for i, qi := range order {
		out[i] = &q.Questions[qi]
	}
	return out, nil
}

func prepare(q *Questionnaire, answers Answers, on time.Time, lang string) (*evaluator, error) {
	c, err := q.get()
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = "it"
	}
	day := dayOf(on)
	if day < c.validFrom {
		return nil, model.Invalid("date", "error.eligibility.date_before_rules",
			"the questionnaire's parameters start on "+dayString(c.validFrom),
			map[string]any{"Date": dayString(day), "From": dayString(c.validFrom), "Value": dayString(day), "Min": dayString(c.validFrom)})
	}
	ans, err := check(q, c, answers, day)
	if err != nil {
		return nil, err
	}
	ev := &evaluator{
		q: q, c: c, ans: ans, day: day, lang: lang, nf: formatFor(lang),
		visible:  make([]tri, len(q.Questions)),
		outcome:  make([]tri, len(q.Benefits)),
		preds:    make([]tri, len(q.Predicates)),
		formulas: make([]number, len(q.Formulas)),
	}
	if err := ev.checkConsistency(); err != nil {
		return nil, err
	}
	return ev, nil
}

// isVisible says whether question qi is shown: its show_if holds.
func (ev *evaluator) isVisible(qi int) tri {
	if ev.base != nil {
		return ev.base.isVisible(qi)
	}
	if t := ev.visible[qi]; t != 0 {
		return t
	}
	t := tTrue
	if s := ev.q.Questions[qi].ShowIf; s != nil {
		t = ev.cond(s)
	}
	ev.visible[qi] = t
	return t
}

// benefitTruth is the conjunction of benefit bi's conditions.
func (ev *evaluator) benefitTruth(bi int) tri {
	if t := ev.outcome[bi]; t != 0 {
		return t
	}
	t := tTrue
	for i := range ev.q.Benefits[bi].Conditions {
		switch ev.cond(&ev.q.Benefits[bi].Conditions[i]) {
		case tFalse:
			ev.outcome[bi] = tFalse
			return tFalse
		case tUnknown:
			t = tUnknown
		}
	}
	ev.outcome[bi] = t
	return t
}

func (ev *evaluator) param(id string) float64 {
	p := ev.c.params[id]
	return p.num[p.at(ev.day)]
}

func (ev *evaluator) cond(c *Condition) tri {
	switch {
	case c.All != nil:
		t := tTrue
		for i := range c.All {
			switch ev.cond(&c.All[i]) {
			case tFalse:
				return tFalse
			case tUnknown:
				t = tUnknown
			}
		}
		return t
	case c.Any != nil:
		t := tFalse
		for i := range c.Any {
			switch ev.cond(&c.Any[i]) {
			case tTrue:
				return tTrue
			case tUnknown:
				t = tUnknown
			}
		}
		return t
	case c.Not != nil:
		switch ev.cond(c.Not) {
		case tTrue:
			return tFalse
		case tFalse:
			return tTrue
		}
		return tUnknown
	case c.Predicate != "":
		pi := ev.c.predicates[c.Predicate]
		if t := ev.preds[pi]; t != 0 {
			return t
		}
		t := ev.cond(&ev.q.Predicates[pi].When)
		ev.preds[pi] = t
		return t
	case c.Benefit != "":
		t := ev.benefitTruth(ev.c.benefits[c.Benefit])
		if t == tUnknown {
			return tUnknown
		}
		got := NotEligible
		if t == tTrue {
			got = LikelyEligible
		}
		return ev.matchSet(c, string(got))
	case c.Formula != "":
		l, ok := ev.formula(ev.c.formulas[c.Formula])
		if !ok {
			return tUnknown
		}
		return ev.compareRight(c, l)
	}

	qi := ev.c.questions[c.Question]
	switch ev.isVisible(qi) {
	case tFalse:
		if ev.hiddenUnknown {
			return tUnknown
		}
		return tFalse // no value compares with anything
	case tUnknown:
		return tUnknown
	}
	a := &ev.ans[qi]
	if !a.set {
		return tUnknown
	}
	switch qu := &ev.q.Questions[qi]; {
	case qu.Type == YesNo:
		b, _ := c.Value.(bool)
		return truth((a.b == b) == (c.Op == OpEq))
	case qu.Type == Choice:
		return ev.matchSet(c, a.s)
	case qu.Type == Date && c.Since == "":
		var r float64
		if c.Param != "" {
			r = ev.param(c.Param)
		} else {
			s, _ := c.Value.(string)
			d, _ := dayNumber(s)
			r = float64(d)
		}
		return truth(compare(c.Op, a.n, r))
	default:
		return ev.compareRight(c, ev.measure(qi, c.Field, c.Since))
	}
}

func (ev *evaluator) matchSet(c *Condition, got string) tri {
	switch c.Op {
	case OpEq, OpNe:
		s, _ := c.Value.(string)
		return truth((got == s) == (c.Op == OpEq))
	}
	in := false
	for _, x := range c.Values {
		if s, _ := x.(string); s == got {
			in = true
			break
		}
	}
	return truth(in == (c.Op == OpIn))
}

// compareRight compares l with the condition's value, param or expr.
func (ev *evaluator) compareRight(c *Condition, l float64) tri {
	var r float64
	switch {
	case c.Param != "":
		r = ev.param(c.Param)
	case c.Expr != nil:
		var ok bool
		if r, ok = ev.expr(c.Expr); !ok {
			return tUnknown
		}
	default:
		r, _ = toFloat(c.Value)
	}
	return truth(compare(c.Op, l, r))
}

func compare(op string, l, r float64) bool {
	switch op {
	case OpEq:
		return l == r
	case OpNe:
		return l != r
	case OpLt:
		return l < r
	case OpLe:
		return l <= r
	case OpGt:
		return l > r
	default:
		return l >= r
	}
}

// measure reads an answered numeric question: a number, a household
// field, or the days or whole years elapsed since a date.
func (ev *evaluator) measure(qi int, field, since string) float64 {
	a := &ev.ans[qi]
	switch {
	case field != "":
		return a.hh[fieldIndex(field)]
	case since == "days":
		return float64(ev.day) - a.n
	case since == "years":
		return float64(wholeYears(int(a.n), ev.day))
	}
	return a.n
}

// wholeYears counts the anniversaries of from up to on, like an age.
func wholeYears(from, on int) int {
	f := time.Unix(int64(from)*86400, 0).UTC()
	t := time.Unix(int64(on)*86400, 0).UTC()
	y := t.Year() - f.Year()
	if t.Month() < f.Month() || t.Month() == f.Month() && t.Day() < f.Day() {
		y--
	}
	return y
}

func (ev *evaluator) formula(fi int) (float64, bool) {
	f := &ev.formulas[fi]
	if !f.done {
		f.v, f.known = ev.expr(&ev.q.Formulas[fi].Expr)
		f.done = true
	}
	return f.v, f.known
}

// expr computes e; false means a needed answer is missing. A question
// that is hidden reads as 0: the number does not apply to this person.
func (ev *evaluator) expr(e *Expr) (float64, bool) {
	switch {
	case e.Value != nil:
		return *e.Value, true
	case e.Param != "":
		return ev.param(e.Param), true
	case e.Formula != "":
		return ev.formula(ev.c.formulas[e.Formula])
	case e.Question != "":
		qi := ev.c.questions[e.Question]
		switch ev.isVisible(qi) {
		case tFalse:
			return 0, true
		case tUnknown:
			return 0, false
		}
		if !ev.ans[qi].set {
			return 0, false
		}
		return ev.measure(qi, e.Field, e.Since), true
	case e.If != nil:
		switch ev.cond(&e.If.When) {
		case tTrue:
			return ev.expr(&e.If.Then)
		case tFalse:
			return ev.expr(&e.If.Else)
		}
		return 0, false
	case e.Interp != nil:
		var v [5]float64
		for i, p := range []*Expr{&e.Interp.X, &e.Interp.X0, &e.Interp.X1, &e.Interp.Y0, &e.Interp.Y1} {
			var ok bool
			if v[i], ok = ev.expr(p); !ok {
				return 0, false
			}
		}
		x, x0, x1, y0, y1 := v[0], v[1], v[2], v[3], v[4]
		switch {
		case x <= min(x0, x1):
			if x0 <= x1 {
				return y0, true
			}
			return y1, true
		case x >= max(x0, x1):
			if x0 <= x1 {
				return y1, true
			}
			return y0, true
		}
		return y0 + (x-x0)/(x1-x0)*(y1-y0), true
	}
	name, parts, _ := e.op()
	acc, ok := ev.expr(&parts[0])
	if !ok {
		return 0, false
	}
	for i := 1; i < len(parts); i++ {
		v, ok := ev.expr(&parts[i])
		if !ok {
			return 0, false
		}
		switch name {
		case "add":
			acc += v
		case "sub":
			acc -= v
		case "mul":
			acc *= v
		case "div":
			if v == 0 {
				return 0, false
			}
			acc /= v
		case "min":
			acc = min(acc, v)
		case "max":
			acc = max(acc, v)
		}
	}
	if !finite(acc) {
		return 0, false
	}
	return acc, true
}

// need collects the questions that would settle something unknown. The
// predicates, formulas and benefits already walked are skipped: shared
// definitions are walked once, not once per path to them.
type need struct {
	want     []bool // by question
	preds    []bool
	formulas []bool
	benefits []bool
}

func (ev *evaluator) newNeed() *need {
	return &need{
		want:     make([]bool, len(ev.q.Questions)),
		preds:    make([]bool, len(ev.q.Predicates)),
		formulas: make([]bool, len(ev.q.Formulas)),
		benefits: make([]bool, len(ev.q.Benefits)),
	}
}

// needs collects the questions that would settle c, which is unknown:
// those shown and unanswered, or those deciding whether an unanswered one
// is shown.
func (ev *evaluator) needs(c *Condition, n *need) {
	switch {
	case c.All != nil || c.Any != nil:
		if ev.cond(c) != tUnknown {
			return
		}
		parts := c.All
		if parts == nil {
			parts = c.Any
		}
		for i := range parts {
			if ev.cond(&parts[i]) == tUnknown {
				ev.needs(&parts[i], n)
			}
		}
	case c.Not != nil:
		ev.needs(c.Not, n)
	case c.Predicate != "":
		pi := ev.c.predicates[c.Predicate]
		if !n.preds[pi] {
			n.preds[pi] = true
			ev.needs(&ev.q.Predicates[pi].When, n)
		}
	case c.Benefit != "":
		ev.benefitNeeds(ev.c.benefits[c.Benefit], n)
	case c.Formula != "":
		ev.formulaNeeds(ev.c.formulas[c.Formula], n)
		if c.Expr != nil {
			ev.exprNeeds(c.Expr, n)
		}
	default:
		ev.questionNeeds(ev.c.questions[c.Question], n)
		if c.Expr != nil {
			ev.exprNeeds(c.Expr, n)
		}
	}
}

func (ev *evaluator) benefitNeeds(bi int, n *need) {
	if n.benefits[bi] || ev.benefitTruth(bi) != tUnknown {
		return
	}
	n.benefits[bi] = true
	for i := range ev.q.Benefits[bi].Conditions {
		if c := &ev.q.Benefits[bi].Conditions[i]; ev.cond(c) == tUnknown {
			ev.needs(c, n)
		}
	}
}

func (ev *evaluator) formulaNeeds(fi int, n *need) {
	if !n.formulas[fi] {
		n.formulas[fi] = true
		ev.exprNeeds(&ev.q.Formulas[fi].Expr, n)
	}
}

func (ev *evaluator) questionNeeds(qi int, n *need) {
	switch ev.isVisible(qi) {
	case tTrue:
		if !ev.ans[qi].set {
			n.want[qi] = true
		}
	case tUnknown:
		ev.needs(ev.q.Questions[qi].ShowIf, n)
	}
}

func (ev *evaluator) exprNeeds(e *Expr, n *need) {
	switch {
	case e.Question != "":
		ev.questionNeeds(ev.c.questions[e.Question], n)
	case e.Formula != "":
		ev.formulaNeeds(ev.c.formulas[e.Formula], n)
	case e.If != nil:
		switch ev.cond(&e.If.When) {
		case tTrue:
			ev.exprNeeds(&e.If.Then, n)
		case tFalse:
			ev.exprNeeds(&e.If.Else, n)
		default:
			ev.needs(&e.If.When, n)
		}
	case e.Interp != nil:
		for _, p := range []*Expr{&e.Interp.X, &e.Interp.X0, &e.Interp.X1, &e.Interp.Y0, &e.Interp.Y1} {
			ev.exprNeeds(p, n)
		}
	case e.Value == nil && e.Param == "":
		_, parts, _ := e.op()
		for i := range parts {
			ev.exprNeeds(&parts[i], n)
		}
	}
}

// next returns the questions to ask, those settling outcomes first, then
// those completing amounts, and for each the benefits waiting on it.
func (ev *evaluator) next() ([]int, map[int][]string) {
	n := len(ev.q.Questions)
	wanted := map[int][]string{}
	var order []int
	for pass := range 2 {
		for bi := range ev.q.Benefits {
			nd := ev.newNeed()
			b := &ev.q.Benefits[bi]
			t := ev.benefitTruth(bi)
			if pass == 0 && t == tUnknown {
				ev.benefitNeeds(bi, nd)
			}
			if pass == 1 && t != tFalse && b.Amount != nil {
				ev.amountNeeds(b.Amount, nd)
			}
			for qi, w := range nd.want {
				if w && !slices.Contains(wanted[qi], b.ID) {
					wanted[qi] = append(wanted[qi], b.ID)
				}
			}
		}
		var add []int
		for qi := range n {
			if wanted[qi] != nil && !slices.Contains(order, qi) {
				add = append(add, qi)
			}
		}
		order = append(order, add...)
	}
	return order, wanted
}

func (ev *evaluator) amountNeeds(a *Amount, n *need) {
	if a.Value != nil {
		if _, ok := ev.expr(a.Value); !ok {
			ev.exprNeeds(a.Value, n)
		}
		return
	}
	for _, e := range []*Expr{a.Min, a.Max} {
		if e != nil {
			if _, ok := ev.expr(e); !ok {
				ev.exprNeeds(e, n)
			}
		}
	}
}

// failsOnAnswers says whether c, which is false, is false because of the
// answers given rather than because it compares questions the person was
// never asked: NASpI's "the job ended at most 68 days ago" is false for
// someone who lost no job, but saying "more than 68 days have passed"
// would be wrong. It re-evaluates c with hidden comparisons unknown.
func (ev *evaluator) failsOnAnswers(c *Condition) bool {
	if ev.shadow == nil {
		ev.shadow = &evaluator{
			q: ev.q, c: ev.c, ans: ev.ans, day: ev.day, lang: ev.lang, nf: ev.nf,
			outcome:       make([]tri, len(ev.q.Benefits)),
			preds:         make([]tri, len(ev.q.Predicates)),
			formulas:      make([]number, len(ev.q.Formulas)),
			hiddenUnknown: true,
			base:          ev,
		}
	}
	return ev.shadow.cond(c) == tFalse
}

// text renders t in the evaluation's language with parameter values.
func (ev *evaluator) text(t Text) string {
	s := t.In(ev.lang)
	if !strings.Contains(s, "{") {
		return s
	}
	if ev.vars == nil {
		ev.vars = make(map[string]string, len(ev.c.params))
		for id := range ev.c.params {
			ev.vars[id] = ev.formatParam(id)
		}
	}
	return fill(s, ev.vars)
}

func (ev *evaluator) formatParam(id string) string {
	p := ev.c.params[id]
	v := ev.param(id)
	switch p.def.Unit {
	case UnitEuro:
		return ev.nf.euro(v)
	case UnitDate:
		return time.Unix(int64(v)*86400, 0).UTC().Format(ev.nf.date)
	}
	return ev.nf.number(v)
}

func (ev *evaluator) cite(ids []string) ([]Citation, bool) {
	var out []Citation
	toVerify := false
	for _, id := range ids {
		p := ev.c.params[id]
		pv := &p.def.Values[p.at(ev.day)]
		out = append(out, Citation{
			Parameter: id,
			Value:     ev.formatParam(id),
			From:      pv.From,
			Reference: pv.Reference,
			URL:       pv.URL,
			ToVerify:  pv.ToVerify,
			Note:      pv.Note,
		})
		toVerify = toVerify || pv.ToVerify
	}
	return out, toVerify
}

func (ev *evaluator) benefitResult(bi int) BenefitResult {
	b := &ev.q.Benefits[bi]
	r := BenefitResult{
		ID:       b.ID,
		Name:     ev.text(b.Name),
		Summary:  ev.text(b.Summary),
		ToVerify: b.ToVerify,
		Note:     b.Note,
	}
	switch ev.benefitTruth(bi) {
	case tTrue:
		r.Outcome = LikelyEligible
	case tFalse:
		r.Outcome = NotEligible
	default:
		r.Outcome = NeedMoreInfo
	}
	verify := ev.text(ev.q.Messages.ToVerify)
	// Failed conditions about questions that do not apply are left out
	// of the explanation, unless no other condition failed.
	lines := make([]Line, len(b.Conditions))
	moot := make([]bool, len(b.Conditions))
	genuine := false
	for i := range b.Conditions {
		c := &b.Conditions[i]
		holds, fails, toVerify, note := c.Holds, c.Fails, c.ToVerify, c.Note
		if c.Predicate != "" {
			p := &ev.q.Predicates[ev.c.predicates[c.Predicate]]
			if holds.empty() {
				holds = p.Holds
			}
			if fails.empty() {
				fails = p.Fails
			}
			toVerify = toVerify || p.ToVerify
			if note == "" {
				note = p.Note
			}
		}
		line := Line{Note: note}
		var paramsVerify bool
		line.Parameters, paramsVerify = ev.cite(ev.c.lineParams[bi][i])
		line.ToVerify = toVerify || paramsVerify
		switch ev.cond(c) {
		case tTrue:
			line.Status, line.Text = Met, ev.text(holds)
		case tFalse:
			line.Status, line.Text = NotMet, ev.text(fails)
			moot[i] = !ev.failsOnAnswers(c)
			genuine = genuine || !moot[i]
		default:
			line.Status, line.Text = Unknown, ev.missing(c)
		}
		if line.ToVerify && verify != "" {
			line.Text += " (" + verify + ")"
		}
		lines[i] = line
	}
	for i, line := range lines {
		if moot[i] && genuine {
			continue
		}
		r.ToVerify = r.ToVerify || line.ToVerify
		r.Explanation = append(r.Explanation, line)
	}
	for _, s := range b.Legal {
		r.Sources = append(r.Sources, Citation{Reference: s.Reference, URL: s.URL})
	}
	if r.Outcome == NotEligible {
		return r
	}
	for _, t := range b.OtherRequirements {
		r.OtherRequirements = append(r.OtherRequirements, ev.text(t))
	}
	r.Amount = ev.amount(bi)
	if r.Amount != nil {
		r.ToVerify = r.ToVerify || r.Amount.ToVerify
	}
	for _, t := range b.Documents {
		r.Documents = append(r.Documents, ev.text(t))
	}
	for _, s := range b.NextSteps {
		r.NextSteps = append(r.NextSteps, StepResult{Text: ev.text(s.Text), URL: s.URL, Directory: s.Directory})
	}
	return r
}

// missing says which answers an unknown condition waits for.
func (ev *evaluator) missing(c *Condition) string {
	nd := ev.newNeed()
	ev.needs(c, nd)
	var names []string
	for qi, w := range nd.want {
		if w {
			names = append(names, ev.text(ev.q.Questions[qi].Text))
		}
	}
	return fill(ev.text(ev.q.Messages.Missing), map[string]string{"questions": strings.Join(names, "; ")})
}

func (ev *evaluator) amount(bi int) *AmountResult {
	a := ev.q.Benefits[bi].Amount
	if a == nil {
		return nil
	}
	cents := func(e *Expr) *int64 {
		if e == nil {
			return nil
		}
		v, ok := ev.expr(e)
		if !ok {
			return nil
		}
		c := max(0, int64(math.Round(v*100)))
		return &c
	}
	var lo, hi *int64
	if a.Value != nil {
		lo = cents(a.Value)
		hi = lo
	}
	if lo == nil {
		lo, hi = cents(a.Min), cents(a.Max)
	}
	if lo != nil && hi != nil && *lo > *hi {
		lo, hi = hi, lo
	}
	if hi == nil || *hi == 0 {
		return nil // a minimum alone, or nothing at all, says too little
	}
	m := ev.q.Messages
	period := map[string]Text{PerMonth: m.PerMonth, PerYear: m.PerYear, Once: m.Once}[a.Period]
	vars := map[string]string{"period": ev.text(period), "max": ev.nf.euro(float64(*hi) / 100)}
	r := &AmountResult{Period: a.Period, MinCents: lo, MaxCents: hi, Note: ev.text(a.Note)}
	switch {
	case lo != nil && *lo == *hi:
		vars["amount"] = vars["max"]
		r.Text = fill(ev.text(m.AmountExact), vars)
	case lo != nil && *lo < *hi:
		vars["min"] = ev.nf.euro(float64(*lo) / 100)
		r.Text = fill(ev.text(m.AmountRange), vars)
	default:
		r.MinCents = nil
		r.Text = fill(ev.text(m.AmountUpTo), vars)
	}
	r.Parameters, r.ToVerify = ev.cite(ev.c.amountParams[bi])
	return r
}

func (ev *evaluator) prompt(qi int, benefits []string) Prompt {
	qu := &ev.q.Questions[qi]
	p := Prompt{
		ID: qu.ID, Type: qu.Type, Text: ev.text(qu.Text), Help: ev.text(qu.Help),
		Min: qu.Min, Max: qu.Max, Sensitive: qu.Sensitive, For: benefits,
	}
	for _, o := range qu.Options {
		p.Options = append(p.Options, PromptOption{Value: o.Value, Text: ev.text(o.Text)})
	}
	return p
}
