package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// PollOptions tune RunPollers; zero values take the defaults.
type PollOptions struct {
	// Rescan is how often the channel list is read again, to start
	// polling channels added or switched to polling and to stop those
	// removed, turned off or changed. Default 30 s.
	Rescan time.Duration
	// Wait is how long one long poll may wait for an update. Default
	// 20 s.
	Wait time.Duration
	// Lease is how long a channel is this instance's to poll before
	// another may take it over; renewed before each poll. Default 90 s,
	// and at least three times Wait.
	Lease time.Duration
	// Owner names this instance in the leases. Default random.
	Owner string
}

func (o PollOptions) withDefaults() PollOptions {
	if o.Rescan <= 0 {
		o.Rescan = 30 * time.Second
	}
	if o.Wait <= 0 {
		o.Wait = 20 * time.Second
	}
	o.Lease = max(o.Lease, 90*time.Second, 3*o.Wait)
	if o.Owner == "" {
		b := make([]byte, 8)
		rand.Read(b)
		o.Owner = hex.EncodeToString(b)
	}
	return o
}

// polled is a channel the poller runs, with what it was started with.
type polled struct {
	settings [32]byte
	stop     context.CancelFunc
	done     chan struct{}
}

// RunPollers fetches, until ctx ends, the messages of every active
// channel whose settings ask for long polling (a Telegram bot with
// mode=polling): one loop per channel, each holding the channel's lease
// so that instances sharing a database never poll one bot twice. The
// server owns it. A channel's cursor moves only after the events it
// confirms are stored.
func (d *Service) RunPollers(ctx context.Context, opt PollOptions) {
	opt = opt.withDefaults()
	running := map[int64]*polled{}
	defer func() {
		for _, p := range running {
			p.stop()
		}
		for _, p := range running {
			<-p.done
		}
	}()
	t := time.NewTicker(opt.Rescan)
	defer t.Stop()
	for {
		cs, err := d.pollingChannels(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("pollers: list channels", "err", err)
		}
		if err == nil {
			want := map[int64]*model.Channel{}
			for _, c := range cs {
				want[c.ID] = c
			}
			for id, p := range running {
				if c, ok := want[id]; !ok || sha256.Sum256([]byte(c.Settings)) != p.settings {
					p.stop()
					<-p.done
					delete(running, id)
				}
			}
			for id, c := range want {
				if running[id] != nil {
					continue
				}
				pctx, stop := context.WithCancel(ctx)
				p := &polled{settings: sha256.Sum256([]byte(c.Settings)), stop: stop, done: make(chan struct{})}
				running[id] = p
				go func() {
					defer close(p.done)
					d.pollChannel(pctx, c, opt)
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pollingChannels lists the active channels, of every organisation,
// whose kind and settings ask for long polling.
func (d *Service) pollingChannels(ctx context.Context) ([]*model.Channel, error) {
	var out []*model.Channel
	for kind, ad := range adapters() {
		if ad.polls == nil {
			continue
		}
		cs, err := d.st.PollingChannels(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if s, err := channel.ParseSettings(c.Settings); err == nil && ad.polls(s) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// poller returns channel c's provider client as a Poller.
func (d *Service) poller(c *model.Channel) (channel.Poller, error) {
	s, err := d.sender(c)
	if err != nil {
		return nil, err
	}
	p, ok := s.(channel.Poller)
	if !ok {
		return nil, fmt.Errorf("%s channels cannot poll", c.Kind)
	}
	return p, nil
}

// pollChannel polls one channel until ctx ends: it takes the channel's
// lease (or waits while another instance holds it), prepares the
// provider once per lease (Telegram: deleteWebhook), then polls, stores
// and moves the cursor, backing off after failures, which it records in
// the channel's health. On the way out it releases the lease.
func (d *Service) pollChannel(ctx context.Context, c *model.Channel, opt PollOptions) {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := d.st.ReleaseChannelPoll(rctx, c.OrgID, c.ID, opt.Owner); err != nil {
			d.log.Warn("pollers: release", "channel", c.ID, "err", err)
		}
	}()
	p, err := d.poller(c)
	if err != nil {
		d.noteChannelError(c, err)
		return
	}
	started, failures := false, 0
	for ctx.Err() == nil {
		wait := time.Duration(0)
		cursor, ok, err := d.st.LeaseChannelPoll(ctx, c.OrgID, c.ID, opt.Owner, opt.Lease)
		switch {
		case err != nil:
			failures++
			wait = pollBackoff(failures)
			if ctx.Err() == nil {
				d.log.Warn("pollers: lease", "channel", c.ID, "err", err)
			}
		case !ok:
			// Another instance polls this channel; take over if it stops.
			started, wait = false, opt.Lease/3
		default:
			_, err = d.pollOnce(ctx, c, p, cursor, opt, !started)
			if err == nil {
				started, failures = true, 0
				break
			}
			if ctx.Err() != nil {
				return
			}
			// Prepare the provider again: someone may have set a webhook.
			started = false
			failures++
			wait = pollBackoff(failures)
			d.log.Info("pollers: poll failed", "channel", c.ID, "attempt", failures, "retry_in", wait.Round(time.Second), "err", err)
			d.noteChannelError(c, err)
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// pollBackoff is Backoff, capped at five minutes: a bot offline for long
// is noticed soon after it comes back.
func pollBackoff(failures int) time.Duration { return min(Backoff(failures), 5*time.Minute) }

// pollOnce runs one poll of a leased channel: prepare the provider when
// asked, wait for events, store them, then keep the cursor that confirms
// them. A crash between storing and keeping the cursor repeats the
// events, which their provider ids make harmless.
func (d *Service) pollOnce(ctx context.Context, c *model.Channel, p channel.Poller, cursor string, opt PollOptions, start bool) (int, error) {
	if start {
		if err := p.StartPolling(ctx); err != nil {
			return 0, fmt.Errorf("start polling: %w", err)
		}
	}
	evs, next, err := p.Poll(ctx, cursor, opt.Wait)
	if err != nil {
		return 0, err
	}
	// Events in hand are stored and their cursor kept even when the
	// server is shutting down meanwhile: the next start need not fetch
	// them again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, ev := range evs {
		if err := d.ReceiveEvents(ctx, c, []channel.Event{ev}); err != nil {
			if model.ErrorIs(err, model.CodeInvalid) {
				// It will never be stored: skip it rather than stall
				// the channel, as a webhook's 400 makes the provider
				// give up on it.
				d.log.Warn("pollers: event refused", "channel", c.ID, "provider_id", ev.ProviderID, "err", err)
				d.noteChannelError(c, err)
				continue
			}
			return 0, fmt.Errorf("store polled events: %w", err)
		}
	}
	if next != cursor {
		if err := d.st.SaveChannelPoll(ctx, c.OrgID, c.ID, opt.Owner, next); err != nil {
			return 0, err
		}
	}
	return len(evs), nil
}

// PollChannels polls every polling channel once without waiting, the
// way RunPollers does (lease, prepare, poll, store, keep the cursor,
// release), and returns how many events it stored: tests drive polling
// with it, as RunDueJobs drives the job queue.
func (d *Service) PollChannels(ctx context.Context, opt PollOptions) (int, error) {
	opt = opt.withDefaults()
	opt.Wait = 0
	cs, err := d.pollingChannels(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, c := range cs {
		cursor, ok, err := d.st.LeaseChannelPoll(ctx, c.OrgID, c.ID, opt.Owner, opt.Lease)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue // another instance polls it
		}
		p, err := d.poller(c)
		if err == nil {
			var got int
			got, err = d.pollOnce(ctx, c, p, cursor, opt, true)
			n += got
		}
		if err != nil {
			d.noteChannelError(c, err)
			errs = append(errs, err)
		}
		if err := d.st.ReleaseChannelPoll(ctx, c.OrgID, c.ID, opt.Owner); err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// noteChannelError records a channel's latest problem in its health.
func (d *Service) noteChannelError(c *model.Channel, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if nerr := d.st.NoteChannelError(ctx, c.ID, err.Error()); nerr != nil && !errors.Is(nerr, context.Canceled) {
		d.log.Warn("channel health", "channel", c.ID, "err", nerr)
	}
}

// webhookRegistrar is a provider client that can point the provider at
// the channel's webhook itself (Telegram's setWebhook).
type webhookRegistrar interface {
	SetWebhook(ctx context.Context, url string) error
}

// RegisterWebhook tells channel c's provider where to post its events:
// the channel's webhook under the desk's public URL, which must be
// HTTPS. It returns the URL registered. A channel that polls, or whose
// provider is configured in its own console, has nothing to register.
func (d *Service) RegisterWebhook(ctx context.Context, c *model.Channel) (string, error) {
	v := d.ViewChannel(c)
	hook := v.Webhooks["webhook"]
	if hook == "" {
		return "", fmt.Errorf("channel %q has no webhook to register (it polls, or its kind takes none)", c.Name)
	}
	if !strings.HasPrefix(d.baseURL, "https://") {
		return "", errors.New("the desk's public URL (--base-url, SPORTELLO_BASE_URL) must be an https:// address the provider can reach")
	}
	s, err := d.sender(c)
	if err != nil {
		return "", err
	}
	r, ok := s.(webhookRegistrar)
	if !ok {
		return "", fmt.Errorf("%s channels are registered in the provider's own console", c.Kind)
	}
	if err := r.SetWebhook(ctx, hook); err != nil {
		return "", err
	}
	return hook, nil
}
