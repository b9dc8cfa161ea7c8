package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/bench"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/hooks"
)

// TestWebhooks drives the real webhook surface briefly: every delivery
// is stored once, redeliveries store nothing new, and the summary says so.
func TestWebhooks(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := desk.New(s, log, desk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org := &model.Organization{Slug: "bench", Name: "Bench"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	ch, err := d.AddChannel(ctx, org.ID, model.ChannelWhatsApp, "WhatsApp", channel.Settings{"phone_number_id": "555", "access_token": "t",
		"app_secret": "bench-secret", "verify_token": "v"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	hooks.New(d, log).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var out bytes.Buffer
	res, err := bench.Webhooks(ctx, bench.WebhookOptions{Target: srv.URL, Channel: ch.ID, AppSecret: "bench-secret", PhoneNumberID: "555",
		Rate: 100, Duration: time.Second, Workers: 4, Redeliver: 0.2, Senders: 20}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("not one line of JSON: %s", out.Bytes())
	}
	for _, k := range []string{"sent", "stored", "duplicates", "p50_ms", "p99_ms", "rate"} {
		if _, ok := line[k]; !ok {
			t.Errorf("summary without %s: %s", k, out.Bytes())
		}
	}
	if res.Refused != 0 || res.Sent != res.Stored+res.Duplicates || res.Stored < 50 || res.Duplicates == 0 {
		t.Fatalf("result %+v", res)
	}
	var stored int64
	convs, _, err := s.Conversations(ctx, org.ID, store.ConversationFilter{Channel: model.ChannelWhatsApp, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		stored += c.LastSeq
	}
	if stored != res.Stored {
		t.Errorf("%d messages in the store, the summary says %d stored", stored, res.Stored)
	}

	// A wrong secret: every delivery refused, none stored.
	res, err = bench.Webhooks(ctx, bench.WebhookOptions{Target: srv.URL, Channel: ch.ID, AppSecret: "wrong", PhoneNumberID: "555",
		Rate: 50, Duration: 200 * time.Millisecond, Workers: 2}, io.Discard)
	if err != nil || res.Stored != 0 || res.Refused == 0 || res.Statuses[http.StatusUnauthorized] != int(res.Refused) {
		t.Errorf("wrong secret: %+v %v", res, err)
	}
	if _, err := bench.Webhooks(ctx, bench.WebhookOptions{Target: "http://192.0.2.1", Channel: 1, AppSecret: "x", Rate: 1, Duration: time.Second, Workers: 1}, io.Discard); err == nil {
		t.Error("a target off this machine was accepted")
	}
}
