package eligibility_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
)

// FuzzParse feeds arbitrary JSON through decoding, validation, evaluation
// and NextQuestions: questionnaires come from administrators' files, so
// nothing in them may panic or loop, a refusal is always a located model
// error, and a questionnaire that loads always evaluates.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		minimal,
		`{}`,
		`null`,
		`[]`,
		`{"id": "x", "version": "1"}`,
		strings.Replace(minimal, `{"formula": "yearly"}`, `{"interp": {"x": {"question": "age"}, "x0": {"value": 10}, "x1": {"value": 10}, "y0": {"param": "min_age"}, "y1": {"value": 0}}}`, 1),
		strings.Replace(minimal, `"show_if": {"question": "works", "op": "=", "value": true}`, `"show_if": {"not": {"any": [{"question": "age", "op": "<", "value": 18}, {"benefit": "grant", "op": "=", "value": "not_eligible"}]}}`, 1),
		strings.Replace(minimal, `{"mul": [{"question": "pay"}, {"value": 12}]}`, `{"div": [{"question": "pay"}, {"sub": [{"question": "age"}, {"question": "age"}]}]}`, 1),
		strings.Replace(minimal, `"unit": "years"`, `"unit": "date"`, 1),
		strings.Replace(minimal, `"type": "age"`, `"type": "household"`, 1),
	} {
		f.Add([]byte(seed))
	}
	answers := []eligibility.Answers{
		{},
		{"age": 30, "works": true, "pay": 1000},
		{"age": 10, "works": false, "status": "b"},
	}
	on := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := eligibility.Parse(data)
		if err != nil {
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalid || !strings.HasPrefix(e.Key, "error.eligibility.") {
				t.Fatalf("Parse() = %#v, want an invalid model error", err)
			}
			return
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate refuses: %v", err)
		}
		q.MissingTranslations()
		for _, a := range answers {
			res, err := eligibility.Evaluate(q, a, on, "ar")
			if err != nil {
				if _, ok := model.AsError(err); !ok {
					t.Fatalf("Evaluate() = %v, want a model error", err)
				}
				continue
			}
			if len(res.Benefits) != len(q.Benefits) {
				t.Fatalf("%d results for %d benefits", len(res.Benefits), len(q.Benefits))
			}
			for _, b := range res.Benefits {
				if b.Outcome != eligibility.LikelyEligible && b.Outcome != eligibility.NotEligible && b.Outcome != eligibility.NeedMoreInfo {
					t.Fatalf("outcome %q", b.Outcome)
				}
			}
			if _, err := eligibility.NextQuestions(q, a, on); err != nil {
				t.Fatalf("Evaluate accepted what NextQuestions refuses: %v", err)
			}
		}
	})
}
