package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Inbound records web chat messages with Store.RecordInbound from workers
// goroutines for duration, on the organisation with slug org. Each worker
// plays its own visitors: one message in four comes from a new visitor,
// the others from one of the worker's recent visitors writing again, and
// one in fifty is a redelivery of an earlier provider message id, which
// must be reported as a duplicate. It reports messages stored a second and
// the latency of each call (until the message is durably stored).
func Inbound(ctx context.Context, s *store.Store, org string, workers int, duration time.Duration, out io.Writer) (Result, error) {
	if workers <= 0 {
		return Result{}, fmt.Errorf("inbound: workers must be positive")
	}
	o, ch, err := prepare(ctx, s, org)
	if err != nil {
		return Result{}, err
	}
	// Visitors and provider ids are new on every run, so runs can follow
	// each other on one organisation.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	res := newResult(s, "inbound", org)
	res.Workers = workers
	fmt.Fprintf(out, "inbound on %s, org %s: %d workers for %s\n", s.Engine(), org, workers, duration)

	stats := make([]inboundStats, workers)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for w := range workers {
		wg.Go(func() {
			iw := inboundWorker{s: s, org: o.ID, channel: ch.ID, prefix: run + "-w" + strconv.Itoa(w),
				rnd: rand.New(rand.NewPCG(SeedValue, uint64(w))), st: &stats[w]}
			iw.loop(ctx, deadline)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	var lat []time.Duration
	var firstErr error
	for _, st := range stats {
		lat = append(lat, st.lat...)
		res.Ops += st.stored
		res.Errors += st.errors
		res.Redeliveries += st.redeliveries
		res.Duplicates += st.duplicates
		res.NewContacts += st.newContacts
		res.NewConversations += st.newConversations
		if firstErr == nil {
			firstErr = st.err
		}
	}
	res.Latency = summarize(lat)
	fmt.Fprintf(out, "  %d messages stored in %.1f s: %.0f a second; p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		res.Ops, elapsed.Seconds(), float64(res.Ops)/elapsed.Seconds(), res.P50, res.P99, res.Max)
	fmt.Fprintf(out, "  %d new contacts, %d new conversations, %d redeliveries, %d reported duplicates, %d errors\n",
		res.NewContacts, res.NewConversations, res.Redeliveries, res.Duplicates, res.Errors)
	if err := res.finish(out, elapsed); err != nil {
		return res, err
	}
	if firstErr != nil {
		return res, fmt.Errorf("inbound: %d calls failed, the first with: %w", res.Errors, firstErr)
	}
	if res.Duplicates != res.Redeliveries {
		return res, fmt.Errorf("inbound: %d redeliveries but %d duplicates reported", res.Redeliveries, res.Duplicates)
	}
	return res, nil
}

type inboundStats struct {
	lat                           []time.Duration
	stored, errors                int64
	redeliveries, duplicates      int64
	newContacts, newConversations int64
	err                           error
}

// inboundWorker is one goroutine's share of the traffic.
type inboundWorker struct {
	s        *store.Store
	org      int64
	channel  int64
	prefix   string // unique to the run and worker
	rnd      *rand.Rand
	st       *inboundStats
	visitors int
	sent     []store.Inbound // recent messages, to redeliver
}

// recentVisitors bounds the visitors a worker brings back: a chat is
// a burst of messages, not a year of them.
const recentVisitors = 50

func (w *inboundWorker) loop(ctx context.Context, deadline time.Time) {
	for n := 0; ctx.Err() == nil && time.Now().Before(deadline); n++ {
		in, redelivery := w.next(n)
		t0 := time.Now()
		r, err := w.s.RecordInbound(ctx, in)
		d := time.Since(t0)
		switch {
		case err != nil && errors.Is(err, ctx.Err()):
			return
		case err != nil:
			w.st.errors++
			if w.st.err == nil {
				w.st.err = err
			}
			continue
		}
		w.st.lat = append(w.st.lat, d)
		if redelivery {
			w.st.redeliveries++
		}
		if r.Duplicate {
			w.st.duplicates++
			continue
		}
		w.st.stored++
		if r.NewContact {
			w.st.newContacts++
		}
		if r.NewConversation {
			w.st.newConversations++
		}
		w.sent = append(w.sent, in)
		if len(w.sent) > 100 {
			w.sent = w.sent[50:]
		}
	}
}

// next makes the worker's message number n, and tells whether it is a
// redelivery of an earlier one.
func (w *inboundWorker) next(n int) (store.Inbound, bool) {
	r := w.rnd
	if len(w.sent) > 0 && r.IntN(50) == 0 {
		return w.sent[r.IntN(len(w.sent))], true
	}
	var v int
	if w.visitors == 0 || r.IntN(4) == 0 {
		v = w.visitors
		w.visitors++
	} else {
		v = max(0, w.visitors-1-r.IntN(recentVisitors))
	}
	visitor := w.prefix + "-v" + strconv.Itoa(v)
	return store.Inbound{OrgID: w.org, ChannelID: w.channel, Channel: model.ChannelWeb,
		From:              model.Identity{Kind: model.IdentityWeb, Value: visitor},
		DisplayName:       "Visitatore " + strconv.Itoa(v),
		ProviderMessageID: w.prefix + "-m" + strconv.Itoa(n),
		Body:              inboundBodies[r.IntN(len(inboundBodies))],
	}, false
}

var inboundBodies = []string{
	"Buongiorno, vorrei un appuntamento per il permesso di soggiorno.",
	"Salve, a chi posso chiedere informazioni sull'assegno unico?",
	"مرحبا، هل يمكنني التحدث مع وسيط ثقافي؟",
	"Hello, is the desk open on Saturday?",
	"Добрий день, мені потрібна допомога з документами.",
	"Grazie, a domani.",
	"Ho perso il lavoro la settimana scorsa, cosa devo fare?",
	"Bonjour, je voudrais inscrire mon fils à l'école.",
}
