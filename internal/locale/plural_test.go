package locale

import (
	"math"
	"testing"
)

func TestPluralRules(t *testing.T) {
	tests := []struct {
		lang string
		n    int64
		want category
	}{
		{"ar", 0, zero},
		{"ar", 1, one},
		{"ar", 2, two},
		{"ar", 3, few},
		{"ar", 10, few},
		{"ar", 11, many},
		{"ar", 99, many},
		{"ar", 100, other},
		{"ar", 101, other},
		{"ar", 102, other}, // n%100 = 2, but n is not 2
		{"ar", 103, few},
		{"ar", 110, few},
		{"ar", 111, many},
		{"ar", 199, many},
		{"ar", 200, other},
		{"ar", 1000, other},
		{"ar", 1003, few},
		{"ar", -3, few},

		{"en", 0, other},
		{"en", 1, one},
		{"en", 2, other},
		{"en", -1, one},
		{"en", 1_000_000, other},

		{"it", 0, other},
		{"it", 1, one},
		{"it", 2, other},
		{"it", 1_000_000, many},
		{"it", 3_000_000, many},
		{"it", 1_000_001, other},

		{"es", 0, other},
		{"es", 1, one},
		{"es", 5, other},
		{"es", 2_000_000, many},

		{"fr", 0, one}, // "0 minute": French takes the singular for zero
		{"fr", 1, one},
		{"fr", 2, other},
		{"fr", 1_000_000, many},
		{"fr", 1_500_000, other},

		{"de", 0, other}, // no rule of its own: one/other
		{"de", 1, one},
		{"de", 1_000_000, other},

		{"en", math.MinInt64, other},
		{"ar", math.MaxInt64, few}, // 9223372036854775807 % 100 = 7
	}
	for _, tt := range tests {
		if got := pluralRuleFor(tt.lang).category(tt.n); got != tt.want {
			t.Errorf("%s: category(%d) = %v, want %v", tt.lang, tt.n, got, tt.want)
		}
	}
}

// Every category a rule picks is one it declares, so Check can demand them.
func TestPluralRulesDeclareWhatTheyPick(t *testing.T) {
	for _, lang := range []string{"ar", "en", "it", "es", "fr", "de"} {
		r := pluralRuleFor(lang)
		if !r.used.has(other) || r.required&^r.used != 0 {
			t.Errorf("%s: required %08b is not within used %08b, or other is missing", lang, r.required, r.used)
		}
		check := func(n int64) {
			if c := r.category(n); !r.used.has(c) {
				t.Errorf("%s: category(%d) = %v, not declared", lang, n, c)
			}
		}
		for n := range int64(1000) {
			check(n)
		}
		for _, n := range []int64{1_000_000, 1_000_001, 7_000_000, math.MaxInt64} {
			check(n)
		}
	}
}
