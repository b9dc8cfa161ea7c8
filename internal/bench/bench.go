// Package bench measures the storage layer against the foundation's
// performance targets, with the same code anyone can re-run through
// `sportello bench seed|inbox|inbound|chat`:
//
//   - the inbox page (Store.Conversations, 50 rows) with a million
//     conversations and ten million messages: p99 under 20 ms;
//   - recording inbound messages (Store.RecordInbound): at least 3,000 a
//     second on SQLite, each one on disk before it is acknowledged;
//   - the live web chat, end to end over HTTP and WebSocket against a
//     running server (chat.go): visitor → operator delivery latency.
//
// Each function writes progress for people and ends with one line of JSON
// (a Result) for scripts.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Latency summarises the durations of many calls, in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms,omitempty"`
	P90 float64 `json:"p90_ms,omitempty"`
	P99 float64 `json:"p99_ms,omitempty"`
	Max float64 `json:"max_ms,omitempty"`
}

// Result is what one benchmark measured.
type Result struct {
	Benchmark string    `json:"benchmark"` // seed, inbox, inbound or chat
	Engine    string    `json:"engine"`
	Org       string    `json:"org"`
	At        time.Time `json:"at"`
	Ops       int64     `json:"ops"` // rows loaded, queries run or messages stored
	Seconds   float64   `json:"seconds"`
	PerSecond float64   `json:"per_second"`
	Latency
	Errors int64 `json:"errors"`

	// inbox
	Warmup  int                `json:"warmup,omitempty"`  // queries run first, not measured
	Rows    int64              `json:"rows,omitempty"`    // conversations returned in all
	Filters map[string]Latency `json:"filters,omitempty"` // by kind of filter
	Slowest []string           `json:"slowest,omitempty"` // the slowest queries and their filters

	// inbound
	Workers          int   `json:"workers,omitempty"`
	Redeliveries     int64 `json:"redeliveries,omitempty"` // provider ids sent again
	Duplicates       int64 `json:"duplicates,omitempty"`   // calls that reported a duplicate
	NewContacts      int64 `json:"new_contacts,omitempty"`
	NewConversations int64 `json:"new_conversations,omitempty"`

	// kb
	Translations int `json:"translations,omitempty"`

	*IdleStats `json:",omitempty"`

	// seed
	Conversations int `json:"conversations,omitempty"`
	Messages      int `json:"messages,omitempty"`

	// chat: its fields inline, only in its results
	*ChatStats
}

func newResult(s *store.Store, benchmark, org string) Result {
	return Result{Benchmark: benchmark, Engine: string(s.Engine()), Org: org, At: time.Now().UTC().Truncate(time.Second)}
}

// finish fills the rates and writes the JSON line.
func (r *Result) finish(out io.Writer, elapsed time.Duration) error {
	r.Seconds = round(elapsed.Seconds(), 3)
	if r.Seconds > 0 {
		r.PerSecond = round(float64(r.Ops)/elapsed.Seconds(), 1)
	}
	return json.NewEncoder(out).Encode(r)
}

// summarize sorts d and returns its percentiles (nearest rank).
func summarize(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		return millis(d[max(0, min(i, len(d)-1))])
	}
	return Latency{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: millis(d[len(d)-1])}
}

func millis(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// The benchmark organisation's people: six teams, and operators and
// mediators spread over them (a few in two teams).
var (
	benchTeams = []struct{ slug, name string }{
		{"accoglienza", "Accoglienza"}, {"casa", "Casa"}, {"lavoro", "Lavoro"},
		{"legale", "Legale"}, {"salute", "Salute"}, {"scuola", "Scuola"},
	}
	benchUsers = 24
)

func benchRole(i int) model.Role {
	switch {
	case i == 0:
		return model.RoleAdmin
	case i < 3:
		return model.RoleCoordinator
	case i < 20:
		return model.RoleOperator
	case i < 23:
		return model.RoleMediator
	}
	return model.RoleVolunteer
}

// prepare returns the organisation with the slug and its web channel,
// creating them, with teams and users, when the organisation is missing.
func prepare(ctx context.Context, s *store.Store, slug string) (*model.Organization, *model.Channel, error) {
	org, err := s.OrganizationBySlug(ctx, slug)
	if errors.Is(err, model.ErrNotFound) {
		org, err = createOrg(ctx, s, slug)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("organisation %s: %w", slug, err)
	}
	ch, err := s.DefaultChannel(ctx, org.ID, model.ChannelWeb)
	if err != nil {
		return nil, nil, fmt.Errorf("web channel of %s: %w", slug, err)
	}
	return org, ch, nil
}

func createOrg(ctx context.Context, s *store.Store, slug string) (*model.Organization, error) {
	org := &model.Organization{Slug: slug, Name: "Benchmark " + slug}
	if err := s.CreateOrganization(ctx, org); err != nil {
		return nil, err
	}
	members := make([][]int64, len(benchTeams))
	for i := range benchUsers {
		role := benchRole(i)
		u := &model.User{OrgID: org.ID, Email: fmt.Sprintf("user%02d@%s.bench.example", i+1, slug), Name: fmt.Sprintf("Utente %02d", i+1),
			Role: role, Languages: []string{"it"}, Active: true}
		if role == model.RoleMediator {
			u.Languages = append(u.Languages, "ar", "uk")
		}
		if err := s.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		if role == model.RoleOperator || role == model.RoleMediator {
			members[i%len(benchTeams)] = append(members[i%len(benchTeams)], u.ID)
			if i%4 == 0 {
				members[(i+1)%len(benchTeams)] = append(members[(i+1)%len(benchTeams)], u.ID)
			}
		}
	}
	for i, t := range benchTeams {
		if err := s.CreateTeam(ctx, &model.Team{OrgID: org.ID, Slug: t.slug, Name: t.name, MemberIDs: members[i]}); err != nil {
			return nil, err
		}
	}
	return org, nil
}
