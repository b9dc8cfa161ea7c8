package app_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestChannelAddTwilio(t *testing.T) {
	for engine, db := range engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			if _, stderr, err := run(t, nil, "", "org", "add", "--database", db, "--slug", "roma", "--name", "Sportello Roma"); err != nil {
				t.Fatalf("org add: %v %s", err, stderr)
			}
			common := []string{"--database", db, "--org", "roma", "--set", "account_sid=AC0123456789abcdef0123456789abcdef",
				"--set", "auth_token=s3cret-token", "--set", "public_url=https://desk.example.org"}
			out, stderr, err := run(t, nil, "", append(append([]string{"channel", "add", "sms"}, common...), "--name", "SMS", "--set", "from=+39 06 1234 5678")...)
			if err != nil {
				t.Fatalf("channel add sms: %v %s", err, stderr)
			}
			var sms struct {
				ID       int64             `json:"id"`
				Settings map[string]string `json:"settings"`
				Webhooks map[string]string `json:"webhooks"`
			}
			if err := json.Unmarshal([]byte(out), &sms); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			base := "https://desk.example.org/hooks/twilio/" + strconv.FormatInt(sms.ID, 10)
			if sms.Webhooks["sms"] != base+"/sms" || sms.Webhooks["status"] != base+"/status" || sms.Settings["from"] != "+390612345678" {
				t.Errorf("sms channel %s", out)
			}
			if strings.Contains(out, "s3cret-token") {
				t.Errorf("the auth token was printed: %s", out)
			}
			out, stderr, err = run(t, nil, "", append(append([]string{"channel", "add", "voice"}, common...), "--name", "Linea",
				"--set", "languages=it,en,fr,ar", "--set", "topics=lavoro,casa,documenti", "--set", "forward_to=+393330001111")...)
			if err != nil {
				t.Fatalf("channel add voice: %v %s", err, stderr)
			}
			var voice struct {
				ID       int64             `json:"id"`
				Webhooks map[string]string `json:"webhooks"`
			}
			if err := json.Unmarshal([]byte(out), &voice); err != nil {
				t.Fatal(err)
			}
			base = "https://desk.example.org/hooks/twilio/" + strconv.FormatInt(voice.ID, 10)
			if voice.Webhooks["voice"] != base+"/voice" || voice.Webhooks["call_status"] != base+"/voice/status" {
				t.Errorf("voice channel %s", out)
			}
			if _, _, err := run(t, nil, "", append(append([]string{"channel", "add", "sms"}, common...), "--name", "No sender")...); err == nil {
				t.Errorf("an SMS channel without a sender was added")
			}
		})
	}
}
