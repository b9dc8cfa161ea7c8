package app

import (
	"context"
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/bench"
)

// cmdBench runs the measurement tools of docs/BENCHMARKS.md against the
// configured database.
func cmdBench(ctx context.Context, e env) error {
	verb, e, err := sub(e, "bench", "seed", "inbox", "inbound")
	if err != nil {
		return err
	}
	fs, cfg := flags("bench "+verb, e, false)
	org := fs.String("org", "bench", "organisation slug (created if missing)")
	conversations := fs.Int("conversations", 1_000_000, "seed: conversations to create")
	messages := fs.Int("messages", 10_000_000, "seed: messages to create")
	queries := fs.Int("queries", 2000, "inbox: queries to run")
	workers := fs.Int("workers", 64, "inbound: concurrent writers")
	duration := fs.Duration("duration", 30*time.Second, "inbound: how long to run")
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "seed":
		if *conversations < 1 || *messages < *conversations {
			return fmt.Errorf("--messages must be at least --conversations, and both positive")
		}
		return bench.Seed(ctx, st, *org, *conversations, *messages, e.stdout)
	case "inbox":
		if *queries < 1 {
			return fmt.Errorf("--queries must be positive")
		}
		_, err := bench.Inbox(ctx, st, *org, *queries, e.stdout)
		return err
	default:
		if *workers < 1 || *duration <= 0 {
			return fmt.Errorf("--workers and --duration must be positive")
		}
		_, err := bench.Inbound(ctx, st, *org, *workers, *duration, e.stdout)
		return err
	}
}
