package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/hsds"
)

// The command line imports Open Referral's package and exports it again
// as CSV and JSON with the same records; a broken package is refused with
// every problem and nothing imported.
func TestDirectoryImportExport(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			if _, stderr, err := run(t, nil, "", "org", "add", "--database", db, "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			pkg := "../hsds/testdata/openreferral/csv"
			_, stderr, err := run(t, nil, "", "directory", "import", "--database", db, "--org", "caritas", pkg)
			if err == nil || !strings.Contains(stderr, "locations.csv:2: latitude: 100 is outside -90…90") || !strings.Contains(err.Error(), "nothing imported") {
				t.Errorf("strict import: %v %s", err, stderr)
			}
			out, stderr, err := run(t, nil, "", "directory", "import", "--database", db, "--org", "caritas", pkg, "--lenient")
			if err != nil || !strings.Contains(out, "imported 21 records, 1 services") || !strings.Contains(stderr, "warning: ") {
				t.Fatalf("lenient import: %q %v %s", out, err, stderr)
			}
			in, err := hsds.ParseCSV(os.DirFS(pkg))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if out, stderr, err := run(t, nil, "", "directory", "export", "--database", db, "--org", "caritas", "--format", "csv", "--out", filepath.Join(dir, "csv")); err != nil {
				t.Fatalf("export csv: %q %v %s", out, err, stderr)
			}
			got, err := hsds.ParseCSV(os.DirFS(filepath.Join(dir, "csv")))
			if err != nil {
				t.Fatal(err)
			}
			if d := hsds.Diff(in, got); len(d) > 0 {
				t.Errorf("CSV export differs: %v", d)
			}
			js := filepath.Join(dir, "d.json")
			if out, stderr, err := run(t, nil, "", "directory", "export", "--database", db, "--org", "caritas", "--format", "json", "--out", js); err != nil {
				t.Fatalf("export json: %q %v %s", out, err, stderr)
			}
			data, err := os.ReadFile(js)
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, err := hsds.ParseJSON("d.json", data)
			if err != nil {
				t.Fatal(err)
			}
			if fromJSON.Len() != in.Len() {
				t.Errorf("JSON export has %d records, want %d", fromJSON.Len(), in.Len())
			}
			// The JSON export, imported in place of the directory and exported
			// again, gives the same records.
			if out, stderr, err := run(t, nil, "", "directory", "import", "--database", db, "--org", "caritas", "--replace", "--lenient", js); err != nil {
				t.Fatalf("re-import: %q %v %s", out, err, stderr)
			}
			js2 := filepath.Join(dir, "d2.json")
			if out, stderr, err := run(t, nil, "", "directory", "export", "--database", db, "--org", "caritas", "--out", js2); err != nil {
				t.Fatalf("export json: %q %v %s", out, err, stderr)
			}
			data2, err := os.ReadFile(js2)
			if err != nil {
				t.Fatal(err)
			}
			again, err := hsds.ParseJSON("d2.json", data2)
			if err != nil {
				t.Fatal(err)
			}
			if d := hsds.Diff(fromJSON, again); len(d) > 0 {
				t.Errorf("JSON round trip differs: %v", d)
			}
		})
	}
}
