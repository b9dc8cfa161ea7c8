package messenger_test

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
	"github.com/sportello/sportello/internal/channel/messenger"
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

func TestSignatureAndChallenge(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	// printf '%s' BODY | openssl dgst -sha256 -hmac app-secret
	const want = "sha256=d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f"
	if got := messenger.Sign("app-secret", body); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
	if !messenger.Verify("app-secret", body, want) || messenger.Verify("app-secret", body, want[:len(want)-1]+"0") ||
		messenger.Verify("", body, messenger.Sign("", body)) || messenger.Verify("app-secret", append(body, ' '), want) {
		t.Error("Verify accepts what it must not, or refuses the right signature")
	}
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"42"}}
	if c, ok := messenger.Challenge(q, "tok"); !ok || c != "42" {
		t.Errorf("Challenge = %q %v", c, ok)
	}
	if _, ok := messenger.Challenge(q, "other"); ok {
		t.Error("a wrong verify token passes")
	}
}

func TestParseExamples(t *testing.T) {
	psid := model.Identity{Kind: model.IdentityMeta, Value: "6789012345678901"}
	tests := []struct {
		file string
		want []channel.Event
	}{
		{"message.json", []channel.Event{{Type: channel.EventMessage, ProviderID: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
			From: psid, Kind: "text", Text: "hello, world!"}}},
		{"attachments.json", []channel.Event{
			{Type: channel.EventMessage, ProviderID: "m_1457764197618:41d102a3e1ae206a38", From: psid, Kind: "image",
				Media: []channel.Media{{Ref: "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg"}}, ReplyTo: "m_previous"},
			{Type: channel.EventMessage, ProviderID: "m_postback_1", From: psid, Kind: "postback", Text: "Talk to an operator"},
			{Type: channel.EventMessage, ProviderID: "reaction-m_previous-6789012345678901-1458692752482", From: psid, Kind: "reaction", Text: "reacted ❤️", ReplyTo: "m_previous"},
		}},
		{"receipts.json", []channel.Event{
			{Type: channel.EventStatus, ProviderID: "mid.1458668856218:ed81099e15d3f4f233", Status: model.DeliveryDelivered},
		}},
		{"instagram.json", []channel.Event{
			{Type: channel.EventMessage, ProviderID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA", From: model.Identity{Kind: model.IdentityMeta, Value: "1234567890123456"},
				Kind: "text", Text: "Ciao, avete orari il sabato?"},
			{Type: channel.EventStatus, ProviderID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDB", Status: model.DeliveryRead},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := messenger.Parse(example(t, tc.file))
			if err != nil {
				t.Fatal(err)
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
	for _, body := range []string{``, `{}`, `{"object":"whatsapp_business_account"}`, `{"object":"page","entry":[{"messaging":[{"sender":{"id":"1"},"message":{"text":"no mid"}}]}]}`} {
		if _, err := messenger.Parse([]byte(body)); !errors.Is(err, messenger.ErrMalformed) {
			t.Errorf("Parse(%s) = %v, want malformed", body, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"message.json", "attachments.json", "receipts.json", "instagram.json"} {
		f.Add(example(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := messenger.Parse(body)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.ProviderID == "" {
				t.Fatalf("event without provider id: %+v", ev)
			}
			if ev.Type == channel.EventMessage && (ev.From.Value == "" || ev.Text == "" && len(ev.Media) == 0) {
				t.Fatalf("message renders to nothing or from nobody: %+v", ev)
			}
		}
	})
}

// sendAPI is a fake of the Send API.
type sendAPI struct {
	mu     sync.Mutex
	got    []map[string]any
	files  []string
	status int
	srv    *httptest.Server
}

func newSendAPI(t *testing.T) *sendAPI {
	s := &sendAPI{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v21.0/108543210987654/messages", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer page-token" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","code":190}}`)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != 0 {
			w.WriteHeader(s.status)
			io.WriteString(w, `{"error":{"message":"failure","code":2}}`)
			return
		}
		m := map[string]any{}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			_ = r.ParseMultipartForm(1 << 20)
			var rec, msg any
			_ = json.Unmarshal([]byte(r.FormValue("recipient")), &rec)
			_ = json.Unmarshal([]byte(r.FormValue("message")), &msg)
			m = map[string]any{"recipient": rec, "message": msg, "messaging_type": r.FormValue("messaging_type")}
			f, _, err := r.FormFile("filedata")
			if err == nil {
				b, _ := io.ReadAll(f)
				s.files = append(s.files, string(b))
			}
		} else {
			_ = json.NewDecoder(r.Body).Decode(&m)
		}
		s.got = append(s.got, m)
		io.WriteString(w, `{"recipient_id":"6789012345678901","message_id":"m_out`+string(rune('0'+len(s.got)))+`"}`)
	})
	mux.HandleFunc("GET /cdn/photo.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		io.WriteString(w, "JPEG")
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sendAPI) adapter() *messenger.Adapter {
	return messenger.New(channel.Settings{"page_id": "108543210987654", "access_token": "page-token", "api_base_url": s.srv.URL + "/v21.0"}, s.srv.Client())
}

func TestSend(t *testing.T) {
	ctx := context.Background()
	to := model.Identity{Kind: model.IdentityMeta, Value: "6789012345678901"}
	s := newSendAPI(t)
	id, err := s.adapter().Send(ctx, channel.Outbound{To: to, Text: "Buongiorno", QuickReplies: []string{"Sì", "No"},
		Attachments: []channel.File{{Name: "orari.png", ContentType: "image/png", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("PNG")), nil }}}})
	if err != nil || id != "m_out2" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	want := []string{
		`{"message":{"attachment":{"payload":{"is_reusable":false},"type":"image"}},"messaging_type":"RESPONSE","recipient":{"id":"6789012345678901"}}`,
		`{"message":{"quick_replies":[{"content_type":"text","payload":"qr1","title":"Sì"},{"content_type":"text","payload":"qr2","title":"No"}],"text":"Buongiorno"},"messaging_type":"RESPONSE","recipient":{"id":"6789012345678901"}}`,
	}
	for i := range want {
		b, _ := json.Marshal(s.got[i])
		if string(b) != want[i] {
			t.Errorf("call %d:\n got %s\nwant %s", i, b, want[i])
		}
	}
	if len(s.files) != 1 || s.files[0] != "PNG" {
		t.Errorf("files %q", s.files)
	}
	for _, tc := range []struct {
		status    int
		permanent bool
	}{{400, true}, {403, true}, {429, false}, {500, false}} {
		s.status = tc.status
		_, err := s.adapter().Send(ctx, channel.Outbound{To: to, Text: "x"})
		if err == nil || channel.IsPermanent(err) != tc.permanent {
			t.Errorf("status %d: %v, want permanent %v", tc.status, err, tc.permanent)
		}
	}
	body, ctype, err := s.adapter().Fetch(ctx, channel.Media{Ref: s.srv.URL + "/cdn/photo.jpg"}, 100)
	if err != nil || string(body) != "JPEG" || ctype != "image/jpeg" {
		t.Errorf("Fetch = %q %q %v", body, ctype, err)
	}
	if _, _, err := s.adapter().Fetch(ctx, channel.Media{Ref: s.srv.URL + "/cdn/photo.jpg"}, 2); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("Fetch over the limit: %v", err)
	}
}
