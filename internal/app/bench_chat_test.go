package app_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/app"
	"github.com/sportello/sportello/internal/bench"
)

// TestBenchChat runs `bench chat` for a second against the demo server:
// every message sent is acknowledged and reaches the operator's live
// socket, and the last line says so.
func TestBenchChat(t *testing.T) {
	env := map[string]string{"SPORTELLO_DATA_DIR": t.TempDir(), "SPORTELLO_DEMO": "1"}
	base, _, stop := startServer(t, env)
	defer stop()
	var out strings.Builder
	err := app.Run(context.Background(), []string{"bench", "chat", "--target", base, "--visitors", "5", "--rate", "4", "--duration", "1s", "--replies", "10"},
		func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
	if err != nil {
		t.Fatalf("bench chat: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var r bench.Result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil || r.ChatStats == nil {
		t.Fatalf("last line is not a chat result: %v\n%s", err, out.String())
	}
	if r.Benchmark != "chat" || r.Sent < 10 || r.Acks != r.Sent || r.Delivered != r.Sent || r.Errors != 0 || r.P50 <= 0 || r.P99 < r.P50 ||
		r.Replies < 3 || r.RepliesReceived != r.Replies || r.ReplyP50 <= 0 {
		t.Errorf("got %+v %+v\n%s", r, *r.ChatStats, out.String())
	}
	t.Log(out.String())

	// Idle visitors: connected through the run, and the server wrote
	// nothing to the database while they sat there.
	out.Reset()
	err = app.Run(context.Background(), []string{"bench", "chat", "--idle", "--target", base, "--visitors", "20", "--duration", "1s"},
		func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
	if err != nil {
		t.Fatalf("bench chat --idle: %v\n%s", err, out.String())
	}
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	var idle bench.Result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &idle); err != nil || idle.IdleStats == nil {
		t.Fatalf("last line is not an idle result: %v\n%s", err, out.String())
	}
	if idle.Benchmark != "chat-idle" || idle.Connected != 20 || idle.LiveSubscribers < 20 || idle.DBWritesWhileIdle != 0 || idle.RSSBytes <= 0 || idle.Errors != 0 {
		t.Errorf("idle: got %+v %+v\n%s", idle, *idle.IdleStats, out.String())
	}
	t.Log(out.String())
	// Not a loopback target: refused before any request.
	err = app.Run(context.Background(), []string{"bench", "chat", "--target", "http://192.0.2.1:8080", "--duration", "1s"},
		func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("non-loopback target: got %v", err)
	}
}
