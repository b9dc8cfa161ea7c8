package hooks_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/telegram/telegramtest"
	"github.com/sportello/sportello/internal/model"
)

// TestScreenerOverTelegram: the benefit screener's chat flow on a
// provider's channel. A citizen writes /benefici to the bot; the desk's
// route job starts the screener, whose first question goes out through
// the job queue as a Telegram message with the answers as a keyboard;
// the citizen's answer moves it on.
func TestScreenerOverTelegram(t *testing.T) {
	each(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		fake := telegramtest.New(t)
		ch, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelTelegram, "Bot", channel.Settings{
			"bot_token": telegramtest.Token, "secret_token": secret, "api_base_url": fake.URL})
		if err != nil {
			t.Fatal(err)
		}
		if code, body := w.post(t, ch.ID, secret, telegramtest.TextUpdate(1, 555, 10, "/benefici")); code != http.StatusOK {
			t.Fatalf("update: %d %s", code, body)
		}
		run := func() {
			t.Helper()
			for range 3 { // the route job, then the question's delivery
				if _, err := w.d.RunDueJobs(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		run()
		sent := fake.Sent()
		if len(sent) == 0 {
			t.Fatal("the bot sent nothing after /benefici")
		}
		first := sent[len(sent)-1]
		if first.ChatID != "555" || !strings.Contains(string(first.ReplyMarkup), "keyboard") {
			t.Fatalf("first question %+v: want it to chat 555 with a keyboard of answers", first)
		}
		// The citizen answers the age; the next question follows.
		if code, _ := w.post(t, ch.ID, secret, telegramtest.TextUpdate(2, 555, 11, "34")); code != http.StatusOK {
			t.Fatalf("answer: %d", code)
		}
		run()
		if after := fake.Sent(); len(after) <= len(sent) || after[len(after)-1].Text == first.Text {
			t.Errorf("no next question after the answer: %d messages sent", len(after))
		}
		convs := w.conversations(t)
		if len(convs) != 1 {
			t.Fatalf("%d conversations", len(convs))
		}
		ms, err := w.s.Messages(ctx, w.org.ID, convs[0].ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		bot := 0
		for _, m := range ms {
			if m.Direction == model.DirectionOutbound && m.AuthorUserID == 0 {
				bot++
				if m.DeliveryStatus != model.DeliverySent {
					t.Errorf("the screener's message %q is %s, want sent", m.Body, m.DeliveryStatus)
				}
			}
		}
		if bot < 2 {
			t.Errorf("the screener said %d things, want a question, then the next", bot)
		}
	})
}
