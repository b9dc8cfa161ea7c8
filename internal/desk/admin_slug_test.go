package desk

import (
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
)

func TestSlugify(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"Sportello légale", "sportello-legale"},
		{"  Città & Casa — Nord ", "citta-casa-nord"},
		{"Équipe Français", "equipe-francais"},
		{"Niños y Niñas", "ninos-y-ninas"},
		{"فريق الوساطة", ""},
		{"Team 2", "team-2"},
		{"---", ""},
		{strings.Repeat("abc ", 30), strings.TrimRight(strings.Repeat("abc-", 16), "-")},
	} {
		got := slugify(tt.name)
		if got != tt.want {
			t.Errorf("slugify(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if got != "" && !model.ValidSlug(got) {
			t.Errorf("slugify(%q) = %q, not a valid slug", tt.name, got)
		}
	}
}
