package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sportello/sportello/internal/channel/apichannel"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestAPIChannelRoundTrip is the app's path: a channel is added, a
// citizen's message posted through it (once, however often it is sent),
// an operator replies, and the reply reaches the app's signed callback
// through the job queue.
func TestAPIChannelRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")
		var mu sync.Mutex
		var got []apichannel.Callback
		app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Header.Get(apichannel.SignatureHeader) != apichannel.Sign("app-secret", body) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var cb apichannel.Callback
			_ = json.Unmarshal(body, &cb)
			mu.Lock()
			got = append(got, cb)
			mu.Unlock()
		}))
		defer app.Close()

		r := e.call("POST", "/api/v1/channels", o.adminToken,
			fmt.Sprintf(`{"kind": "api", "name": "App", "settings": {"callback_url": %q, "callback_secret": "app-secret"}}`, app.URL))
		if r.status != http.StatusCreated {
			t.Fatalf("create channel: %d %s", r.status, r.body)
		}
		if strings.Contains(string(r.body), "app-secret") {
			t.Errorf("the secret came back: %s", r.body)
		}
		var ch struct{ ID int64 }
		r.decode(t, &ch)
		if r := e.call("POST", "/api/v1/channels", o.adminToken, `{"kind": "api", "name": "Bad", "settings": {"token": "x"}}`); r.status != http.StatusBadRequest {
			t.Errorf("unknown setting: %d %s", r.status, r.body)
		}

		msg := `{"id": "app-msg-1", "from": {"kind": "external", "value": "citizen-7"}, "name": "Fatou", "language": "fr", "text": "Bonjour, j'ai besoin d'aide"}`
		path := fmt.Sprintf("/api/v1/channels/%d/messages", ch.ID)
		r = e.call("POST", path, o.adminToken, msg)
		if r.status != http.StatusCreated {
			t.Fatalf("post inbound: %d %s", r.status, r.body)
		}
		var res struct {
			ConversationID int64 `json:"conversation_id"`
			Duplicate      bool
		}
		r.decode(t, &res)
		if r := e.call("POST", path, o.adminToken, msg); r.status != http.StatusOK || !strings.Contains(string(r.body), `"duplicate":true`) {
			t.Errorf("posted again: %d %s", r.status, r.body)
		}
		if r := e.call("POST", path, o.volToken, msg); r.status != http.StatusForbidden {
			t.Errorf("a volunteer posted citizens' messages: %d", r.status)
		}
		if r := e.call("POST", path, o.adminToken, `{"id": "x", "from": {"kind": "phone", "value": "123"}, "text": "hi"}`); r.status != http.StatusBadRequest {
			t.Errorf("a bad phone number: %d %s", r.status, r.body)
		}

		r = e.call("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", res.ConversationID), o.adminToken, `{"body": "Bonjour Fatou, nous sommes là."}`)
		if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"delivery_status":"queued"`) {
			t.Fatalf("reply: %d %s", r.status, r.body)
		}
		if _, err := e.d.RunDueJobs(context.Background()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 1 || got[0].Text != "Bonjour Fatou, nous sommes là." || got[0].To.Value != "citizen-7" {
			t.Fatalf("the app got %+v", got)
		}
		r = e.call("GET", "/api/v1/channels", o.adminToken, "")
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"last_outbound_at":"`) {
			t.Errorf("channel health: %s", r.body)
		}
	})
}
