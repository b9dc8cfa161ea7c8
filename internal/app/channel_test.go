package app_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/channel/telegram/telegramtest"
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
