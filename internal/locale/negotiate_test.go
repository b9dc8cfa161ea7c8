package locale

import (
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	supported := []string{"ar", "en", "es", "fr", "it"}
	tests := []struct {
		name                     string
		explicit, cookie, accept string
		want                     string
	}{
		{"nothing", "", "", "", "it"},
		{"explicit", "fr", "es", "ar", "fr"},
		{"explicit any case", "AR", "", "", "ar"},
		{"explicit region", "ar-EG", "", "", "ar"},
		{"explicit underscore", "fr_CA", "", "", "fr"},
		{"explicit unsupported", "de", "es", "fr", "es"},
		{"explicit garbage", "<script>", "", "es", "es"},
		{"explicit und", "und", "", "", "it"},
		{"explicit private use", "x-klingon", "", "", "it"},
		{"cookie", "", "es", "fr", "es"},
		{"cookie unsupported", "", "zh", "fr", "fr"},
		{"cookie garbage", "", "%%%", "", "it"},
		{"accept region", "", "", "ar-EG", "ar"},
		{"accept canadian French", "", "", "fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"accept first supported", "", "", "de-DE,de;q=0.9,en;q=0.5", "en"},
		{"accept by quality", "", "", "en;q=0.2, ar;q=0.8", "ar"},
		{"accept ties in order", "", "", "es;q=0.5, fr;q=0.5", "es"},
		{"accept default quality 1", "", "", "fr;q=0.9, es", "es"},
		{"accept q=0 refuses", "", "", "en;q=0", "it"},
		{"accept q=0 skipped", "", "", "en;q=0, fr;q=0.1", "fr"},
		{"accept q=0.000 refuses", "", "", "ar;q=0.000", "it"},
		{"accept star", "", "", "*", "it"},
		{"accept star outranks", "", "", "de, *;q=0.5, fr;q=0.3", "it"},
		{"accept star outranked", "", "", "es, *;q=0.5", "es"},
		{"accept garbage", "", "", "garbage!!", "it"},
		{"accept garbage entry skipped", "", "", "garbage!!, es", "es"},
		{"accept bad q skipped", "", "", "es;q=abc, fr", "fr"},
		{"accept q above 1 skipped", "", "", "es;q=2, fr;q=0.1", "fr"},
		{"accept other params", "", "", "es;level=1;q=0.9", "es"},
		{"accept spaces and case", "", "", "  FR-ca ; Q=0.7 ,  ", "fr"},
		{"accept empty entries", "", "", ",,;q=1,", "it"},
		{"accept Traditional Chinese", "", "", "zh-TW", "it"},
		{"accept too long", "", "", "fr," + strings.Repeat("x", 2000), "it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Negotiate(tt.explicit, tt.cookie, tt.accept, supported, "it")
			if got != tt.want {
				t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tt.explicit, tt.cookie, tt.accept, got, tt.want)
			}
		})
	}
}

func TestNegotiateTooManyEntries(t *testing.T) {
	accept := strings.Repeat("de,", maxAcceptEntries) + "fr"
	if got := Negotiate("", "", accept, []string{"fr"}, "it"); got != "it" {
		t.Errorf("entry past the limit chosen: got %q", got)
	}
}

func TestMatch(t *testing.T) {
	supported := []string{"pt-BR", "zh", "sr", "en-GB", "en", "not a tag"}
	tests := []struct {
		want string
		i    int
	}{
		{"pt-BR", 0},
		{"pt-PT", 0}, // another region beats nothing
		{"pt", 0},
		{"zh-CN", 1},
		{"zh-TW", -1}, // Traditional is not Simplified
		{"zh-Hant", -1},
		{"sr-Latn", -1},
		{"sr-RS", 2},
		{"en-GB", 3},
		{"en-US", 4}, // the regionless language beats another region
		{"en", 4},
		{"de", -1},
	}
	for _, tt := range tests {
		tag, ok := parseTag(tt.want)
		if !ok {
			t.Fatalf("parseTag(%q) failed", tt.want)
		}
		if got := match(tag, supported); got != tt.i {
			t.Errorf("match(%q) = %d, want %d", tt.want, got, tt.i)
		}
	}
}
