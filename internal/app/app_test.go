package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/app"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// run calls the binary's entry point with args and an environment.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := app.Run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// engines gives a --database value per engine under test.
func engines(t *testing.T) map[store.Engine]string {
	out := map[store.Engine]string{}
	for _, e := range storetest.Engines() {
		out[e] = storetest.URL(t, e)
	}
	return out
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, nil, "", "version")
	if err != nil || !strings.HasPrefix(out, "sportello ") {
		t.Errorf("version: got %q, %v", out, err)
	}
}

func TestBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	readonly := filepath.Join(dir, "ro")
	if err := os.Mkdir(readonly, 0o500); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // in the error or stderr
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"serve", "--nope"}, "flag provided but not defined"},
		{"malformed database URL", []string{"migrate", "--database", "mysql://x"}, "unsupported database URL"},
		{"malformed postgres URL", []string{"migrate", "--database", "postgres://"}, "malformed PostgreSQL URL"},
		{"unreachable postgres", []string{"migrate", "--database", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, "cannot reach PostgreSQL"},
		{"bad addr", []string{"serve", "--addr", "nonsense", "--data", dir}, "--addr"},
		{"missing flag", []string{"org", "add", "--data", dir, "--slug", "x"}, "--name is required"},
		{"bad role", []string{"user", "add", "--data", dir, "--org", "x", "--email", "a@b.it", "--name", "A", "--role", "boss"}, "--role"},
		{"stray argument", []string{"migrate", "--data", dir, "extra"}, "unexpected argument"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"unwritable data dir", []string{"org", "add", "--data", filepath.Join(readonly, "sub"), "--slug", "x", "--name", "X"}, "data directory"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := run(t, nil, "", tt.args...)
			if err == nil {
				t.Fatal("got nil error, want a failure")
			}
			if app.ExitCode(err) == 0 {
				t.Error("exit code 0")
			}
			if msg := err.Error() + stderr; !strings.Contains(msg, tt.want) {
				t.Errorf("got %q, want it to mention %q", msg, tt.want)
			}
		})
	}
}

func TestAdminCommands(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"SPORTELLO_DATABASE_URL": db, "SPORTELLO_DATA_DIR": data}
			if out, _, err := run(t, env, "", "migrate"); err != nil || !strings.Contains(out, "schema version") {
				t.Fatalf("migrate: %q %v", out, err)
			}
			if _, _, err := run(t, env, "", "org", "add", "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := run(t, env, "", "org", "add", "--slug", "caritas", "--name", "Again"); err == nil {
				t.Error("duplicate slug accepted")
			}
			out, _, err := run(t, env, "", "user", "add", "--org", "caritas", "--email", "Anna@Example.org", "--name", "Anna", "--role", "mediator", "--languages", "it,ar")
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`password: \S{20,}`).MatchString(out) {
				t.Errorf("generated password not printed: %q", out)
			}
			out, _, err = run(t, env, "long-enough-passphrase\n", "user", "add", "--org", "caritas", "--email", "bob@example.org", "--name", "Bob", "--role", "operator")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, "password:") {
				t.Errorf("piped password echoed: %q", out)
			}
			if _, _, err := run(t, env, "short\n", "user", "add", "--org", "caritas", "--email", "c@example.org", "--name", "C", "--role", "operator"); err == nil {
				t.Error("short password accepted")
			}
			out, _, err = run(t, env, "", "token", "create", "--org", "caritas", "--user", "anna@example.org", "--json")
			if err != nil {
				t.Fatal(err)
			}
			var tok struct{ Token string }
			if err := json.Unmarshal([]byte(out), &tok); err != nil || !strings.HasPrefix(tok.Token, "spt_") {
				t.Errorf("token --json: got %q", out)
			}
			if _, _, err := run(t, env, "", "token", "create", "--org", "caritas", "--user", "nobody@example.org"); err == nil {
				t.Error("token for an unknown user accepted")
			}
			backup := filepath.Join(t.TempDir(), "copy.db")
			_, _, err = run(t, env, "", "backup", "--out", backup)
			if engine == store.SQLite {
				if err != nil {
					t.Fatal(err)
				}
				if st, err := os.Stat(backup); err != nil || st.Size() == 0 {
					t.Errorf("backup file: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), "pg_dump") {
				t.Errorf("postgres backup: got %v, want a pointer to pg_dump", err)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs "serve" on a free port and returns its base URL and a
// function that stops it and returns serve's error.
func startServer(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	getenv := func(k string) string { return env[k] }
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), getenv, strings.NewReader(""), out, io.Discard)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			stop := sync.OnceValue(func() error {
				cancel()
				select {
				case err := <-done:
					return err
				case <-time.After(40 * time.Second):
					return errors.New("server did not stop")
				}
			})
			t.Cleanup(func() { _ = stop() })
			return m[1], out, stop
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("server did not start:\n%s", out.String())
	return "", nil, nil
}

func TestServeFirstStartAndShutdown(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := map[string]string{"SPORTELLO_DATABASE_URL": db, "SPORTELLO_DATA_DIR": t.TempDir()}
			base, out, stop := startServer(t, env)
			if !strings.Contains(out.String(), "admin@sportello.local with password") {
				t.Errorf("first start did not print the admin login:\n%s", out.String())
			}
			for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/login": 200, "/api/v1/openapi.json": 200, "/api/v1/conversations": 401} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
				}
				if csp := resp.Header.Get("Content-Security-Policy"); csp == "" {
					t.Errorf("GET %s: no CSP header", path)
				}
			}
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(metrics), "sportello_jobs_waiting 0") || !strings.Contains(string(metrics), "sportello_jobs_failed 0") {
				t.Errorf("metrics lack the job queue:\n%s", metrics)
			}
			for _, name := range []string{"sportello_db_write_transactions_total ", "sportello_live_subscribers ", "process_resident_memory_bytes "} {
				if !strings.Contains(string(metrics), "\n"+name) {
					t.Errorf("metrics lack %s:\n%s", name, metrics)
				}
			}
			if err := stop(); err != nil {
				t.Fatalf("graceful stop: %v", err)
			}
			if _, err := http.Get(base + "/healthz"); err == nil {
				t.Error("server still answers after stop")
			}
			// Second start: nothing printed again, the data is kept.
			_, out2, stop2 := startServer(t, env)
			if strings.Contains(out2.String(), "password") {
				t.Errorf("second start printed a password again:\n%s", out2.String())
			}
			if err := stop2(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestServeDemo(t *testing.T) {
	env := map[string]string{"SPORTELLO_DATA_DIR": t.TempDir(), "SPORTELLO_DEMO": "1"}
	base, out, stop := startServer(t, env)
	defer stop()
	if !strings.Contains(out.String(), "admin@demo.sportello.local") {
		t.Fatalf("demo login not printed:\n%s", out.String())
	}
	// The demo admin signs in with the README's password and sees the inbox.
	jar := newJar()
	client := &http.Client{Jar: jar}
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = client.PostForm(base+"/login", map[string][]string{"email": {"admin@demo.sportello.local"}, "password": {app.DemoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/inbox" {
		t.Fatalf("login: status %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	if !strings.Contains(string(body), "conversations/") {
		t.Error("inbox shows no conversation")
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "password") && !strings.Contains(sc.Text(), app.DemoPassword) {
			t.Errorf("unexpected output: %s", sc.Text())
		}
	}
}
