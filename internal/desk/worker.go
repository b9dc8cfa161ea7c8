package desk

import (
	"context"
	"time"
)

// WorkerOptions tune RunWorker; zero values take the defaults.
type WorkerOptions struct {
	// Interval between rounds: SLA checks, waiting work, chats of those
	// gone offline. Default 30 s.
	Interval time.Duration
	// OfflineGrace is how long an operator stays offline before their
	// chats are handed on: a page reload is not leaving. Default 2 min.
	OfflineGrace time.Duration
}

// RunWorker runs routing's periodic work until ctx ends: the server owns
// it (one per instance; every step is safe with several). Between rounds,
// an operator coming online makes waiting conversations of their
// organisation be assigned at once.
func (d *Service) RunWorker(ctx context.Context, opt WorkerOptions) {
	if opt.Interval <= 0 {
		opt.Interval = 30 * time.Second
	}
	if opt.OfflineGrace <= 0 {
		opt.OfflineGrace = 2 * time.Minute
	}
	t := time.NewTicker(opt.Interval)
	defer t.Stop()
	defer func() {
		// Stopping: the other instances should not count on our tabs.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.FlushPresence(ctx, true); err != nil {
			d.log.Warn("worker: presence", "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.Round(ctx, opt.OfflineGrace)
		case <-d.routes.kick:
			d.assignPending(ctx)
		case <-d.shared.flush:
			if err := d.FlushPresence(ctx, false); err != nil && ctx.Err() == nil {
				d.log.Warn("worker: presence", "err", err)
			}
		}
	}
}

// Round does one round of the worker's work at the desk's clock: marks SLA
// warnings and breaches, assigns waiting conversations, hands on the
// chats of operators offline for longer than grace. Failures are logged.
func (d *Service) Round(ctx context.Context, grace time.Duration) {
	orgs, err := d.st.Organizations(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("worker: organisations", "err", err)
		}
		return
	}
	now := d.now()
	for _, o := range orgs {
		if ctx.Err() != nil {
			return
		}
		if _, err := d.CheckSLAs(ctx, o.ID, now); err != nil && ctx.Err() == nil {
			d.log.Warn("worker: sla", "org", o.ID, "err", err)
		}
		if _, err := d.AssignWaiting(ctx, o.ID); err != nil && ctx.Err() == nil {
			d.log.Warn("worker: assign waiting", "org", o.ID, "err", err)
		}
	}
	if _, err := d.ReassignOffline(ctx, grace); err != nil && ctx.Err() == nil {
		d.log.Warn("worker: hand on chats", "err", err)
	}
	if err := d.FlushChannelHealth(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("worker: channel health", "err", err)
	}
	if err := d.FlushPresence(ctx, false); err != nil && ctx.Err() == nil {
		d.log.Warn("worker: presence", "err", err)
	}
}

// assignPending assigns waiting work in the organisations where someone
// came online.
func (d *Service) assignPending(ctx context.Context) {
	d.routes.mu.Lock()
	orgs := make([]int64, 0, len(d.routes.pending))
	for id := range d.routes.pending {
		orgs = append(orgs, id)
	}
	clear(d.routes.pending)
	d.routes.mu.Unlock()
	for _, id := range orgs {
		if _, err := d.AssignWaiting(ctx, id); err != nil && ctx.Err() == nil {
			d.log.Warn("worker: assign waiting", "org", id, "err", err)
		}
	}
}
