// Package pgrelay carries live events between app instances that share one
// PostgreSQL database, over LISTEN/NOTIFY. Each instance publishes to its
// own hub and notifies the others, which publish to theirs.
//
// NOTIFY is at-most-once and its payload is bounded (8000 bytes): an event
// too large travels without its data, and a notification lost while an
// instance reconnects is simply missed. Both are safe because an event is
// only a signal: clients notice the sequence gap and reload from the
// database.
package pgrelay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sportello/sportello/internal/realtime"
)

// Channel is the PostgreSQL notification channel.
const Channel = "sportello_events"

// maxPayload stays under PostgreSQL's 8000-byte NOTIFY limit.
const maxPayload = 7800

// Relay publishes locally and to the other instances.
type Relay struct {
	hub  *realtime.Hub
	dsn  string
	id   string
	log  *slog.Logger
	send chan []byte
}

// wire is an event as it travels between instances.
type wire struct {
	From  string         `json:"f"`
	Topic string         `json:"t"`
	OrgID int64          `json:"o"`
	Event realtime.Event `json:"e"`
}

// New makes a relay over the database at dsn. Call Run to start it.
func New(dsn string, hub *realtime.Hub, log *slog.Logger) *Relay {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Relay{hub: hub, dsn: dsn, id: hex.EncodeToString(b), log: log, send: make(chan []byte, 4096)}
}

// Publish delivers ev to this instance's subscribers at once and queues it
// for the other instances; it never blocks (a full queue drops the
// notification, which clients recover from).
func (r *Relay) Publish(topic string, ev realtime.Event) {
	r.hub.Publish(topic, ev)
	payload, err := json.Marshal(wire{From: r.id, Topic: topic, OrgID: ev.OrgID, Event: ev})
	if err == nil && len(payload) > maxPayload {
		ev.Data = nil
		payload, err = json.Marshal(wire{From: r.id, Topic: topic, OrgID: ev.OrgID, Event: ev})
	}
	if err != nil {
		r.log.Warn("relay: encode event", "err", err)
		return
	}
	select {
	case r.send <- payload:
	default:
		r.log.Warn("relay: queue full, notification dropped")
	}
}

// Run listens and notifies until ctx ends, reconnecting with backoff.
func (r *Relay) Run(ctx context.Context) {
	backoff := 200 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := r.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = 200 * time.Millisecond
		}
		r.log.Warn("relay: connection lost, reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// session runs one connection for listening and one for notifying: a
// connection waiting for notifications cannot send at the same time.
func (r *Relay) session(ctx context.Context) error {
	listen, err := pgx.Connect(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer listen.Close(context.Background())
	notify, err := pgx.Connect(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer notify.Close(context.Background())
	if _, err := listen.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		for {
			select {
			case <-sctx.Done():
				errc <- nil
				return
			case p := <-r.send:
				if _, err := notify.Exec(sctx, "SELECT pg_notify($1, $2)", Channel, string(p)); err != nil {
					errc <- err
					return
				}
			}
		}
	}()
	for {
		n, err := listen.WaitForNotification(sctx)
		if err != nil {
			cancel()
			if sendErr := <-errc; sendErr != nil {
				return sendErr
			}
			return err
		}
		var w wire
		if err := json.Unmarshal([]byte(n.Payload), &w); err != nil || w.From == r.id {
			continue
		}
		w.Event.OrgID = w.OrgID
		r.hub.Publish(w.Topic, w.Event)
	}
}
