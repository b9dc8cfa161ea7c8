package eligibility_test

import (
	"slices"
	"testing"

	"github.com/sportello/sportello/internal/eligibility"
)

func nextIDs(t *testing.T, q *eligibility.Questionnaire, answers string) []string {
	t.Helper()
	qs, err := eligibility.NextQuestions(q, decodeAnswers(t, answers), day(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(qs))
	for i, qu := range qs {
		ids[i] = qu.ID
	}
	return ids
}

// NextQuestions asks only what the open rules still need, a question only
// once it is shown, in the questionnaire's order.
func TestNextQuestions(t *testing.T) {
	q := screener(t)
	tests := []struct {
		name    string
		answers string
		want    []string
	}{
		{"nothing known: no follow-up question yet", `{}`, []string{
			"age", "citizenship", "resident", "household", "isee", "family_income", "rent",
			"disadvantage_care", "lost_job", "agri_worker", "newborn", "utility_contract", "violence"}},
		{"a non-EU citizen is asked the permit", `{"citizenship": "non_eu"}`, []string{
			"age", "permit", "resident", "household", "isee", "family_income", "rent",
			"disadvantage_care", "lost_job", "agri_worker", "newborn", "utility_contract", "violence"}},
		{"without residence most benefits are settled", `{"age": 25, "citizenship": "it", "resident": false}`, []string{
			"household", "isee", "lost_job", "agri_worker", "utility_contract"}},
		{"a job loss brings its questions", `{"age": 25, "citizenship": "it", "resident": false, "household": {"size": 1},
			"isee": 20000, "agri_worker": false, "lost_job": true}`, []string{
			"job_end_date", "job_end_reason", "job_sector", "contribution_weeks", "monthly_wage"}},
		{"the first answer that fails settles NASpI", `{"age": 25, "citizenship": "it", "resident": false, "household": {"size": 1},
			"isee": 20000, "agri_worker": false, "lost_job": true, "job_end_reason": "resignation"}`, nil},
		{"the pay is asked last, for the amount", `{"age": 25, "citizenship": "it", "resident": false, "household": {"size": 1},
			"isee": 20000, "agri_worker": false, "lost_job": true, "job_end_date": "2026-03-01", "job_end_reason": "dismissal",
			"job_sector": "private", "contribution_weeks": 60}`, []string{"monthly_wage"}},
		{"older people are asked their income", `{"age": 70, "citizenship": "it", "resident": true, "residence_years": 70,
			"continuous_years": 70, "household": {"size": 2, "over_60": 2}, "adult_children": 0, "isee": 30000,
			"lost_job": false, "agri_worker": false, "newborn": false, "utility_contract": false, "violence": false}`,
			[]string{"married", "own_income"}},
		{"a farm worker short of days is asked the year before", `{"age": 30, "citizenship": "it", "resident": false,
			"household": {"size": 1}, "isee": 20000, "lost_job": false, "utility_contract": false, "agri_worker": true,
			"agri_days_last_year": 60, "insured_two_years": true}`, []string{"agri_days_previous_year"}},
		{"violence: the centre, asked with care", `{"age": 30, "citizenship": "it", "resident": true, "residence_years": 30,
			"continuous_years": 30, "household": {"size": 1}, "isee": 20000, "family_income": 20000, "rent": false,
			"disadvantage_care": false, "lost_job": false, "agri_worker": false, "newborn": false, "utility_contract": false,
			"violence": true}`, []string{"pregnant", "antiviolence_centre"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextIDs(t, q, tt.answers); !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
	for _, p := range personas[:len(personas)-1] {
		if got := nextIDs(t, q, p.answers); len(got) > 0 {
			t.Errorf("%s: fully answered, yet asked %v", p.name, got)
		}
	}
}

// The result carries the next questions ready to show, in the language
// asked for, with the benefits waiting on each.
func TestResultPrompts(t *testing.T) {
	q := screener(t)
	res, err := eligibility.Evaluate(q, decodeAnswers(t, `{"age": 40, "citizenship": "non_eu"}`), day(t, ""), "es")
	if err != nil {
		t.Fatal(err)
	}
	var permit *eligibility.Prompt
	for i := range res.Next {
		if res.Next[i].ID == "permit" {
			permit = &res.Next[i]
		}
	}
	if permit == nil {
		t.Fatalf("no permit prompt in %+v", res.Next)
	}
	if permit.Text != "¿Qué permiso de residencia tienes?" || len(permit.Options) != 12 || permit.Options[0].Text != "Permiso UE de residente de larga duración" {
		t.Errorf("prompt %+v", permit)
	}
	if !slices.Contains(permit.For, "assegno_inclusione") || !slices.Contains(permit.For, "reddito_liberta") || slices.Contains(permit.For, "bonus_sociale") {
		t.Errorf("for %v", permit.For)
	}
	for _, p := range res.Next {
		if (p.ID == "violence" || p.ID == "disadvantage_care") != p.Sensitive {
			t.Errorf("%s: sensitive = %v", p.ID, p.Sensitive)
		}
	}
}
