package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/store"
)

// kbLanguages are the languages the knowledge base benchmark writes every
// article in.
var kbLanguages = []string{"it", "en", "fr", "es", "ar"}

// kbChunk articles are written per transaction when seeding.
const kbChunk = 200

// KBOptions shape the knowledge base benchmark.
type KBOptions struct {
	Translations int // in the organisation before measuring; seeded up to it
	Queries      int // searches measured, after a warm-up
	Starter      []*kb.Doc
}

// KB measures search in the knowledge base (Store.SearchKB, 10 results,
// published articles, in the query's language) over an organisation
// holding opt.Translations article translations: synthetic articles in
// five languages written from a Zipf-distributed vocabulary of made-up
// words (so that common words match thousands of texts and rare ones a
// few), plus the starter articles. Queries are one to three words drawn
// from the same distribution, in a random language, and the questions of
// the issue ("come ottenere lo SPID", "how to get SPID").
func KB(ctx context.Context, s *store.Store, org string, opt KBOptions, out io.Writer) (Result, error) {
	o, _, err := prepare(ctx, s, org)
	if err != nil {
		return Result{}, err
	}
	res := newResult(s, "kb", org)
	have, err := s.KBArticles(ctx, o.ID, store.KBFilter{Limit: 1 << 30})
	if err != nil {
		return res, err
	}
	count := 0
	for _, a := range have {
		count += len(a.Translations)
	}
	if count == 0 {
		for _, d := range opt.Starter {
			d := *d
			d.Owner = "" // the demo's people are not the benchmark's
			if _, err := s.ImportKBDoc(ctx, o.ID, &d, 0); err != nil {
				return res, err
			}
			count++
		}
	}
	v := newVocabulary(SeedValue)
	rnd := rand.New(rand.NewPCG(SeedValue, 7))
	start := time.Now()
	if count < opt.Translations {
		fmt.Fprintf(out, "kb: seeding %d translations into %s on %s\n", opt.Translations-count, org, s.Engine())
	}
	n := len(have)
	for count < opt.Translations {
		var chunk []*store.KBArticle
		for len(chunk) < kbChunk && count < opt.Translations {
			a := &store.KBArticle{Slug: fmt.Sprintf("bench-%d", n), Status: kb.StatusPublished}
			n++
			for _, lang := range kbLanguages {
				if count == opt.Translations {
					break
				}
				a.Translations = append(a.Translations, &store.KBTranslation{
					Language: lang, Title: v.sentence(rnd, 3+rnd.IntN(5)), Summary: v.sentence(rnd, 12),
					Body: v.paragraphs(rnd, 2+rnd.IntN(4)),
				})
				count++
			}
			chunk = append(chunk, a)
		}
		if err := s.ImportKBArticles(ctx, o.ID, chunk); err != nil {
			return res, err
		}
		if n%(kbChunk*25) == 0 {
			fmt.Fprintf(out, "  %d translations, %s\n", count, time.Since(start).Round(time.Second))
		}
	}
	fixed := []store.KBQuery{{Language: "it", Text: "come ottenere lo SPID"}, {Language: "en", Text: "how to get SPID"}}
	// One query in ten is a question of the issue; of the others, one in
	// four is a suggestion as one types (the last word cut short).
	query := func(i int) (string, store.KBQuery) {
		if i%10 == 0 {
			return "issue", fixed[(i/10)%len(fixed)]
		}
		words := make([]string, 1+rnd.IntN(3))
		for j := range words {
			words[j] = v.word(rnd)
		}
		qy := store.KBQuery{Language: kbLanguages[rnd.IntN(len(kbLanguages))]}
		if rnd.IntN(4) == 0 {
			last := []rune(words[len(words)-1])
			words[len(words)-1] = string(last[:max(3, len(last)-2)])
			qy.Text, qy.Prefix = strings.Join(words, " "), true
			return "suggest", qy
		}
		qy.Text = strings.Join(words, " ")
		return "search", qy
	}
	for i := range 50 {
		_, qy := query(i)
		if _, err := s.SearchKB(ctx, o.ID, qy); err != nil {
			return res, err
		}
	}
	fmt.Fprintf(out, "kb: %d searches over %d translations\n", opt.Queries, count)
	lat := make([]time.Duration, 0, opt.Queries)
	byKind := map[string][]time.Duration{}
	began := time.Now()
	for i := range opt.Queries {
		kind, qy := query(i)
		t0 := time.Now()
		hits, err := s.SearchKB(ctx, o.ID, qy)
		d := time.Since(t0)
		lat = append(lat, d)
		byKind[kind] = append(byKind[kind], d)
		if err != nil {
			res.Errors++
			continue
		}
		res.Rows += int64(len(hits))
		if i%10 == 0 && (len(hits) == 0 || hits[0].Slug != "spid") && len(opt.Starter) > 0 {
			return res, fmt.Errorf("kb: %q found %d articles, not the SPID article first", qy.Text, len(hits))
		}
	}
	res.Ops = int64(opt.Queries)
	res.Latency = summarize(lat)
	res.Filters = map[string]Latency{}
	for k, d := range byKind {
		res.Filters[k] = summarize(d)
	}
	res.Translations = count
	return res, res.finish(out, time.Since(began))
}

// vocabulary is a set of made-up words drawn with a Zipf distribution.
type vocabulary struct {
	words []string
	zipf  *rand.Zipf
}

func newVocabulary(seed uint64) *vocabulary {
	rnd := rand.New(rand.NewPCG(seed, 11))
	syll := []string{"ca", "to", "ri", "me", "sa", "lo", "ne", "vi", "ta", "po", "de", "gu", "ban", "ter", "mon", "sel", "fra", "pri", "sto", "lan"}
	v := &vocabulary{}
	seen := map[string]bool{}
	for len(v.words) < 30000 {
		var b strings.Builder
		for range 2 + rnd.IntN(3) {
			b.WriteString(syll[rnd.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			v.words = append(v.words, w)
		}
	}
	v.zipf = rand.NewZipf(rand.New(rand.NewPCG(seed, 13)), 1.1, 2, uint64(len(v.words)-1))
	return v
}

func (v *vocabulary) word(rnd *rand.Rand) string {
	// The Zipf source is shared; rnd picks among equally common neighbours.
	i := int(v.zipf.Uint64())
	if i > 0 && rnd.IntN(2) == 0 {
		i--
	}
	return v.words[i]
}

func (v *vocabulary) sentence(rnd *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = v.word(rnd)
	}
	s := strings.Join(w, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func (v *vocabulary) paragraphs(rnd *rand.Rand, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = v.sentence(rnd, 30+rnd.IntN(40)) + "."
	}
	return strings.Join(p, "\n\n")
}
