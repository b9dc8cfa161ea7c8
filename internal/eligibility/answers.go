package eligibility

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/model"
)

// Answers maps question ids to answers: a bool for yes_no, a string for
// choice and date ("YYYY-MM-DD"), a number for number, money (euro) and
// age, a HouseholdAnswer or a JSON object for household. A nil answer is
// no answer.
type Answers map[string]any

// HouseholdAnswer describes the household (the ISEE nucleo): how many
// people in all, including the person asking, and how many of them are
// under 18, aged 60 or more, or disabled.
type HouseholdAnswer struct {
	Size     int `json:"size"`
	Minors   int `json:"minors"`
	Over60   int `json:"over_60"`
	Disabled int `json:"disabled"`
}

// MaxHousehold bounds a household's size: more is a typing mistake.
const MaxHousehold = 30

// answer is a checked answer; n holds a number, money, an age, or a date
// as a day number.
type answer struct {
	set bool
	b   bool
	s   string
	n   float64
	hh  [4]float64 // in the order of householdFields
}

func fieldIndex(field string) int { return slices.Index(householdFields, field) }

// check turns answers into checked values, refusing impossible ones with a
// *model.Error naming the question.
func check(q *Questionnaire, c *compiled, answers Answers, day int) ([]answer, error) {
	out := make([]answer, len(q.Questions))
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the same error whatever the map order
	for _, id := range ids {
		raw := answers[id]
		if raw == nil {
			continue
		}
		qi, ok := c.questions[id]
		if !ok {
			return nil, model.Invalid(id, "error.eligibility.unknown_question",
				fmt.Sprintf("no question %q in this questionnaire", id), map[string]any{"Question": id, "Value": id})
		}
		a, err := checkOne(&q.Questions[qi], c.options[qi], raw, day)
		if err != nil {
			return nil, err
		}
		out[qi] = a
	}
	return out, nil
}

func wrongType(qu *Question, want string) error {
	return model.Invalid(qu.ID, "error.eligibility.answer_type",
		fmt.Sprintf("the answer must be %s", want), map[string]any{"Question": qu.ID, "Type": string(qu.Type)})
}

func checkOne(qu *Question, options map[string]bool, raw any, day int) (answer, error) {
	a := answer{set: true}
	switch qu.Type {
	case YesNo:
		b, ok := raw.(bool)
		if !ok {
			return a, wrongType(qu, "true or false")
		}
		a.b = b
	case Choice:
		s, ok := raw.(string)
		if !ok {
			return a, wrongType(qu, "one of the options")
		}
		if !options[s] {
			return a, model.Invalid(qu.ID, "error.eligibility.choice_unknown",
				fmt.Sprintf("%q is not one of the options", s), map[string]any{"Question": qu.ID, "Value": s})
		}
		a.s = s
	case Date:
		s, ok := raw.(string)
		if !ok {
			return a, wrongType(qu, "a date YYYY-MM-DD")
		}
		d, ok := dayNumber(s)
		if !ok {
			return a, model.Invalid(qu.ID, "error.eligibility.date_invalid",
				fmt.Sprintf("%q is not a date YYYY-MM-DD", s), map[string]any{"Question": qu.ID, "Value": s})
		}
		if d > day && !qu.AllowFuture {
			return a, model.Invalid(qu.ID, "error.eligibility.date_in_future",
				fmt.Sprintf("%s is after the date of the evaluation, %s", s, dayString(day)),
				map[string]any{"Question": qu.ID, "Value": s, "Date": dayString(day)})
		}
		if d < minDay {
			return a, model.Invalid(qu.ID, "error.eligibility.out_of_range",
				fmt.Sprintf("%s is before 1900", s), map[string]any{"Question": qu.ID, "Value": s, "Min": "1900-01-01"})
		}
		a.n = float64(d)
	case Household:
		hh, err := checkHousehold(qu, raw)
		if err != nil {
			return a, err
		}
		a.hh = hh
	default: // number, money, age
		f, ok := toFloat(raw)
		if !ok {
			return a, wrongType(qu, "a number")
		}
		if err := checkNumber(qu, f); err != nil {
			return a, err
		}
		if qu.Type == Money {
			f = math.Round(f*100) / 100
		}
		a.n = f
	}
	return a, nil
}

var minDay, _ = dayNumber("1900-01-01")

// plain writes a number for an error message's arguments: 1000000000,
// not 1e+09.
func plain(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func checkNumber(qu *Question, f float64) error {
	lo, hi := 0.0, math.Inf(1)
	switch qu.Type {
	case Age:
		hi = 130
	case Money:
		hi = 1e9 // a billion euro is a typing mistake
	}
	explicitMin := qu.Min != nil
	if explicitMin {
		lo = max(lo, *qu.Min)
		if qu.Type == Number {
			lo = *qu.Min
		}
	}
	if qu.Max != nil {
		hi = min(hi, *qu.Max)
	}
	if f < 0 && (!explicitMin || lo >= 0) {
		return model.Invalid(qu.ID, "error.eligibility.negative",
			fmt.Sprintf("%v cannot be negative", f), map[string]any{"Question": qu.ID, "Value": plain(f)})
	}
	if f < lo || f > hi {
		args := map[string]any{"Question": qu.ID, "Value": plain(f), "Min": plain(lo)}
		if !math.IsInf(hi, 1) {
			args["Max"] = plain(hi) // no "+Inf" in a message
		}
		return model.Invalid(qu.ID, "error.eligibility.out_of_range",
			fmt.Sprintf("%v is not between %v and %v", f, lo, hi), args)
	}
	if (qu.Integer || qu.Type == Age) && f != math.Trunc(f) {
		return model.Invalid(qu.ID, "error.eligibility.not_whole",
			fmt.Sprintf("%v is not a whole number", f), map[string]any{"Question": qu.ID, "Value": plain(f)})
	}
	return nil
}

func checkHousehold(qu *Question, raw any) ([4]float64, error) {
	var hh [4]float64
	var given [4]bool
	switch h := raw.(type) {
	case HouseholdAnswer:
		hh = [4]float64{float64(h.Size), float64(h.Minors), float64(h.Over60), float64(h.Disabled)}
		given = [4]bool{true, true, true, true}
	case *HouseholdAnswer:
		if h == nil {
			return hh, wrongType(qu, "an object with size, minors, over_60 and disabled")
		}
		return checkHousehold(qu, *h)
	case map[string]any:
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			i := fieldIndex(k)
			if i < 0 {
				return hh, model.Invalid(qu.ID+"."+k, "error.eligibility.answer_type",
					fmt.Sprintf("unknown household field %q (%s)", k, strings.Join(householdFields, ", ")),
					map[string]any{"Question": qu.ID, "Type": string(qu.Type)})
			}
			f, ok := toFloat(h[k])
			if !ok {
				return hh, model.Invalid(qu.ID+"."+k, "error.eligibility.answer_type",
					"the answer must be a whole number", map[string]any{"Question": qu.ID, "Type": string(qu.Type)})
			}
			hh[i], given[i] = f, true
		}
	default:
		return hh, wrongType(qu, "an object with size, minors, over_60 and disabled")
	}
	if !given[0] {
		return hh, model.Invalid(qu.ID+".size", "error.eligibility.household_inconsistent",
			"the household size is required", map[string]any{"Question": qu.ID, "Field": "size", "Value": 0, "Size": 0})
	}
	size := hh[0]
	for i, f := range hh {
		field := householdFields[i]
		if f < 0 {
			return hh, model.Invalid(qu.ID+"."+field, "error.eligibility.negative",
				fmt.Sprintf("%s cannot be negative", field), map[string]any{"Question": qu.ID, "Field": field, "Value": f})
		}
		if f != math.Trunc(f) {
			return hh, model.Invalid(qu.ID+"."+field, "error.eligibility.not_whole",
				fmt.Sprintf("%s must be a whole number", field), map[string]any{"Question": qu.ID, "Field": field, "Value": f})
		}
	}
	inconsistent := func(field, why string) error {
		return model.Invalid(qu.ID+"."+field, "error.eligibility.household_inconsistent", why,
			map[string]any{"Question": qu.ID, "Field": field, "Value": hh[fieldIndex(field)], "Size": size})
	}
	switch {
	case size < 1:
		return hh, inconsistent("size", "a household has at least one person, the one asking")
	case size > MaxHousehold:
		return hh, inconsistent("size", fmt.Sprintf("a household of more than %d people is a typing mistake", MaxHousehold))
	case hh[1] >= size:
		// The person asking is an adult (or answers for one).
		return hh, inconsistent("minors", "there are more people under 18 than the household's adults allow")
	case hh[2] > size:
		return hh, inconsistent("over_60", "more people aged 60 or over than people in the household")
	case hh[1]+hh[2] > size:
		return hh, inconsistent("over_60", "people under 18 and people aged 60 or over are more than the household")
	case hh[3] > size:
		return hh, inconsistent("disabled", "more people with a disability than people in the household")
	}
	return hh, nil
}

// checkConsistency applies the questionnaire's consistency rules: a rule
// that is false (not merely unknown) rejects the answers.
func (ev *evaluator) checkConsistency() error {
	for i := range ev.q.Consistency {
		cs := &ev.q.Consistency[i]
		if ev.cond(&cs.Rule) != tFalse {
			continue
		}
		field := cs.Question
		if cs.Field != "" {
			field += "." + cs.Field
		}
		return model.Invalid(field, "error.eligibility.inconsistent", cs.Message.In("en"),
			map[string]any{"Question": cs.Question, "Message": cs.Message.In(ev.lang)})
	}
	return nil
}
