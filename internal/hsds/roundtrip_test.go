package hsds_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello/internal/hsds"
)

// The Open Referral package, read as CSV, written as CSV and read again,
// gives the same records; likewise its JSON examples through JSON.
func TestOpenReferralRoundTripCSV(t *testing.T) {
	first, err := hsds.ParseCSV(os.DirFS("testdata/openreferral/csv"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Len() < 21 {
		t.Fatalf("read %d records, want one per table at least", first.Len())
	}
	dir := t.TempDir()
	if err := first.WriteCSV(func(name string) (io.WriteCloser, error) { return os.Create(filepath.Join(dir, name)) }); err != nil {
		t.Fatal(err)
	}
	second, err := hsds.ParseCSV(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if d := hsds.Diff(first, second); len(d) > 0 {
		t.Errorf("CSV round trip differs:\n%v", d)
	}
}

func TestOpenReferralRoundTripJSON(t *testing.T) {
	for _, name := range []string{"service_full.json", "organization_full.json", "service_at_location_full.json", "location.json", "taxonomy_term.json", "taxonomy.json", "service_list.json"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/openreferral", name))
			if err != nil {
				t.Fatal(err)
			}
			first, err := hsds.ParseJSON(name, data)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := first.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			second, err := hsds.ParseJSON("export.json", b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if d := hsds.Diff(first, second); len(d) > 0 {
				t.Errorf("JSON round trip differs:\n%v", d)
			}
		})
	}
}
