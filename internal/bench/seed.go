package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sportello/sportello/internal/store"
)

// SeedValue is the random seed of the loaded data: every run loads the
// same conversations.
const SeedValue = 1

// Seed loads conversations and messages (and four contacts for every five
// conversations) into the organisation with slug org, which must have
// none yet; the organisation, its teams, users and web channel are created
// if missing. See Store.Seed.
func Seed(ctx context.Context, s *store.Store, org string, conversations, messages int, out io.Writer) error {
	o, ch, err := prepare(ctx, s, org)
	if err != nil {
		return err
	}
	res := newResult(s, "seed", org)
	res.Conversations, res.Messages = conversations, messages
	fmt.Fprintf(out, "seeding %s on %s: %d conversations, %d messages\n", org, s.Engine(), conversations, messages)
	start := time.Now()
	last := start
	progress := func(done, total int64) {
		if now := time.Now(); now.Sub(last) >= 5*time.Second || done == total {
			last = now
			fmt.Fprintf(out, "  %d/%d conversations (%.0f s)\n", done, total, now.Sub(start).Seconds())
		}
	}
	err = s.Seed(ctx, o.ID, store.SeedOptions{Conversations: conversations, Messages: messages, ChannelID: ch.ID, Seed: SeedValue}, progress)
	if err != nil {
		return err
	}
	// Ops counts the conversation and message rows: the rate is rows a second.
	res.Ops = int64(conversations + messages)
	return res.finish(out, time.Since(start))
}
