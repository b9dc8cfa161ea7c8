package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/telegram"
	"github.com/sportello/sportello/internal/channel/telegram/telegramtest"
	"github.com/sportello/sportello/internal/model"
)

func open(t *testing.T, fake *telegramtest.Server, mode string) *telegram.Adapter {
	t.Helper()
	s := channel.Settings{"bot_token": telegramtest.Token, "secret_token": "s3cret_Token-1", "mode": mode, "api_base_url": fake.URL}
	if err := telegram.Spec.Check(s); err != nil {
		t.Fatal(err)
	}
	a, err := telegram.New(s, &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSpec(t *testing.T) {
	s := channel.Settings{"bot_token": "1:x", "secret_token": "y"}
	if err := telegram.Spec.Check(s); err != nil {
		t.Fatal(err)
	}
	if s["mode"] != telegram.ModeWebhook || s["api_base_url"] != telegram.DefaultBaseURL {
		t.Errorf("defaults not filled: %v", s)
	}
	if got := telegram.Spec.Hooks("https://desk.example", 7, s)["webhook"]; got != "https://desk.example/hooks/telegram/7" {
		t.Errorf("webhook URL %q", got)
	}
	s["mode"] = telegram.ModePolling
	if got := telegram.Spec.Hooks("https://desk.example", 7, s); got != nil || !telegram.Polling(s) {
		t.Errorf("polling channel lists webhooks %v", got)
	}
	if pub := telegram.Spec.Public(s); pub["bot_token"] != channel.Masked || pub["secret_token"] != channel.Masked {
		t.Errorf("secrets shown: %v", pub)
	}
	if err := telegram.Spec.Check(channel.Settings{"bot_token": "1:x", "secret_token": "y", "mode": "push"}); err == nil {
		t.Errorf("mode push accepted")
	}
	if err := telegram.Spec.Check(channel.Settings{"secret_token": "y"}); err == nil {
		t.Errorf("missing bot_token accepted")
	}
	for _, bad := range []string{"", "with space", "ünï", strings.Repeat("a", 257)} {
		if telegram.CheckSecretToken(bad) == nil {
			t.Errorf("secret token %q accepted", bad)
		}
	}
}

func TestVerifySecret(t *testing.T) {
	s := channel.Settings{"secret_token": "abc"}
	if !telegram.VerifySecret(s, "abc") || telegram.VerifySecret(s, "abd") || telegram.VerifySecret(s, "") {
		t.Errorf("secret comparison wrong")
	}
	if telegram.VerifySecret(channel.Settings{}, "") {
		t.Errorf("an unset secret matched")
	}
}

func TestSend(t *testing.T) {
	ctx := context.Background()
	fake := telegramtest.New(t)
	a := open(t, fake, telegram.ModeWebhook)
	to := model.Identity{Kind: model.IdentityTelegram, Value: "111"}

	id, err := a.Send(ctx, channel.Outbound{MessageID: 1, To: to, Text: "Quale servizio?", QuickReplies: []string{"Lavoro", "Casa"}})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent()
	if len(sent) != 1 || sent[0].Method != "sendMessage" || sent[0].ChatID != "111" || sent[0].Text != "Quale servizio?" {
		t.Fatalf("sent %+v", sent)
	}
	if id != "111:"+itoa(sent[0].MessageID) {
		t.Errorf("provider id %q, want chat:message of %+v", id, sent[0])
	}
	var kb struct {
		Keyboard [][]struct{ Text string } `json:"keyboard"`
		OneTime  bool                      `json:"one_time_keyboard"`
	}
	if err := json.Unmarshal(sent[0].ReplyMarkup, &kb); err != nil || len(kb.Keyboard) != 2 || kb.Keyboard[1][0].Text != "Casa" || !kb.OneTime {
		t.Errorf("quick replies as %s (%v)", sent[0].ReplyMarkup, err)
	}

	// A long text is split within Telegram's 4,096 characters.
	long := strings.Repeat("parola ", 1000)
	if _, err := a.Send(ctx, channel.Outbound{To: to, Text: long}); err != nil {
		t.Fatal(err)
	}
	sent = fake.Sent()[1:]
	if len(sent) != 2 || len([]rune(sent[0].Text)) > 4096 || sent[0].Text+" "+sent[1].Text != strings.TrimSpace(long) {
		t.Errorf("long text sent as %d messages", len(sent))
	}

	// One picture carries the text as its caption; a PDF goes as a document.
	file := func(name, ctype, body string) channel.File {
		return channel.File{Name: name, ContentType: ctype, Size: int64(len(body)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }}
	}
	if _, err := a.Send(ctx, channel.Outbound{To: to, Text: "Ecco la mappa", Attachments: []channel.File{file("mappa.png", "image/png", "PNG…")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(ctx, channel.Outbound{To: to, Text: "Il modulo e la foto",
		Attachments: []channel.File{file("modulo.pdf", "application/pdf", "%PDF-1.7"), file("a.jpg", "image/jpeg", "JPEG")}}); err != nil {
		t.Fatal(err)
	}
	sent = fake.Sent()[3:]
	want := []telegramtest.Sent{
		{Method: "sendPhoto", ChatID: "111", Caption: "Ecco la mappa", FileName: "mappa.png", File: []byte("PNG…")},
		{Method: "sendMessage", ChatID: "111", Text: "Il modulo e la foto"},
		{Method: "sendDocument", ChatID: "111", FileName: "modulo.pdf", File: []byte("%PDF-1.7")},
		{Method: "sendPhoto", ChatID: "111", FileName: "a.jpg", File: []byte("JPEG")},
	}
	if len(sent) != len(want) {
		t.Fatalf("sent %+v", sent)
	}
	for i, w := range want {
		g := sent[i]
		if g.Method != w.Method || g.ChatID != w.ChatID || g.Text != w.Text || g.Caption != w.Caption || g.FileName != w.FileName || !bytes.Equal(g.File, w.File) {
			t.Errorf("sent[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestSendErrors(t *testing.T) {
	ctx := context.Background()
	fake := telegramtest.New(t)
	a := open(t, fake, telegram.ModeWebhook)
	to := model.Identity{Kind: model.IdentityTelegram, Value: "111"}
	tests := []struct {
		failure   telegramtest.Failure
		permanent bool
		says      string
	}{
		{telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 5", RetryAfter: 5}, false, "retry after 5 s"},
		{telegramtest.Failure{Code: 502, Description: "Bad Gateway"}, false, "502"},
		{telegramtest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"}, true, "blocked"},
		{telegramtest.Failure{Code: 400, Description: "Bad Request: chat not found"}, true, "chat not found"},
	}
	for _, tt := range tests {
		fake.Fail("sendMessage", tt.failure)
		_, err := a.Send(ctx, channel.Outbound{To: to, Text: "x"})
		if err == nil || channel.IsPermanent(err) != tt.permanent || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%d: %v (permanent %v), want permanent=%v saying %q", tt.failure.Code, err, channel.IsPermanent(err), tt.permanent, tt.says)
		}
	}
	if _, err := a.Send(ctx, channel.Outbound{To: model.Identity{Kind: model.IdentityPhone, Value: "+393331234567"}, Text: "x"}); !channel.IsPermanent(err) {
		t.Errorf("a phone address: %v, want permanent", err)
	}

	// A wrong token is final, and no error shows a token.
	bad, err := telegram.New(channel.Settings{"bot_token": "999:wrong", "api_base_url": fake.URL}, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Send(ctx, channel.Outbound{To: to, Text: "x"}); !channel.IsPermanent(err) || strings.Contains(err.Error(), "999:wrong") {
		t.Errorf("wrong token: %v", err)
	}
	down, _ := telegram.New(channel.Settings{"bot_token": telegramtest.Token, "api_base_url": "http://127.0.0.1:1"}, http.DefaultClient)
	if _, err := down.Send(ctx, channel.Outbound{To: to, Text: "x"}); err == nil || channel.IsPermanent(err) || strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("server down: %v, want retryable without the token", err)
	}
	if _, err := telegram.New(channel.Settings{"bot_token": "1:x/../y"}, http.DefaultClient); err == nil {
		t.Errorf("a token with a slash accepted")
	}
}

func TestFetch(t *testing.T) {
	ctx := context.Background()
	fake := telegramtest.New(t)
	a := open(t, fake, telegram.ModeWebhook)
	fake.AddFile("AgAClarge", "photos/file_0.jpg", []byte("JPEG bytes"))
	body, ctype, err := a.Fetch(ctx, channel.Media{Ref: "AgAClarge", ContentType: "image/jpeg"}, 1<<20)
	if err != nil || string(body) != "JPEG bytes" || ctype != "" {
		t.Errorf("fetched %q %q %v", body, ctype, err)
	}
	if _, _, err := a.Fetch(ctx, channel.Media{Ref: "AgAClarge"}, 4); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, _, err := a.Fetch(ctx, channel.Media{Ref: "big", Size: 30 << 20}, 100<<20); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("over Telegram's 20 MB: %v", err)
	}
	fake.AddFile("huge", "documents/file_1.bin", make([]byte, 21<<20))
	if _, _, err := a.Fetch(ctx, channel.Media{Ref: "huge"}, 100<<20); !errors.Is(err, channel.ErrTooLarge) {
		t.Errorf("getFile says too big: %v", err)
	}
	if _, _, err := a.Fetch(ctx, channel.Media{Ref: "gone"}, 1<<20); !channel.IsPermanent(err) {
		t.Errorf("unknown file: %v, want permanent", err)
	}
}

func TestPoll(t *testing.T) {
	ctx := context.Background()
	fake := telegramtest.New(t)
	a := open(t, fake, telegram.ModePolling)
	fake.SetWebhookState("https://old.example/hook")
	if _, _, err := a.Poll(ctx, "", 0); err == nil || channel.IsPermanent(err) {
		t.Fatalf("getUpdates with a webhook set: %v, want a retryable conflict", err)
	}
	if err := a.StartPolling(ctx); err != nil {
		t.Fatal(err)
	}
	fake.Push(telegramtest.TextUpdate(500, 111, 42, "Ciao"))
	fake.Push(telegramtest.CallbackUpdate(501, 111, 1002, "cbq1", "topic:work", "Lavoro"))
	fake.Push(`{"update_id":502,"message":"not a message"}`)
	evs, next, err := a.Poll(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if next != "503" || len(evs) != 2 || evs[0].Text != "Ciao" || evs[1].Text != "Lavoro" {
		t.Fatalf("polled %+v, next %q", evs, next)
	}
	if got := fake.Answered(); len(got) != 1 || got[0] != "cbq1" {
		t.Errorf("answered %v", got)
	}
	evs, next2, err := a.Poll(ctx, next, 0)
	if err != nil || len(evs) != 0 || next2 != next {
		t.Errorf("second poll %+v %q %v: want nothing new", evs, next2, err)
	}
	if offs := fake.Offsets(); offs[len(offs)-1] != 503 {
		t.Errorf("offsets %v", offs)
	}

	// A long poll returns as soon as an update arrives.
	done := make(chan []channel.Event)
	go func() {
		evs, _, _ := a.Poll(ctx, next, 20*time.Second)
		done <- evs
	}()
	for len(fake.Offsets()) < 4 {
		time.Sleep(5 * time.Millisecond)
	}
	fake.Push(telegramtest.TextUpdate(503, 111, 43, "Ci sei?"))
	select {
	case evs := <-done:
		if len(evs) != 1 || evs[0].Text != "Ci sei?" {
			t.Errorf("long poll got %+v", evs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return on a new update")
	}
}

func TestSetWebhook(t *testing.T) {
	ctx := context.Background()
	fake := telegramtest.New(t)
	a := open(t, fake, telegram.ModeWebhook)
	if err := a.SetWebhook(ctx, "https://desk.example/hooks/telegram/7"); err != nil {
		t.Fatal(err)
	}
	if u, s := fake.Webhook(); u != "https://desk.example/hooks/telegram/7" || s != "s3cret_Token-1" {
		t.Errorf("webhook %q secret %q", u, s)
	}
	if err := a.DeleteWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if u, _ := fake.Webhook(); u != "" {
		t.Errorf("webhook still %q", u)
	}
}
