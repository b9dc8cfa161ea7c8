package hooks_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/telegram"
	"github.com/sportello/sportello/internal/channel/telegram/telegramtest"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/hooks"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// desk is a desk on a fresh database of each engine, with one
// organisation, its admin, and its webhooks served over HTTP.
type world struct {
	s     *store.Store
	d     *desk.Service
	org   *model.Organization
	admin *desk.Actor
	clock *clock
	srv   *httptest.Server
}

func each(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			c := &clock{t: time.Now().UTC()}
			s, err := store.Open(ctx, storetest.URL(t, e), store.Options{Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fs, err := files.New(t.TempDir(), files.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fs.Close() })
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			d, err := desk.New(s, log, desk.Options{PasswordParams: auth.TestPasswordParams(), Now: c.now, Files: fs, BaseURL: "https://desk.example"})
			if err != nil {
				t.Fatal(err)
			}
			w := &world{s: s, d: d, clock: c, org: &model.Organization{Slug: "hooks", Name: "Hooks"}}
			if err := s.CreateOrganization(ctx, w.org); err != nil {
				t.Fatal(err)
			}
			u := &model.User{OrgID: w.org.ID, Email: "admin@hooks.example", Name: "Admin", Role: model.RoleAdmin, Active: true, PasswordHash: "x"}
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
			hooks.New(d, log).Routes(mux)
			w.srv = httptest.NewServer(mux)
			t.Cleanup(w.srv.Close)
			fn(t, w)
		})
	}
}

// post delivers an update to the channel's webhook as Telegram does.
func (w *world) post(t *testing.T, chID int64, secret, update string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/hooks/telegram/"+strconv.FormatInt(chID, 10), strings.NewReader(update))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(telegram.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *world) conversations(t *testing.T) []*model.Conversation {
	t.Helper()
	cs, _, err := w.s.Conversations(context.Background(), w.org.ID, store.ConversationFilter{Channel: model.ChannelTelegram})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

const secret = "s3cret_Token-1"

func TestTelegramRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		fake := telegramtest.New(t)
		ch, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelTelegram, "Bot", channel.Settings{
			"bot_token": telegramtest.Token, "secret_token": secret, "api_base_url": fake.URL})
		if err != nil {
			t.Fatal(err)
		}
		if v := w.d.ViewChannel(ch); v.Webhooks["webhook"] != "https://desk.example/hooks/telegram/"+strconv.FormatInt(ch.ID, 10) {
			t.Errorf("webhooks %v", v.Webhooks)
		}
		hello := telegramtest.TextUpdate(1, 111, 42, "Bonjour, j'ai besoin d'aide pour mon permis de séjour")

		// Before anything is read the secret must match.
		for _, s := range []string{"", "wrong", secret + "x"} {
			if code, _ := w.post(t, ch.ID, s, hello); code != http.StatusForbidden {
				t.Errorf("secret %q: %d, want 403", s, code)
			}
		}
		if code, _ := w.post(t, ch.ID+1000, secret, hello); code != http.StatusNotFound {
			t.Errorf("unknown channel: %d, want 404", code)
		}
		if code, _ := w.post(t, ch.ID, secret, `{"update_id":`); code != http.StatusBadRequest {
			t.Errorf("malformed: %d, want 400", code)
		}
		if n := len(w.conversations(t)); n != 0 {
			t.Fatalf("%d conversations after refused deliveries", n)
		}

		// A message opens a conversation; its redelivery stores nothing.
		for range 2 {
			if code, body := w.post(t, ch.ID, secret, hello); code != http.StatusOK {
				t.Fatalf("update: %d %s", code, body)
			}
		}
		convs := w.conversations(t)
		if len(convs) != 1 || convs[0].LastSeq != 1 || convs[0].Language != "fr" {
			t.Fatalf("conversations %+v: want one, in French, with one message", convs)
		}
		conv := convs[0]
		ct, err := w.s.Contact(ctx, w.org.ID, conv.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if ct.DisplayName != "Awa Diop" || len(ct.Identities) != 1 || ct.Identities[0] != (model.Identity{Kind: model.IdentityTelegram, Value: "111"}) {
			t.Errorf("contact %+v", ct)
		}

		// A photo comes in; its file is fetched by a job.
		fake.AddFile("AgACphoto", "photos/file_7.jpg", []byte("\xff\xd8\xff\xe0 JPEG"))
		if code, _ := w.post(t, ch.ID, secret, telegramtest.PhotoUpdate(2, 111, 43, "AgACphoto", "il documento")); code != http.StatusOK {
			t.Fatalf("photo: %d", code)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		msgs, err := w.s.Messages(ctx, w.org.ID, conv.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 || msgs[1].Body != "il documento" || len(msgs[1].Attachments) != 1 || msgs[1].Attachments[0].ContentType != "image/jpeg" {
			t.Fatalf("messages %+v: want the photo stored as an attachment", msgs)
		}

		// An inline keyboard press is stored as the button's text and
		// answered in the webhook's response.
		code, body := w.post(t, ch.ID, secret, telegramtest.CallbackUpdate(3, 111, 1001, "cbq-9", "topic:work", "Lavoro"))
		var answer map[string]string
		if code != http.StatusOK || json.Unmarshal([]byte(body), &answer) != nil ||
			answer["method"] != "answerCallbackQuery" || answer["callback_query_id"] != "cbq-9" {
			t.Errorf("callback: %d %s", code, body)
		}

		// The operator answers: Telegram is down first, so the reply
		// waits; then it goes out with sendMessage.
		fake.Fail("sendMessage", telegramtest.Failure{Code: 502, Description: "Bad Gateway"})
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Bonjour Awa, venez mardi à 10 h.", QuickReplies: []string{"D'accord", "Autre jour"}}
		if err := w.d.Post(ctx, w.admin, conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		m, _ := w.s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliveryQueued || len(fake.Sent()) != 0 {
			t.Fatalf("with Telegram down: %s, sent %v; want queued", m.DeliveryStatus, fake.Sent())
		}
		w.clock.add(10 * time.Minute)
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		sent := fake.Sent()
		if len(sent) != 1 || sent[0].Method != "sendMessage" || sent[0].ChatID != "111" || sent[0].Text != reply.Body ||
			!strings.Contains(string(sent[0].ReplyMarkup), `"Autre jour"`) {
			t.Fatalf("Telegram got %+v", sent)
		}
		m, _ = w.s.Message(ctx, w.org.ID, reply.ID)
		if m.DeliveryStatus != model.DeliverySent || m.ProviderMessageID != telegram.ProviderID(111, sent[0].MessageID) {
			t.Errorf("reply %s %q: want sent, named by chat and message id", m.DeliveryStatus, m.ProviderMessageID)
		}

		// A citizen blocked the bot: the refusal is final.
		fake.Fail("sendMessage", telegramtest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"})
		again := &model.Message{Direction: model.DirectionOutbound, Body: "Ci sei?"}
		if err := w.d.Post(ctx, w.admin, conv.ID, again); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		m, _ = w.s.Message(ctx, w.org.ID, again.ID)
		if m.DeliveryStatus != model.DeliveryFailed || !strings.Contains(m.Error, "blocked") {
			t.Errorf("blocked: %s %q, want failed with Telegram's reason", m.DeliveryStatus, m.Error)
		}
	})
}

// BenchmarkTelegramWebhook posts text updates from distinct chats to the
// webhook over HTTP: secret check, parsing, and storing each as a new
// message (the first of each chat opens a contact and a conversation).
func BenchmarkTelegramWebhook(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URL(b, store.SQLite), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := desk.New(s, log, desk.Options{PasswordParams: auth.TestPasswordParams()})
	if err != nil {
		b.Fatal(err)
	}
	org := &model.Organization{Slug: "bench", Name: "Bench"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		b.Fatal(err)
	}
	ch, err := d.AddChannel(ctx, org.ID, model.ChannelTelegram, "Bot", channel.Settings{"bot_token": telegramtest.Token, "secret_token": secret})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	hooks.New(d, log).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := srv.URL + "/hooks/telegram/" + strconv.FormatInt(ch.ID, 10)
	var n int64
	b.ResetTimer()
	for b.Loop() {
		n++
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(telegramtest.TextUpdate(n, 1000+n%500, n, "Buongiorno, avrei bisogno di informazioni")))
		req.Header.Set(telegram.SecretHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
