package desk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// JobOptions tune RunJobs; zero values take the defaults.
type JobOptions struct {
	// Workers is how many jobs run at once. Default 8.
	Workers int
	// Lease is how long a claimed job is this instance's before another
	// may take it over. Default 2 min: longer than any send.
	Lease time.Duration
	// Poll is the longest the runner sleeps before looking for due jobs
	// that another instance queued. Default 2 s.
	Poll time.Duration
}

// Backoff is how long to wait after the attempt-th failed attempt:
// doubling from 5 s, capped at 30 min, with ±20% jitter so that a
// provider coming back is not hit by every retry at once. Twelve attempts
// span about an hour and three quarters.
func Backoff(attempt int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempt && d < 30*time.Minute; i++ {
		d *= 2
	}
	d = min(d, 30*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// kickJobs wakes the runner: a job was queued on this instance.
func (d *Service) kickJobs() {
	select {
	case d.jobKick <- struct{}{}:
	default:
	}
}

// RunJobs runs the durable job queue until ctx ends: replies out through
// their providers, media in. The server owns it; several instances may
// run it on one database. A job that fails is retried with Backoff until
// its attempts run out; then it stays failed, visible on its message.
func (d *Service) RunJobs(ctx context.Context, opt JobOptions) {
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Poll <= 0 {
		opt.Poll = 2 * time.Second
	}
	var running sync.WaitGroup
	defer running.Wait()
	slots := make(chan struct{}, opt.Workers)
	for {
		free := opt.Workers - len(slots)
		var jobs []*store.Job
		if free > 0 {
			var err error
			jobs, err = d.st.ClaimJobs(ctx, free, opt.Lease)
			if err != nil && ctx.Err() == nil {
				d.log.Warn("jobs: claim", "err", err)
			}
		}
		for _, j := range jobs {
			slots <- struct{}{}
			running.Go(func() {
				defer func() { <-slots }()
				d.runJob(ctx, j)
			})
		}
		if len(jobs) == free && free > 0 {
			continue // there may be more due now
		}
		wait := opt.Poll
		if next, err := d.st.NextJobAt(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(time.Until(next), 10*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-d.jobKick:
		case <-t.C:
		}
		t.Stop()
	}
}

// RunDueJobs runs, one after the other, every job due now, and returns
// how many ran: tests and the load tool drive the queue with it.
func (d *Service) RunDueJobs(ctx context.Context) (int, error) {
	n := 0
	for {
		jobs, err := d.st.ClaimJobs(ctx, 16, 2*time.Minute)
		if err != nil || len(jobs) == 0 {
			return n, err
		}
		for _, j := range jobs {
			d.runJob(ctx, j)
			n++
		}
	}
}

// runJob runs one claimed job and records how it ended.
func (d *Service) runJob(ctx context.Context, j *store.Job) {
	jctx, cancel := context.WithTimeout(ctx, time.Minute)
	err := d.doJob(jctx, j)
	cancel()
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and the job is taken again
	}
	if err == nil {
		if err := d.st.FinishJob(ctx, j.ID, j.Attempts); err != nil {
			d.log.Warn("jobs: finish", "job", j.ID, "kind", j.Kind, "err", err)
		}
		return
	}
	d.log.Info("jobs: attempt failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", err)
	if !channel.IsPermanent(err) && j.Attempts < j.MaxAttempts {
		if _, err := d.st.RetryJob(ctx, j.ID, j.Attempts, d.now().Add(Backoff(j.Attempts)), err.Error()); err != nil {
			d.log.Warn("jobs: retry", "job", j.ID, "err", err)
		}
		return
	}
	fj, ferr := d.st.FailJob(ctx, j.ID, j.Attempts, err.Error())
	if ferr != nil {
		d.log.Warn("jobs: fail", "job", j.ID, "err", ferr)
		return
	}
	d.log.Warn("jobs: gave up", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
	if fj.MessageID != 0 {
		d.publishDelivery(ctx, fj.OrgID, fj.MessageID)
	}
}

func (d *Service) doJob(ctx context.Context, j *store.Job) error {
	switch j.Kind {
	case store.JobDeliver:
		return d.deliver(ctx, j)
	case store.JobFetchMedia:
		return d.fetchMedia(ctx, j)
	case store.JobRoute:
		return d.routeJob(ctx, j)
	case store.JobReferral:
		return d.referralEmail(ctx, j)
	case store.JobTranscript:
		return d.transcriptEmail(ctx, j)
	}
	return channel.Permanent(fmt.Errorf("unknown job kind %q", j.Kind))
}

// publishDelivery tells consoles that a message's delivery changed.
func (d *Service) publishDelivery(ctx context.Context, orgID, messageID int64) {
	m, err := d.st.Message(ctx, orgID, messageID)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			d.log.Warn("load message for delivery event", "message", messageID, "err", err)
		}
		return
	}
	d.publishMessageUpdate(m)
}

// RetryMessage sends again a reply that failed: an operator's manual
// retry after the queue gave up.
func (d *Service) RetryMessage(ctx context.Context, a *Actor, conversationID, messageID int64) (*model.Message, error) {
	if !a.Can(model.PermConversationsReply) {
		return nil, errForbidden
	}
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, err
	}
	m, err := d.st.Message(ctx, a.OrgID(), messageID)
	if err != nil {
		return nil, err
	}
	if m.ConversationID != conversationID {
		return nil, model.NotFound("message")
	}
	if m, err = d.st.RetryMessage(ctx, a.OrgID(), messageID); err != nil {
		return nil, err
	}
	d.kickJobs()
	d.publishMessageUpdate(m)
	return m, nil
}
