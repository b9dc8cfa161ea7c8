package hours

import (
	"testing"
	"time"
)

// The walks trust this arithmetic for every day they visit, so check it
// against the time package over a wide range of years on both sides of
// 1970, including the leap-year exceptions of 1900, 2000 and 2100.
func TestDayNumbers(t *testing.T) {
	for z := int64(-800_000); z <= 3_000_000; z += 3 { // 3 is coprime with 7, so every weekday comes round
		tt := time.Unix(z*secondsPerDay, 0).UTC()
		got := dateOfDays(z)
		if want := DateOf(tt); got != want {
			t.Fatalf("dateOfDays(%d) = %v, want %v", z, got, want)
		}
		if back := got.days(); back != z {
			t.Fatalf("%v.days() = %d, want %d", got, back, z)
		}
		if got, want := weekdayOfDays(z), tt.Weekday(); got != want {
			t.Fatalf("weekdayOfDays(%d) = %v, want %v", z, got, want)
		}
	}
}
