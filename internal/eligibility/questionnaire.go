package eligibility

import (
	"sync/atomic"
)

// Questionnaire is one screener: what to ask, the dated parameters, and the
// benefits with their rules. It is the JSON document an administrator
// edits; [Parse] and [Load] decode and validate it.
//
// A Questionnaire must not be changed once it has been evaluated: the
// first use compiles it and keeps the result.
type Questionnaire struct {
	ID      string `json:"id"`      // e.g. "it-benefici"
	Version string `json:"version"` // bumped on every change, e.g. "2026.1"
	Title   Text   `json:"title"`
	// Description says who the screener is for.
	Description Text `json:"description,omitempty"`
	// Notice is shown with every result: an orientation, not a decision.
	Notice Text `json:"notice"`
	// Languages are the languages every text is meant to have; a missing
	// one falls back to Italian, then English (see MissingTranslations).
	Languages []string `json:"languages,omitempty"`
	// Messages are the few sentences the engine puts together itself.
	Messages Messages `json:"messages"`

	Questions   []Question    `json:"questions"`
	Consistency []Consistency `json:"consistency,omitempty"`
	Parameters  []Parameter   `json:"parameters,omitempty"`
	Formulas    []Formula     `json:"formulas,omitempty"`
	Predicates  []Predicate   `json:"predicates,omitempty"`
	Benefits    []Benefit     `json:"benefits"`

	compiled atomic.Pointer[compiled]
}

// Messages hold the engine's own sentences, with {placeholders}.
type Messages struct {
	Missing     Text `json:"missing"`      // "We still need to know: {questions}"
	ToVerify    Text `json:"to_verify"`    // shown with figures or rules flagged to_verify
	PerMonth    Text `json:"per_month"`    // "per month"
	PerYear     Text `json:"per_year"`     // "per year"
	Once        Text `json:"once"`         // "one-off"
	AmountExact Text `json:"amount_exact"` // "{amount} {period}"
	AmountRange Text `json:"amount_range"` // "from {min} to {max} {period}"
	AmountUpTo  Text `json:"amount_up_to"` // "up to {max} {period}"
}

// QuestionType says what an answer looks like.
type QuestionType string

const (
	YesNo     QuestionType = "yes_no"    // true or false
	Choice    QuestionType = "choice"    // one of Options' values
	Number    QuestionType = "number"    // a number, not negative unless min says so
	Money     QuestionType = "money"     // euro, not negative, e.g. 8000 or 538.69
	Date      QuestionType = "date"      // "YYYY-MM-DD", not in the future unless allow_future
	Age       QuestionType = "age"       // whole years, 0–130
	Household QuestionType = "household" // {"size": 3, "minors": 1, "over_60": 0, "disabled": 1}
)

// Household fields a condition or formula may read, with "field".
var householdFields = []string{"size", "minors", "over_60", "disabled"}

// Question is one thing to ask.
type Question struct {
	ID      string       `json:"id"`
	Type    QuestionType `json:"type"`
	Text    Text         `json:"text"`
	Help    Text         `json:"help,omitempty"`
	Options []Option     `json:"options,omitempty"` // choice only
	// Min and Max bound a number (default min 0); Integer refuses
	// fractions.
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Integer bool     `json:"integer,omitempty"`
	// AllowFuture accepts a date after the evaluation date (a due date).
	AllowFuture bool `json:"allow_future,omitempty"`
	// Sensitive marks special-category data (health, violence): the
	// interface asks it with care and the desk stores it with care.
	Sensitive bool `json:"sensitive,omitempty"`
	// ShowIf hides the question unless it holds; a hidden question's
	// answer is ignored.
	ShowIf *Condition `json:"show_if,omitempty"`
}

// Option is one answer of a choice question.
type Option struct {
	Value string `json:"value"`
	Text  Text   `json:"text"`
}

// Consistency is a rule the answers together must obey, such as "years of
// continuous residence ≤ years in Italy". When Rule is false the answer to
// Question (and Field, for a household) is reported as impossible.
type Consistency struct {
	Question string    `json:"question"`
	Field    string    `json:"field,omitempty"`
	Rule     Condition `json:"rule"`
	Message  Text      `json:"message"`
}

// Unit of a parameter.
const (
	UnitEuro  = "eur"
	UnitCount = "count"
	UnitDays  = "days"
	UnitWeeks = "weeks"
	UnitYears = "years"
	UnitRatio = "ratio"
	UnitDate  = "date"
)

var units = []string{UnitEuro, UnitCount, UnitDays, UnitWeeks, UnitYears, UnitRatio, UnitDate}

// Parameter is a figure set by law, with its values over time.
type Parameter struct {
	ID          string           `json:"id"`
	Unit        string           `json:"unit"`
	Description Text             `json:"description"`
	Values      []ParameterValue `json:"values"`
}

// ParameterValue applies from From ("YYYY-MM-DD") until the next value's
// From. Value is a number, or a "YYYY-MM-DD" string for unit "date".
type ParameterValue struct {
	From      string `json:"from"`
	Value     any    `json:"value"`
	Reference string `json:"reference"` // the law, circular or message
	URL       string `json:"url"`
	// ToVerify marks a figure that could not be confirmed in an official
	// source for that date (Note says why); results show it.
	ToVerify bool   `json:"to_verify,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Formula is a named computed number, such as an equivalence scale.
type Formula struct {
	ID          string `json:"id"`
	Description Text   `json:"description,omitempty"`
	Expr        Expr   `json:"expr"`
}

// Predicate is a named condition shared by several benefits (a residence
// rule), with the sentences that explain it.
type Predicate struct {
	ID       string    `json:"id"`
	When     Condition `json:"when"`
	Holds    Text      `json:"holds"`
	Fails    Text      `json:"fails"`
	ToVerify bool      `json:"to_verify,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// Benefit is one measure and its rules.
type Benefit struct {
	ID      string   `json:"id"`
	Name    Text     `json:"name"`
	Summary Text     `json:"summary,omitempty"`
	Legal   []Source `json:"legal"`
	// Conditions must all hold. Each explains itself with Holds/Fails (or
	// those of the predicate it names).
	Conditions []Condition `json:"conditions"`
	// OtherRequirements are checked by the office, not by the screener.
	OtherRequirements []Text  `json:"other_requirements,omitempty"`
	Amount            *Amount `json:"amount,omitempty"`
	Documents         []Text  `json:"documents,omitempty"`
	NextSteps         []Step  `json:"next_steps,omitempty"`
	ToVerify          bool    `json:"to_verify,omitempty"`
	Note              string  `json:"note,omitempty"`
}

// Source is a legal or official reference.
type Source struct {
	Reference string `json:"reference"`
	URL       string `json:"url,omitempty"`
}

// Step is one thing to do next.
type Step struct {
	Text Text   `json:"text"`
	URL  string `json:"url,omitempty"`
	// Directory names the kinds of place where the step is done, as words
	// to search the organisation's directory of services for ("patronato",
	// "caf"): where it has such places, the result lists them.
	Directory []string `json:"directory,omitempty"`
}

// Period of an amount.
const (
	PerMonth = "month"
	PerYear  = "year"
	Once     = "once"
)

// Amount says how much, in euro: Value when it can be computed exactly,
// otherwise the range Min–Max (either may be missing: "up to Max"). An
// amount that cannot be computed yet, or comes to zero, is left out of
// the result.
type Amount struct {
	Period string `json:"period"`
	Value  *Expr  `json:"value,omitempty"`
	Min    *Expr  `json:"min,omitempty"`
	Max    *Expr  `json:"max,omitempty"`
	Note   Text   `json:"note,omitempty"`
}

// Comparison operators.
const (
	OpEq    = "="
	OpNe    = "!="
	OpLt    = "<"
	OpLe    = "<="
	OpGt    = ">"
	OpGe    = ">="
	OpIn    = "in"
	OpNotIn = "not_in"
)

var (
	orderOps = []string{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe}
	eqOps    = []string{OpEq, OpNe}
	setOps   = []string{OpEq, OpNe, OpIn, OpNotIn}
)

// Condition is either a combination (all, any, not), a named predicate, or
// a comparison: a left side (a question, with field for a household or
// since for a date; a formula; another benefit's outcome), an operator,
// and a right side (value, values, param or expr).
type Condition struct {
	All       []Condition `json:"all,omitempty"`
	Any       []Condition `json:"any,omitempty"`
	Not       *Condition  `json:"not,omitempty"`
	Predicate string      `json:"predicate,omitempty"`

	Question string `json:"question,omitempty"`
	Field    string `json:"field,omitempty"` // household field
	Since    string `json:"since,omitempty"` // "days" or "years" elapsed since a date answer
	Formula  string `json:"formula,omitempty"`
	Benefit  string `json:"benefit,omitempty"` // compares that benefit's outcome

	Op     string `json:"op,omitempty"`
	Value  any    `json:"value,omitempty"`
	Values []any  `json:"values,omitempty"`
	Param  string `json:"param,omitempty"`
	Expr   *Expr  `json:"expr,omitempty"`

	// Holds and Fails explain a benefit's top-level condition.
	Holds    Text   `json:"holds,omitempty"`
	Fails    Text   `json:"fails,omitempty"`
	ToVerify bool   `json:"to_verify,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Expr is a number: exactly one of a literal value, a parameter, a numeric
// answer (with field or since), a formula, or an operation.
type Expr struct {
	Value    *float64 `json:"value,omitempty"`
	Param    string   `json:"param,omitempty"`
	Question string   `json:"question,omitempty"`
	Field    string   `json:"field,omitempty"`
	Since    string   `json:"since,omitempty"`
	Formula  string   `json:"formula,omitempty"`

	Add []Expr  `json:"add,omitempty"`
	Sub []Expr  `json:"sub,omitempty"` // first minus the others
	Mul []Expr  `json:"mul,omitempty"`
	Div []Expr  `json:"div,omitempty"` // first divided by the others
	Min []Expr  `json:"min,omitempty"`
	Max []Expr  `json:"max,omitempty"`
	If  *IfExpr `json:"if,omitempty"`
	// Interp goes linearly from Y0 at X0 to Y1 at X1, flat outside.
	Interp *Interp `json:"interp,omitempty"`
}

// IfExpr is Then when When holds, otherwise Else.
type IfExpr struct {
	When Condition `json:"when"`
	Then Expr      `json:"then"`
	Else Expr      `json:"else"`
}

// Interp is a clamped linear interpolation, the shape of a benefit that
// falls from a maximum to a minimum between two ISEE thresholds.
type Interp struct {
	X  Expr `json:"x"`
	X0 Expr `json:"x0"`
	X1 Expr `json:"x1"`
	Y0 Expr `json:"y0"`
	Y1 Expr `json:"y1"`
}

// Outcome of a benefit for one person.
type Outcome string

const (
	LikelyEligible Outcome = "likely_eligible"
	NotEligible    Outcome = "not_eligible"
	NeedMoreInfo   Outcome = "need_more_info"
)
