package desk_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/telegram/telegramtest"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func pollingBot(t *testing.T, w *world, fake *telegramtest.Server, mode string) *model.Channel {
	t.Helper()
	ch, err := w.d.AddChannel(context.Background(), w.org.ID, model.ChannelTelegram, "Bot "+mode, channel.Settings{
		"bot_token": telegramtest.Token, "secret_token": "s3cret", "mode": mode, "api_base_url": fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func telegramConversations(t *testing.T, w *world) []*model.Conversation {
	t.Helper()
	cs, _, err := w.s.Conversations(context.Background(), w.org.ID, store.ConversationFilter{Channel: model.ChannelTelegram})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestTelegramPollingRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		fake := telegramtest.New(t)
		fake.SetWebhookState("https://old.example/hook") // polling must turn it off
		ch := pollingBot(t, w, fake, "polling")
		if v := w.d.ViewChannel(ch); len(v.Webhooks) != 0 {
			t.Errorf("a polling channel lists webhooks %v", v.Webhooks)
		}
		other := telegramtest.New(t)
		pollingBot(t, w, other, "webhook") // is not polled

		fake.Push(telegramtest.TextUpdate(700, 111, 42, "Salve, avrei bisogno di un avvocato"))
		fake.Push(telegramtest.CallbackUpdate(701, 111, 1001, "cbq-1", "yes", "Sì"))
		n, err := w.d.PollChannels(ctx, desk.PollOptions{Owner: "first"})
		if err != nil || n != 2 {
			t.Fatalf("polled %d events, %v: want 2", n, err)
		}
		if fake.Calls("deleteWebhook") == 0 {
			t.Errorf("polling started without deleteWebhook")
		}
		if other.Calls("getUpdates") != 0 {
			t.Errorf("a webhook channel was polled")
		}
		if got := fake.Answered(); len(got) != 1 || got[0] != "cbq-1" {
			t.Errorf("callback answers %v", got)
		}
		convs := telegramConversations(t, w)
		if len(convs) != 1 || convs[0].LastSeq != 2 {
			t.Fatalf("conversations %+v: want one with two messages", convs)
		}
		conv := convs[0]

		// The operator's reply goes out through the same bot.
		reply := &model.Message{Direction: model.DirectionOutbound, Body: "Buongiorno, quando può passare?"}
		if err := w.d.Post(ctx, w.actor(t, model.RoleAdmin), conv.ID, reply); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		if sent := fake.Sent(); len(sent) != 1 || sent[0].ChatID != "111" || sent[0].Text != reply.Body {
			t.Errorf("Telegram got %+v", sent)
		}

		// A restart (a new service on the same database, another instance
		// name) carries on from the stored offset: nothing is repeated.
		d2, err := desk.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams()})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := d2.PollChannels(ctx, desk.PollOptions{Owner: "second"}); err != nil || n != 0 {
			t.Errorf("after a restart: %d events, %v; want none", n, err)
		}
		offs := fake.Offsets()
		if offs[0] != -1 || offs[len(offs)-1] != 702 {
			t.Errorf("getUpdates offsets %v: want none at first, 702 after the restart", offs)
		}
		fake.Push(telegramtest.TextUpdate(702, 111, 43, "Domani alle 9"))
		if n, err := d2.PollChannels(ctx, desk.PollOptions{Owner: "second"}); err != nil || n != 1 {
			t.Errorf("new update: %d events, %v", n, err)
		}
		if c := telegramConversations(t, w); len(c) != 1 || c[0].LastSeq != 4 {
			t.Errorf("conversation %+v: want the reply and one new message added", c[0])
		}

		// Telegram down: the error shows in the channel's health and the
		// offset stays.
		fake.Fail("getUpdates", telegramtest.Failure{Code: 502, Description: "Bad Gateway"})
		if _, err := d2.PollChannels(ctx, desk.PollOptions{}); err == nil {
			t.Errorf("a failed poll reported no error")
		}
		views, _ := w.d.ChannelsOf(ctx, w.org.ID)
		for _, v := range views {
			if v.ID == ch.ID && v.LastError == "" {
				t.Errorf("health shows no error: %+v", v.Channel)
			}
		}
		if _, err := d2.PollChannels(ctx, desk.PollOptions{}); err != nil {
			t.Fatal(err)
		}
		if offs := fake.Offsets(); offs[len(offs)-1] != 703 {
			t.Errorf("offsets %v after the failure: want 703", offs)
		}
	})
}

// eventually polls cond until it holds or the deadline passes: the pollers
// run on their own goroutines and signal nothing.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunPollers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		fake := telegramtest.New(t)

		// Two instances share the database; the channel is added while
		// they run.
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{}, 2)
		for _, owner := range []string{"a", "b"} {
			go func() {
				w.d.RunPollers(rctx, desk.PollOptions{Rescan: 30 * time.Millisecond, Wait: time.Second, Owner: owner})
				done <- struct{}{}
			}()
		}
		ch := pollingBot(t, w, fake, "polling")
		for i := range int64(3) {
			fake.Push(telegramtest.TextUpdate(900+i, 111+i, 1, "Aiuto"))
		}
		eventually(t, "three conversations", func() bool { return len(telegramConversations(t, w)) == 3 })
		if n := fake.MaxConcurrentPolls(); n != 1 {
			t.Errorf("%d getUpdates at once: two instances polled one bot", n)
		}
		if _, ok, _ := s.LeaseChannelPoll(ctx, w.org.ID, ch.ID, "outsider", time.Minute); ok {
			t.Errorf("the lease was free while polling ran")
		}

		// Switched to a webhook, the channel is let go.
		ch.Settings = `{"bot_token":"` + telegramtest.Token + `","secret_token":"s3cret","mode":"webhook","api_base_url":"` + fake.URL + `"}`
		if err := s.UpdateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the lease to be released", func() bool {
			_, ok, _ := s.LeaseChannelPoll(ctx, w.org.ID, ch.ID, "outsider", time.Millisecond)
			return ok
		})

		stop()
		for range 2 {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("RunPollers did not stop")
			}
		}
	})
}
