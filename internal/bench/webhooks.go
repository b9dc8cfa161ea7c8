package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sportello/sportello/internal/channel/whatsapp"
)

// WebhookOptions configure Webhooks.
type WebhookOptions struct {
	Target        string        // base URL of a running server, on a loopback address
	Channel       int64         // a WhatsApp channel of that server
	AppSecret     string        // the channel's app_secret, to sign deliveries
	PhoneNumberID string        // the channel's phone_number_id (deliveries for another number are skipped)
	Rate          float64       // deliveries a second, in all (open loop)
	Duration      time.Duration // how long to send
	Workers       int           // concurrent connections
	Redeliver     float64       // share of deliveries sent a second time, as Meta does after a timeout
	Senders       int           // distinct citizens' numbers
}

// WebhookResult is what Webhooks measured, written as one line of JSON.
type WebhookResult struct {
	Benchmark  string    `json:"benchmark"` // "webhooks"
	Webhook    string    `json:"webhook"`
	At         time.Time `json:"at"`
	Workers    int       `json:"workers"`
	TargetRate float64   `json:"target_rate"` // deliveries a second asked for
	Redeliver  float64   `json:"redeliver_share"`
	Seconds    float64   `json:"seconds"`
	Rate       float64   `json:"rate"`       // answered deliveries a second
	Sent       int64     `json:"sent"`       // POSTs made, redeliveries included
	Stored     int64     `json:"stored"`     // first deliveries answered 200: stored
	Duplicates int64     `json:"duplicates"` // redeliveries answered 200: recognised, nothing new stored
	Refused    int64     `json:"refused"`    // answered other than 200, or not at all
	// Late counts sends that started over 100 ms after their time: the
	// server (or the workers) could not keep up with the rate.
	Late     int64       `json:"late"`
	Statuses map[int]int `json:"statuses"` // answers by HTTP status; 0: no answer
	Latency
}

// Webhooks posts signed WhatsApp Cloud API deliveries (one text message
// each, with a unique message id, from a pool of citizens) to a running
// server's webhook at a fixed rate, sends a share of them again, and
// measures how long the server takes to answer (it answers once the
// message is stored). It writes one line of JSON.
func Webhooks(ctx context.Context, opt WebhookOptions, out io.Writer) (WebhookResult, error) {
	if opt.Rate <= 0 || opt.Duration <= 0 || opt.Workers < 1 || opt.Channel < 1 || opt.AppSecret == "" {
		return WebhookResult{}, errors.New("webhooks: rate, duration, workers, channel and app secret are needed")
	}
	if opt.Redeliver < 0 || opt.Redeliver > 1 {
		return WebhookResult{}, errors.New("webhooks: the redelivered share is between 0 and 1")
	}
	if opt.Senders < 1 {
		opt.Senders = 1000
	}
	base, err := url.Parse(opt.Target)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return WebhookResult{}, fmt.Errorf("webhooks: target %q is not an http(s) URL", opt.Target)
	}
	if _, err := loopback(ctx, base.Hostname()); err != nil {
		return WebhookResult{}, err
	}
	hook := strings.TrimRight(opt.Target, "/") + "/hooks/whatsapp/" + strconv.FormatInt(opt.Channel, 10)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: opt.Workers, MaxConnsPerHost: opt.Workers}}
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	res := WebhookResult{Benchmark: "webhooks", Webhook: hook, At: time.Now().UTC().Truncate(time.Second), Workers: opt.Workers,
		TargetRate: opt.Rate, Redeliver: opt.Redeliver, Statuses: map[int]int{}}

	type delivery struct {
		body  []byte
		again bool
		due   time.Time
	}
	work := make(chan delivery, opt.Workers)
	var (
		mu      sync.Mutex
		lat     []time.Duration
		sent    atomic.Int64
		stored  atomic.Int64
		dups    atomic.Int64
		refused atomic.Int64
		late    atomic.Int64
		wg      sync.WaitGroup
	)
	for range opt.Workers {
		wg.Go(func() {
			for d := range work {
				if time.Since(d.due) > 100*time.Millisecond {
					late.Add(1)
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(d.body))
				if err != nil {
					refused.Add(1)
					continue
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(opt.AppSecret, d.body))
				t0 := time.Now()
				resp, err := hc.Do(req)
				sent.Add(1)
				status := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				took := time.Since(t0)
				mu.Lock()
				res.Statuses[status]++
				if status == http.StatusOK {
					lat = append(lat, took)
				}
				mu.Unlock()
				switch {
				case status != http.StatusOK:
					refused.Add(1)
				case d.again:
					dups.Add(1)
				default:
					stored.Add(1)
				}
			}
		})
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	start := time.Now()
	interval := time.Duration(float64(time.Second) / opt.Rate)
	var pending [][]byte // deliveries to send again, a little later
	n := 0
send:
	for {
		due := start.Add(time.Duration(n) * interval)
		if due.Sub(start) >= opt.Duration {
			break
		}
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
				break send
			case <-time.After(wait):
			}
		}
		d := delivery{due: due}
		if len(pending) > 0 && rng.Float64() < 0.5 {
			d.body, d.again, pending = pending[0], true, pending[1:]
		} else {
			d.body = whatsAppText(opt.PhoneNumberID, 393000000000+int64(rng.IntN(opt.Senders)), "wamid.bench."+runID+"."+strconv.Itoa(n),
				time.Now(), "Messaggio di prova "+strconv.Itoa(n))
			if rng.Float64() < opt.Redeliver {
				pending = append(pending, d.body)
			}
		}
		select {
		case work <- d:
		case <-ctx.Done():
			break send
		}
		n++
	}
	for _, b := range pending { // what was due to come again still does
		work <- delivery{body: b, again: true, due: time.Now()}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	res.Sent, res.Stored, res.Duplicates, res.Refused, res.Late = sent.Load(), stored.Load(), dups.Load(), refused.Load(), late.Load()
	res.Latency = summarize(lat)
	res.Seconds = round(elapsed.Seconds(), 3)
	if res.Seconds > 0 {
		res.Rate = round(float64(res.Stored+res.Duplicates)/elapsed.Seconds(), 1)
	}
	return res, json.NewEncoder(out).Encode(res)
}

// whatsAppText is a WhatsApp Cloud API delivery of one text message, as
// Meta sends it.
func whatsAppText(phoneNumberID string, from int64, id string, at time.Time, text string) []byte {
	wa := strconv.FormatInt(from, 10)
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"0","phone_number_id":"` + phoneNumberID + `"},` +
		`"contacts":[{"profile":{"name":"Bench ` + wa[len(wa)-4:] + `"},"wa_id":"` + wa + `"}],` +
		`"messages":[{"from":"` + wa + `","id":"` + id + `","timestamp":"` + strconv.FormatInt(at.Unix(), 10) + `","type":"text","text":{"body":"` + text + `"}}]}}]}]}`)
}
