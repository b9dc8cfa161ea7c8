package eligibility_test

import (
	"testing"

	"github.com/sportello/sportello/internal/eligibility"
)

func TestBuiltinValid(t *testing.T) {
	qs, err := eligibility.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) == 0 {
		t.Fatal("no questionnaire shipped")
	}
	for _, q := range qs {
		if missing := q.MissingTranslations(); len(missing) > 0 {
			t.Errorf("%s: missing translations: %v", q.ID, missing)
		}
	}
}
