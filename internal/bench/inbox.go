package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// inboxWarmup queries run before the measured ones, so the figures are
// those of a running server rather than of its first second.
const inboxWarmup = 20

// Inbox runs n inbox pages (Store.Conversations, 50 rows, newest activity
// first) one after the other on the organisation with slug org, with
// filters picked at random: status, team, assignee, status and team, status
// and assignee, teams and assignees sometimes "unassigned"; one page in ten
// is followed by its second page (cursor), which counts as a query too.
// It reports the latency of each call, overall and by filter.
func Inbox(ctx context.Context, s *store.Store, org string, n int, out io.Writer) (Result, error) {
	o, _, err := prepare(ctx, s, org)
	if err != nil {
		return Result{}, err
	}
	teams, err := s.Teams(ctx, o.ID)
	if err != nil {
		return Result{}, err
	}
	users, err := s.Users(ctx, o.ID)
	if err != nil {
		return Result{}, err
	}
	var teamIDs, userIDs []int64
	for _, t := range teams {
		teamIDs = append(teamIDs, t.ID)
	}
	for _, u := range users {
		userIDs = append(userIDs, u.ID)
	}
	slices.Sort(teamIDs)
	slices.Sort(userIDs)
	g := inboxGen{rnd: rand.New(rand.NewPCG(SeedValue, 2)), teams: teamIDs, users: userIDs}

	res := newResult(s, "inbox", org)
	res.Warmup = inboxWarmup
	fmt.Fprintf(out, "inbox on %s, org %s: %d queries after %d unmeasured\n", s.Engine(), org, n, inboxWarmup)
	for range inboxWarmup {
		name, f, _ := g.next()
		if _, _, err := s.Conversations(ctx, o.ID, f); err != nil {
			return res, fmt.Errorf("inbox %s: %w", name, err)
		}
	}
	var all []time.Duration
	byFilter := map[string][]time.Duration{}
	var slow []slowQuery
	run := func(name string, f store.ConversationFilter) (string, error) {
		t0 := time.Now()
		list, next, err := s.Conversations(ctx, o.ID, f)
		d := time.Since(t0)
		if err != nil {
			return "", fmt.Errorf("inbox %s: %w", name, err)
		}
		all = append(all, d)
		byFilter[name] = append(byFilter[name], d)
		res.Rows += int64(len(list))
		slow = keepSlowest(slow, slowQuery{d, describe(f)})
		return next, nil
	}
	start := time.Now()
	for len(all) < n {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		name, f, page2 := g.next()
		next, err := run(name, f)
		if err != nil {
			return res, err
		}
		if page2 && next != "" && len(all) < n {
			f.Cursor = next
			if _, err := run(name+" page 2", f); err != nil {
				return res, err
			}
		}
	}
	elapsed := time.Since(start)
	res.Ops = int64(len(all))
	res.Latency = summarize(all)
	res.Filters = map[string]Latency{}
	names := make([]string, 0, len(byFilter))
	for name, d := range byFilter {
		res.Filters[name] = summarize(d)
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		l := res.Filters[name]
		fmt.Fprintf(out, "  %-24s %5d queries  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n",
			name, len(byFilter[name]), l.P50, l.P90, l.P99, l.Max)
	}
	fmt.Fprintf(out, "  %-24s %5d queries  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n",
		"all", len(all), res.P50, res.P90, res.P99, res.Max)
	for _, q := range slow {
		res.Slowest = append(res.Slowest, fmt.Sprintf("%.2f ms: %s", millis(q.d), q.filter))
	}
	fmt.Fprintf(out, "  slowest: %s\n", strings.Join(res.Slowest, "; "))
	return res, res.finish(out, elapsed)
}

// slowestKept is how many of the slowest queries Inbox names, to tell
// an unlucky filter from a slow machine.
const slowestKept = 5

type slowQuery struct {
	d      time.Duration
	filter string
}

// keepSlowest adds q to the slowest queries seen, slowest first.
func keepSlowest(slow []slowQuery, q slowQuery) []slowQuery {
	if len(slow) == slowestKept && q.d <= slow[len(slow)-1].d {
		return slow
	}
	i, _ := slices.BinarySearchFunc(slow, q.d, func(s slowQuery, d time.Duration) int { return cmp.Compare(d, s.d) })
	slow = slices.Insert(slow, i, q)
	return slow[:min(len(slow), slowestKept)]
}

// describe spells out a filter.
func describe(f store.ConversationFilter) string {
	var parts []string
	if f.Status != "" {
		parts = append(parts, "status="+string(f.Status))
	}
	for _, x := range []struct {
		name string
		id   int64
	}{{"team", f.TeamID}, {"assignee", f.AssigneeID}} {
		switch {
		case x.id == store.Unassigned:
			parts = append(parts, x.name+"=none")
		case x.id > 0:
			parts = append(parts, x.name+"="+strconv.FormatInt(x.id, 10))
		}
	}
	if f.Cursor != "" {
		parts = append(parts, "page 2")
	}
	return strings.Join(parts, " ")
}

// inboxGen picks the filters of the inbox benchmark.
type inboxGen struct {
	rnd   *rand.Rand
	teams []int64
	users []int64
}

// next returns a filter, its kind, and whether to fetch its second page.
func (g *inboxGen) next() (string, store.ConversationFilter, bool) {
	f := store.ConversationFilter{Limit: store.DefaultLimit}
	var name string
	switch g.rnd.IntN(5) {
	case 0:
		name, f.Status = "status", g.status()
	case 1:
		name, f.TeamID = "team", g.pick(g.teams)
	case 2:
		name, f.AssigneeID = "assignee", g.pick(g.users)
	case 3:
		name, f.Status, f.TeamID = "status+team", g.status(), g.pick(g.teams)
	default:
		name, f.Status, f.AssigneeID = "status+assignee", g.status(), g.pick(g.users)
	}
	return name, f, g.rnd.IntN(10) == 0
}

// status is weighted as people look at queues: open and pending most.
func (g *inboxGen) status() model.Status {
	switch x := g.rnd.IntN(100); {
	case x < 45:
		return model.StatusOpen
	case x < 70:
		return model.StatusPending
	case x < 78:
		return model.StatusSnoozed
	case x < 90:
		return model.StatusResolved
	default:
		return model.StatusClosed
	}
}

// pick returns one of ids, or store.Unassigned one time in six.
func (g *inboxGen) pick(ids []int64) int64 {
	if len(ids) == 0 || g.rnd.IntN(6) == 0 {
		return store.Unassigned
	}
	return ids[g.rnd.IntN(len(ids))]
}
