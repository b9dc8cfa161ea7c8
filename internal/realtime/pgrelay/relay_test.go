package pgrelay_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/realtime/pgrelay"
	"github.com/sportello/sportello/internal/store/storetest"
)

// Two relays on one database stand for two app instances: an event
// published on one reaches the other's subscribers, with its organisation.
func TestRelayBetweenInstances(t *testing.T) {
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		t.Skip(storetest.EnvPostgres + " is not set")
	}
	dsn := storetest.NewPostgresDB(t, base)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hubA, hubB := realtime.NewHub(16), realtime.NewHub(16)
	a, b := pgrelay.New(dsn, hubA, log), pgrelay.New(dsn, hubB, log)
	go a.Run(ctx)
	go b.Run(ctx)
	subA := hubA.Subscribe("org:1")
	subB := hubB.Subscribe("org:1")
	defer subA.Close()
	defer subB.Close()

	// Until B listens, A's notifications may be missed: publish until one
	// arrives (at-most-once delivery is the contract).
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var got realtime.Event
wait:
	for {
		select {
		case <-tick.C:
			a.Publish("org:1", realtime.Event{Type: "message", OrgID: 1, ConversationID: 7, Seq: 3, Data: []byte(`{"body":"ciao"}`)})
		case got = <-subB.C:
			break wait
		case <-deadline:
			t.Fatal("no event crossed instances")
		}
	}
	if got.ConversationID != 7 || got.OrgID != 1 || string(got.Data) != `{"body":"ciao"}` {
		t.Errorf("B got %+v", got)
	}
	// A's own subscribers got it locally, and never twice through the relay.
	n := 0
	for len(subA.C) > 0 {
		<-subA.C
		n++
	}
	select {
	case ev := <-subA.C:
		t.Errorf("A got its own event back: %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
	if n == 0 {
		t.Error("A's local subscriber got nothing")
	}
	for len(subB.C) > 0 { // the repeats sent while B was starting
		<-subB.C
	}

	// Too large for NOTIFY: it still crosses, without its data.
	big := make([]byte, 9000)
	for i := range big {
		big[i] = 'a'
	}
	a.Publish("org:1", realtime.Event{Type: "message", OrgID: 1, Seq: 4, Data: append(append([]byte(`"`), big...), '"')})
	select {
	case ev := <-subB.C:
		if ev.Seq != 4 || len(ev.Data) != 0 {
			t.Errorf("large event: got seq %d with %d bytes of data, want seq 4 without data", ev.Seq, len(ev.Data))
		}
	case <-time.After(10 * time.Second):
		t.Error("large event did not cross")
	}
}
