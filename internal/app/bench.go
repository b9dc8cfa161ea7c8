package app

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/bench"
	"github.com/sportello/sportello/internal/demo"
)

// cmdBench runs the measurement tools of docs/BENCHMARKS.md against the
// configured database.
func cmdBench(ctx context.Context, e env) error {
	verb, e, err := sub(e, "bench", "seed", "inbox", "inbound", "chat", "webhooks", "kb")
	if err != nil {
		return err
	}
	fs, cfg := flags("bench "+verb, e, false)
	org := fs.String("org", "bench", "organisation slug (created if missing; chat: default demo)")
	conversations := fs.Int("conversations", 1_000_000, "seed: conversations to create")
	messages := fs.Int("messages", 10_000_000, "seed: messages to create")
	queries := fs.Int("queries", 2000, "inbox, kb: queries to run")
	translations := fs.Int("translations", 100_000, "kb: article translations to search (seeded up to this)")
	workers := fs.Int("workers", 64, "inbound: concurrent writers; webhooks: concurrent connections")
	duration := fs.Duration("duration", 30*time.Second, "inbound, chat, webhooks: how long to run")
	target := fs.String("target", "http://127.0.0.1:8080", "chat, webhooks: base URL of a running server (loopback only)")
	visitors := fs.Int("visitors", 100, "chat: simulated visitors")
	rate := fs.Float64("rate", 0.5, "chat: messages a second per visitor; webhooks: deliveries a second in all (default 200)")
	idle := fs.Bool("idle", false, "chat: visitors connect and stay connected for --duration without writing; reports the server's memory and database writes (from its /metrics)")
	closedLoop := fs.Bool("closed-loop", false, "chat: each visitor sends its next message as soon as the last is acknowledged")
	replies := fs.Float64("replies", 10, "chat: operator replies a second, posted with the console's reply form (0: none)")
	operators := fs.Int("operators", 1, "chat: operators listening on the console's live socket")
	email := fs.String("operator-email", "admin@demo.sportello.local", "chat: operators' sign-in e-mail")
	password := fs.String("operator-password", DemoPassword, "chat: operators' password")
	channelID := fs.Int64("channel", 0, "webhooks: id of a WhatsApp channel of the target")
	appSecret := fs.String("app-secret", "", "webhooks: the channel's app_secret, to sign deliveries")
	phoneID := fs.String("phone-number-id", "", "webhooks: the channel's phone_number_id")
	redeliver := fs.Float64("redeliver", 0.05, "webhooks: share of deliveries sent twice")
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if verb == "webhooks" {
		// Like the chat, over HTTP against a running server.
		r := 200.0
		if flagSet(fs, "rate") {
			r = *rate
		}
		_, err := bench.Webhooks(ctx, bench.WebhookOptions{Target: *target, Channel: *channelID, AppSecret: *appSecret, PhoneNumberID: *phoneID,
			Rate: r, Duration: *duration, Workers: *workers, Redeliver: *redeliver}, e.stdout)
		return err
	}
	if verb == "chat" && *idle {
		slug := *org
		if !flagSet(fs, "org") {
			slug = "demo"
		}
		if *visitors < 1 || *duration <= 0 {
			return fmt.Errorf("--visitors and --duration must be positive")
		}
		_, err := bench.ChatIdle(ctx, bench.ChatOptions{Target: *target, Org: slug, Visitors: *visitors, Duration: *duration}, e.stdout)
		return err
	}
	if verb == "chat" {
		// The chat runs against a server over HTTP, not the database.
		if *visitors < 1 || *duration <= 0 || *operators < 1 || (!*closedLoop && *rate <= 0) || *replies < 0 {
			return fmt.Errorf("--visitors, --operators, --duration and --rate (or --closed-loop) must be positive")
		}
		slug := *org
		if !flagSet(fs, "org") {
			slug = "demo"
		}
		_, err := bench.Chat(ctx, bench.ChatOptions{Target: *target, Org: slug, Visitors: *visitors, Rate: *rate, ClosedLoop: *closedLoop,
			Duration: *duration, Operators: *operators, Email: *email, Password: *password, Replies: *replies}, e.stdout)
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
	case "kb":
		if *queries < 1 || *translations < 1 {
			return fmt.Errorf("--queries and --translations must be positive")
		}
		starter, err := demo.StarterArticles()
		if err != nil {
			return err
		}
		_, err = bench.KB(ctx, st, *org, bench.KBOptions{Translations: *translations, Queries: *queries, Starter: starter}, e.stdout)
		return err
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

// flagSet reports whether the command line set the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
