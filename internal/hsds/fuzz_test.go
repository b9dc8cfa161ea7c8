package hsds_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"testing/fstest"

	"github.com/sportello/sportello/internal/hsds"
)

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// Whatever JSON comes in, parsing never panics, and a Set that validates
// survives an export and a second parse with the same records.
func FuzzParseJSON(f *testing.F) {
	for _, name := range []string{"service_full.json", "location.json", "taxonomy_term.json"} {
		data, err := os.ReadFile("testdata/openreferral/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`[{"id":"s","status":"active","name":"n","organization_id":"o","organization":{"id":"o","name":"o","description":"d"}}]`))
	f.Add([]byte(`{"contents":[1]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := hsds.ParseJSON("f.json", data)
		if err != nil {
			return
		}
		hsds.Validate(s, hsds.Options{})
		if hsds.Check(s, hsds.Options{Lenient: true}) != nil {
			return
		}
		var b bytes.Buffer
		if err := s.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		again, err := hsds.ParseJSON("export.json", b.Bytes())
		if err != nil {
			t.Fatalf("export does not parse: %v\n%s", err, b.String())
		}
		if d := hsds.Diff(s, again); len(d) > 0 {
			t.Fatalf("round trip: %v", d)
		}
	})
}

// Whatever CSV comes in, parsing and validation never panic, and a valid
// Set survives a CSV export.
func FuzzParseCSV(f *testing.F) {
	svc, err := os.ReadFile("testdata/openreferral/csv/services.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(svc, []byte("id,name,description\nd9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,O,D\n"))
	f.Add([]byte("id,organization_id,name,status\n\"s,1\",o,\"a\"\"b\",active\n"), []byte("id,name,description\no,n,d\n"))
	f.Fuzz(func(t *testing.T, services, orgs []byte) {
		s, err := hsds.ParseCSV(fstest.MapFS{"services.csv": {Data: services}, "organizations.csv": {Data: orgs}})
		if err != nil {
			return
		}
		if hsds.Check(s, hsds.Options{}) != nil {
			return
		}
		files := fstest.MapFS{}
		err = s.WriteCSV(func(name string) (io.WriteCloser, error) {
			b := &bytes.Buffer{}
			files[name] = &fstest.MapFile{}
			return closeInto{b, files, name}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		again, err := hsds.ParseCSV(files)
		if err != nil {
			t.Fatal(err)
		}
		if d := hsds.Diff(s, again); len(d) > 0 {
			t.Fatalf("round trip: %v", d)
		}
	})
}

type closeInto struct {
	*bytes.Buffer
	files fstest.MapFS
	name  string
}

func (c closeInto) Close() error {
	c.files[c.name] = &fstest.MapFile{Data: c.Bytes()}
	return nil
}

var _ = nopCloser{}
