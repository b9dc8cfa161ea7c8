package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
)

func TestKBImportExport(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			if _, stderr, err := run(t, nil, "", "org", "add", "--database", db, "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			in := t.TempDir()
			write := func(name, text string) {
				if err := os.WriteFile(filepath.Join(in, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			write("spid.it.md", "---\nslug: spid\nlanguage: it\ntitle: Come ottenere lo SPID\ncategory: identita\ncategory_name: Identità digitale\nstatus: published\nreview_by: 2027-01-31\nsources:\n  - https://www.spid.gov.it/\n---\nScegli un gestore.\n")
			write("spid.en.md", "---\nslug: spid\nlanguage: en\ntitle: How to get SPID\ncategory_name: Digital identity\ncategory: identita\n---\nChoose a provider.\n")
			write("notes.txt", "not an article")

			// A bad file stops the import before anything is written.
			bad := filepath.Join(t.TempDir(), "bad.md")
			if err := os.WriteFile(bad, []byte("no front matter"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := run(t, nil, "", "kb", "import", "--database", db, "--org", "caritas", in, bad); err == nil {
				t.Fatal("import with a bad file succeeded")
			}
			if _, _, err := run(t, nil, "", "kb", "import", "--database", db, "--org", "nobody", in); err == nil {
				t.Fatal("import into an unknown organisation succeeded")
			}
			out, stderr, err := run(t, nil, "", "kb", "import", "--database", db, "--org", "caritas", in)
			if err != nil || !strings.Contains(out, "imported 2 of 2") {
				t.Fatalf("import: %q %v %s", out, err, stderr)
			}

			ctx := context.Background()
			s, err := store.Open(ctx, db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			org, _ := s.OrganizationBySlug(ctx, "caritas")
			hits, err := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "en", Text: "how to get SPID"})
			if err != nil || len(hits) != 1 || hits[0].Slug != "spid" {
				t.Errorf("search after import: %v %v", hits, err)
			}
			s.Close()

			dir := filepath.Join(t.TempDir(), "export")
			if out, stderr, err := run(t, nil, "", "kb", "export", "--database", db, "--org", "caritas", "--out", dir); err != nil || !strings.Contains(out, "exported 2 files") {
				t.Fatalf("export: %q %v %s", out, err, stderr)
			}
			got, err := os.ReadFile(filepath.Join(dir, "spid.en.md"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"slug: spid", "status: published", "review_by: 2027-01-31", "category_name: Digital identity", "  - https://www.spid.gov.it/", "Choose a provider."} {
				if !strings.Contains(string(got), want) {
					t.Errorf("exported spid.en.md lacks %q:\n%s", want, got)
				}
			}
			// What was exported imports again, unchanged.
			if out, stderr, err := run(t, nil, "", "kb", "import", "--database", db, "--org", "caritas", dir); err != nil || !strings.Contains(out, "imported 2 of 2") {
				t.Fatalf("re-import: %q %v %s", out, err, stderr)
			}
		})
	}
}
