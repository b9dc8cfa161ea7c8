package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/store"
)

// checkStarterKB: the demo desk's help centre answers the questions of
// the issue in Italian and English, and every starter article waits for
// the organisation's review.
func checkStarterKB(t *testing.T, s *store.Store, orgID int64, res *demo.Result, now time.Time) {
	t.Helper()
	ctx := context.Background()
	arts, err := s.KBArticles(ctx, orgID, store.KBFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != res.Articles || len(arts) < 5 {
		t.Errorf("knowledge base: %d articles, result says %d", len(arts), res.Articles)
	}
	for _, a := range arts {
		langs := map[string]bool{}
		for _, tr := range a.Translations {
			langs[tr.Language] = true
		}
		if !langs["it"] || !langs["en"] || a.Status != "published" || a.OwnerID == 0 || len(a.Sources) == 0 && a.Slug != "come-contattarci" {
			t.Errorf("starter article %s: languages %v, status %s, owner %d, sources %v", a.Slug, langs, a.Status, a.OwnerID, a.Sources)
		}
	}
	due, err := s.KBArticles(ctx, orgID, store.KBFilter{ReviewDue: &now})
	if err != nil || len(due) != len(arts) {
		t.Errorf("review due: %d of %d, %v", len(due), len(arts), err)
	}
	for _, q := range []struct{ lang, text string }{{"it", "come ottenere lo SPID"}, {"en", "how to get SPID"}, {"ar", "SPID"}, {"it", "posta elettronica certificata"}} {
		hits, err := s.SearchKB(ctx, orgID, store.KBQuery{Language: q.lang, Text: q.text})
		if err != nil || len(hits) == 0 {
			t.Errorf("search %s %q: %v, nothing found", q.lang, q.text, err)
			continue
		}
		want := "spid"
		if q.text == "posta elettronica certificata" {
			want = "pec"
		}
		if hits[0].Slug != want {
			t.Errorf("search %s %q: first %s, want %s", q.lang, q.text, hits[0].Slug, want)
		}
	}
}

func TestStarterArticlesParse(t *testing.T) {
	docs, err := demo.StarterArticles()
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 10 {
		t.Errorf("%d starter files", len(docs))
	}
}
