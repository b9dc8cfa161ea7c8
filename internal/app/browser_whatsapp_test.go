package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/browsertest"
	"github.com/sportello/sportello/internal/channel/whatsapp"
)

// TestBrowserWhatsAppWindow: a citizen writes on WhatsApp through the
// signed webhook just before the 24-hour window would close; the
// conversation's page counts down and, when the window closes, reloads
// itself into the closed state, where free replies give way to templates.
func TestBrowserWhatsAppWindow(t *testing.T) {
	b := browsertest.Start(t)
	env := map[string]string{"SPORTELLO_DATA_DIR": t.TempDir(), "SPORTELLO_DEMO": "1"}
	base, _, _ := startServer(t, env)
	out, errOut, err := run(t, env, "", "channel", "add", "whatsapp", "--org", "demo", "--name", "WhatsApp",
		"--set", "phone_number_id=555", "--set", "access_token=unused", "--set", "app_secret=app-secret", "--set", "verify_token=v",
		"--set", "api_base_url=http://127.0.0.1:1")
	if err != nil {
		t.Fatalf("channel add: %v\n%s", err, errOut)
	}
	var ch struct {
		ID       int64             `json:"id"`
		Webhooks map[string]string `json:"webhooks"`
	}
	if err := json.Unmarshal([]byte(out), &ch); err != nil || ch.ID == 0 {
		t.Fatalf("channel add printed %s", out)
	}

	// Written 24 hours ago less a few seconds.
	at := time.Now().Add(-24*time.Hour + 6*time.Second).Unix()
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"metadata":{"display_phone_number":"390600000000","phone_number_id":"555"},"contacts":[{"profile":{"name":"Yusuf Okafor"},"wa_id":"393471234567"}],
		"messages":[{"from":"393471234567","id":"wamid.browser1","timestamp":"` + strconv.FormatInt(at, 10) + `","type":"text","text":{"body":"Finestra quasi chiusa"}}]}}]}]}`)
	req, _ := http.NewRequest(http.MethodPost, base+"/hooks/whatsapp/"+strconv.FormatInt(ch.ID, 10), bytes.NewReader(body))
	req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign("app-secret", body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %v %v", resp, err)
	}
	resp.Body.Close()

	signIn(t, b, base, "admin@demo.sportello.local")
	b.Navigate(base + "/inbox?view=all")
	b.WaitFor("ul.conversations li.conv a.conv-link", wait)
	href, _ := b.ExecuteScript(`for (const a of document.querySelectorAll("ul.conversations li.conv a.conv-link")) {
		if (a.closest("li").textContent.includes("Finestra quasi chiusa")) { return a.getAttribute("href"); } } return "";`).(string)
	if href == "" {
		t.Fatalf("the WhatsApp conversation is not in the inbox:\n%s", b.PageSource())
	}
	b.Navigate(base + href)
	b.WaitFor("[data-window-ends] time", wait)
	if got := text(b, "[data-window-ends] time"); got != "0:00" {
		t.Errorf("countdown %q, want 0:00 (seconds left)", got)
	}
	if len(b.FindElements(`input[name="direction"][value="reply"]`)) != 1 {
		t.Errorf("the free reply is not offered while the window is open")
	}
	b.WaitUntil(20*time.Second, "the page to show the closed window by itself", func() bool {
		return len(b.FindElements(".wa-window .restricted-note")) == 1
	})
	if len(b.FindElements(`input[name="direction"][value="reply"]`)) != 0 || len(b.FindElements("[data-window-ends]")) != 0 {
		t.Errorf("after the window closed the free reply is still offered")
	}
	if len(b.FindElements(`form[data-reply-form] textarea#body`)) != 1 {
		t.Errorf("notes are no longer possible")
	}
}
