package store_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// These benchmarks run in seconds on a small database; the full-scale
// measurements (a million conversations) are `sportello bench`, see
// docs/BENCHMARKS.md. With SPORTELLO_TEST_POSTGRES_URL set they run on
// PostgreSQL too.

// BenchmarkRecordInbound records messages from many goroutines at once
// (8 per CPU), as webhooks arrive: on SQLite the group committer shares
// one transaction and one fsync among them. Each goroutine plays visitors
// writing eight messages each.
func BenchmarkRecordInbound(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			org, ch := seedOrg(b, s, "bench")
			ctx := context.Background()
			var goroutines atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				g := strconv.FormatInt(goroutines.Add(1), 10)
				for i := 0; pb.Next(); i++ {
					_, err := s.RecordInbound(ctx, store.Inbound{OrgID: org.ID, ChannelID: ch.ID, Channel: model.ChannelWeb,
						From:              model.Identity{Kind: model.IdentityWeb, Value: "g" + g + "-v" + strconv.Itoa(i/8)},
						ProviderMessageID: "g" + g + "-m" + strconv.Itoa(i),
						Body:              "Buongiorno, vorrei un appuntamento per il permesso di soggiorno."})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkConversations lists inbox pages of 50 on 20,000 seeded
// conversations (200,000 messages), one filter per sub-benchmark.
func BenchmarkConversations(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			org, _ := seedOrg(b, s, "bench")
			ctx := context.Background()
			if err := s.Seed(ctx, org.ID, store.SeedOptions{Conversations: 20000, Messages: 200000, Seed: 1}, nil); err != nil {
				b.Fatal(err)
			}
			teams, err := s.Teams(ctx, org.ID)
			if err != nil {
				b.Fatal(err)
			}
			users, err := s.Users(ctx, org.ID)
			if err != nil {
				b.Fatal(err)
			}
			team, user := teams[0].ID, users[0].ID
			first, next, err := s.Conversations(ctx, org.ID, store.ConversationFilter{Status: model.StatusClosed})
			if err != nil || len(first) == 0 || next == "" {
				b.Fatalf("first page: %d conversations, cursor %q, %v", len(first), next, err)
			}
			filters := []struct {
				name string
				f    store.ConversationFilter
			}{
				{"all", store.ConversationFilter{}},
				{"status", store.ConversationFilter{Status: model.StatusOpen}},
				{"team", store.ConversationFilter{TeamID: team}},
				{"assignee", store.ConversationFilter{AssigneeID: user}},
				{"unassigned", store.ConversationFilter{AssigneeID: store.Unassigned}},
				{"status+team", store.ConversationFilter{Status: model.StatusPending, TeamID: team}},
				{"status+assignee", store.ConversationFilter{Status: model.StatusOpen, AssigneeID: user}},
				{"page 2", store.ConversationFilter{Status: model.StatusClosed, Cursor: next}},
			}
			for _, tt := range filters {
				b.Run(tt.name, func(b *testing.B) {
					for b.Loop() {
						if _, _, err := s.Conversations(ctx, org.ID, tt.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
