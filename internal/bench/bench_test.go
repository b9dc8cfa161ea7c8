package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/bench"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// lastLine decodes the JSON line each benchmark ends with.
func lastLine(t *testing.T, out *bytes.Buffer) bench.Result {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var r bench.Result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatalf("last line is not a result: %v\n%s", err, out)
	}
	return r
}

// TestBenchmarks runs the three benchmarks at toy scale: they must create
// what they need, agree with what they print, and find nothing wrong.
func TestBenchmarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var out bytes.Buffer
		if err := bench.Seed(ctx, s, "bench", 300, 1500, &out); err != nil {
			t.Fatal(err)
		}
		if r := lastLine(t, &out); r.Benchmark != "seed" || r.Ops != 1800 || r.Engine != string(s.Engine()) {
			t.Errorf("seed: got %+v", r)
		}
		if err := bench.Seed(ctx, s, "bench", 300, 1500, &out); err == nil {
			t.Error("seeding a seeded organisation: got no error")
		}

		out.Reset()
		res, err := bench.Inbox(ctx, s, "bench", 60, &out)
		if err != nil {
			t.Fatal(err)
		}
		if r := lastLine(t, &out); r.Ops != 60 || r.Rows == 0 || r.P50 <= 0 || r.P50 > r.P99 || r.P99 > r.Max || len(r.Filters) == 0 {
			t.Errorf("inbox: got %+v", r)
		}
		if res.Ops != 60 {
			t.Errorf("inbox returned %d ops, want 60", res.Ops)
		}

		out.Reset()
		res, err = bench.Inbound(ctx, s, "bench2", 4, 300*time.Millisecond, &out)
		if err != nil {
			t.Fatal(err)
		}
		r := lastLine(t, &out)
		if r.Ops == 0 || r.Errors != 0 || r.NewContacts == 0 || r.NewConversations != r.NewContacts || r.Duplicates != r.Redeliveries {
			t.Errorf("inbound: got %+v", r)
		}
		if res.Ops != r.Ops {
			t.Errorf("inbound returned %d ops, printed %d", res.Ops, r.Ops)
		}
	})
}
