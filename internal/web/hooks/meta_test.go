package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/messenger"
	"github.com/sportello/sportello/internal/channel/whatsapp"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/hooks"
)

// metaWorld is a desk with its webhooks on a test server and a fake of
// Meta's Graph API.
type metaWorld struct {
	s     *store.Store
	d     *desk.Service
	org   *model.Organization
	admin *desk.Actor
	hooks *httptest.Server
	graph *fakeGraph
}

func newMetaWorld(t *testing.T, s *store.Store) *metaWorld {
	t.Helper()
	ctx := context.Background()
	fs, err := files.New(t.TempDir(), files.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams(), Files: fs, BaseURL: "https://desk.example"})
	if err != nil {
		t.Fatal(err)
	}
	w := &metaWorld{s: s, d: d, org: &model.Organization{Slug: "meta", Name: "Meta"}}
	if err := s.CreateOrganization(ctx, w.org); err != nil {
		t.Fatal(err)
	}
	hash, _ := d.HashPassword("correct horse battery")
	u := &model.User{OrgID: w.org.ID, Email: "admin@meta.example", Name: "Admin", Role: model.RoleAdmin, Active: true, PasswordHash: hash}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok, _, err := d.CreateAPIToken(ctx, w.org.ID, u.ID, 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	if w.admin, err = d.TokenActor(ctx, tok, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	hooks.New(d, slog.New(slog.NewTextHandler(io.Discard, nil))).Routes(mux)
	w.hooks = httptest.NewServer(mux)
	t.Cleanup(w.hooks.Close)
	w.graph = newFakeGraph(t)
	return w
}

// fakeGraph speaks the Graph API's WhatsApp and Messenger endpoints.
type fakeGraph struct {
	mu   sync.Mutex
	down bool
	sent []map[string]any // bodies of message sends, in order
	n    int
	srv  *httptest.Server
}

func tinyPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{}
	pic := tinyPNG(t)
	mux := http.NewServeMux()
	send := func(idPrefix string, answer func(id string) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.down {
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"error":{"message":"Service temporarily unavailable","code":2}}`)
				return
			}
			if r.Header.Get("Authorization") != "Bearer token-1" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","code":190}}`)
				return
			}
			var m map[string]any
			_ = json.NewDecoder(r.Body).Decode(&m)
			g.sent = append(g.sent, m)
			g.n++
			io.WriteString(w, answer(idPrefix+strconv.Itoa(g.n)))
		}
	}
	mux.HandleFunc("POST /v21.0/106540352242922/messages", send("wamid.OUT", func(id string) string {
		return `{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"` + id + `"}]}`
	}))
	mux.HandleFunc("POST /v21.0/108543210987654/messages", send("m_OUT", func(id string) string {
		return `{"recipient_id":"6789012345678901","message_id":"` + id + `"}`
	}))
	mux.HandleFunc("GET /v21.0/1003383421387256", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"url":"`+g.srv.URL+`/lookaside/1003383421387256","mime_type":"image/png","file_size":`+strconv.Itoa(len(pic))+`,"id":"1003383421387256"}`)
	})
	mux.HandleFunc("GET /lookaside/1003383421387256", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(pic)
	})
	mux.HandleFunc("GET /cdn/photo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pic)
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGraph) setDown(v bool) { g.mu.Lock(); g.down = v; g.mu.Unlock() }

func (g *fakeGraph) last() map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.sent) == 0 {
		return nil
	}
	return g.sent[len(g.sent)-1]
}

// example reads an adapter's documented example payload, its timestamps
// moved to now (the examples are old; the 24-hour window counts from the
// citizen's message).
func example(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := string(b)
	for _, old := range []string{"1749416383", "1744344496", "1744344497", "1744344498"} {
		s = strings.ReplaceAll(s, `"`+old+`"`, `"`+strconv.FormatInt(now.Unix(), 10)+`"`)
	}
	for _, old := range []string{"1458692752478", "1458692752479", "1458692752480", "1458692752481", "1458692752482", "1458668856463", "1458668856464"} {
		s = strings.ReplaceAll(s, old, strconv.FormatInt(now.UnixMilli(), 10))
	}
	return []byte(s)
}

func post(t *testing.T, url, sigHeader, sig string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(sigHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *metaWorld) conversations(t *testing.T, kind model.ChannelKind) []*model.Conversation {
	t.Helper()
	cs, _, err := w.s.Conversations(context.Background(), w.org.ID, store.ConversationFilter{Channel: kind})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (w *metaWorld) messages(t *testing.T, convID int64) []*model.Message {
	t.Helper()
	ms, err := w.s.Messages(context.Background(), w.org.ID, convID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (w *metaWorld) runJobs(t *testing.T) int {
	t.Helper()
	n, err := w.d.RunDueJobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWhatsAppRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newMetaWorld(t, s)
		ch, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelWhatsApp, "WhatsApp", channel.Settings{
			"phone_number_id": "106540352242922", "access_token": "token-1", "app_secret": "app-secret", "verify_token": "verify-me",
			"api_base_url": w.graph.srv.URL + "/v21.0"})
		if err != nil {
			t.Fatal(err)
		}
		if hooksOf := w.d.ViewChannel(ch).Webhooks; hooksOf["webhook"] != "https://desk.example/hooks/whatsapp/"+strconv.FormatInt(ch.ID, 10) {
			t.Errorf("webhooks %v", hooksOf)
		}
		url := w.hooks.URL + "/hooks/whatsapp/" + strconv.FormatInt(ch.ID, 10)

		// Meta's subscription check.
		if st, body := get(t, url+"?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"); st != 200 || body != "1158201444" {
			t.Errorf("verification: %d %q", st, body)
		}
		if st, _ := get(t, url+"?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444"); st != http.StatusForbidden {
			t.Errorf("wrong verify token: %d, want 403", st)
		}
		if st, _ := get(t, w.hooks.URL+"/hooks/whatsapp/999999?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1"); st != http.StatusNotFound {
			t.Errorf("unknown channel: %d, want 404", st)
		}

		text := example(t, "../../channel/whatsapp/testdata/text.json")
		// Bad or missing signatures store nothing.
		for _, sig := range []string{"", "sha256=00", whatsapp.Sign("another-secret", text)} {
			if st := post(t, url, whatsapp.SignatureHeader, sig, text); st != http.StatusUnauthorized {
				t.Errorf("signature %q: %d, want 401", sig, st)
			}
		}
		if n := len(w.conversations(t, model.ChannelWhatsApp)); n != 0 {
			t.Fatalf("%d conversations after refused deliveries", n)
		}
		// Malformed, but signed: 400, nothing stored.
		bad := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1"}]}}]}]}`)
		if st := post(t, url, whatsapp.SignatureHeader, whatsapp.Sign("app-secret", bad), bad); st != http.StatusBadRequest {
			t.Errorf("malformed: %d, want 400", st)
		}

		// The citizen writes; Meta delivers twice.
		for range 2 {
			if st := post(t, url, whatsapp.SignatureHeader, whatsapp.Sign("app-secret", text), text); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
		}
		convs := w.conversations(t, model.ChannelWhatsApp)
		if len(convs) != 1 {
			t.Fatalf("%d conversations, want 1", len(convs))
		}
		conv := convs[0]
		if conv.Address != (model.Identity{Kind: model.IdentityPhone, Value: "+16505551234"}) || conv.LastInboundAt == nil {
			t.Errorf("address %+v, last inbound %v", conv.Address, conv.LastInboundAt)
		}
		if ms := w.messages(t, conv.ID); len(ms) != 1 || ms[0].Body != "Does it come in another color?" {
			t.Fatalf("messages %+v: want the one text, once", ms)
		}
		ct, err := s.Contact(ctx, w.org.ID, conv.ContactID)
		if err != nil || ct.DisplayName != "Sheena Nelson" {
			t.Errorf("contact %+v %v", ct, err)
		}

		// A photo: downloaded by the fetch job into an attachment.
		img := example(t, "../../channel/whatsapp/testdata/image.json")
		if st := post(t, url, whatsapp.SignatureHeader, whatsapp.Sign("app-secret", img), img); st != http.StatusOK {
			t.Fatalf("image delivery: %d", st)
		}
		if n := w.runJobs(t); n != 3 {
			t.Errorf("ran %d jobs, want the routing of the two messages so far and the one fetch", n)
		}
		ms := w.messages(t, conv.ID)
		if len(ms) != 2 || ms[1].Body != "Black jacket" || len(ms[1].Attachments) != 1 || ms[1].Attachments[0].ContentType != "image/png" {
			t.Fatalf("image message %+v", ms[len(ms)-1])
		}

		// The operator answers while Meta is down: the reply waits.
		w.graph.setDown(true)
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Sì, anche in blu."}
		if err := w.d.Post(ctx, w.admin, conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		w.runJobs(t)
		if m, _ := s.Message(ctx, w.org.ID, reply.ID); m.DeliveryStatus != model.DeliveryQueued {
			t.Errorf("provider down: %s, want queued", m.DeliveryStatus)
		}
		// Meta is back; the retry goes out.
		w.graph.setDown(false)
		if err := s.Enqueue(ctx, &store.Job{OrgID: w.org.ID, Kind: store.JobDeliver, MessageID: reply.ID}); err != nil {
			t.Fatal(err)
		}
		w.runJobs(t)
		m, _ := s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliverySent || !strings.HasPrefix(m.ProviderMessageID, "wamid.OUT") {
			t.Fatalf("after the retry: %s %q", m.DeliveryStatus, m.ProviderMessageID)
		}
		got, _ := json.Marshal(w.graph.last())
		if want := `{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"Sì, anche in blu.","preview_url":false},"to":"16505551234","type":"text"}`; string(got) != want {
			t.Errorf("Graph got %s\nwant %s", got, want)
		}

		// Meta reports delivered, then read.
		for _, st := range []string{"delivered", "read"} {
			status := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
				"metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
				"statuses":[{"id":"` + m.ProviderMessageID + `","status":"` + st + `","timestamp":"1750263774","recipient_id":"16505551234"}]}}]}]}`)
			if code := post(t, url, whatsapp.SignatureHeader, whatsapp.Sign("app-secret", status), status); code != http.StatusOK {
				t.Fatalf("status %s: %d", st, code)
			}
			if m, _ := s.Message(ctx, w.org.ID, reply.ID); string(m.DeliveryStatus) != st {
				t.Errorf("after %s: %s", st, m.DeliveryStatus)
			}
		}
	})
}

func TestMessengerRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newMetaWorld(t, s)
		ch, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelMessenger, "Facebook", channel.Settings{
			"page_id": "108543210987654", "access_token": "token-1", "app_secret": "app-secret", "verify_token": "verify-me",
			"api_base_url": w.graph.srv.URL + "/v21.0"})
		if err != nil {
			t.Fatal(err)
		}
		url := w.hooks.URL + "/hooks/meta/" + strconv.FormatInt(ch.ID, 10)
		if st, body := get(t, url+"?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42"); st != 200 || body != "42" {
			t.Errorf("verification: %d %q", st, body)
		}
		if st, _ := get(t, url+"?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42"); st != http.StatusForbidden {
			t.Errorf("wrong verify token: %d", st)
		}
		// A WhatsApp channel's id is no Messenger channel.
		if st := post(t, w.hooks.URL+"/hooks/whatsapp/"+strconv.FormatInt(ch.ID, 10), whatsapp.SignatureHeader, "", nil); st != http.StatusNotFound {
			t.Errorf("wrong kind: %d, want 404", st)
		}

		msg := example(t, "../../channel/messenger/testdata/message.json")
		if st := post(t, url, messenger.SignatureHeader, messenger.Sign("wrong", msg), msg); st != http.StatusUnauthorized {
			t.Errorf("bad signature: %d", st)
		}
		if n := len(w.conversations(t, model.ChannelMessenger)); n != 0 {
			t.Fatalf("%d conversations after a refused delivery", n)
		}
		bad := []byte(`{"object":"page","entry":[{"messaging":[{"sender":{"id":"1"},"message":{"text":"no mid"}}]}]}`)
		if st := post(t, url, messenger.SignatureHeader, messenger.Sign("app-secret", bad), bad); st != http.StatusBadRequest {
			t.Errorf("malformed: %d", st)
		}
		for range 2 {
			if st := post(t, url, messenger.SignatureHeader, messenger.Sign("app-secret", msg), msg); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
		}
		convs := w.conversations(t, model.ChannelMessenger)
		if len(convs) != 1 {
			t.Fatalf("%d conversations", len(convs))
		}
		conv := convs[0]
		if conv.Address != (model.Identity{Kind: model.IdentityMeta, Value: "6789012345678901"}) {
			t.Errorf("address %+v", conv.Address)
		}
		if ms := w.messages(t, conv.ID); len(ms) != 1 || ms[0].Body != "hello, world!" {
			t.Fatalf("messages %+v", ms)
		}

		// A photo from Meta's CDN.
		att := []byte(strings.ReplaceAll(string(example(t, "../../channel/messenger/testdata/attachments.json")),
			"https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg", w.graph.srv.URL+"/cdn/photo.png"))
		if st := post(t, url, messenger.SignatureHeader, messenger.Sign("app-secret", att), att); st != http.StatusOK {
			t.Fatalf("attachments: %d", st)
		}
		w.runJobs(t)
		ms := w.messages(t, conv.ID)
		// The photo, the postback and the reaction; the page's echo is not the citizen's.
		if len(ms) != 4 || len(ms[1].Attachments) != 1 || ms[2].Body != "Talk to an operator" || ms[3].Body != "reacted ❤️" {
			for _, m := range ms {
				t.Logf("%+v", m)
			}
			t.Fatalf("after attachments.json: %d messages", len(ms))
		}

		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Buongiorno, come possiamo aiutarla?"}
		if err := w.d.Post(ctx, w.admin, conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		w.runJobs(t)
		m, _ := s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliverySent || !strings.HasPrefix(m.ProviderMessageID, "m_OUT") {
			t.Fatalf("reply %s %q %s", m.DeliveryStatus, m.ProviderMessageID, m.Error)
		}
		got, _ := json.Marshal(w.graph.last())
		if want := `{"message":{"text":"Buongiorno, come possiamo aiutarla?"},"messaging_type":"RESPONSE","recipient":{"id":"6789012345678901"}}`; string(got) != want {
			t.Errorf("Send API got %s\nwant %s", got, want)
		}
		// Delivered (Messenger names the message), then read (Instagram's form).
		for _, ev := range []struct{ body, want string }{
			{`{"object":"page","entry":[{"id":"108543210987654","time":1,"messaging":[{"sender":{"id":"6789012345678901"},"recipient":{"id":"108543210987654"},"timestamp":1,"delivery":{"mids":["` + m.ProviderMessageID + `"],"watermark":1}}]}]}`, "delivered"},
			{`{"object":"instagram","entry":[{"id":"17841400000000000","time":1,"messaging":[{"sender":{"id":"6789012345678901"},"recipient":{"id":"17841400000000000"},"timestamp":2,"read":{"mid":"` + m.ProviderMessageID + `"}}]}]}`, "read"},
		} {
			b := []byte(ev.body)
			if st := post(t, url, messenger.SignatureHeader, messenger.Sign("app-secret", b), b); st != http.StatusOK {
				t.Fatalf("receipt: %d", st)
			}
			if m, _ := s.Message(ctx, w.org.ID, reply.ID); string(m.DeliveryStatus) != ev.want {
				t.Errorf("after the receipt: %s, want %s", m.DeliveryStatus, ev.want)
			}
		}
	})
}
