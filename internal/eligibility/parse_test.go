package eligibility_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, lang string
		want     float64
		ok       bool
	}{
		{"8000", "it", 8000, true},
		{"8.000", "it", 8000, true},
		{"8.000,50", "it", 8000.5, true},
		{"8000,5", "it", 8000.5, true},
		{"8.5", "it", 8.5, true},
		{"8,000", "en", 8000, true},
		{"8,000.50", "en", 8000.5, true},
		{"8.5", "en", 8.5, true},
		{"8 000", "fr", 8000, true},
		{"8\u202f000,25", "fr", 8000.25, true},
		{"€ 1.234.567", "it", 1234567, true},
		{"34 anni", "it", 34, true},
		{"٣٤", "ar", 34, true},
		{"٨٠٠٠٫٥", "ar", 8000.5, true},
		{"-3", "it", -3, true},
		{"", "it", 0, false},
		{"abc", "it", 0, false},
		{"3-4", "it", 0, false},
		{"1.2.3,4,5", "it", 0, false},
		{"12%", "it", 0, false},
	}
	for _, tt := range tests {
		got, ok := eligibility.ParseNumber(tt.in, tt.lang)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseNumber(%q, %s) = %v, %v; want %v, %v", tt.in, tt.lang, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"14/03/2025", "2025-03-14", true},
		{"4-3-2025", "2025-03-04", true},
		{"14.03.2025", "2025-03-14", true},
		{"2025-03-14", "2025-03-14", true},
		{"١٤/٠٣/٢٠٢٥", "2025-03-14", true},
		{"31/04/2025", "", false},
		{"14/03/25", "", false},
		{"yesterday", "", false},
	}
	for _, tt := range tests {
		got, ok := eligibility.ParseDate(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPromptForAnsweredQuestion(t *testing.T) {
	q := screener(t)
	p, err := eligibility.PromptFor(q, "citizenship", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "ar")
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != eligibility.Choice || len(p.Options) < 3 || p.Text == "" {
		t.Errorf("prompt %+v", p)
	}
	if _, err := eligibility.PromptFor(q, "nope", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "ar"); err == nil {
		t.Error("an unknown question: no error")
	}
}
