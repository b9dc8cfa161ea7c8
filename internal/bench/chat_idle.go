package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// IdleStats is what ChatIdle adds to a Result.
type IdleStats struct {
	IdleVisitors int `json:"idle_visitors"` // asked for
	Connected    int `json:"connected"`     // sockets open through the idle period
	// The server's resident memory (its /metrics) before the visitors
	// connected and at the end of the idle period, and the difference
	// per connected visitor.
	RSSBeforeBytes       int64   `json:"server_rss_before_bytes"`
	RSSBytes             int64   `json:"server_rss_bytes"`
	RSSPerVisitorKB      float64 `json:"server_rss_per_visitor_kb"`
	LiveSubscribers      int64   `json:"live_subscribers"`     // the server's count at the end
	DBWritesWhileIdle    int64   `json:"db_writes_while_idle"` // write transactions the server committed during the idle period
	DBWritesWhileConnect int64   `json:"db_writes_while_connecting"`
}

// ChatIdle connects opt.Visitors visitors to the web chat of a running
// server, as Chat does, and keeps them connected without writing for
// opt.Duration: what an open chat page on a citizen's phone costs the
// server at rest. It reads the server's /metrics before and after to
// report its resident memory and the database writes it committed while
// the visitors sat idle (there should be none).
func ChatIdle(ctx context.Context, opt ChatOptions, out io.Writer) (Result, error) {
	if opt.Visitors <= 0 || opt.Duration <= 0 {
		return Result{}, fmt.Errorf("chat: visitors and duration must be positive")
	}
	run, loop4, err := newChatRun(ctx, opt)
	if err != nil {
		return Result{}, err
	}
	base := run.base
	stats := &IdleStats{IdleVisitors: opt.Visitors}
	res := Result{Benchmark: "chat-idle", Engine: "server", Org: opt.Org, At: time.Now().UTC().Truncate(time.Second), IdleStats: stats}
	fmt.Fprintf(out, "chat against %s, org %s: %d idle visitors for %s\n", base, opt.Org, opt.Visitors, opt.Duration)

	ctx, cancel := context.WithTimeout(ctx, opt.Duration+10*time.Minute)
	defer cancel()
	before, err := scrape(ctx, base)
	if err != nil {
		return res, err
	}
	conns := run.connectAll(ctx, loop4, out)
	// Let the connections' first frames (history, status) settle.
	time.Sleep(2 * time.Second)
	start := time.Now()
	atIdle, err := scrape(ctx, base)
	if err != nil {
		return res, err
	}
	select {
	case <-time.After(opt.Duration):
	case <-ctx.Done():
		return res, ctx.Err()
	}
	end, err := scrape(ctx, base)
	if err != nil {
		return res, err
	}
	elapsed := time.Since(start)
	for _, v := range conns {
		if v == nil {
			continue
		}
		// A socket the server closed meanwhile does not count.
		if err := v.c.Ping(ctx); err == nil {
			stats.Connected++
		}
	}
	for _, v := range conns {
		if v != nil {
			v.c.Close(websocket.StatusNormalClosure, "")
			v.done.Wait()
		}
	}
	stats.RSSBeforeBytes = int64(before["process_resident_memory_bytes"])
	stats.RSSBytes = int64(max(atIdle["process_resident_memory_bytes"], end["process_resident_memory_bytes"]))
	if stats.Connected > 0 {
		stats.RSSPerVisitorKB = round(float64(stats.RSSBytes-stats.RSSBeforeBytes)/1024/float64(stats.Connected), 1)
	}
	stats.LiveSubscribers = int64(end["sportello_live_subscribers"])
	stats.DBWritesWhileConnect = int64(atIdle["sportello_db_write_transactions_total"] - before["sportello_db_write_transactions_total"])
	stats.DBWritesWhileIdle = int64(end["sportello_db_write_transactions_total"] - atIdle["sportello_db_write_transactions_total"])
	res.Errors = run.errs.Load()
	fmt.Fprintf(out, "  %d connected through %s; server resident memory %.1f MB (%.1f MB before, %.1f KB a visitor); %d database writes while idle (%d while connecting)\n",
		stats.Connected, opt.Duration, float64(stats.RSSBytes)/(1<<20), float64(stats.RSSBeforeBytes)/(1<<20), stats.RSSPerVisitorKB,
		stats.DBWritesWhileIdle, stats.DBWritesWhileConnect)
	if err := res.finish(out, elapsed); err != nil {
		return res, err
	}
	if p := run.firstErr.Load(); p != nil {
		return res, fmt.Errorf("chat: %d errors, the first: %w", res.Errors, *p)
	}
	return res, nil
}

// scrape reads the numeric samples of the server's /metrics (no labels).
func scrape(ctx context.Context, base *url.URL) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("chat: metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("chat: metrics: status %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.Contains(line, "{") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(val, 64); err == nil {
			out[name] = f
		}
	}
	return out, sc.Err()
}
