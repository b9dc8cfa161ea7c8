package eligibility_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
)

// minimal is a small valid questionnaire the tests below break one way at
// a time.
const minimal = `{
 "id": "test", "version": "1", "title": {"en": "Test"}, "notice": {"en": "Guidance, not a decision."},
 "messages": {"missing": {"en": "Missing: {questions}"}, "to_verify": {"en": "check"},
  "per_month": {"en": "per month"}, "per_year": {"en": "per year"}, "once": {"en": "once"},
  "amount_exact": {"en": "{amount} {period}"}, "amount_range": {"en": "{min} to {max} {period}"},
  "amount_up_to": {"en": "up to {max} {period}"}},
 "questions": [
  {"id": "age", "type": "age", "text": {"en": "Age?"}},
  {"id": "works", "type": "yes_no", "text": {"en": "Working?"}},
  {"id": "pay", "type": "money", "text": {"en": "Pay?"}, "show_if": {"question": "works", "op": "=", "value": true}},
  {"id": "status", "type": "choice", "text": {"en": "Status?"}, "options": [{"value": "a", "text": {"en": "A"}}, {"value": "b", "text": {"en": "B"}}]}
 ],
 "parameters": [
  {"id": "min_age", "unit": "years", "description": {"en": "Minimum age"},
   "values": [{"from": "2025-01-01", "value": 18, "reference": "Law 1/2024 art. 1", "url": "https://example.org"}]}
 ],
 "formulas": [{"id": "yearly", "expr": {"mul": [{"question": "pay"}, {"value": 12}]}}],
 "predicates": [{"id": "adult", "when": {"question": "age", "op": ">=", "param": "min_age"},
  "holds": {"en": "You are at least {min_age}."}, "fails": {"en": "You are under {min_age}."}}],
 "benefits": [{"id": "grant", "name": {"en": "Grant"}, "legal": [{"reference": "Law 1/2024"}],
  "conditions": [{"predicate": "adult"},
   {"question": "works", "op": "=", "value": true, "holds": {"en": "You work."}, "fails": {"en": "You do not work."}}],
  "amount": {"period": "month", "value": {"formula": "yearly"}}}]
}`

// edit decodes minimal, lets change alter it, and encodes it again.
func edit(t *testing.T, change func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(minimal), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// at walks doc along keys (strings) and indexes (ints).
func at(doc any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			doc = doc.(map[string]any)[k]
		case int:
			doc = doc.([]any)[k]
		}
	}
	return doc.(map[string]any)
}

func raw(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

func TestMinimalIsValid(t *testing.T) {
	q, err := eligibility.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	res, err := eligibility.Evaluate(q, eligibility.Answers{"age": 30, "works": true, "pay": 1000.5}, day(t, ""), "en")
	if err != nil {
		t.Fatal(err)
	}
	b := res.Benefits[0]
	if b.Outcome != eligibility.LikelyEligible || b.Amount == nil || b.Amount.Text != "€12,006 per month" {
		t.Errorf("got %s, %+v", b.Outcome, b.Amount)
	}
	if got := b.Explanation[0].Text; got != "You are at least 18." {
		t.Errorf("placeholder: %q", got)
	}
	if c := b.Explanation[0].Parameters; len(c) != 1 || c[0].Reference != "Law 1/2024 art. 1" || c[0].From != "2025-01-01" {
		t.Errorf("citation: %+v", c)
	}
}

// Every problem is reported at its exact location, as a model error with
// an error.eligibility key.
func TestValidationLocations(t *testing.T) {
	tests := []struct {
		name   string
		change func(doc map[string]any)
		field  string
		key    string
	}{
		{"formula cycle", func(doc map[string]any) {
			doc["formulas"] = raw(`[{"id": "yearly", "expr": {"formula": "monthly"}}, {"id": "monthly", "expr": {"div": [{"formula": "yearly"}, {"value": 12}]}}]`)
		}, "formulas[monthly].expr.div[0].formula", "error.eligibility.cycle"},
		{"question shown only if answered", func(doc map[string]any) {
			at(doc, "questions", 1)["show_if"] = raw(`{"question": "works", "op": "=", "value": true}`)
		}, "questions[works].show_if.question", "error.eligibility.cycle"},
		{"predicate through a benefit", func(doc map[string]any) {
			at(doc, "predicates", 0)["when"] = raw(`{"benefit": "grant", "op": "=", "value": "likely_eligible"}`)
		}, "benefits[grant].conditions[0].predicate", "error.eligibility.cycle"},
		{"unknown question", func(doc map[string]any) {
			at(doc, "benefits", 0, "conditions", 1)["question"] = "wroks"
		}, "benefits[grant].conditions[1].question", "error.eligibility.reference_unknown"},
		{"unknown question in a formula", func(doc map[string]any) {
			at(doc, "formulas", 0, "expr", "mul", 0)["question"] = "salary"
		}, "formulas[yearly].expr.mul[0].question", "error.eligibility.reference_unknown"},
		{"unknown parameter", func(doc map[string]any) {
			at(doc, "predicates", 0, "when")["param"] = "max_age"
		}, "predicates[adult].when.param", "error.eligibility.reference_unknown"},
		{"parameter without a date", func(doc map[string]any) {
			delete(at(doc, "parameters", 0, "values", 0), "from")
		}, "parameters[min_age].values[0].from", "error.eligibility.date_missing"},
		{"parameter with a bad date", func(doc map[string]any) {
			at(doc, "parameters", 0, "values", 0)["from"] = "2025-02-30"
		}, "parameters[min_age].values[0].from", "error.eligibility.date_invalid"},
		{"parameter dates out of order", func(doc map[string]any) {
			p := at(doc, "parameters", 0)
			p["values"] = append(p["values"].([]any), raw(`{"from": "2024-01-01", "value": 17, "reference": "Law"}`))
		}, "parameters[min_age].values[1].from", "error.eligibility.dates_unordered"},
		{"parameter without a reference", func(doc map[string]any) {
			at(doc, "parameters", 0, "values", 0)["reference"] = " "
		}, "parameters[min_age].values[0].reference", "error.eligibility.source_missing"},
		{"benefit without a source", func(doc map[string]any) {
			at(doc, "benefits", 0)["legal"] = raw(`[]`)
		}, "benefits[grant].legal", "error.eligibility.source_missing"},
		{"condition without its sentences", func(doc map[string]any) {
			delete(at(doc, "benefits", 0, "conditions", 1), "fails")
		}, "benefits[grant].conditions[1].fails", "error.eligibility.text_missing"},
		{"placeholder naming no parameter", func(doc map[string]any) {
			at(doc, "predicates", 0, "holds")["en"] = "You are at least {minimum_age}."
		}, "predicates[adult].holds.en", "error.eligibility.placeholder_unknown"},
		{"choice compared with a value it does not offer", func(doc map[string]any) {
			at(doc, "benefits", 0)["conditions"] = append(at(doc, "benefits", 0)["conditions"].([]any),
				raw(`{"question": "status", "op": "=", "value": "c", "holds": {"en": "c"}, "fails": {"en": "not c"}}`))
		}, "benefits[grant].conditions[2].value", "error.eligibility.choice_unknown"},
		{"order on a yes/no", func(doc map[string]any) {
			at(doc, "benefits", 0, "conditions", 1)["op"] = ">"
		}, "benefits[grant].conditions[1].op", "error.eligibility.operator_invalid"},
		{"two kinds in one condition", func(doc map[string]any) {
			at(doc, "benefits", 0, "conditions", 1)["predicate"] = "adult"
		}, "benefits[grant].conditions[1]", "error.eligibility.condition_shape"},
		{"unknown question type", func(doc map[string]any) {
			at(doc, "questions", 0)["type"] = "height"
		}, "questions[age].type", "error.eligibility.type_unknown"},
		{"duplicate id", func(doc map[string]any) {
			at(doc, "questions", 1)["id"] = "age"
		}, "questions[1].id", "error.eligibility.id_duplicate"},
		{"bad id", func(doc map[string]any) {
			doc["id"] = "Test One"
		}, "id", "error.eligibility.id_invalid"},
		{"misspelt field", func(doc map[string]any) {
			at(doc, "questions", 2)["showif"] = at(doc, "questions", 2)["show_if"]
		}, "", "error.eligibility.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eligibility.Parse(edit(t, tt.change))
			e, ok := model.AsError(err)
			if !ok {
				t.Fatalf("got %v, want a model error", err)
			}
			if e.Field != tt.field || e.Key != tt.key || e.Code != model.CodeInvalid {
				t.Errorf("got %s %q (%s), want %s %q", e.Key, e.Field, e.Message, tt.key, tt.field)
			}
		})
	}
}

func TestCycleNamesTheChain(t *testing.T) {
	_, err := eligibility.Parse(edit(t, func(doc map[string]any) {
		doc["formulas"] = raw(`[{"id": "yearly", "expr": {"formula": "monthly"}}, {"id": "monthly", "expr": {"formula": "yearly"}}]`)
	}))
	if err == nil || !strings.Contains(err.Error(), "formulas[yearly] → formulas[monthly] → formulas[yearly]") {
		t.Errorf("got %v", err)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a.json": {Data: []byte(minimal)},
		"b.json": {Data: edit(t, func(doc map[string]any) { doc["version"] = "" })},
	}
	_, err := eligibility.Load(fsys)
	if err == nil || !strings.HasPrefix(err.Error(), "b.json: version:") {
		t.Errorf("got %v", err)
	}
	fsys["b.json"] = &fstest.MapFile{Data: []byte(minimal)}
	if _, err := eligibility.Load(fsys); !model.ErrorIs(err, model.CodeInvalid) || !strings.Contains(err.Error(), "also defined in a.json") {
		t.Errorf("duplicate id: got %v", err)
	}
}

// Impossible answers are refused with an error naming the question.
func TestImpossibleAnswers(t *testing.T) {
	q := screener(t)
	tests := []struct {
		name    string
		answers string
		on      string
		field   string
		key     string
	}{
		{"negative age", `{"age": -1}`, "", "age", "error.eligibility.negative"},
		{"age over 130", `{"age": 131}`, "", "age", "error.eligibility.out_of_range"},
		{"age with decimals", `{"age": 30.5}`, "", "age", "error.eligibility.not_whole"},
		{"negative ISEE", `{"isee": -100}`, "", "isee", "error.eligibility.negative"},
		{"negative income", `{"family_income": -1}`, "", "family_income", "error.eligibility.negative"},
		{"income as text", `{"family_income": "a lot"}`, "", "family_income", "error.eligibility.answer_type"},
		{"yes/no as text", `{"resident": "yes"}`, "", "resident", "error.eligibility.answer_type"},
		{"birth in the future", `{"newborn": true, "newborn_date": "2026-04-01"}`, "", "newborn_date", "error.eligibility.date_in_future"},
		{"date that does not exist", `{"lost_job": true, "job_end_date": "2026-02-30"}`, "", "job_end_date", "error.eligibility.date_invalid"},
		{"date before 1900", `{"lost_job": true, "job_end_date": "1899-12-31"}`, "", "job_end_date", "error.eligibility.out_of_range"},
		{"choice not in the list", `{"citizenship": "martian"}`, "", "citizenship", "error.eligibility.choice_unknown"},
		{"more minors than the household allows", `{"household": {"size": 2, "minors": 2}}`, "", "household.minors", "error.eligibility.household_inconsistent"},
		{"negative household", `{"household": {"size": -1}}`, "", "household.size", "error.eligibility.negative"},
		{"household without a size", `{"household": {"minors": 1}}`, "", "household.size", "error.eligibility.household_inconsistent"},
		{"unknown household field", `{"household": {"size": 2, "pets": 1}}`, "", "household.pets", "error.eligibility.answer_type"},
		{"too many weeks", `{"lost_job": true, "contribution_weeks": 300}`, "", "contribution_weeks", "error.eligibility.out_of_range"},
		{"unknown question", `{"shoe_size": 42}`, "", "shoe_size", "error.eligibility.unknown_question"},
		{"continuous residence longer than residence", `{"resident": true, "residence_years": 5, "continuous_years": 10}`, "", "continuous_years", "error.eligibility.inconsistent"},
		{"residence longer than life", `{"age": 30, "resident": true, "residence_years": 50}`, "", "residence_years", "error.eligibility.inconsistent"},
		{"date before the rules", `{}`, "2024-06-01", "date", "error.eligibility.date_before_rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eligibility.Evaluate(q, decodeAnswers(t, tt.answers), day(t, tt.on), "it")
			e, ok := model.AsError(err)
			if !ok {
				t.Fatalf("got %v, want a model error", err)
			}
			if e.Field != tt.field || e.Key != tt.key {
				t.Errorf("got %s %q (%s), want %s %q", e.Key, e.Field, e.Message, tt.key, tt.field)
			}
			if _, err := eligibility.NextQuestions(q, decodeAnswers(t, tt.answers), day(t, tt.on)); err == nil {
				t.Error("NextQuestions accepted the answers")
			}
		})
	}
}

// A consistency message comes in the language asked for.
func TestInconsistentAnswersInTheUsersLanguage(t *testing.T) {
	q := screener(t)
	_, err := eligibility.Evaluate(q, eligibility.Answers{"age": 30, "resident": true, "residence_years": 50}, day(t, ""), "fr")
	e, _ := model.AsError(err)
	if e == nil || !strings.Contains(e.Args["Message"].(string), "ne peuvent pas dépasser votre âge") {
		t.Errorf("got %v", err)
	}
}

// Answers given as Go values work as well as decoded JSON.
func TestGoAnswers(t *testing.T) {
	q := screener(t)
	res, err := eligibility.Evaluate(q, eligibility.Answers{
		"age": 34, "citizenship": "it", "resident": true, "residence_years": 34, "continuous_years": 34,
		"household": eligibility.HouseholdAnswer{Size: 3, Minors: 2}, "adult_children": 0, "isee": 8000,
	}, time.Date(2026, 3, 15, 23, 30, 0, 0, time.UTC), "it")
	if err != nil {
		t.Fatal(err)
	}
	if res.Date != "2026-03-15" || res.Benefits[2].Outcome != eligibility.LikelyEligible {
		t.Errorf("got %s, %s", res.Date, res.Benefits[2].Outcome)
	}
}

// Definitions shared along many paths are evaluated once: a chain of 64
// predicates and formulas, each using the one before twice, has 2⁶⁴
// paths, and must still load, evaluate and list its next questions at
// once. (It once took 18 s for a chain of 22.)
func TestSharedDefinitionsAreWalkedOnce(t *testing.T) {
	data := edit(t, func(doc map[string]any) {
		preds := []any{raw(`{"id": "p0", "when": {"question": "age", "op": ">=", "param": "min_age"}, "holds": {"en": "h"}, "fails": {"en": "f"}}`)}
		formulas := []any{raw(`{"id": "f0", "expr": {"question": "pay"}}`)}
		for i := 1; i < 64; i++ {
			prev := fmt.Sprint(i - 1)
			preds = append(preds, raw(`{"id": "p`+fmt.Sprint(i)+`", "when": {"all": [{"predicate": "p`+prev+`"},
				{"any": [{"predicate": "p`+prev+`"}, {"formula": "f`+prev+`", "op": ">", "value": 0}]}]},
				"holds": {"en": "h"}, "fails": {"en": "f"}}`))
			formulas = append(formulas, raw(`{"id": "f`+fmt.Sprint(i)+`", "expr": {"add": [{"formula": "f`+prev+`"}, {"formula": "f`+prev+`"}]}}`))
		}
		doc["predicates"] = preds
		doc["formulas"] = formulas
		at(doc, "benefits", 0)["conditions"] = raw(`[{"predicate": "p63"}]`)
		at(doc, "benefits", 0)["amount"] = raw(`{"period": "month", "max": {"formula": "f63"}}`)
	})
	q, err := eligibility.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, answers := range []eligibility.Answers{{}, {"age": 30}, {"age": 30, "works": true, "pay": 1}} {
		res, err := eligibility.Evaluate(q, answers, day(t, ""), "en")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eligibility.NextQuestions(q, answers, day(t, "")); err != nil {
			t.Fatal(err)
		}
		if len(res.Benefits[0].Explanation) == 0 {
			t.Fatal("no explanation")
		}
	}
}
