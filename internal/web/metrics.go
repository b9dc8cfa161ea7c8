package web

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics collects counters for /metrics in the Prometheus text format.
// It is small on purpose: requests by route and status, their latency, and
// counters other packages register by name.
type Metrics struct {
	start    time.Time
	mu       sync.Mutex
	requests map[reqKey]uint64
	latency  map[string]*histogram
	counters sync.Map // name -> *atomic.Int64
	gauges   sync.Map // name -> func() float64

	counterFuncs sync.Map // name -> func() float64
}

type reqKey struct {
	route  string
	status int
}

var buckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []uint64
	sum    float64
	total  uint64
}

// NewMetrics starts an empty collection.
func NewMetrics() *Metrics {
	return &Metrics{start: time.Now(), requests: map[reqKey]uint64{}, latency: map[string]*histogram{}}
}

// ObserveRequest records one finished request.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{route, status}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.latency[route] = h
	}
	s := d.Seconds()
	for i, b := range buckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.total++
}

// Counter returns the named counter (created at first use), e.g.
// "sportello_inbound_messages_total".
func (m *Metrics) Counter(name string) *atomic.Int64 {
	v, _ := m.counters.LoadOrStore(name, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// Gauge registers a function read at every scrape.
func (m *Metrics) Gauge(name string, f func() float64) { m.gauges.Store(name, f) }

// CounterFunc registers a function read at every scrape whose value only
// grows (a counter kept elsewhere).
func (m *Metrics) CounterFunc(name string, f func() float64) { m.counterFuncs.Store(name, f) }

// ServeHTTP writes the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(w)
}

func (m *Metrics) write(w io.Writer) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# TYPE sportello_uptime_seconds gauge\nsportello_uptime_seconds %g\n", time.Since(m.start).Seconds())
	fmt.Fprintf(w, "# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(w, "# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintf(w, "# TYPE go_memstats_stack_inuse_bytes gauge\ngo_memstats_stack_inuse_bytes %d\n", ms.StackInuse)

	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	fmt.Fprintln(w, "# TYPE sportello_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "sportello_http_requests_total{route=%s,status=\"%d\"} %d\n", strconv.Quote(k.route), k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	fmt.Fprintln(w, "# TYPE sportello_http_request_duration_seconds histogram")
	for _, r := range routes {
		h := m.latency[r]
		q := strconv.Quote(r)
		for i, b := range buckets {
			fmt.Fprintf(w, "sportello_http_request_duration_seconds_bucket{route=%s,le=\"%g\"} %d\n", q, b, h.counts[i])
		}
		fmt.Fprintf(w, "sportello_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", q, h.total)
		fmt.Fprintf(w, "sportello_http_request_duration_seconds_sum{route=%s} %g\n", q, h.sum)
		fmt.Fprintf(w, "sportello_http_request_duration_seconds_count{route=%s} %d\n", q, h.total)
	}
	m.mu.Unlock()

	var names []string
	m.counters.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
	slices.Sort(names)
	for _, n := range names {
		v, _ := m.counters.Load(n)
		fmt.Fprintf(w, "# TYPE %s counter\n%s %d\n", n, n, v.(*atomic.Int64).Load())
	}
	for _, kind := range []struct {
		typ string
		fs  *sync.Map
	}{{"counter", &m.counterFuncs}, {"gauge", &m.gauges}} {
		names = names[:0]
		kind.fs.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
		slices.Sort(names)
		for _, n := range names {
			f, _ := kind.fs.Load(n)
			fmt.Fprintf(w, "# TYPE %s %s\n%s %g\n", n, kind.typ, n, f.(func() float64)())
		}
	}
	if rss, ok := residentBytes(); ok {
		fmt.Fprintf(w, "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n", rss)
	}
}

// residentBytes is the process's resident memory, where the system tells
// it (Linux: /proc/self/statm, in pages).
func residentBytes() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
