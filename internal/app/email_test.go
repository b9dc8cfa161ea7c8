package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmailImport adds an e-mail channel and imports a citizen's
// messages from files, as when migrating an old mailbox: one JSON line
// per file, nothing twice.
func TestEmailImport(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			data := t.TempDir()
			if _, stderr, err := run(t, nil, "", "org", "add", "--data", data, "--database", db, "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			out, stderr, err := run(t, nil, "", "channel", "add", "email", "--data", data, "--database", db, "--org", "caritas", "--name", "Sportello",
				"--set", "address=sportello@caritas.example.it", "--set", "imap_url=imaps://imap.example.it:993",
				"--set", "smtp_url=smtps://smtp.example.it:465", "--set", "username=sportello", "--set", "password=segreta", "--set", "pec=true")
			if err != nil {
				t.Fatalf("channel add: %v %s", err, stderr)
			}
			var ch struct {
				ID       int64             `json:"id"`
				Kind     string            `json:"kind"`
				Settings map[string]string `json:"settings"`
			}
			if err := json.Unmarshal([]byte(out), &ch); err != nil || ch.ID == 0 || ch.Kind != "email" {
				t.Fatalf("channel add printed %s (%v)", out, err)
			}
			if strings.Contains(out, "segreta") || ch.Settings["password"] == "" || ch.Settings["pec"] != "true" {
				t.Errorf("settings printed: %v", ch.Settings)
			}
			id := jsonInt(ch.ID)
			files := []string{sampleFile(t, "attachments.eml"), sampleFile(t, "pec_envelope.eml")}
			out, stderr, err = run(t, nil, "", append([]string{"email", "import", "--data", data, "--database", db, "--channel", id}, files...)...)
			if err != nil {
				t.Fatalf("email import: %v %s", err, stderr)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 {
				t.Fatalf("import printed %q", out)
			}
			for i, l := range lines {
				var r struct {
					File            string `json:"file"`
					Kind            string `json:"kind"`
					ConversationID  int64  `json:"conversation_id"`
					NewConversation bool   `json:"new_conversation"`
				}
				if err := json.Unmarshal([]byte(l), &r); err != nil || r.File != files[i] || r.Kind != "message" || !r.NewConversation || r.ConversationID == 0 {
					t.Errorf("line %d: %s (%v)", i, l, err)
				}
			}
			// The attachments went to the data directory.
			if n := countFiles(t, filepath.Join(data, "attachments")); n != 3 {
				t.Errorf("%d files stored, want 3 (a photo, a PDF, the PEC envelope)", n)
			}
			out, _, err = run(t, nil, "", "email", "import", "--data", data, "--database", db, "--channel", id, files[0])
			if err != nil || !strings.Contains(out, `"duplicate":true`) {
				t.Errorf("imported again: %s %v", out, err)
			}
			for _, bad := range [][]string{
				{"--channel", id},                 // no file
				{files[0]},                        // no channel
				{"--channel", "999999", files[0]}, // no such channel
				{"--channel", id, filepath.Join(data, "missing.eml")},
			} {
				if _, _, err := run(t, nil, "", append([]string{"email", "import", "--data", data, "--database", db}, bad...)...); err == nil {
					t.Errorf("%v: no error", bad)
				}
			}
		})
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func sampleFile(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "channel", "email", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
