package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func hitSlugs(hits []*store.KBHit) string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Slug)
	}
	return strings.Join(out, "|")
}

// kbFixture writes a few articles in Italian and English into org.
func kbFixture(t *testing.T, s *store.Store, org *model.Organization, by int64) {
	t.Helper()
	ctx := context.Background()
	docs := []kb.Doc{
		{Slug: "spid", Language: "it", Title: "Come ottenere lo SPID", Summary: "L'identità digitale per i servizi pubblici.", Category: "identita", CategoryName: "Identità digitale", Status: kb.StatusPublished, Body: "Per ottenere lo SPID scegli un gestore di identità e tieni pronti i documenti."},
		{Slug: "spid", Language: "en", Title: "How to get SPID", Summary: "The digital identity for public services.", Category: "identita", CategoryName: "Digital identity", Status: kb.StatusPublished, Body: "To get SPID choose an identity provider and keep your documents ready."},
		{Slug: "cie", Language: "it", Title: "Carta d'identità elettronica", Summary: "La CIE si chiede al Comune.", Category: "identita", Status: kb.StatusPublished, Body: "Con la CIE puoi anche entrare nei servizi che chiedono lo SPID. Servono documento e foto."},
		{Slug: "pec", Language: "it", Title: "La PEC, posta elettronica certificata", Status: kb.StatusPublished, Body: "La PEC vale come una raccomandata con ricevuta di ritorno. Città e comuni la usano."},
		{Slug: "turni", Language: "it", Title: "Turni interni dello SPID", Status: kb.StatusInternal, Body: "Chi segue le richieste SPID allo sportello."},
		{Slug: "bozza", Language: "it", Title: "Bozza SPID", Status: kb.StatusDraft, Body: "Non ancora pronta."},
	}
	for i := range docs {
		if _, err := s.ImportKBDoc(ctx, org.ID, &docs[i], by); err != nil {
			t.Fatalf("import %s.%s: %v", docs[i].Slug, docs[i].Language, err)
		}
	}
}

func TestKBSearch(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, admin := newTenant(t, s, "a")
		other, otherAdmin := newTenant(t, s, "b")
		kbFixture(t, s, org, admin.ID)
		kbFixture(t, s, other, otherAdmin.ID)
		tests := []struct {
			lang, q  string
			statuses []string
			want     string
		}{
			{"it", "come ottenere lo SPID", nil, "spid"},
			{"en", "how to get SPID", nil, "spid"},
			{"it", "spid", nil, "spid|cie"}, // title first
			{"it", "turni", []string{"published", "internal"}, "turni"},
			{"it", "turni", nil, ""},                             // internal: never for citizens
			{"it", "citta", nil, "pec"},                          // accents folded
			{"it", "CITTÀ", nil, "pec"},                          //
			{"it", "documenti", nil, "spid|cie"},                 // plural finds singular
			{"en", "documents", nil, "spid"},                     //
			{"en", "document", nil, "spid"},                      //
			{"it", "raccomandata inesistente", nil, "pec"},       // no article has both: any word
			{"it", `"spid" OR x* NEAR( ' ; --`, nil, "spid|cie"}, // syntax is only text
			{"fr", "spid", nil, ""},                              // no French text
			{"it", "", nil, ""},
		}
		for _, tt := range tests {
			hits, err := s.SearchKB(ctx, org.ID, store.KBQuery{Language: tt.lang, Text: tt.q, Statuses: tt.statuses})
			if err != nil {
				t.Fatalf("%s %q: %v", tt.lang, tt.q, err)
			}
			if got := hitSlugs(hits); got != tt.want {
				t.Errorf("search %s %q = %q, want %q", tt.lang, tt.q, got, tt.want)
			}
			for _, h := range hits {
				if h.Language != tt.lang {
					t.Errorf("search %s %q found a %s text", tt.lang, tt.q, h.Language)
				}
			}
		}

		// As one types, the last word may be unfinished.
		for _, tt := range []struct{ q, want string }{{"come otten", "spid"}, {"raccom", "pec"}, {"raccom", "pec"}} {
			hits, err := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: tt.q, Prefix: true})
			if got := hitSlugs(hits); err != nil || got != tt.want {
				t.Errorf("prefix search %q = %q, %v; want %q", tt.q, got, err, tt.want)
			}
		}
		if hits, _ := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: "raccom"}); len(hits) != 0 {
			t.Errorf("whole-word search of an unfinished word found %q", hitSlugs(hits))
		}

		// Unpublishing an article takes it out of the help centre at once;
		// deleting it, out of every search.
		a, err := s.KBArticleBySlug(ctx, org.ID, "spid")
		if err != nil {
			t.Fatal(err)
		}
		a.Status = kb.StatusDraft
		if err := s.SaveKBArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		hits, _ := s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: "ottenere spid"})
		if got := hitSlugs(hits); got != "cie" {
			t.Errorf("after unpublishing: %q, want cie", got)
		}
		if err := s.DeleteKBArticle(ctx, org.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		hits, _ = s.SearchKB(ctx, org.ID, store.KBQuery{Language: "it", Text: "ottenere", Statuses: []string{"draft", "published", "internal"}})
		if got := hitSlugs(hits); got != "" {
			t.Errorf("after deleting: %q, want nothing", got)
		}
		// The other organisation still has its own.
		hits, _ = s.SearchKB(ctx, other.ID, store.KBQuery{Language: "it", Text: "ottenere spid"})
		if got := hitSlugs(hits); got != "spid" {
			t.Errorf("other organisation: %q, want spid", got)
		}
	})
}

func TestKBTranslationsAndHistory(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		org, admin := newTenant(t, s, "a")
		other, _ := newTenant(t, s, "b")
		cat := &store.KBCategory{OrgID: org.ID, Slug: "benefici", Names: map[string]string{"it": " Benefici ", "en": "Benefits"}}
		if err := s.SaveKBCategory(ctx, cat); err != nil {
			t.Fatal(err)
		}
		review := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
		a := &store.KBArticle{OrgID: org.ID, CategoryID: cat.ID, Slug: "assegno-unico", Status: kb.StatusPublished, OwnerID: admin.ID, ReviewBy: &review, Sources: []string{"https://www.inps.it/", " "}}
		if err := s.SaveKBArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		tr := &store.KBTranslation{OrgID: org.ID, ArticleID: a.ID, Language: "IT", Title: "Assegno unico", Body: "Prima versione.", UpdatedBy: admin.ID}
		if err := s.SaveKBTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if tr.Version != 1 || tr.Language != "it" {
			t.Errorf("first save: version %d language %q", tr.Version, tr.Language)
		}
		clock.Advance(time.Hour)
		same := *tr
		if err := s.SaveKBTranslation(ctx, &same); err != nil || same.Version != 1 {
			t.Errorf("unchanged save: version %d, %v; want 1", same.Version, err)
		}
		tr.Body = "Seconda versione."
		if err := s.SaveKBTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if tr.Version != 2 {
			t.Errorf("second save: version %d, want 2", tr.Version)
		}
		vs, err := s.KBVersions(ctx, org.ID, a.ID, "it")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].Version != 1 || vs[0].Body != "Prima versione." || vs[0].EditedBy != admin.ID {
			t.Errorf("history: %+v", vs)
		}
		got, err := s.KBArticle(ctx, org.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Sources) != 1 || got.ReviewBy == nil || !got.ReviewBy.Equal(review) || got.OwnerID != admin.ID || len(got.Translations) != 1 || got.Translations[0].Body != "Seconda versione." {
			t.Errorf("read back: %+v", got)
		}
		if t2, exact := got.Translation("ar", "it"); t2 == nil || exact || t2.Language != "it" {
			t.Errorf("fallback from Arabic: %+v %v", t2, exact)
		}
		cats, _ := s.KBCategories(ctx, org.ID)
		if len(cats) != 1 || cats[0].Name("en", "it") != "Benefits" || cats[0].Name("it", "it") != "Benefici" || cats[0].Name("ar", "it") != "Benefici" {
			t.Errorf("categories: %+v", cats)
		}

		// Review: due lists only what is past its date, of the owner asked.
		for _, tt := range []struct {
			at    time.Time
			owner int64
			want  int
		}{{review.Add(-time.Hour), 0, 0}, {review, 0, 1}, {review.Add(24 * time.Hour), admin.ID, 1}, {review.Add(24 * time.Hour), admin.ID + 1000, 0}} {
			due, err := s.KBArticles(ctx, org.ID, store.KBFilter{ReviewDue: &tt.at, OwnerID: tt.owner})
			if err != nil || len(due) != tt.want {
				t.Errorf("review due at %v owner %d: %d, %v; want %d", tt.at, tt.owner, len(due), err, tt.want)
			}
		}

		// Another organisation sees none of it and cannot write into it.
		if _, err := s.KBArticle(ctx, other.ID, a.ID); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("other org read: %v", err)
		}
		if err := s.SaveKBTranslation(ctx, &store.KBTranslation{OrgID: other.ID, ArticleID: a.ID, Language: "en", Title: "x", Body: "y"}); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("other org write: %v", err)
		}
		if err := s.SaveKBArticle(ctx, &store.KBArticle{OrgID: other.ID, CategoryID: cat.ID, Slug: "x", Status: "draft"}); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("other org's category: %v", err)
		}

		// Bad input is refused whole.
		bad := []struct {
			name string
			err  error
		}{
			{"status", s.SaveKBArticle(ctx, &store.KBArticle{OrgID: org.ID, Slug: "x", Status: "live"})},
			{"slug", s.SaveKBArticle(ctx, &store.KBArticle{OrgID: org.ID, Slug: "Not A Slug", Status: "draft"})},
			{"source", s.SaveKBArticle(ctx, &store.KBArticle{OrgID: org.ID, Slug: "x", Status: "draft", Sources: []string{"javascript:alert(1)"}})},
			{"duplicate", s.SaveKBArticle(ctx, &store.KBArticle{OrgID: org.ID, Slug: "assegno-unico", Status: "draft"})},
			{"huge", s.SaveKBTranslation(ctx, &store.KBTranslation{OrgID: org.ID, ArticleID: a.ID, Language: "en", Title: "x", Body: strings.Repeat("x", kb.BodyMax+1)})},
			{"language", s.SaveKBTranslation(ctx, &store.KBTranslation{OrgID: org.ID, ArticleID: a.ID, Language: "english!", Title: "x", Body: "y"})},
		}
		for _, b := range bad {
			if b.err == nil || model.ErrorCode(b.err) != model.CodeInvalid && model.ErrorCode(b.err) != model.CodeConflict {
				t.Errorf("%s: %v, want a validation error", b.name, b.err)
			}
		}
		list, _ := s.KBArticles(ctx, org.ID, store.KBFilter{})
		if len(list) != 1 || len(list[0].Translations) != 1 {
			t.Errorf("after bad input: %d articles", len(list))
		}
	})
}

func TestKBSharing(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		a, adminA := newTenant(t, s, "a")
		b, adminB := newTenant(t, s, "b")
		kbFixture(t, s, a, adminA.ID)
		pec, _ := s.KBArticleBySlug(ctx, a.ID, "pec")
		pec.Shared = true
		if err := s.SaveKBArticle(ctx, pec); err != nil {
			t.Fatal(err)
		}
		draft, _ := s.KBArticleBySlug(ctx, a.ID, "bozza")
		draft.Shared = true // shared but not published: not offered
		if err := s.SaveKBArticle(ctx, draft); err != nil {
			t.Fatal(err)
		}
		list, err := s.KBSharedArticles(ctx, b.ID)
		if err != nil || len(list) != 1 || list[0].Article.Slug != "pec" || list[0].OrgName != a.Name {
			t.Fatalf("shared with b: %v %v", list, err)
		}
		if own, _ := s.KBSharedArticles(ctx, a.ID); len(own) != 0 {
			t.Errorf("a is offered its own articles: %d", len(own))
		}
		// Only shared, published articles of another organisation copy.
		spid, _ := s.KBArticleBySlug(ctx, a.ID, "spid")
		for _, id := range []int64{spid.ID, draft.ID} {
			if _, err := s.CopySharedKBArticle(ctx, b.ID, id, adminB.ID); !model.ErrorIs(err, model.CodeNotFound) {
				t.Errorf("copy of unshared or draft article %d: %v", id, err)
			}
		}
		if _, err := s.CopySharedKBArticle(ctx, a.ID, pec.ID, adminA.ID); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("copy into its own organisation: %v", err)
		}
		cp, err := s.CopySharedKBArticle(ctx, b.ID, pec.ID, adminB.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.KBArticle(ctx, b.ID, cp.ID)
		if got.Status != kb.StatusDraft || got.Shared || got.OwnerID != 0 || got.ReviewBy == nil || got.ReviewBy.After(clock.Now()) || len(got.Translations) != 1 || got.Translations[0].Body != pec.Translations[0].Body {
			t.Errorf("copy: %+v", got)
		}
		// A second copy clashes with the first one's slug.
		if _, err := s.CopySharedKBArticle(ctx, b.ID, pec.ID, adminB.ID); !model.ErrorIs(err, model.CodeConflict) {
			t.Errorf("second copy: %v", err)
		}
		// The copy is b's own: a draft, not in b's help centre yet.
		if hits, _ := s.SearchKB(ctx, b.ID, store.KBQuery{Language: "it", Text: "raccomandata"}); len(hits) != 0 {
			t.Errorf("the draft copy is searchable by citizens")
		}
	})
}
