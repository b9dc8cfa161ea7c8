package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/whatsapp"
	"github.com/sportello/sportello/internal/model"
)

func example(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignature(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	// Computed independently: printf '%s' BODY | openssl dgst -sha256 -hmac app-secret
	const want = "sha256=d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f"
	got := whatsapp.Sign("app-secret", body)
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
	if !whatsapp.Verify("app-secret", body, got) {
		t.Error("a correct signature does not verify")
	}
	for _, bad := range []string{"", "sha256=", got[:len(got)-1] + "0", strings.ToUpper(got), "sha1=" + got[7:], got + "00"} {
		if bad == got {
			continue
		}
		if whatsapp.Verify("app-secret", body, bad) {
			t.Errorf("signature %q verifies", bad)
		}
	}
	if whatsapp.Verify("", body, whatsapp.Sign("", body)) {
		t.Error("an empty app secret verifies")
	}
	if whatsapp.Verify("other", body, got) {
		t.Error("another app's secret verifies")
	}
	tampered := append([]byte{}, body...)
	tampered[2] = 'O'
	if whatsapp.Verify("app-secret", tampered, got) {
		t.Error("a changed body verifies")
	}
}

func TestChallenge(t *testing.T) {
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"1158201444"}}
	if c, ok := whatsapp.Challenge(q, "tok"); !ok || c != "1158201444" {
		t.Errorf("Challenge = %q %v", c, ok)
	}
	for _, tc := range []struct {
		q     url.Values
		token string
	}{
		{url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"nope"}, "hub.challenge": {"1"}}, "tok"},
		{url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"1"}}, "tok"},
		{url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {""}, "hub.challenge": {"1"}}, ""},
	} {
		if _, ok := whatsapp.Challenge(tc.q, tc.token); ok {
			t.Errorf("Challenge(%v, %q) accepted", tc.q, tc.token)
		}
	}
}

func TestParseExamples(t *testing.T) {
	sheena := model.Identity{Kind: model.IdentityPhone, Value: "+16505551234"}
	tests := []struct {
		file string
		want []channel.Event
	}{
		{"text.json", []channel.Event{{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
			From: sheena, Name: "Sheena Nelson", Kind: "text", Text: "Does it come in another color?"}}},
		{"image.json", []channel.Event{{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA=",
			From: sheena, Name: "Sheena Nelson", Kind: "image", Text: "Black jacket", Media: []channel.Media{{Ref: "1003383421387256", ContentType: "image/jpeg"}}}}},
		{"location.json", []channel.Event{{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRCMTY0MDc2MUYwNzBDNTY5MgA=",
			From: sheena, Name: "Sheena Nelson", Kind: "location",
			Text: "📍 Main Campus, 1 Hacker Way, Menlo Park, CA 94025\nhttps://www.openstreetmap.org/?mlat=37.483307&mlon=-122.148981#map=17/37.483307/-122.148981"}}},
		{"interactive.json", []channel.Event{
			{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTgyMTQ0RjA3QTBFMjM0NzZFMQA=", From: sheena, Name: "Sheena Nelson",
				Kind: "interactive", Text: "Change", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NTg1NzY4RjE2QzJFNTk0MTkA"},
			{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUE4RjQ0NjA3QTBFMjM0NzZFMgA=", From: sheena, Name: "Sheena Nelson",
				Kind: "interactive", Text: "Express Shipping", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNjk3NEY4RjE2QzJFNTk0MTkA"},
			{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUE4RjQ0NjA3QTBFMjM0NzZFMwA=", From: sheena, Name: "Sheena Nelson",
				Kind: "button", Text: "Unsubscribe", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDNjk3NEY4RjE2QzJFNTk0MTkA"},
		}},
		{"reaction.json", []channel.Event{
			{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVDRjJBMEZDQUEwNjIzRjJEQgA=", From: sheena, Name: "Sheena Nelson",
				Kind: "reaction", Text: "reacted 👍", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NTg1NzY4RjE2QzJFNTk0MTkA"},
			{Type: channel.EventMessage, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVDRjJBMEZDQUEwNjIzRjJEQwA=", From: sheena, Name: "Sheena Nelson",
				Kind: "unsupported", Text: "unsupported message (unsupported)"},
		}},
		{"statuses.json", []channel.Event{
			{Type: channel.EventStatus, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NTg1NzY4RjE2QzJFNTk0MTkA", Status: model.DeliverySent},
			{Type: channel.EventStatus, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NTg1NzY4RjE2QzJFNTk0MTkA", Status: model.DeliveryDelivered},
			{Type: channel.EventStatus, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NTg1NzY4RjE2QzJFNTk0MTkA", Status: model.DeliveryRead},
			{Type: channel.EventStatus, ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNjk3NEY4RjE2QzJFNTk0MTkA", Status: model.DeliveryFailed,
				Error: "131047: Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, skipped, err := whatsapp.Parse(example(t, tc.file), "106540352242922")
			if err != nil || skipped != 0 {
				t.Fatalf("Parse: %v (skipped %d)", err, skipped)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d events, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i].At.IsZero() {
					t.Errorf("event %d has no time", i)
				}
				got[i].At = tc.want[i].At
				g, _ := json.Marshal(got[i])
				w, _ := json.Marshal(tc.want[i])
				if string(g) != string(w) {
					t.Errorf("event %d:\n got %s\nwant %s", i, g, w)
				}
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"object":"page","entry":[]}`, `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","type":"text"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"wamid.1","type":"text"}]}}]}]}`} {
		if _, _, err := whatsapp.Parse([]byte(body), ""); !errors.Is(err, whatsapp.ErrMalformed) {
			t.Errorf("Parse(%s) = %v, want malformed", body, err)
		}
	}
	// Another number of the same app: skipped, not misfiled.
	evs, skipped, err := whatsapp.Parse(example(t, "text.json"), "999")
	if err != nil || len(evs) != 0 || skipped != 1 {
		t.Errorf("another number: %v %d %v", evs, skipped, err)
	}
	// Username users (no phone): the business-scoped id.
	evs, _, err = whatsapp.Parse([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
		"contacts":[{"profile":{"name":"Ana"},"user_id":"IT.1234"}],
		"messages":[{"user_id":"IT.1234","id":"wamid.x","timestamp":"1","type":"text","text":{"body":"ciao"}}]}}]}]}`), "")
	if err != nil || len(evs) != 1 || evs[0].From != (model.Identity{Kind: model.IdentityWhatsApp, Value: "IT.1234"}) || evs[0].Name != "Ana" {
		t.Errorf("username user: %+v %v", evs, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"text.json", "image.json", "location.json", "interactive.json", "reaction.json", "statuses.json"} {
		f.Add(example(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, _, err := whatsapp.Parse(body, "106540352242922")
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.ProviderID == "" {
				t.Fatalf("event without provider id: %+v", ev)
			}
			if ev.Type == channel.EventMessage && ev.Text == "" && len(ev.Media) == 0 && ev.Kind != "text" {
				t.Fatalf("a %s message renders to nothing: %+v", ev.Kind, ev)
			}
		}
	})
}

// graph is a fake of the Graph API's WhatsApp endpoints.
type graph struct {
	mu      sync.Mutex
	sent    []map[string]any
	uploads []string // content of each uploaded file
	auth    []string
	fail    func(n int) (int, string) // status and body for the n-th call, or 0
	calls   int
	srv     *httptest.Server
}

func newGraph(t *testing.T) *graph {
	g := &graph{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v21.0/106540352242922/messages", func(w http.ResponseWriter, r *http.Request) {
		if g.refuse(w, r) {
			return
		}
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		g.mu.Lock()
		g.sent = append(g.sent, m)
		n := len(g.sent)
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"messaging_product":"whatsapp","contacts":[{"input":"`+m["to"].(string)+`","wa_id":"`+m["to"].(string)+`"}],"messages":[{"id":"wamid.out`+string(rune('0'+n))+`"}]}`)
	})
	mux.HandleFunc("POST /v21.0/106540352242922/media", func(w http.ResponseWriter, r *http.Request) {
		if g.refuse(w, r) {
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue("messaging_product") != "whatsapp" {
			http.Error(w, `{"error":{"message":"bad upload","code":100}}`, http.StatusBadRequest)
			return
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"message":"no file","code":100}}`, http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(f)
		g.mu.Lock()
		g.uploads = append(g.uploads, string(b))
		g.mu.Unlock()
		io.WriteString(w, `{"id":"4490709327384033"}`)
	})
	mux.HandleFunc("GET /v21.0/1003383421387256", func(w http.ResponseWriter, r *http.Request) {
		if g.refuse(w, r) {
			return
		}
		io.WriteString(w, `{"messaging_product":"whatsapp","url":"`+g.srv.URL+`/lookaside/1003383421387256","mime_type":"image/jpeg","sha256":"x","file_size":9,"id":"1003383421387256"}`)
	})
	mux.HandleFunc("GET /lookaside/1003383421387256", func(w http.ResponseWriter, r *http.Request) {
		if g.refuse(w, r) {
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		io.WriteString(w, "JPEGBYTES")
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *graph) refuse(w http.ResponseWriter, r *http.Request) bool {
	g.mu.Lock()
	g.calls++
	n := g.calls
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	fail := g.fail
	g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer EAAG-token" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
		return true
	}
	if fail != nil {
		if status, body := fail(n); status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, body)
			return true
		}
	}
	return false
}

func (g *graph) adapter() *whatsapp.Adapter {
	return whatsapp.New(channel.Settings{"phone_number_id": "106540352242922", "access_token": "EAAG-token", "api_base_url": g.srv.URL + "/v21.0"}, g.srv.Client())
}

var mario = model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}

func TestSend(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		out  channel.Outbound
		want []string // JSON of each message sent
	}{
		{"text", channel.Outbound{To: mario, Text: "Buongiorno"},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"Buongiorno","preview_url":false},"to":"393331234567","type":"text"}`}},
		{"buttons", channel.Outbound{To: mario, Text: "Ha un permesso di soggiorno?", QuickReplies: []string{"Sì", "No", "Non so"}},
			[]string{`{"interactive":{"action":{"buttons":[{"reply":{"id":"qr1","title":"Sì"},"type":"reply"},{"reply":{"id":"qr2","title":"No"},"type":"reply"},{"reply":{"id":"qr3","title":"Non so"},"type":"reply"}]},"body":{"text":"Ha un permesso di soggiorno?"},"type":"button"},"messaging_product":"whatsapp","recipient_type":"individual","to":"393331234567","type":"interactive"}`}},
		{"too many choices stay text", channel.Outbound{To: mario, Text: "Quale?\n1. a\n2. b\n3. c\n4. d", QuickReplies: []string{"a", "b", "c", "d"}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"Quale?\n1. a\n2. b\n3. c\n4. d","preview_url":false},"to":"393331234567","type":"text"}`}},
		{"long choice stays text", channel.Outbound{To: mario, Text: "Quale?", QuickReplies: []string{"una scelta troppo lunga per un bottone"}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"Quale?","preview_url":false},"to":"393331234567","type":"text"}`}},
		{"template", channel.Outbound{To: mario, Template: &channel.Template{Name: "appointment_reminder", Language: "it", Params: []string{"Mario", "12 marzo"}}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","template":{"components":[{"parameters":[{"text":"Mario","type":"text"},{"text":"12 marzo","type":"text"}],"type":"body"}],"language":{"code":"it"},"name":"appointment_reminder"},"to":"393331234567","type":"template"}`}},
		{"document with caption", channel.Outbound{To: mario, Text: "Ecco il modulo", Attachments: []channel.File{{Name: "modulo.pdf", ContentType: "application/pdf", Size: 7,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("%PDF-1.")), nil }}}},
			[]string{`{"document":{"caption":"Ecco il modulo","filename":"modulo.pdf","id":"4490709327384033"},"messaging_product":"whatsapp","recipient_type":"individual","to":"393331234567","type":"document"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGraph(t)
			id, err := g.adapter().Send(ctx, tc.out)
			if err != nil || !strings.HasPrefix(id, "wamid.out") {
				t.Fatalf("Send = %q, %v", id, err)
			}
			if len(g.sent) != len(tc.want) {
				t.Fatalf("sent %d messages, want %d: %v", len(g.sent), len(tc.want), g.sent)
			}
			for i := range tc.want {
				b, _ := json.Marshal(g.sent[i])
				if string(b) != tc.want[i] {
					t.Errorf("message %d:\n got %s\nwant %s", i, b, tc.want[i])
				}
			}
			if len(tc.out.Attachments) > 0 && (len(g.uploads) != 1 || g.uploads[0] != "%PDF-1.") {
				t.Errorf("uploads %q", g.uploads)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		status    int
		body      string
		permanent bool
	}{
		{400, `{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"error_data":{"messaging_product":"whatsapp","details":"Message Undeliverable."},"fbtrace_id":"A"}}`, true},
		{400, `{"error":{"message":"(#131047) Re-engagement message","code":131047}}`, true},
		{400, `{"error":{"message":"(#130429) Rate limit hit","code":130429}}`, false},
		{400, `{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","code":131056}}`, false},
		{400, `{"error":{"message":"(#131048) Spam rate limit hit","code":131048}}`, false},
		{429, `{"error":{"message":"Too many","code":80007}}`, false},
		{500, `{"error":{"message":"An unknown error occurred","code":1}}`, false},
		{503, `<html>down</html>`, false},
		{401, `{"error":{"message":"Invalid OAuth access token.","code":190}}`, true},
	}
	for _, tc := range tests {
		g := newGraph(t)
		g.fail = func(int) (int, string) { return tc.status, tc.body }
		_, err := g.adapter().Send(ctx, channel.Outbound{To: mario, Text: "x"})
		if err == nil {
			t.Errorf("%d %s: no error", tc.status, tc.body)
			continue
		}
		if channel.IsPermanent(err) != tc.permanent {
			t.Errorf("%d %s: permanent %v, want %v (%v)", tc.status, tc.body, channel.IsPermanent(err), tc.permanent, err)
		}
		var ge *whatsapp.GraphError
		if strings.HasPrefix(tc.body, "{") && (!errors.As(err, &ge) || ge.Code == 0 || !strings.Contains(err.Error(), ge.Message)) {
			t.Errorf("%d: error %v does not carry Graph's code and message", tc.status, err)
		}
	}
	// The provider unreachable: retryable.
	g := newGraph(t)
	a := g.adapter()
	g.srv.Close()
	if _, err := a.Send(ctx, channel.Outbound{To: mario, Text: "x"}); err == nil || channel.IsPermanent(err) {
		t.Errorf("provider down: %v, want a retryable error", err)
	}
}

func TestFetch(t *testing.T) {
	ctx := context.Background()
	g := newGraph(t)
	body, ctype, err := g.adapter().Fetch(ctx, channel.Media{Ref: "1003383421387256"}, 1<<20)
	if err != nil || string(body) != "JPEGBYTES" || ctype != "image/jpeg" {
		t.Fatalf("Fetch = %q %q %v", body, ctype, err)
	}
	for i, a := range g.auth {
		if a != "Bearer EAAG-token" {
			t.Errorf("call %d without the token: %q", i, a)
		}
	}
	if _, _, err := g.adapter().Fetch(ctx, channel.Media{Ref: "1003383421387256"}, 5); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
}

func TestSendUnconfigured(t *testing.T) {
	// The demo's channels have no settings: nothing leaves the machine.
	a := whatsapp.New(channel.Settings{}, http.DefaultClient)
	if _, err := a.Send(context.Background(), channel.Outbound{To: mario, Text: "x"}); !channel.IsPermanent(err) {
		t.Errorf("unconfigured channel: %v, want a permanent error", err)
	}
}
