package auth

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// step is one move in a limiter scenario: let time pass, then act on a key,
// then (for allow) check the answer.
type step struct {
	after     time.Duration // clock advance before acting
	action    string        // "fail", "allow", "reset" or "sweep"
	key       string
	wantOK    bool          // for allow
	wantRetry time.Duration // for allow
}

func runSteps(t *testing.T, l *Limiter, clock *fakeClock, steps []step) {
	t.Helper()
	var elapsed time.Duration
	for i, s := range steps {
		clock.advance(s.after)
		elapsed += s.after
		switch s.action {
		case "fail":
			l.Fail(s.key)
		case "reset":
			l.Reset(s.key)
		case "sweep":
			l.Sweep()
		case "allow":
			ok, retry := l.Allow(s.key)
			if ok != s.wantOK || retry != s.wantRetry {
				t.Errorf("step %d at +%v: Allow(%q) = %v, %v; want %v, %v",
					i, elapsed, s.key, ok, retry, s.wantOK, s.wantRetry)
			}
		default:
			t.Fatalf("step %d: unknown action %q", i, s.action)
		}
	}
}

func TestLimiter(t *testing.T) {
	const email = "email:anna@example.it"
	cfg := LimiterConfig{MaxFailures: 3, Window: 10 * time.Minute}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "unknown key is allowed",
			steps: []step{
				{action: "allow", key: email, wantOK: true},
			},
		},
		{
			name: "blocked at the limit, retry when the oldest failure expires",
			steps: []step{
				{action: "fail", key: email},
				{after: time.Minute, action: "allow", key: email, wantOK: true},
				{action: "fail", key: email},
				{after: time.Minute, action: "allow", key: email, wantOK: true},
				{action: "fail", key: email},
				{action: "allow", key: email, wantOK: false, wantRetry: 8 * time.Minute},
				{after: 8*time.Minute - time.Nanosecond, action: "allow", key: email, wantOK: false, wantRetry: time.Nanosecond},
				{after: time.Nanosecond, action: "allow", key: email, wantOK: true},
				// One more failure fills the window again; now the oldest
				// counted failure is the one at +1m.
				{action: "fail", key: email},
				{action: "allow", key: email, wantOK: false, wantRetry: time.Minute},
			},
		},
		{
			name: "the window slides: spaced failures never block",
			steps: []step{
				{action: "fail", key: email},
				{after: 5 * time.Minute, action: "fail", key: email},
				{after: 5 * time.Minute, action: "fail", key: email},
				{action: "allow", key: email, wantOK: true},
				{after: 5 * time.Minute, action: "fail", key: email},
				{action: "allow", key: email, wantOK: true},
			},
		},
		{
			name: "a full window expires",
			steps: []step{
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "allow", key: email, wantOK: false, wantRetry: 10 * time.Minute},
				{after: 10 * time.Minute, action: "allow", key: email, wantOK: true},
				// All three expired together: two new failures don't block.
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "allow", key: email, wantOK: true},
			},
		},
		{
			name: "failing while blocked pushes the retry back",
			steps: []step{
				{action: "fail", key: email},
				{after: time.Minute, action: "fail", key: email},
				{after: time.Minute, action: "fail", key: email},
				{after: time.Minute, action: "fail", key: email},
				{after: time.Minute, action: "fail", key: email},
				// The latest three are at +2m, +3m, +4m.
				{action: "allow", key: email, wantOK: false, wantRetry: 8 * time.Minute},
			},
		},
		{
			name: "reset clears the failures",
			steps: []step{
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "allow", key: email, wantOK: false, wantRetry: 10 * time.Minute},
				{action: "reset", key: email},
				{action: "allow", key: email, wantOK: true},
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "allow", key: email, wantOK: true},
			},
		},
		{
			name: "keys are independent",
			steps: []step{
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "fail", key: "email:bruno@example.it"},
				{action: "allow", key: email, wantOK: false, wantRetry: 10 * time.Minute},
				{action: "allow", key: "email:bruno@example.it", wantOK: true},
				{action: "reset", key: "email:bruno@example.it"},
				{action: "allow", key: email, wantOK: false, wantRetry: 10 * time.Minute},
			},
		},
		{
			name: "sweep keeps live keys",
			steps: []step{
				{action: "fail", key: email},
				{action: "fail", key: email},
				{action: "fail", key: email},
				{after: 9 * time.Minute, action: "sweep"},
				{action: "allow", key: email, wantOK: false, wantRetry: time.Minute},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			runSteps(t, NewLimiter(cfg, clock.now), clock, tt.steps)
		})
	}
}

func TestLimiterDefaults(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(LimiterConfig{}, clock.now)
	steps := []step{
		{action: "fail", key: "k"},
		{action: "fail", key: "k"},
		{action: "fail", key: "k"},
		{action: "fail", key: "k"},
		{action: "allow", key: "k", wantOK: true},
		{action: "fail", key: "k"},
		{action: "allow", key: "k", wantOK: false, wantRetry: 15 * time.Minute},
	}
	runSteps(t, l, clock, steps)
	if got, want := l.cfg.MaxKeys, 100_000; got != want {
		t.Errorf("MaxKeys = %d, want %d", got, want)
	}
	if NewLimiter(LimiterConfig{}, nil).now == nil {
		t.Errorf("NewLimiter with a nil clock kept it nil")
	}
}

func TestLimiterSweep(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(LimiterConfig{MaxFailures: 5, Window: 10 * time.Minute}, clock.now)
	// a fails at 0 and 2m, b at 1m, c at 3m, d at 12m.
	l.Fail("a")
	clock.advance(time.Minute)
	l.Fail("b")
	clock.advance(time.Minute)
	l.Fail("a")
	clock.advance(time.Minute)
	l.Fail("c")
	clock.advance(9 * time.Minute)
	l.Fail("d")

	tests := []struct {
		at   time.Duration // since the first failure
		want int
	}{
		{12 * time.Minute, 2}, // b's failure expired at 11m, a's latest at 12m
		{13*time.Minute - time.Nanosecond, 2},
		{13 * time.Minute, 1},
		{22*time.Minute - time.Nanosecond, 1},
		{22 * time.Minute, 0},
	}
	elapsed := 12 * time.Minute
	for _, tt := range tests {
		clock.advance(tt.at - elapsed)
		elapsed = tt.at
		l.Sweep()
		if got := l.Len(); got != tt.want {
			t.Errorf("Len after Sweep at +%v = %d, want %d", tt.at, got, tt.want)
		}
	}
}

func TestLimiterAllowDropsExpiredKey(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(LimiterConfig{Window: time.Minute}, clock.now)
	l.Fail("k")
	if got, want := l.Len(), 1; got != want {
		t.Fatalf("Len after Fail = %d, want %d", got, want)
	}
	clock.advance(time.Minute)
	if ok, _ := l.Allow("k"); !ok {
		t.Errorf("Allow after the window = false, want true")
	}
	if got, want := l.Len(), 0; got != want {
		t.Errorf("Len after Allow of an expired key = %d, want %d", got, want)
	}
	l.Allow("never-failed")
	if got, want := l.Len(), 0; got != want {
		t.Errorf("Len after Allow of an unknown key = %d, want %d", got, want)
	}
}

func TestLimiterEvictionCap(t *testing.T) {
	clock := newFakeClock()
	// One failure blocks, so Allow shows which keys are still tracked.
	l := NewLimiter(LimiterConfig{MaxFailures: 1, Window: time.Hour, MaxKeys: 3}, clock.now)
	for _, k := range []string{"a", "b", "c"} {
		l.Fail(k)
		clock.advance(time.Second)
	}
	l.Fail("a") // a is now the most recent; b the quietest
	clock.advance(time.Second)
	l.Fail("d") // over the cap: b goes

	if got, want := l.Len(), 3; got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
	for _, tt := range []struct {
		key     string
		tracked bool
	}{{"a", true}, {"b", false}, {"c", true}, {"d", true}} {
		if ok, _ := l.Allow(tt.key); ok == tt.tracked {
			t.Errorf("Allow(%q) = %v, want %v", tt.key, ok, !tt.tracked)
		}
	}

	// A flood of new keys never grows past the cap.
	for i := range 1000 {
		l.Fail(fmt.Sprint("flood", i))
	}
	if got, want := l.Len(), 3; got != want {
		t.Errorf("Len after a flood = %d, want %d", got, want)
	}
}

func TestLimiterLongKeys(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(LimiterConfig{MaxFailures: 1}, clock.now)
	long := "email:" + strings.Repeat("x", 1<<20)
	l.Fail(long + "a")
	if ok, _ := l.Allow(long + "a"); ok {
		t.Errorf("Allow(long key) after its failure = true, want false")
	}
	if ok, _ := l.Allow(long + "b"); !ok {
		t.Errorf("Allow(another long key with the same start) = false, want true")
	}
	for key := range l.entries {
		if len(key) > maxLimiterKeyLen {
			t.Errorf("stored key is %d bytes, want at most %d", len(key), maxLimiterKeyLen)
		}
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(LimiterConfig{MaxFailures: 5, Window: time.Minute, MaxKeys: 50}, clock.now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				key := fmt.Sprint("ip:10.0.0.", (g*31+i)%80)
				switch i % 7 {
				case 0:
					l.Reset(key)
				case 1:
					l.Sweep()
				case 2:
					clock.advance(time.Second)
				case 3, 4:
					l.Allow(key)
				default:
					l.Fail(key)
				}
			}
		})
	}
	wg.Wait()
	if got := l.Len(); got > 50 {
		t.Errorf("Len = %d, want at most MaxKeys (50)", got)
	}
	if got, want := l.order.Len(), l.Len(); got != want {
		t.Errorf("order list holds %d keys, map %d; want them equal", got, want)
	}
}

func BenchmarkLimiterFail(b *testing.B) {
	l := NewLimiter(LimiterConfig{MaxKeys: 10_000}, nil)
	keys := make([]string, 20_000)
	for i := range keys {
		keys[i] = fmt.Sprint("ip:10.0.", i/256, ".", i%256)
	}
	i := 0
	for b.Loop() {
		l.Fail(keys[i%len(keys)])
		i++
	}
}

// A generous limit (a load test's million a window) must not reserve the
// whole window for every key: memory grows with the failures recorded.
func TestLimiterReservesLittlePerKey(t *testing.T) {
	l := NewLimiter(LimiterConfig{MaxFailures: 1_000_000, Window: time.Minute}, newFakeClock().now)
	for i := range 100 {
		l.Fail(fmt.Sprint("visitor-", i))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, el := range l.entries {
		if e := el.Value.(*limiterEntry); cap(e.fails) > 8 {
			t.Fatalf("one failure reserved room for %d", cap(e.fails))
		}
	}
}
