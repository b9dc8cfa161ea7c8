package eligibility_test

import (
	"os"
	"testing"

	"github.com/sportello/sportello/internal/eligibility"
)

// BenchmarkEvaluate screens one fully answered person against the whole
// shipped screener, explanations and amounts included. Target: under 1 ms.
func BenchmarkEvaluate(b *testing.B) {
	q := screener(b)
	answers := decodeAnswers(b, personas[0].answers)
	on := day(b, "")
	if _, err := eligibility.Evaluate(q, answers, on, "it"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eligibility.Evaluate(q, answers, on, "it"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextQuestions is the step of a questionnaire shown one
// question at a time: a few answers in, what to ask next.
func BenchmarkNextQuestions(b *testing.B) {
	q := screener(b)
	answers := decodeAnswers(b, `{"age": 40, "citizenship": "non_eu", "permit": "lavoro"}`)
	on := day(b, "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eligibility.NextQuestions(q, answers, on); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse loads and validates the shipped screener.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("screeners/it-benefici.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eligibility.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
