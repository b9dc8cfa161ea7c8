package app_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/app"
)

// singleMother is an Italian single mother, ISEE 8,000 €, two minors, no
// job.
const singleMother = `{"age": 34, "citizenship": "it", "resident": true, "residence_years": 34,
 "continuous_years": 34, "household": {"size": 3, "minors": 2}, "adult_children": 0, "pregnant": false,
 "isee": 8000, "family_income": 3000, "rent": true, "disadvantage_care": false, "lost_job": false,
 "agri_worker": false, "newborn": false, "utility_contract": true, "violence": false}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEligibilityList(t *testing.T) {
	out, stderr, err := run(t, nil, "", "eligibility", "list", "--lang", "en")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var list []struct {
		ID       string `json:"id"`
		Version  string `json:"version"`
		Title    string `json:"title"`
		Benefits []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"benefits"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(list) != 1 || list[0].ID != "it-benefici" || list[0].Version == "" || list[0].Title != "Which financial help can you ask for in Italy?" {
		t.Fatalf("got %+v", list)
	}
	if len(list[0].Benefits) != 9 || list[0].Benefits[0].ID != "assegno_inclusione" || !strings.HasPrefix(list[0].Benefits[0].Name, "Inclusion allowance") {
		t.Errorf("benefits %+v", list[0].Benefits)
	}
}

func TestEligibilityValidate(t *testing.T) {
	out, stderr, err := run(t, nil, "", "eligibility", "validate", "--questionnaire", "it-benefici")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var got struct {
		Valid   bool     `json:"valid"`
		Missing []string `json:"missing_translations"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || !got.Valid || len(got.Missing) != 0 {
		t.Errorf("got %s, %v", out, err)
	}

	// A file with a cycle is refused with its location.
	broken := writeFile(t, "local.json", `{"id": "local", "version": "1", "title": {"it": "Aiuti locali"},
	 "notice": {"it": "Orientamento, non una decisione."},
	 "messages": {"missing": {"it": "Mancano: {questions}"}, "to_verify": {"it": "da verificare"},
	  "per_month": {"it": "al mese"}, "per_year": {"it": "all'anno"}, "once": {"it": "una volta"},
	  "amount_exact": {"it": "{amount} {period}"}, "amount_range": {"it": "da {min} a {max} {period}"},
	  "amount_up_to": {"it": "fino a {max} {period}"}},
	 "questions": [{"id": "age", "type": "age", "text": {"it": "Età?"}, "show_if": {"predicate": "adult"}}],
	 "predicates": [{"id": "adult", "when": {"question": "age", "op": ">=", "value": 18},
	  "holds": {"it": "Maggiorenne"}, "fails": {"it": "Minorenne"}}],
	 "benefits": [{"id": "b", "name": {"it": "Buono"}, "legal": [{"reference": "Delibera 1/2026"}],
	  "conditions": [{"predicate": "adult"}]}]}`)
	_, _, err = run(t, nil, "", "eligibility", "validate", "--file", broken)
	if err == nil || !strings.Contains(err.Error(), "predicates[adult].when.question") || !strings.Contains(err.Error(), "depends on itself") {
		t.Errorf("got %v", err)
	}
}

func TestEligibilityEval(t *testing.T) {
	answers := writeFile(t, "answers.json", singleMother)
	out, stderr, err := run(t, nil, "", "eligibility", "eval", "--questionnaire", "it-benefici",
		"--answers", answers, "--date", "2026-03-15", "--lang", "en")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var res struct {
		Date     string `json:"date"`
		Lang     string `json:"lang"`
		Notice   string `json:"notice"`
		Benefits []struct {
			ID          string `json:"id"`
			Outcome     string `json:"outcome"`
			Explanation []struct {
				Status string `json:"status"`
				Text   string `json:"text"`
			} `json:"explanation"`
			Amount *struct {
				MinCents int64  `json:"min_cents"`
				MaxCents int64  `json:"max_cents"`
				Text     string `json:"text"`
			} `json:"amount"`
		} `json:"benefits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Date != "2026-03-15" || res.Lang != "en" || !strings.Contains(res.Notice, "not a decision") {
		t.Errorf("got %s %s %q", res.Date, res.Lang, res.Notice)
	}
	outcomes := map[string]string{}
	for _, b := range res.Benefits {
		outcomes[b.ID] = b.Outcome
		if len(b.Explanation) == 0 {
			t.Errorf("%s: no explanation", b.ID)
		}
	}
	want := map[string]string{"assegno_inclusione": "likely_eligible", "assegno_unico": "likely_eligible",
		"bonus_sociale": "likely_eligible", "naspi": "not_eligible", "assegno_sociale": "not_eligible"}
	for id, o := range want {
		if outcomes[id] != o {
			t.Errorf("%s: got %s, want %s", id, outcomes[id], o)
		}
	}
	auu := res.Benefits[2]
	if auu.Amount == nil || auu.Amount.MinCents != 40760 || auu.Amount.Text != "€407.60 per month" {
		t.Errorf("assegno unico amount %+v", auu.Amount)
	}

	// The 2025 figures on a 2025 date, answers from stdin.
	out, stderr, err = run(t, nil, singleMother, "eligibility", "eval", "--questionnaire", "it-benefici",
		"--answers", "-", "--date", "2025-06-01")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if !strings.Contains(out, "\"text\": \"402\u00a0€ al mese\"") {
		t.Errorf("2025 child allowance (2 × 201 €) not in\n%s", out)
	}
}

func TestEligibilityErrors(t *testing.T) {
	good := writeFile(t, "answers.json", singleMother)
	tests := []struct {
		name  string
		args  []string
		usage bool   // a usage error, with want in stderr
		want  string // in the error, or stderr for usage errors
	}{
		{"no verb", []string{"eligibility"}, true, "list|validate|eval"},
		{"no questionnaire", []string{"eligibility", "validate"}, true, "--questionnaire or --file is required"},
		{"both", []string{"eligibility", "validate", "--questionnaire", "it-benefici", "--file", good}, true, "not both"},
		{"no answers", []string{"eligibility", "eval", "--questionnaire", "it-benefici"}, true, "--answers is required"},
		{"stray argument", []string{"eligibility", "list", "extra"}, true, "unexpected argument"},
		{"unknown questionnaire", []string{"eligibility", "eval", "--questionnaire", "fr-aides", "--answers", good}, false, `no questionnaire "fr-aides"`},
		{"bad date", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers", good, "--date", "15/03/2026"}, false, "--date"},
		{"date before the rules", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers", good, "--date", "2024-12-31"}, false, "parameters start on 2025-01-01"},
		{"negative age", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers",
			writeFile(t, "a.json", `{"age": -4}`), "--date", "2026-03-15"}, false, "age: -4 cannot be negative"},
		{"birth date in the future", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers",
			writeFile(t, "b.json", `{"newborn": true, "newborn_date": "2026-05-01"}`), "--date", "2026-03-15"}, false, "newborn_date: 2026-05-01 is after the date of the evaluation"},
		{"choice not in the list", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers",
			writeFile(t, "c.json", `{"permit": "tourist", "citizenship": "non_eu"}`)}, false, `permit: "tourist" is not one of the options`},
		{"not an object", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers",
			writeFile(t, "d.json", `[1, 2]`)}, false, "not a JSON object of answers"},
		{"missing file", []string{"eligibility", "eval", "--questionnaire", "it-benefici", "--answers", "/nonexistent/answers.json"}, false, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := run(t, nil, "", tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.usage {
				if !errors.Is(err, app.ErrUsage) || !strings.Contains(stderr, tt.want) {
					t.Errorf("got %v, stderr %q; want usage with %q", err, stderr, tt.want)
				}
				return
			}
			if errors.Is(err, app.ErrUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want %q", err, tt.want)
			}
		})
	}
}
