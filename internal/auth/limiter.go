package auth

import (
	"container/list"
	"crypto/sha256"
	"strings"
	"sync"
	"time"
)

// Limiter defaults, used for zero fields of LimiterConfig.
const (
	DefaultMaxFailures = 5
	DefaultWindow      = 15 * time.Minute
	DefaultMaxKeys     = 100_000
)

// maxLimiterKeyLen bounds the bytes a key may hold in memory; longer keys
// are kept as their SHA-256, so a hostile "email" cannot inflate every
// entry.
const maxLimiterKeyLen = 128

// LimiterConfig sets how many login failures a key may collect. Zero (or
// negative) fields take the defaults. Use one Limiter per kind of key, for
// example {MaxFailures: 5} for "email:" keys and {MaxFailures: 20} for "ip:"
// keys, so that a flood of one kind cannot evict the other.
type LimiterConfig struct {
	MaxFailures int           // failures within Window after which Allow refuses
	Window      time.Duration // how long a failure counts
	MaxKeys     int           // keys tracked at once; bounds memory
}

// Limiter counts login failures per key over a sliding window: Allow refuses
// a key once it has MaxFailures failures younger than Window, until the
// oldest of them ages out. It is safe for concurrent use and starts no
// goroutines; its owner calls Sweep now and then to drop idle keys.
//
// Memory is bounded by MaxKeys entries of MaxFailures timestamps each: when
// full, about 21 MB with the defaults and 32 MB with MaxFailures 20. When MaxKeys keys are tracked, a
// failure for a new key forgets the key whose latest failure is oldest:
// expired keys first, then the quietest. Someone who can fail for MaxKeys
// distinct keys within one window can so wipe another key's record, which is
// why the web layer should limit by IP as well as by email.
type Limiter struct {
	cfg   LimiterConfig
	now   func() time.Time
	epoch time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // values are *limiterEntry
	order   *list.List               // least recently failed first
}

type limiterEntry struct {
	key string
	// fails are the times of the latest failures as offsets from epoch,
	// oldest first, at most MaxFailures of them and never empty.
	fails []time.Duration
}

// NewLimiter returns a Limiter reading the time from now, or from time.Now
// when now is nil; tests pass a fake clock.
func NewLimiter(cfg LimiterConfig, now func() time.Time) *Limiter {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		cfg:     cfg,
		now:     now,
		epoch:   now(),
		entries: make(map[string]*list.Element),
		order:   list.New(),
	}
}

// Allow reports whether key may attempt a login now. When it may not,
// retryAfter is how long until its oldest counted failure expires (round it
// up for a Retry-After header). Allow records nothing, so checking unknown
// keys costs no memory.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	key = limiterKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	el, found := l.entries[key]
	if !found {
		return true, 0
	}
	now := l.clock()
	e := el.Value.(*limiterEntry)
	l.expire(e, now)
	if len(e.fails) == 0 {
		l.remove(el)
		return true, 0
	}
	if len(e.fails) < l.cfg.MaxFailures {
		return true, 0
	}
	// A clock stepped backwards could make this exceed the window.
	return false, min(e.fails[0]+l.cfg.Window-now, l.cfg.Window)
}

// Fail records a failed login for key.
func (l *Limiter) Fail(key string) {
	key = limiterKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	if el, found := l.entries[key]; found {
		e := el.Value.(*limiterEntry)
		l.expire(e, now)
		if len(e.fails) == l.cfg.MaxFailures {
			// Only the latest MaxFailures failures can decide Allow.
			e.fails = e.fails[:copy(e.fails, e.fails[1:])]
		}
		e.fails = append(e.fails, now)
		l.order.MoveToBack(el)
		return
	}
	if len(l.entries) >= l.cfg.MaxKeys {
		l.remove(l.order.Front())
	}
	e := &limiterEntry{
		key: strings.Clone(key), // don't pin a request body the key was cut from
		// Grown by append: a generous limit (a load test's) must not
		// reserve its whole window for every key.
		fails: make([]time.Duration, 1, min(l.cfg.MaxFailures, 8)),
	}
	e.fails[0] = now
	l.entries[e.key] = l.order.PushBack(e)
}

// Reset forgets key's failures; call it after a successful login. Reset the
// account's key, not the IP's: one good login from an address should not
// clear the guesses it made at other accounts.
func (l *Limiter) Reset(key string) {
	key = limiterKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, found := l.entries[key]; found {
		l.remove(el)
	}
}

// Sweep drops keys whose failures have all expired. It takes time in
// proportion to what it drops, so calling it every minute or so is cheap.
func (l *Limiter) Sweep() {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := l.clock() - l.cfg.Window
	// The list is ordered by latest failure, so the expired keys are all at
	// the front. (With a clock that steps backwards some may hide behind a
	// live one; the MaxKeys eviction still bounds them.)
	for el := l.order.Front(); el != nil; {
		e := el.Value.(*limiterEntry)
		if e.fails[len(e.fails)-1] > cutoff {
			break
		}
		next := el.Next()
		l.remove(el)
		el = next
	}
}

// Len returns the number of keys tracked, for metrics and tests.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

func (l *Limiter) clock() time.Duration { return l.now().Sub(l.epoch) }

// expire drops e's failures that no longer count at now.
func (l *Limiter) expire(e *limiterEntry, now time.Duration) {
	cutoff := now - l.cfg.Window
	i := 0
	for i < len(e.fails) && e.fails[i] <= cutoff {
		i++
	}
	e.fails = e.fails[:copy(e.fails, e.fails[i:])]
}

func (l *Limiter) remove(el *list.Element) {
	delete(l.entries, el.Value.(*limiterEntry).key)
	l.order.Remove(el)
}

func limiterKey(key string) string {
	if len(key) <= maxLimiterKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return string(sum[:])
}
