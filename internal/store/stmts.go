package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the statements a pool has prepared, by their SQL text.
// Parsing and planning a statement costs SQLite more than running most of
// ours (a point read of a conversation: about three quarters of its time),
// and modernc's driver keeps a prepared statement's plan. database/sql
// prepares a cached statement again on each connection that runs it.
// PostgreSQL's driver (pgx) caches prepared statements per connection by
// itself, so only SQLite uses this.
//
// The write pool's one connection is busy whenever a statement is wanted
// (inside the committer's transaction), so there a statement is only noted
// and the committer prepares what was noted between two transactions
// (prepareWanted); until then it runs as text.
//
// Queries built at run time with a varying shape (IN lists, bulk inserts)
// would fill the cache with statements used once: past stmtCacheMax
// entries a new text is run unprepared.
type stmtCache struct {
	db   *sql.DB
	lazy bool // note misses for prepareWanted instead of preparing at once

	mu   sync.RWMutex
	m    map[string]*sql.Stmt
	want map[string]bool
	seen map[string]bool // texts run once: a text is prepared the second time
}

// stmtSeenMax bounds the texts remembered as run once; past it they are
// forgotten, all together.

const stmtCacheMax = 512

const stmtSeenMax = 4096

func newStmtCache(db *sql.DB, lazy bool) *stmtCache {
	return &stmtCache{db: db, lazy: lazy, m: map[string]*sql.Stmt{}, want: map[string]bool{}, seen: map[string]bool{}}
}

// get returns the prepared statement for query, or nil to run it as text:
// the text is new, the cache is full, the statement is waiting to be
// prepared, or it does not prepare (running it as text then reports the
// error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	// Only a text run before takes a place: a query built once (a search
	// with an unusual number of words) would hold it for nothing.
	c.mu.Lock()
	again := c.seen[query]
	if !again {
		if len(c.seen) >= stmtSeenMax {
			clear(c.seen)
		}
		c.seen[query] = true
	}
	full := len(c.m)+len(c.want) >= stmtCacheMax
	if again && !full && c.lazy {
		c.want[query] = true
	}
	c.mu.Unlock()
	if !again || full || c.lazy {
		return nil
	}
	// Not under the lock: preparing waits for a free connection, and the
	// goroutines holding them may be waiting for the lock.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	return c.keep(query, st)
}

// keep stores st unless another goroutine prepared the same text first.
func (c *stmtCache) keep(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		st.Close()
		return old
	}
	c.m[query] = st
	return st
}

// prepareWanted prepares the statements noted since the last call. The
// caller makes sure the pool has a free connection.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if len(c.want) == 0 {
		c.mu.Unlock()
		return
	}
	var queries []string
	for query := range c.want {
		queries = append(queries, query)
	}
	clear(c.want)
	c.mu.Unlock()
	for _, query := range queries {
		if st, err := c.db.PrepareContext(ctx, query); err == nil {
			c.keep(query, st)
		}
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}
