package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// committer batches concurrent SQLite writes into one transaction, so that
// many writers share one fsync (group commit). SQLite allows one writer at
// a time anyway; instead of queueing on the file lock, writers queue here,
// and whoever is waiting when a transaction starts joins it.
//
// Each request runs inside its own SAVEPOINT: when one fails, only its own
// changes are rolled back and the others still commit.
type committer struct {
	s    *Store
	reqs chan *commitReq
	stop chan struct{}
	wg   sync.WaitGroup
}

type commitReq struct {
	ctx  context.Context
	fn   func(tx q) error
	done chan error
}

// maxBatch bounds one transaction, so a burst cannot hold the write lock
// (and every writer's latency) for long.
const maxBatch = 256

func newCommitter(s *Store) *committer {
	c := &committer{s: s, reqs: make(chan *commitReq, 4*maxBatch), stop: make(chan struct{})}
	c.wg.Go(c.loop)
	return c
}

var errStoreClosed = fmt.Errorf("store is closed")

func (c *committer) do(ctx context.Context, fn func(tx q) error) error {
	r := &commitReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-c.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the request will run (unless its context ends first) and
	// its result is the truth: wait for it even if ctx ends meanwhile, so a
	// caller never reports failure for a write that committed.
	return <-r.done
}

func (c *committer) close() {
	close(c.stop)
	c.wg.Wait()
}

func (c *committer) loop() {
	batch := make([]*commitReq, 0, maxBatch)
	for {
		select {
		case r := <-c.reqs:
			batch = append(batch[:0], r)
		case <-c.stop:
			// Finish what was queued before the stop, then refuse the rest.
			for {
				select {
				case r := <-c.reqs:
					c.run([]*commitReq{r})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		c.run(batch)
	}
}

// run executes one batch in one transaction.
func (c *committer) run(batch []*commitReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// The batch's own context must not be any one caller's: one caller
	// giving up must not roll back the others.
	ctx := context.Background()
	tx, err := c.s.write.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range live {
			r.done <- err
		}
		return
	}
	results := make([]error, len(live))
	if len(live) == 1 {
		results[0] = mapError(live[0].fn(c.s.writer(tx)))
		if results[0] != nil {
			_ = tx.Rollback()
			live[0].done <- results[0]
			return
		}
	} else {
		for i, r := range live {
			results[i] = c.runSavepoint(ctx, tx, r)
		}
	}
	if err := tx.Commit(); err != nil {
		for _, r := range live {
			r.done <- err
		}
		return
	}
	for i, r := range live {
		if results[i] == nil {
			c.s.writes.Add(1)
		}
		r.done <- results[i]
	}
	// The connection is free until the next batch: prepare the statements
	// this one ran as text.
	c.s.writeStmts.prepareWanted(ctx)
}

func (c *committer) runSavepoint(ctx context.Context, tx *sql.Tx, r *commitReq) error {
	w := c.s.writer(tx)
	if _, err := w.exec(ctx, "SAVEPOINT w"); err != nil {
		return err
	}
	if err := r.fn(w); err != nil {
		_, rbErr := w.exec(ctx, "ROLLBACK TO w")
		_, _ = w.exec(ctx, "RELEASE w")
		if rbErr != nil {
			return fmt.Errorf("%w (and rollback failed: %v)", mapError(err), rbErr)
		}
		return mapError(err)
	}
	_, err := w.exec(ctx, "RELEASE w")
	return err
}
