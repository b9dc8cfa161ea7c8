package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// SeedOptions shapes the synthetic data Seed loads.
type SeedOptions struct {
	Conversations int // required
	Messages      int // in all, at least one per conversation
	// Contacts is how many distinct citizens write; the others come back
	// with a new conversation. 0 means four for every five conversations.
	Contacts int
	// ChannelID is the web channel everything arrives on; 0 means the
	// organisation's default web channel.
	ChannelID int64
	// Seed drives every random choice: the same seed on the same options,
	// teams and users loads the same data.
	Seed uint64
	// Now ends the year of activity; zero means the store's clock.
	Now time.Time
}

// Seed chunks: one transaction per seedChunk conversations (with their
// contacts and messages), multi-row INSERTs of at most seedMaxRows rows
// and seedMaxParams bound values (SQLite allows 32766, PostgreSQL 65535).
const (
	seedChunk     = 10000
	seedMaxRows   = 1000
	seedMaxParams = 30000
)

// Seed bulk-loads synthetic contacts, conversations and messages into the
// organisation, for benchmarks. It is not the demo data: the text is filler
// and the volume is the point (a million conversations in minutes).
//
// Seed loads empty organisations only: it refuses one that has contacts or
// conversations. It writes with multi-row INSERTs in large transactions
// straight on the write connection, bypassing the group committer, so on
// SQLite other writers wait for each chunk to commit. The organisation's
// teams and users (from Teams and Users) receive the assignments; create
// them first.
//
// The data has the skew of a real desk: conversations spread over the
// year before Now, newest ones mostly open or pending and older ones
// resolved or closed; bigger teams and some operators get more work; most
// conversations are short and a few are long. Within each conversation
// messages are numbered 1…last_seq. progress, if not nil, is called after
// each committed chunk with the conversations loaded so far.
func (s *Store) Seed(ctx context.Context, orgID int64, opt SeedOptions, progress func(done, total int64)) error {
	if opt.Conversations <= 0 || opt.Messages < opt.Conversations {
		return fmt.Errorf("seed: want at least one conversation and one message per conversation (got %d and %d)", opt.Conversations, opt.Messages)
	}
	if opt.Contacts == 0 {
		opt.Contacts = max(1, opt.Conversations*4/5)
	}
	if opt.Contacts < 0 || opt.Contacts > opt.Conversations {
		return fmt.Errorf("seed: contacts must be between 1 and the number of conversations (got %d)", opt.Contacts)
	}
	if opt.Now.IsZero() {
		opt.Now = s.now()
	}
	var ch *model.Channel
	var err error
	if opt.ChannelID == 0 {
		ch, err = s.DefaultChannel(ctx, orgID, model.ChannelWeb)
	} else {
		ch, err = s.Channel(ctx, orgID, opt.ChannelID)
	}
	if err != nil {
		return fmt.Errorf("seed: channel: %w", err)
	}
	var busy int
	if err := s.reader().row(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM contacts WHERE org_id = ? LIMIT 1) a) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM conversations WHERE org_id = ? LIMIT 1) b)`, orgID, orgID).Scan(&busy); err != nil {
		return err
	}
	if busy > 0 {
		return model.Errorf(model.CodeConflict, "error.seed.not_empty",
			"organisation %d already has contacts or conversations: Seed loads empty organisations only", orgID)
	}
	g, err := s.newSeedGen(ctx, orgID, ch, opt)
	if err != nil {
		return err
	}
	ins := &seedInserter{s: s, queries: map[string]string{}}
	total := int64(opt.Conversations)
	for from := 0; from < opt.Conversations; from += seedChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		convs := g.chunk(from, min(from+seedChunk, opt.Conversations))
		if err := ins.chunk(ctx, g, convs); err != nil {
			return fmt.Errorf("seed: conversations %d to %d: %w", from, from+len(convs), err)
		}
		if progress != nil {
			progress(int64(from+len(convs)), total)
		}
	}
	if s.engine == Postgres {
		// Autovacuum would get there soon; until it does, the planner
		// would see empty tables.
		if _, err := s.write.ExecContext(ctx, "ANALYZE contacts, contact_identities, conversations, conversation_tags, messages"); err != nil {
			return fmt.Errorf("seed: analyze: %w", err)
		}
	}
	return nil
}

// seedGen makes the synthetic rows, deterministically from the seed.
type seedGen struct {
	orgID      int64
	channel    *model.Channel
	opt        SeedOptions
	rnd        *rand.Rand
	now, start int64 // the year of activity, Unix ms
	counts     []int32
	teams      []int64
	teamW      []float64 // cumulative weights of teams
	members    map[int64][]int64
	users      []int64
	contacts   int // created so far
}

func (s *Store) newSeedGen(ctx context.Context, orgID int64, ch *model.Channel, opt SeedOptions) (*seedGen, error) {
	teams, err := s.Teams(ctx, orgID)
	if err != nil {
		return nil, err
	}
	users, err := s.Users(ctx, orgID)
	if err != nil {
		return nil, err
	}
	// Teams and Users come by name; ids make the choices independent of
	// renames.
	slices.SortFunc(teams, func(a, b *model.Team) int { return cmp.Compare(a.ID, b.ID) })
	g := &seedGen{orgID: orgID, channel: ch, opt: opt, rnd: rand.New(rand.NewPCG(opt.Seed, 0x5eed)),
		now: ms(opt.Now), members: map[int64][]int64{}}
	g.start = g.now - int64(365*24*time.Hour/time.Millisecond)
	for _, u := range users {
		if u.Active {
			g.users = append(g.users, u.ID)
		}
	}
	slices.Sort(g.users)
	sum := 0.0
	for i, t := range teams {
		g.teams = append(g.teams, t.ID)
		sum += 1 / float64(i+1) // the first team is the busiest
		g.teamW = append(g.teamW, sum)
		m := slices.Clone(t.MemberIDs)
		slices.Sort(m)
		g.members[t.ID] = m
	}
	g.counts = g.messageCounts()
	return g, nil
}

// messageCounts spreads the messages over the conversations: one each,
// and the rest in proportion to log-normal weights, so most conversations
// are short and a few run to hundreds of messages.
func (g *seedGen) messageCounts() []int32 {
	n := g.opt.Conversations
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = math.Exp(1.1 * g.rnd.NormFloat64())
		sum += w[i]
	}
	counts := make([]int32, n)
	extra := g.opt.Messages - n
	given := 0
	for i := range counts {
		k := int(float64(extra) * w[i] / sum)
		counts[i] = int32(1 + k)
		given += k
	}
	for ; given < extra; given++ {
		counts[g.rnd.IntN(n)]++
	}
	return counts
}

type seedConv struct {
	contact    int // index of the contact, in creation order
	newContact bool
	name       string
	language   string
	status     model.Status
	priority   int
	team       any // int64 or nil
	assignee   any
	restricted bool
	created    int64
	firstResp  any
	last       int64
	resolved   any
	snoozed    any
	preview    string
	tags       []string
	msgs       []seedMsg
}

type seedMsg struct {
	dir    model.Direction
	body   string
	author any
	status model.DeliveryStatus
	at     int64
}

func (g *seedGen) chunk(from, to int) []seedConv {
	out := make([]seedConv, 0, to-from)
	for j := from; j < to; j++ {
		out = append(out, g.conversation(j))
	}
	return out
}

func (g *seedGen) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

// conversation makes conversation j of the year, in order of creation.
func (g *seedGen) conversation(j int) seedConv {
	r := g.rnd
	n := g.opt.Conversations
	c := seedConv{language: g.language()}
	// Contacts: exactly opt.Contacts distinct ones; the others come back.
	newLeft, convLeft := g.opt.Contacts-g.contacts, n-j
	if g.contacts == 0 || newLeft >= convLeft || r.IntN(convLeft) < newLeft {
		c.contact, c.newContact = g.contacts, true
		c.name = g.pick(seedFirstNames) + " " + string(rune('A'+r.IntN(26))) + "."
		g.contacts++
	} else {
		c.contact = r.IntN(g.contacts)
	}
	span := g.now - g.start
	c.created = g.start + int64((float64(j)+r.Float64())*float64(span)/float64(n))

	// The timeline: replies within minutes, hours, or the next days.
	k := int(g.counts[j])
	c.msgs = make([]seedMsg, k)
	at := c.created
	for i := range c.msgs {
		if i > 0 {
			var mean float64
			switch x := r.IntN(10); {
			case x < 6:
				mean = float64(90 * time.Second / time.Millisecond)
			case x < 9:
				mean = float64(30 * time.Minute / time.Millisecond)
			default:
				mean = float64(20 * time.Hour / time.Millisecond)
			}
			at += 1 + int64(r.ExpFloat64()*mean)
		}
		c.msgs[i].at = at
	}
	if at > g.now {
		// Squeeze a timeline that would run past now.
		d := float64(g.now-c.created) / float64(at-c.created)
		for i := range c.msgs {
			c.msgs[i].at = c.created + int64(float64(c.msgs[i].at-c.created)*d)
		}
	}
	c.last = c.msgs[k-1].at

	c.status = g.status(g.now - c.last)
	if len(g.teams) > 0 && r.IntN(100) >= 12 {
		x := r.Float64() * g.teamW[len(g.teamW)-1]
		t, _ := slices.BinarySearch(g.teamW, x)
		c.team = g.teams[min(t, len(g.teams)-1)]
	}
	unassigned := 5
	if c.status == model.StatusOpen {
		unassigned = 35
	}
	if r.IntN(100) >= unassigned {
		pool := g.users
		if t, ok := c.team.(int64); ok && len(g.members[t]) > 0 {
			pool = g.members[t]
		}
		if len(pool) > 0 {
			// Skewed: the first members of a team take more of its work.
			c.assignee = pool[int(float64(len(pool))*math.Pow(r.Float64(), 1.6))]
		}
	}
	switch x := r.IntN(100); {
	case x < 5:
		c.priority = int(model.PriorityLow)
	case x < 85:
		c.priority = int(model.PriorityNormal)
	case x < 97:
		c.priority = int(model.PriorityHigh)
	default:
		c.priority = int(model.PriorityUrgent)
	}
	c.restricted = r.IntN(50) == 0
	switch c.status {
	case model.StatusResolved, model.StatusClosed:
		c.resolved = c.last
	case model.StatusSnoozed:
		c.snoozed = g.now + 1 + r.Int64N(int64(72*time.Hour/time.Millisecond))
	}
	if r.IntN(4) == 0 {
		c.tags = append(c.tags, g.pick(seedTags))
		if t := g.pick(seedTags); r.IntN(3) == 0 && t != c.tags[0] {
			c.tags = append(c.tags, t)
		}
	}

	for i := range c.msgs {
		m := &c.msgs[i]
		x := r.IntN(100)
		switch {
		case i == 0 || x < 50:
			m.dir, m.body = model.DirectionInbound, g.pick(seedInbound)
		case x < 90:
			m.dir, m.body = model.DirectionOutbound, g.pick(seedOutbound)
			m.author, m.status = g.author(c.assignee), model.DeliveryRead
			if x >= 80 {
				m.status = model.DeliveryDelivered
			}
			if c.firstResp == nil {
				c.firstResp = m.at
			}
		case x < 96:
			m.dir, m.body, m.author = model.DirectionNote, g.pick(seedNotes), g.author(c.assignee)
		default:
			m.dir, m.body = model.DirectionEvent, "priority:"+strconv.Itoa(c.priority)
		}
		if m.dir == model.DirectionInbound || m.dir == model.DirectionOutbound {
			c.preview = m.body
		}
	}
	c.preview = preview(c.preview)
	return c
}

func (g *seedGen) author(assignee any) any {
	if assignee != nil {
		return assignee
	}
	if len(g.users) == 0 {
		return nil
	}
	return g.users[g.rnd.IntN(len(g.users))]
}

// language follows the desks' public: mostly Italian, then the languages
// of the largest communities.
func (g *seedGen) language() string {
	x := g.rnd.IntN(100)
	for _, l := range seedLanguages {
		if x < l.cum {
			return l.lang
		}
	}
	return "it"
}

// status depends on age: recent conversations are still being worked on,
// old ones are done.
func (g *seedGen) status(age int64) model.Status {
	day := int64(24 * time.Hour / time.Millisecond)
	x := g.rnd.IntN(100)
	var cum [4]int // open, pending, snoozed, resolved; the rest closed
	switch {
	case age < 2*day:
		cum = [4]int{45, 70, 75, 100}
	case age < 30*day:
		cum = [4]int{8, 18, 20, 70}
	default:
		cum = [4]int{1, 2, 2, 20}
	}
	for i, st := range []model.Status{model.StatusOpen, model.StatusPending, model.StatusSnoozed, model.StatusResolved} {
		if x < cum[i] {
			return st
		}
	}
	return model.StatusClosed
}

// seedInserter writes chunks with multi-row INSERTs.
type seedInserter struct {
	s          *Store
	contactIDs []int64 // by contact index
	queries    map[string]string
}

func (ins *seedInserter) chunk(ctx context.Context, g *seedGen, convs []seedConv) error {
	tx, err := ins.s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	org, ch := g.orgID, g.channel

	var args []any
	for _, c := range convs {
		if c.newContact {
			args = append(args, org, c.name, c.language, c.created, c.created)
		}
	}
	ids, err := ins.insert(ctx, tx, "INSERT INTO contacts (org_id, display_name, language, created_at, updated_at)", 5, args, true)
	if err != nil {
		return err
	}
	args = args[:0]
	for _, c := range convs {
		if c.newContact {
			id := ids[0]
			ids = ids[1:]
			ins.contactIDs = append(ins.contactIDs, id)
			args = append(args, org, string(model.IdentityWeb), fmt.Sprintf("seed-%09d", c.contact), id, c.created)
		}
	}
	if _, err := ins.insert(ctx, tx, "INSERT INTO contact_identities (org_id, kind, value, contact_id, created_at)", 5, args, false); err != nil {
		return err
	}

	args = args[:0]
	for _, c := range convs {
		args = append(args, org, ins.contactIDs[c.contact], ch.ID, string(ch.Kind), c.language, string(c.status), c.priority,
			c.team, c.assignee, c.restricted, c.snoozed, c.created, c.firstResp, c.last, c.resolved, len(c.msgs), c.preview)
	}
	convIDs, err := ins.insert(ctx, tx, `INSERT INTO conversations (org_id, contact_id, channel_id, channel, language, status, priority,
		team_id, assignee_id, restricted, snoozed_until, created_at, first_response_at, last_activity_at, resolved_at, last_seq, preview)`, 17, args, true)
	if err != nil {
		return err
	}

	args = args[:0]
	for i, c := range convs {
		for _, t := range c.tags {
			args = append(args, org, convIDs[i], t)
		}
	}
	if _, err := ins.insert(ctx, tx, "INSERT INTO conversation_tags (org_id, conversation_id, tag)", 3, args, false); err != nil {
		return err
	}

	args = args[:0]
	const msgHead = `INSERT INTO messages (org_id, conversation_id, seq, direction, body, author_user_id, channel_id,
		provider_message_id, delivery_status, created_at)`
	for i, c := range convs {
		for j, m := range c.msgs {
			var provider any
			if m.dir == model.DirectionInbound {
				// Zero-padded, so the unique index grows at its end.
				provider = fmt.Sprintf("seed-%010d-%05d", convIDs[i], j+1)
			}
			args = append(args, org, convIDs[i], j+1, string(m.dir), m.body, m.author, ch.ID, provider, string(m.status), m.at)
		}
		// Flush as we go: a chunk's messages would make a big argument list.
		if len(args) >= 50*seedMaxRows*10 {
			if _, err := ins.insert(ctx, tx, msgHead, 10, args, false); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	if _, err := ins.insert(ctx, tx, msgHead, 10, args, false); err != nil {
		return err
	}
	return tx.Commit()
}

// insert writes args, width values a row, in as few statements as the
// engines allow. With returning, it returns the new ids in insertion order:
// both engines number the rows of one INSERT in increasing order, whatever
// order RETURNING gives them back in.
func (ins *seedInserter) insert(ctx context.Context, tx *sql.Tx, head string, width int, args []any, returning bool) ([]int64, error) {
	per := min(seedMaxRows, seedMaxParams/width)
	var ids []int64
	for len(args) > 0 {
		n := min(per, len(args)/width)
		query := ins.query(head, width, n, returning)
		batch := args[:n*width]
		args = args[n*width:]
		if !returning {
			if _, err := tx.ExecContext(ctx, query, batch...); err != nil {
				return nil, mapError(err)
			}
			continue
		}
		rows, err := tx.QueryContext(ctx, query, batch...)
		if err != nil {
			return nil, mapError(err)
		}
		first := len(ids)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapError(err)
		}
		if len(ids)-first != n {
			return nil, fmt.Errorf("insert returned %d ids for %d rows", len(ids)-first, n)
		}
		slices.Sort(ids[first:])
	}
	return ids, nil
}

// query builds (once) the statement for n rows of width values.
func (ins *seedInserter) query(head string, width, n int, returning bool) string {
	key := fmt.Sprint(head, width, n, returning)
	if q, ok := ins.queries[key]; ok {
		return q
	}
	row := "(" + placeholders(width) + ")"
	var b strings.Builder
	b.WriteString(head)
	b.WriteString(" VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	if returning {
		b.WriteString(" RETURNING id")
	}
	q := ins.s.rebind(b.String())
	ins.queries[key] = q
	return q
}

var seedLanguages = []struct {
	lang string
	cum  int
}{{"it", 58}, {"ar", 68}, {"en", 75}, {"fr", 81}, {"uk", 86}, {"es", 90}, {"ro", 94}, {"zh", 97}, {"bn", 100}}

var seedFirstNames = []string{
	"Amina", "Mohamed", "Fatima", "Giulia", "Marco", "Olena", "Ahmed", "Sara", "Luca", "Ioana",
	"Chiara", "Yusuf", "Mariam", "Andrea", "Oksana", "Karim", "Elena", "Wei", "Rahim", "Francesca",
	"Ibrahim", "Aisha", "Paolo", "Nadia", "Samuel", "Grace", "Jorge", "Lucia", "Bogdan", "Hui",
}

var seedTags = []string{"affitto", "bonus", "lavoro", "permesso di soggiorno", "scuola", "salute", "isee", "residenza", "urgente", "legale"}

var seedInbound = []string{
	"Buongiorno, vorrei sapere come richiedere il bonus affitto.",
	"Salve, ho ricevuto una lettera dal Comune e non capisco cosa devo fare.",
	"مرحبا، أحتاج مساعدة في تجديد تصريح الإقامة",
	"Hello, I need help with my residence permit renewal appointment.",
	"Bonjour, je cherche un cours d'italien pour adultes près de chez moi.",
	"Добрий день, як записати дитину до школи?",
	"Hola, ¿dónde puedo hacer el ISEE?",
	"Bună ziua, am nevoie de un medic de familie.",
	"Grazie mille!",
	"Ok, a che ora siete aperti domani?",
	"Ho inviato i documenti, potete controllare?",
	"Non ho ancora ricevuto risposta dall'INPS, cosa posso fare?",
	"Il mio contratto di lavoro scade il mese prossimo.",
	"您好，我想预约咨询。",
	"Va bene, passo giovedì mattina.",
}

var seedOutbound = []string{
	"Buongiorno, grazie per averci scritto. Può dirci in che comune abita?",
	"Per il bonus affitto servono l'ISEE aggiornato e il contratto registrato.",
	"Può passare allo sportello il martedì o il giovedì dalle 9 alle 13.",
	"Le abbiamo fissato un appuntamento con la mediatrice per lunedì alle 10.",
	"Abbiamo controllato: la domanda risulta presentata, serve solo attendere.",
	"Si ricordi di portare un documento d'identità e il codice fiscale.",
	"Le inviamo il modulo da compilare.",
	"Certo, la aiutiamo volentieri.",
}

var seedNotes = []string{
	"Seguito anche dall'assistente sociale del distretto.",
	"Richiamare la settimana prossima.",
	"Documenti completi, pratica inviata.",
	"Serve mediatore in lingua araba.",
}
