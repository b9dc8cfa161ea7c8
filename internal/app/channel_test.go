package app_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel/telegram/telegramtest"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func TestChannelAddTelegram(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			fake := telegramtest.New(t)
			if _, stderr, err := run(t, nil, "", "org", "add", "--database", db, "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			add := func(extra ...string) (map[string]any, string, error) {
				args := append([]string{"channel", "add", "telegram", "--database", db, "--org", "caritas", "--name", "Bot",
					"--base-url", "https://desk.example", "--set", "bot_token=" + telegramtest.Token,
					"--set", "secret_token=Zx9_secret-token", "--set", "api_base_url=" + fake.URL}, extra...)
				out, stderr, err := run(t, nil, "", args...)
				var v map[string]any
				if err == nil {
					if jerr := json.Unmarshal([]byte(out), &v); jerr != nil {
						t.Fatalf("output %q: %v", out, jerr)
					}
				}
				return v, stderr, err
			}

			v, stderr, err := add("--register")
			if err != nil {
				t.Fatalf("add: %v %s", err, stderr)
			}
			id := int64(v["id"].(float64))
			hook := "https://desk.example/hooks/telegram/" + strconv.FormatInt(id, 10)
			settings := v["settings"].(map[string]any)
			if v["registered_webhook"] != hook || v["webhooks"].(map[string]any)["webhook"] != hook ||
				settings["bot_token"] == telegramtest.Token || settings["mode"] != "webhook" {
				t.Errorf("printed %v", v)
			}
			if u, secret := fake.Webhook(); u != hook || secret != "Zx9_secret-token" {
				t.Errorf("Telegram has webhook %q with secret %q", u, secret)
			}

			// A polling bot has no webhook to register.
			v, _, err = add("--set", "mode=polling")
			if err != nil || v["webhooks"] != nil {
				t.Errorf("polling channel: %v %v", v, err)
			}
			pid := strconv.FormatInt(int64(v["id"].(float64)), 10)
			if _, _, err := run(t, nil, "", "channel", "register", "--database", db, "--org", "caritas", "--id", pid, "--base-url", "https://desk.example"); err == nil ||
				!strings.Contains(err.Error(), "no webhook") {
				t.Errorf("register a polling channel: %v", err)
			}
			// The provider must reach the desk over HTTPS.
			if _, _, err := run(t, nil, "", "channel", "register", "--database", db, "--org", "caritas", "--id", strconv.FormatInt(id, 10), "--base-url", "http://localhost:8080"); err == nil ||
				!strings.Contains(err.Error(), "https") {
				t.Errorf("register over http: %v", err)
			}
			if _, _, err := add("--set", "mode=push"); err == nil {
				t.Errorf("mode push accepted")
			}
		})
	}
}

// TestServePollsTelegram runs the server with a polling bot: it fetches
// the bot's updates, stores them, and after a restart carries on from
// where it stopped.
func TestServePollsTelegram(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			fake := telegramtest.New(t)
			env := map[string]string{"SPORTELLO_DATABASE_URL": db, "SPORTELLO_DATA_DIR": t.TempDir()}
			if _, stderr, err := run(t, env, "", "org", "add", "--slug", "caritas", "--name", "Caritas"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			out, stderr, err := run(t, env, "", "channel", "add", "telegram", "--org", "caritas", "--name", "Bot",
				"--set", "bot_token="+telegramtest.Token, "--set", "secret_token=x", "--set", "mode=polling", "--set", "api_base_url="+fake.URL)
			if err != nil {
				t.Fatalf("channel add: %v %s", err, stderr)
			}
			var ch struct{ ID int64 }
			if err := json.Unmarshal([]byte(out), &ch); err != nil {
				t.Fatal(err)
			}
			fake.Push(telegramtest.TextUpdate(40, 111, 1, "Buongiorno"))
			fake.Push(telegramtest.TextUpdate(41, 222, 1, "Salve"))

			s, err := store.Open(ctx, db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			org, err := s.OrganizationBySlug(ctx, "caritas")
			if err != nil {
				t.Fatal(err)
			}
			count := func() int {
				cs, _, err := s.Conversations(ctx, org.ID, store.ConversationFilter{Channel: model.ChannelTelegram})
				if err != nil {
					t.Fatal(err)
				}
				return len(cs)
			}

			_, _, stop := startServer(t, env)
			deadline := time.Now().Add(30 * time.Second)
			for count() < 2 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := count(); n != 2 {
				t.Fatalf("%d conversations stored by the server's poller, want 2", n)
			}
			if err := stop(); err != nil {
				t.Fatalf("stop: %v", err)
			}
			// A clean stop gave the lease back, with the cursor after the
			// last stored update.
			cursor, ok, err := s.LeaseChannelPoll(ctx, org.ID, ch.ID, "check", time.Millisecond)
			if err != nil || !ok || cursor != "42" {
				t.Fatalf("after stop: lease free %v, cursor %q, %v; want free at 42", ok, cursor, err)
			}

			before := len(fake.Offsets())
			_, _, stop = startServer(t, env)
			deadline = time.Now().Add(30 * time.Second)
			for len(fake.Offsets()) == before && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			if offs := fake.Offsets(); len(offs) == before || offs[before] != 42 {
				t.Errorf("after the restart polled from %v, want 42", offs[before:])
			}
			if n := count(); n != 2 {
				t.Errorf("%d conversations after the restart, want still 2", n)
			}
		})
	}
}
