package eligibility_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
)

// The shipped screener's benefits, in its order.
const (
	adi  = "assegno_inclusione"
	sfl  = "supporto_formazione_lavoro"
	auu  = "assegno_unico"
	nasp = "naspi"
	agri = "disoccupazione_agricola"
	asoc = "assegno_sociale"
	bsoc = "bonus_sociale"
	bnn  = "bonus_nuovi_nati"
	rdl  = "reddito_liberta"
)

const (
	yes   = eligibility.LikelyEligible
	no    = eligibility.NotEligible
	maybe = eligibility.NeedMoreInfo
)

// persona is a person with the outcomes the official criteria give them.
// Answers are written as the JSON a desk would send.
type persona struct {
	name    string
	on      string // evaluation date; 2026-03-15 when empty
	answers string
	want    map[string]eligibility.Outcome
	// amounts in cents, [min, max]; an exact amount has min == max. A
	// benefit not listed here may have any amount.
	amounts map[string][2]int64
	// toVerify lists benefits whose result must (true) or must not
	// (false) be flagged to_verify.
	toVerify map[string]bool
}

// none are the answers that make the questions about other situations
// false, merged under each persona's own.
const none = `"pregnant": false, "disadvantage_care": false, "lost_job": false, "agri_worker": false,
	"newborn": false, "violence": false`

var personas = []persona{
	{
		name: "Italian single mother, ISEE 8,000, two minors, unemployed",
		answers: `{"age": 34, "citizenship": "it", "resident": true, "residence_years": 34, "continuous_years": 34,
			"household": {"size": 3, "minors": 2}, "adult_children": 0, "isee": 8000, "family_income": 3000,
			"rent": true, "utility_contract": true, ` + none + `}`,
		want: map[string]eligibility.Outcome{adi: yes, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: yes, bnn: no, rdl: no},
		// ADI: scale 1.3 (1 + 2 × 0.15) to 1.7 (+ 0.4 carer); rent 3,640/12.
		amounts: map[string][2]int64{adi: {45417, 97417}, auu: {40760, 40760}},
	},
	{
		name: "Moroccan farm worker, work permit, 3 years in Italy, 110 farm days last year",
		answers: `{"age": 29, "citizenship": "non_eu", "permit": "lavoro", "permit_over_6_months": true,
			"resident": true, "residence_years": 3, "continuous_years": 3, "household": {"size": 1},
			"isee": 9000, "family_income": 7000, "rent": true, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "lost_job": false, "newborn": false, "violence": false,
			"agri_worker": true, "agri_days_last_year": 110, "insured_two_years": true}`,
		want:     map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: yes, asoc: no, bsoc: yes, bnn: no, rdl: no},
		toVerify: map[string]bool{agri: false},
	},
	{
		name: "Seasonal-permit farm worker: no agricultural unemployment benefit",
		answers: `{"age": 35, "citizenship": "non_eu", "permit": "lavoro_stagionale", "permit_over_6_months": false,
			"resident": true, "residence_years": 1, "continuous_years": 1, "work_contract_6m": false,
			"household": {"size": 1}, "isee": 4000, "family_income": 3000, "rent": false, "utility_contract": false,
			"pregnant": false, "disadvantage_care": false, "lost_job": false, "newborn": false, "violence": false,
			"agri_worker": true, "agri_days_last_year": 130, "insured_two_years": true}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
	},
	{
		name: "Nigerian woman, special-case permit, victim of violence followed by an anti-violence centre",
		answers: `{"age": 27, "citizenship": "non_eu", "permit": "casi_speciali", "resident": true,
			"residence_years": 2, "continuous_years": 2, "household": {"size": 2, "minors": 1}, "adult_children": 0,
			"isee": 3000, "family_income": 1000, "rent": false, "utility_contract": false,
			"pregnant": false, "disadvantage_care": true, "lost_job": false, "agri_worker": false, "newborn": false,
			"violence": true, "antiviolence_centre": true}`,
		want:     map[string]eligibility.Outcome{adi: no, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: yes},
		amounts:  map[string][2]int64{auu: {20380, 20380}, rdl: {0, 600000}},
		toVerify: map[string]bool{rdl: true},
	},
	{
		name: "Italian aged 68, no income, resident 30 years",
		answers: `{"age": 68, "citizenship": "it", "resident": true, "residence_years": 30, "continuous_years": 30,
			"household": {"size": 1, "over_60": 1}, "isee": 2000, "family_income": 0, "rent": false,
			"married": false, "own_income": 0, "utility_contract": true, ` + none + `}`,
		want: map[string]eligibility.Outcome{adi: yes, sfl: no, auu: no, nasp: no, agri: no, asoc: yes, bsoc: yes, bnn: no, rdl: no},
		// ADI: scale 1; 6,500 to 8,190 (everyone 60+) a year.
		amounts:  map[string][2]int64{adi: {54167, 68250}, asoc: {54622, 54622}},
		toVerify: map[string]bool{asoc: true}, // the 2026 figure
	},
	{
		name: "The same on 2025-06-01: the 2025 figures, not flagged",
		on:   "2025-06-01",
		answers: `{"age": 68, "citizenship": "it", "resident": true, "residence_years": 30, "continuous_years": 30,
			"household": {"size": 1, "over_60": 1}, "isee": 2000, "family_income": 0, "rent": false,
			"married": false, "own_income": 0, "utility_contract": true, ` + none + `}`,
		want:     map[string]eligibility.Outcome{adi: yes, sfl: no, auu: no, nasp: no, agri: no, asoc: yes, bsoc: yes, bnn: no, rdl: no},
		amounts:  map[string][2]int64{asoc: {53869, 53869}},
		toVerify: map[string]bool{asoc: false, bsoc: false},
	},
	{
		name: "Senegalese man, EU long-term permit, 6 years resident, ISEE 5,000, household of 3 with a disabled member",
		answers: `{"age": 40, "citizenship": "non_eu", "permit": "ue_lungo_periodo", "resident": true,
			"residence_years": 6, "continuous_years": 6, "household": {"size": 3, "minors": 1, "disabled": 1},
			"adult_children": 0, "isee": 5000, "family_income": 4000, "rent": true, "utility_contract": true, ` + none + `}`,
		want: map[string]eligibility.Outcome{adi: yes, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: yes, bnn: no, rdl: no},
		// ADI: scale 1.65 (1 + 0.15 + 0.5) to 2.05 (+ 0.4 carer).
		amounts: map[string][2]int64{adi: {56042, 108042}, auu: {20380, 20380}},
	},
	{
		name: "Family with a newborn (November 2025) and ISEE 30,000",
		on:   "2026-01-10",
		answers: `{"age": 33, "citizenship": "it", "resident": true, "residence_years": 33, "continuous_years": 33,
			"household": {"size": 3, "minors": 1}, "adult_children": 0, "isee": 30000, "family_income": 45000,
			"rent": false, "utility_contract": true, "pregnant": false, "disadvantage_care": false, "lost_job": false,
			"agri_worker": false, "violence": false, "newborn": true, "newborn_date": "2025-11-20"}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: no, bnn: yes, rdl: no},
		// AUU: 203.8 − (30,000 − 17,468.51) / (45,939.56 − 17,468.51) × (203.8 − 57.5).
		amounts: map[string][2]int64{auu: {13941, 13941}, bnn: {100000, 100000}},
	},
	{
		name: "Newborn bonus asked too late: born June 2025, 223 days before",
		on:   "2026-01-10",
		answers: `{"age": 33, "citizenship": "it", "resident": true, "residence_years": 33, "continuous_years": 33,
			"household": {"size": 3, "minors": 1}, "adult_children": 0, "isee": 30000, "family_income": 45000,
			"rent": false, "utility_contract": true, "pregnant": false, "disadvantage_care": false, "lost_job": false,
			"agri_worker": false, "violence": false, "newborn": true, "newborn_date": "2025-06-01"}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
	},
	{
		name: "Italian employee dismissed 23 days ago, 150 weeks, 2,000 € a month",
		answers: `{"age": 45, "citizenship": "it", "resident": true, "residence_years": 45, "continuous_years": 45,
			"household": {"size": 1}, "isee": 15000, "family_income": 20000, "rent": false, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "agri_worker": false, "newborn": false, "violence": false,
			"lost_job": true, "job_end_date": "2026-02-20", "job_end_reason": "dismissal", "job_sector": "private",
			"contribution_weeks": 150, "monthly_wage": 2000}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: yes, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
		// 75 % of 1,456.72 + 25 % of (2,000 − 1,456.72).
		amounts: map[string][2]int64{nasp: {122836, 122836}},
	},
	{
		name: "Same worker on 2025-06-01 dismissed 2025-05-20: the 2025 reference pay",
		on:   "2025-06-01",
		answers: `{"age": 45, "citizenship": "it", "resident": true, "residence_years": 45, "continuous_years": 45,
			"household": {"size": 1}, "isee": 15000, "family_income": 20000, "rent": false, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "agri_worker": false, "newborn": false, "violence": false,
			"lost_job": true, "job_end_date": "2025-05-20", "job_end_reason": "dismissal", "job_sector": "private",
			"contribution_weeks": 150, "monthly_wage": 2000}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: yes, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
		// 75 % of 1,436.61 + 25 % of (2,000 − 1,436.61).
		amounts: map[string][2]int64{nasp: {121831, 121831}}, // 1,218.305 rounded up
	},
	{
		name: "Worker who resigned: no NASpI",
		answers: `{"age": 45, "citizenship": "it", "resident": true, "residence_years": 45, "continuous_years": 45,
			"household": {"size": 1}, "isee": 15000, "family_income": 20000, "rent": false, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "agri_worker": false, "newborn": false, "violence": false,
			"lost_job": true, "job_end_date": "2026-02-20", "job_end_reason": "resignation", "job_sector": "private",
			"contribution_weeks": 150, "monthly_wage": 2000}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
	},
	{
		name: "Worker dismissed 104 days ago: NASpI deadline passed",
		answers: `{"age": 45, "citizenship": "it", "resident": true, "residence_years": 45, "continuous_years": 45,
			"household": {"size": 1}, "isee": 15000, "family_income": 20000, "rent": false, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "agri_worker": false, "newborn": false, "violence": false,
			"lost_job": true, "job_end_date": "2025-12-01", "job_end_reason": "dismissal", "job_sector": "private",
			"contribution_weeks": 150, "monthly_wage": 2000}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
	},
	{
		name: "Permanent public employee: not covered by NASpI",
		answers: `{"age": 50, "citizenship": "it", "resident": true, "residence_years": 50, "continuous_years": 50,
			"household": {"size": 1}, "isee": 15000, "family_income": 20000, "rent": false, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "agri_worker": false, "newborn": false, "violence": false,
			"lost_job": true, "job_end_date": "2026-03-01", "job_end_reason": "dismissal", "job_sector": "public_permanent",
			"contribution_weeks": 200, "monthly_wage": 1800}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
	},
	{
		name: "Italian aged 30 living alone, ISEE 5,000: training and work support",
		answers: `{"age": 30, "citizenship": "it", "resident": true, "residence_years": 30, "continuous_years": 30,
			"household": {"size": 1}, "isee": 5000, "family_income": 2000, "rent": false, "utility_contract": false, ` + none + `}`,
		want:    map[string]eligibility.Outcome{adi: no, sfl: yes, auu: no, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
		amounts: map[string][2]int64{sfl: {50000, 50000}},
	},
	{
		name: "Asylum seeker with a child, resident one year",
		answers: `{"age": 31, "citizenship": "non_eu", "permit": "richiesta_asilo", "resident": true,
			"residence_years": 1, "continuous_years": 1, "work_contract_6m": false,
			"household": {"size": 2, "minors": 1}, "adult_children": 0, "isee": 0, "family_income": 0,
			"rent": false, "utility_contract": false, ` + none + `}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
	},
	{
		name: "Couple aged 70 with an EU long-term permit, 8 years resident: ADI but no social allowance",
		answers: `{"age": 70, "citizenship": "non_eu", "permit": "ue_lungo_periodo", "resident": true,
			"residence_years": 8, "continuous_years": 8, "household": {"size": 2, "over_60": 2}, "adult_children": 0,
			"isee": 4000, "family_income": 0, "married": true, "own_income": 0, "spouse_income": 0,
			"rent": false, "utility_contract": true, ` + none + `}`,
		want: map[string]eligibility.Outcome{adi: yes, sfl: no, auu: no, nasp: no, agri: no, asoc: no, bsoc: yes, bnn: no, rdl: no},
	},
	{
		name: "Romanian family arrived a year ago with a work contract: child allowance",
		answers: `{"age": 36, "citizenship": "eu", "resident": true, "residence_years": 1, "continuous_years": 1,
			"work_contract_6m": true, "household": {"size": 4, "minors": 2}, "adult_children": 0,
			"isee": 12000, "family_income": 20000, "rent": true, "utility_contract": true, ` + none + `}`,
		want:    map[string]eligibility.Outcome{adi: no, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: no, bnn: no, rdl: no},
		amounts: map[string][2]int64{auu: {40760, 40760}},
	},
	{
		name: "Italian family with four children and ISEE 18,000: bill discount for large families",
		answers: `{"age": 42, "citizenship": "it", "resident": true, "residence_years": 42, "continuous_years": 42,
			"household": {"size": 6, "minors": 4}, "adult_children": 0, "isee": 18000, "family_income": 30000,
			"rent": false, "utility_contract": true, ` + none + `}`,
		want:    map[string]eligibility.Outcome{adi: no, sfl: no, auu: yes, nasp: no, agri: no, asoc: no, bsoc: yes, bnn: no, rdl: no},
		amounts: map[string][2]int64{auu: {80428, 80428}},
	},
	{
		name: "Italian woman victim of violence, not yet followed by a centre",
		answers: `{"age": 38, "citizenship": "it", "resident": true, "residence_years": 38, "continuous_years": 38,
			"household": {"size": 1}, "isee": 7000, "family_income": 5000, "rent": true, "utility_contract": true,
			"pregnant": false, "disadvantage_care": false, "lost_job": false, "agri_worker": false, "newborn": false,
			"violence": true, "antiviolence_centre": false}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: yes, auu: no, nasp: no, agri: no, asoc: no, bsoc: yes, bnn: no, rdl: no},
	},
	{
		name: "Married Italian aged 70, 3,000 € own income and 9,000 € the spouse's",
		answers: `{"age": 70, "citizenship": "it", "resident": true, "residence_years": 70, "continuous_years": 70,
			"household": {"size": 2, "over_60": 2}, "adult_children": 0, "isee": 9000, "family_income": 12000,
			"married": true, "own_income": 3000, "spouse_income": 9000, "rent": false, "utility_contract": true, ` + none + `}`,
		want: map[string]eligibility.Outcome{adi: no, sfl: no, auu: no, nasp: no, agri: no, asoc: yes, bsoc: yes, bnn: no, rdl: no},
		// (2 × 13 × 546.22 − 12,000) / 13.
		amounts: map[string][2]int64{asoc: {16936, 16936}},
	},
	{
		name:    "Only age and citizenship known: the rest needs more answers",
		answers: `{"age": 40, "citizenship": "it"}`,
		want:    map[string]eligibility.Outcome{adi: maybe, sfl: maybe, auu: maybe, nasp: maybe, agri: maybe, asoc: no, bsoc: maybe, bnn: maybe, rdl: maybe},
	},
}

func decodeAnswers(t testing.TB, s string) eligibility.Answers {
	t.Helper()
	var a eligibility.Answers
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		t.Fatalf("answers: %v", err)
	}
	return a
}

func day(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		s = "2026-03-15"
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func screener(t testing.TB) *eligibility.Questionnaire {
	t.Helper()
	qs, err := eligibility.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	q, ok := eligibility.Find(qs, "it-benefici")
	if !ok {
		t.Fatal("it-benefici not shipped")
	}
	return q
}

func TestPersonas(t *testing.T) {
	q := screener(t)
	for _, p := range personas {
		t.Run(p.name, func(t *testing.T) {
			res, err := eligibility.Evaluate(q, decodeAnswers(t, p.answers), day(t, p.on), "it")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Benefits) != len(p.want) {
				t.Fatalf("got %d benefits, the persona expects %d", len(res.Benefits), len(p.want))
			}
			for _, b := range res.Benefits {
				want, ok := p.want[b.ID]
				if !ok {
					t.Errorf("%s: no expected outcome", b.ID)
					continue
				}
				if b.Outcome != want {
					t.Errorf("%s: got %s, want %s\n%s", b.ID, b.Outcome, want, lines(b))
				}
				if span, ok := p.amounts[b.ID]; ok {
					if b.Amount == nil {
						t.Errorf("%s: no amount, want %v cents", b.ID, span)
					} else if got := cents(b.Amount); got != span {
						t.Errorf("%s: amount %v cents (%s), want %v", b.ID, got, b.Amount.Text, span)
					}
				}
				if want, ok := p.toVerify[b.ID]; ok && b.ToVerify != want {
					t.Errorf("%s: to_verify = %v, want %v", b.ID, b.ToVerify, want)
				}
				checkCoherent(t, b)
			}
		})
	}
}

func cents(a *eligibility.AmountResult) [2]int64 {
	var out [2]int64
	if a.MinCents != nil {
		out[0] = *a.MinCents
	}
	if a.MaxCents != nil {
		out[1] = *a.MaxCents
	}
	return out
}

func lines(b eligibility.BenefitResult) string {
	var s strings.Builder
	for _, l := range b.Explanation {
		s.WriteString("  " + l.Status + ": " + l.Text + "\n")
	}
	return s.String()
}

// checkCoherent checks that a result explains its outcome: every line met
// when likely eligible, a line not met when not eligible, a line unknown
// when more is needed; the sources, and what to do only when it may help.
func checkCoherent(t *testing.T, b eligibility.BenefitResult) {
	t.Helper()
	count := map[string]int{}
	for _, l := range b.Explanation {
		count[l.Status]++
		if strings.TrimSpace(l.Text) == "" || strings.ContainsAny(l.Text, "{}") {
			t.Errorf("%s: line %q", b.ID, l.Text)
		}
	}
	switch b.Outcome {
	case eligibility.LikelyEligible:
		if count[eligibility.Met] != len(b.Explanation) || len(b.Explanation) == 0 {
			t.Errorf("%s: likely eligible but\n%s", b.ID, lines(b))
		}
		if len(b.NextSteps) == 0 || len(b.Documents) == 0 {
			t.Errorf("%s: likely eligible without next steps or documents", b.ID)
		}
	case eligibility.NotEligible:
		if count[eligibility.NotMet] == 0 {
			t.Errorf("%s: not eligible without a reason", b.ID)
		}
		if b.Amount != nil || len(b.NextSteps) > 0 {
			t.Errorf("%s: not eligible with an amount or next steps", b.ID)
		}
	case eligibility.NeedMoreInfo:
		if count[eligibility.Unknown] == 0 || count[eligibility.NotMet] > 0 {
			t.Errorf("%s: need more info but\n%s", b.ID, lines(b))
		}
	}
	if len(b.Sources) == 0 {
		t.Errorf("%s: no legal source", b.ID)
	}
}

// A failed condition about questions the person was never asked does not
// explain anything: a 34-year-old who lost no job is not told that "more
// than 68 days have passed" or that her income is above the social
// allowance's limit.
func TestExplanationLeavesOutConditionsThatDoNotApply(t *testing.T) {
	q := screener(t)
	res, err := eligibility.Evaluate(q, decodeAnswers(t, personas[0].answers), day(t, ""), "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Benefits {
		text := lines(b)
		for _, bad := range []string{"68 days", "income is above the limit", "120 days", "anti-violence centre"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s explains with a condition that does not apply (%q):\n%s", b.ID, bad, text)
			}
		}
	}
	naspi := res.Benefits[3]
	if naspi.ID != nasp || len(naspi.Explanation) == 0 || naspi.Explanation[0].Text != "NASpI is for people who lost a job as an employee." {
		t.Errorf("NASpI explanation:\n%s", lines(naspi))
	}
}

// Every persona renders in every language of the screener with no empty
// text and no placeholder left, and the notice says it is no decision.
func TestEveryLanguage(t *testing.T) {
	q := screener(t)
	notice := map[string]string{"it": "non una decisione", "en": "not a decision", "fr": "pas une décision", "ar": "ليس قرارًا", "es": "no una decisión"}
	for _, lang := range q.Languages {
		for _, p := range personas {
			res, err := eligibility.Evaluate(q, decodeAnswers(t, p.answers), day(t, p.on), lang)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Notice, notice[lang]) {
				t.Errorf("%s: notice %q", lang, res.Notice)
			}
			for _, b := range res.Benefits {
				all := []string{b.Name, b.Summary}
				for _, l := range b.Explanation {
					all = append(all, l.Text)
				}
				all = append(all, b.Documents...)
				all = append(all, b.OtherRequirements...)
				for _, s := range b.NextSteps {
					all = append(all, s.Text)
				}
				if b.Amount != nil {
					all = append(all, b.Amount.Text)
					if b.Amount.Note != "" {
						all = append(all, b.Amount.Note)
					}
				}
				for _, s := range all {
					if strings.TrimSpace(s) == "" || strings.ContainsAny(s, "{}") {
						t.Errorf("%s %s %s: text %q", lang, p.name, b.ID, s)
					}
				}
			}
		}
	}
}

func TestAmountFormatting(t *testing.T) {
	q := screener(t)
	tests := map[string]string{
		"it": "407,60\u00a0€ al mese",
		"en": "€407.60 per month",
		"fr": "407,60\u00a0€ par mois",
		"ar": "407.60\u00a0€ شهريًا",
		"es": "407,60\u00a0€ al mes",
	}
	for lang, want := range tests {
		res, err := eligibility.Evaluate(q, decodeAnswers(t, personas[0].answers), day(t, ""), lang)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Benefits[2].Amount.Text; got != want {
			t.Errorf("%s: got %q, want %q", lang, got, want)
		}
	}
}
