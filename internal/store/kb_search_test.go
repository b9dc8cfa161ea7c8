package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestKBSearchRanking checks the order of results when a word is in more
// texts than a search reads: titles that hold every word come first
// wherever they are in the index (the shorter, then the older); then,
// among the first texts that hold the words, those whose title holds some
// of them, then the others, oldest first; and an unfinished word stands
// for the words it begins.
func TestKBSearchRanking(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, _ := newTenant(t, s, "a")
		var arts []*store.KBArticle
		add := func(slug, title, body string) {
			arts = append(arts, &store.KBArticle{Slug: slug, Status: kb.StatusPublished, Translations: []*store.KBTranslation{{Language: "it", Title: title, Body: body}}})
		}
		// More texts that hold "permesso" than a search reads as titles,
		// written first, so that an index read in its order meets them
		// before the titles.
		// One word in the title and the other in the text: ranked among
		// the first texts that hold both.
		testo := func(from, to int) {
			for i := from; i < to; i++ {
				add(fmt.Sprintf("testo-%03d", i), fmt.Sprintf("Scheda numero %d", i), "Per il permesso di soggiorno serve la ricevuta della questura.")
			}
		}
		testo(0, 50)
		add("soggiorno-lungo", "Soggiorno di lungo periodo", "Il permesso UE per soggiornanti di lungo periodo.")
		testo(50, 250)
		add("rinnovo", "Rinnovo del permesso di soggiorno per lavoro", "Come si rinnova.")
		add("permesso", "Permesso di soggiorno", "Che cos'è.")
		add("permanenza", "Permanenza in Italia", "Chi può restare.")
		if err := s.ImportKBArticles(ctx, org.ID, arts); err != nil {
			t.Fatal(err)
		}
		search := func(q string, prefix bool, limit int) string {
			t.Helper()
			hits, err := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: q, Prefix: prefix, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			return hitSlugs(hits)
		}
		for _, tt := range []struct {
			q      string
			prefix bool
			limit  int
			want   string
		}{
			// Both words in the title, the shorter title first; then one
			// word in the title (the other in the text); then the texts,
			// oldest first.
			{"permesso soggiorno", false, 5, "permesso|rinnovo|soggiorno-lungo|testo-000|testo-001"},
			{"permessi", false, 3, "permesso|rinnovo|testo-000"},       // plural finds singular
			{"rinnovo permesso", false, 2, "rinnovo"},                  // only this one has both words
			{"permesso soggiorno", false, 2, "permesso|rinnovo"},       //
			{"perm", true, 4, "permesso|permanenza|rinnovo|testo-000"}, // "perm…": permesso and permanenza
			{"permesso sogg", true, 4, "permesso|rinnovo|soggiorno-lungo|testo-000"},
			{"questura", false, 2, "testo-000|testo-001"}, // only in texts: the oldest
		} {
			if got := search(tt.q, tt.prefix, tt.limit); got != tt.want {
				t.Errorf("search %q (prefix %v, %d) = %q, want %q", tt.q, tt.prefix, tt.limit, got, tt.want)
			}
		}
		// A title changed is found by its new words only, and no longer by
		// its old ones.
		p, err := s.KBArticleBySlug(ctx, org.ID, "permanenza")
		if err != nil {
			t.Fatal(err)
		}
		tr := p.Translations[0]
		tr.Title = "Restare in Italia"
		if err := s.SaveKBTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if got := search("permanenza", false, 5); got != "" {
			t.Errorf("old title still found: %q", got)
		}
		if got := search("restare", false, 5); got != "permanenza" {
			t.Errorf("new title: %q", got)
		}
	})
}

// TestKBSearchMigration writes the index the way it was before migration
// 0017 (on PostgreSQL the tsvectors of 0008, on SQLite kb_search alone),
// runs 0017 over it, and expects the very index, words kept for
// completion and search results that the store writes today.
func TestKBSearchMigration(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) { testKBSearchMigration(t, storetest.Open(t, e)) })
	}
}

func testKBSearchMigration(t *testing.T, s *store.Store) {
	ctx := context.Background()
	org, admin := newTenant(t, s, "a")
	kbFixture(t, s, org, admin.ID)
	count := func(query string) int64 {
		t.Helper()
		n, err := s.RawInt64ForTest(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	index := "SELECT COUNT(*) FROM kb_search"
	terms := "SELECT COUNT(*) * 1000000 + COALESCE(SUM(length(term) * unicode(term)), 0) FROM kb_terms"
	if s.Engine() == store.Postgres {
		index = "SELECT COALESCE(SUM(hashtext(translation_id || tsv::text)), 0) FROM kb_search"
		terms = "SELECT COUNT(*) * 1000000 + COALESCE(SUM(hashtext(term)), 0) FROM kb_terms"
	}
	searches := func() string {
		t.Helper()
		var b strings.Builder
		for _, q := range []struct {
			text   string
			prefix bool
		}{{"come ottenere lo SPID", false}, {"documenti", false}, {"citta", false}, {"spid", false}, {"turni", false},
			{"raccom", true}, {"come otten", true}, {"spid documenti", false}} {
			hits, err := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: q.text, Prefix: q.prefix, Statuses: []string{"published", "internal"}})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%q: %s\n", q.text, hitSlugs(hits))
		}
		return b.String()
	}
	wantIndex, wantTerms, wantSearches := count(index), count(terms), searches()
	if count("SELECT COUNT(*) FROM kb_terms") == 0 {
		t.Fatal("no words kept for completion")
	}

	// The index as it was before 0017.
	if s.Engine() == store.Postgres {
		arts, err := s.KBArticles(ctx, org.ID, store.KBFilter{})
		if err != nil {
			t.Fatal(err)
		}
		configs := map[string]string{"it": "italian", "en": "english"}
		for _, listed := range arts {
			a, err := s.KBArticle(ctx, org.ID, listed.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range a.Translations {
				scope := fmt.Sprintf("k%d%s%s", org.ID, tr.Language, a.Status)
				if err := s.RawExecForTest(ctx, `UPDATE kb_search SET tsv = setweight(to_tsvector('simple', ?), 'D')
					|| setweight(to_tsvector(CAST(? AS regconfig), ?), 'A') || setweight(to_tsvector(CAST(? AS regconfig), ?), 'B')
					WHERE translation_id = ?`, scope, configs[tr.Language], kb.Fold(tr.Title),
					configs[tr.Language], kb.Fold(tr.Summary+"\n"+kb.PlainText(tr.Body)), tr.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if count(index) == wantIndex {
			t.Fatal("the old index is the same as the new one: the test would prove nothing")
		}
	} else if err := s.RawExecForTest(ctx, "DROP TABLE kb_search_titles"); err != nil {
		t.Fatal(err)
	}
	if err := s.RawExecForTest(ctx, "DROP TABLE kb_terms"); err != nil {
		t.Fatal(err)
	}
	sql, err := s.MigrationSQLForTest(17)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RawExecForTest(ctx, sql); err != nil {
		t.Fatal(err)
	}
	if count(index) != wantIndex {
		t.Error("after migrating, the index is not the one the store writes")
	}
	if count(terms) != wantTerms {
		t.Error("after migrating, kb_terms is not what the store writes")
	}
	if got := searches(); got != wantSearches {
		t.Errorf("searches after migrating:\n%swant:\n%s", got, wantSearches)
	}
}

// BenchmarkSearchKB searches 5,000 Italian texts written from 2,000
// made-up words with a Zipf distribution, so that the commonest words are
// in every text: the case a search must not pay for. The full-scale
// measurement (100,000 translations) is `sportello bench kb`, see
// docs/BENCHMARKS.md.
func BenchmarkSearchKB(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			org, _ := newTenant(b, s, "bench")
			ctx := context.Background()
			rnd := rand.New(rand.NewPCG(1, 2))
			zipf := rand.NewZipf(rnd, 1.1, 2, 1999)
			syll := []string{"ca", "to", "ri", "me", "sa", "lo", "ne", "vi", "ta", "po", "de", "gu", "ban", "ter", "mon", "sel"}
			words := make([]string, 2000)
			for i := range words {
				words[i] = syll[i%16] + syll[(i/16)%16] + syll[(i/256)%16] + "x"
			}
			text := func(n int) string {
				w := make([]string, n)
				for i := range w {
					w[i] = words[zipf.Uint64()]
				}
				return strings.Join(w, " ")
			}
			for chunk := range 25 {
				var arts []*store.KBArticle
				for i := range 200 {
					arts = append(arts, &store.KBArticle{Slug: fmt.Sprintf("a-%d-%d", chunk, i), Status: kb.StatusPublished,
						Translations: []*store.KBTranslation{{Language: "it", Title: text(5), Body: text(200)}}})
				}
				if err := s.ImportKBArticles(ctx, org.ID, arts); err != nil {
					b.Fatal(err)
				}
			}
			// As autovacuum would soon after: without statistics, PostgreSQL
			// may read the whole table rather than the index.
			if err := s.RawExecForTest(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			for _, q := range []struct {
				name, text string
				prefix     bool
			}{
				{"common", words[0], false},
				{"common-three", words[0] + " " + words[1] + " " + words[2], false},
				{"rare", words[1500], false},
				{"none-together", words[1500] + " " + words[1700] + " " + words[1900], false},
				{"prefix", words[0] + " " + words[1][:3], true},
			} {
				b.Run(q.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: q.text, Prefix: q.prefix}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
