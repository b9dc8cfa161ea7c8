package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
)

// KBCategory groups articles in the help centre. Its name is kept per
// language.
type KBCategory struct {
	ID        int64
	OrgID     int64
	Slug      string
	Names     map[string]string // language → name
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Name is the category's name in lang, else in fallback, else any, else
// its slug.
func (c *KBCategory) Name(lang, fallback string) string {
	if n := c.Names[lang]; n != "" {
		return n
	}
	if n := c.Names[fallback]; n != "" {
		return n
	}
	for _, l := range []string{"en", "it"} {
		if n := c.Names[l]; n != "" {
			return n
		}
	}
	return c.Slug
}

// KBArticle is an article of the knowledge base; its text is in its
// translations. Status, owner and review date are the article's, for all
// its languages.
type KBArticle struct {
	ID         int64
	OrgID      int64
	CategoryID int64 // 0: none
	Slug       string
	Status     string // kb.StatusDraft, kb.StatusPublished, kb.StatusInternal
	Shared     bool   // other organisations of the instance may copy it
	OwnerID    int64  // 0: none
	ReviewBy   *time.Time
	Sources    []string
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// Translations, filled in by the list methods (without their bodies).
	Translations []*KBTranslation
}

// Translation returns the article's translation in lang, else in
// fallback, else in English or Italian, else the first; nil when it has
// none. The second result tells whether it is in lang.
func (a *KBArticle) Translation(lang, fallback string) (*KBTranslation, bool) {
	for _, want := range []string{lang, fallback, "en", "it"} {
		for _, t := range a.Translations {
			if t.Language == want {
				return t, want == lang
			}
		}
	}
	if len(a.Translations) > 0 {
		return a.Translations[0], false
	}
	return nil, false
}

// KBTranslation is an article in one language.
type KBTranslation struct {
	ID        int64
	OrgID     int64
	ArticleID int64
	Language  string
	Title     string
	Summary   string
	Body      string // Markdown
	Version   int    // 1 when first written, one more at each change
	UpdatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// KBVersion is an earlier text of a translation.
type KBVersion struct {
	Version   int
	Title     string
	Summary   string
	Body      string
	EditedBy  int64
	CreatedAt time.Time
}

// KBHit is a search result.
type KBHit struct {
	ArticleID     int64
	TranslationID int64
	Slug          string
	Language      string
	Title         string
	Summary       string
	Status        string
}

// Limits of the knowledge base's short fields.
const (
	KBSlugMax     = 80
	KBCategoryMax = 100 // a category's name, characters
	KBSourcesMax  = 20
	KBSearchMax   = 50 // results of one search
)

func validateKBSlug(field, slug string) error {
	if !model.ValidSlug(slug) || len(slug) > KBSlugMax {
		return model.Invalid(field, "error.validation.slug", "use lower-case letters, digits and hyphens", map[string]any{"Field": field})
	}
	return nil
}

func validateKBCategory(c *KBCategory) error {
	c.Slug = strings.TrimSpace(c.Slug)
	if err := validateKBSlug("slug", c.Slug); err != nil {
		return err
	}
	for lang, name := range c.Names {
		if !model.ValidLanguage(lang) {
			return model.Invalid("names", "error.validation.language", "not a valid language code: "+lang, map[string]any{"Value": lang})
		}
		name = strings.TrimSpace(name)
		if err := model.CheckText("name", name, false, KBCategoryMax); err != nil {
			return err
		}
		if name == "" {
			delete(c.Names, lang)
		} else {
			c.Names[lang] = name
		}
	}
	return nil
}

func validateKBArticle(a *KBArticle) error {
	a.Slug = strings.TrimSpace(a.Slug)
	if err := validateKBSlug("slug", a.Slug); err != nil {
		return err
	}
	if !kb.ValidStatus(a.Status) {
		return model.Invalid("status", "kb.error_status", "status must be draft, published or internal", nil)
	}
	var src []string
	for _, s := range a.Sources {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if err := model.CheckText("sources", s, false, 500); err != nil {
			return err
		}
		if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
			return model.Invalid("sources", "kb.error_source", "a source must be a web address", map[string]any{"Field": "sources"})
		}
		src = append(src, s)
	}
	if len(src) > KBSourcesMax {
		return model.Invalid("sources", "error.validation.too_many", "too many sources", map[string]any{"Field": "sources", "Limit": KBSourcesMax})
	}
	a.Sources = src
	return nil
}

func validateKBTranslation(t *KBTranslation) error {
	langs, err := model.NormalizeLanguages("language", []string{t.Language})
	if err != nil {
		return err
	}
	if len(langs) != 1 {
		return model.Invalid("language", "error.validation.required", "language is required", map[string]any{"Field": "language"})
	}
	t.Language = langs[0]
	t.Title, t.Summary = strings.TrimSpace(t.Title), strings.TrimSpace(t.Summary)
	if err := model.CheckText("title", t.Title, true, kb.TitleMax); err != nil {
		return err
	}
	if err := model.CheckText("summary", t.Summary, false, kb.SummaryMax); err != nil {
		return err
	}
	return kb.CheckBody("body", t.Body)
}

// scopeToken names an organisation, language and status in the search
// index: k12itpublished.
func scopeToken(orgID int64, lang, status string) string {
	return "k" + strconv.FormatInt(orgID, 10) + strings.ToLower(strings.ReplaceAll(lang, "-", "")) + status
}

// tsConfig is PostgreSQL's text search configuration for a language.
func tsConfig(lang string) string {
	switch lang {
	case "it":
		return "italian"
	case "en":
		return "english"
	case "fr":
		return "french"
	case "es":
		return "spanish"
	}
	return "simple"
}

// PostgreSQL keeps each word of a translation as a lexeme of its scope:
// scope + "_t_" + stem for the words of the title, scope + "_b_" + stem
// for every word of title, summary and text. A GIN posting list then
// holds one organisation's texts in one language and status only, so a
// common word costs what it costs in that part of the index, not in the
// whole instance's.
const (
	kbTitleMark = "_t_"
	kbBodyMark  = "_b_"
)

// indexKB writes a translation's entry in the search index.
func (d dialect) indexKB(ctx context.Context, tx q, t *KBTranslation, status string) error {
	scope := scopeToken(t.OrgID, t.Language, status)
	if d.engine == Postgres {
		title := kb.Fold(t.Title)
		all := title + "\n" + kb.Fold(t.Summary+"\n"+kb.PlainText(t.Body))
		cfg := tsConfig(t.Language)
		if _, err := tx.exec(ctx, `INSERT INTO kb_search (translation_id, tsv) VALUES (?, array_to_tsvector(ARRAY(
				SELECT ? || lexeme FROM unnest(to_tsvector(CAST(? AS regconfig), ?))
				UNION SELECT ? || lexeme FROM unnest(to_tsvector(CAST(? AS regconfig), ?)))))
			ON CONFLICT (translation_id) DO UPDATE SET tsv = EXCLUDED.tsv`,
			t.ID, scope+kbTitleMark, cfg, title, scope+kbBodyMark, cfg, all); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "INSERT INTO kb_terms (term) SELECT lexeme FROM unnest(to_tsvector(CAST(? AS regconfig), ?)) ON CONFLICT DO NOTHING", cfg, all)
		return err
	}
	if err := d.unindexKB(ctx, tx, []int64{t.ID}); err != nil {
		return err
	}
	title := kb.IndexText(t.Title, t.Language)
	body := kb.IndexText(t.Summary+"\n"+kb.PlainText(t.Body), t.Language)
	if _, err := tx.exec(ctx, "INSERT INTO kb_search (rowid, scope, title, body) VALUES (?, ?, ?, ?)", t.ID, scope, title, body); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "INSERT INTO kb_search_titles (rowid, scope, title) VALUES (?, ?, ?)", t.ID, scope, title); err != nil {
		return err
	}
	// The words, for completing unfinished ones.
	seen := map[string]bool{}
	var words []any
	for w := range strings.FieldsSeq(title + " " + body) {
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	for len(words) > 0 {
		n := min(len(words), 500)
		if _, err := tx.exec(ctx, "INSERT INTO kb_terms (term) VALUES "+strings.TrimSuffix(strings.Repeat("(?), ", n), ", ")+" ON CONFLICT DO NOTHING", words[:n]...); err != nil {
			return err
		}
		words = words[n:]
	}
	return nil
}

// unindexKB removes translations from the search index (PostgreSQL's
// entries go with their rows).
func (d dialect) unindexKB(ctx context.Context, tx q, ids []int64) error {
	if d.engine == Postgres || len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	for _, table := range []string{"kb_search", "kb_search_titles"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE rowid IN ("+placeholders(len(ids))+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// Bounds of one search's work, so that it stays the same however large
// the knowledge base grows and however common the words searched.
const (
	// kbTitleCandidates bounds the texts whose title holds the words that
	// a search reads and orders: a word in thousands of titles is ranked
	// among the first kbTitleCandidates of them.
	kbTitleCandidates = 100
	// kbTextCandidates bounds the other texts that hold the words that a
	// search reads and orders, when the titles are too few.
	kbTextCandidates = 100
	// kbCompletions bounds the words an unfinished last word stands for
	// (besides itself): the index's words that begin with it, the first
	// kbCompletions in alphabetical order.
	kbCompletions = 10
)

// kbMatch is a search as the engine's index takes it: the texts whose
// title holds the words, and the texts that hold them anywhere.
type kbMatch struct {
	title, any string
}

// kbTSQuote quotes a lexeme for a tsquery.
func kbTSQuote(s string) string { return "'" + kbTSEscape.Replace(s) + "'" }

var kbTSEscape = strings.NewReplacer(`\`, `\\`, `'`, `''`)

// kbMatches builds the index's queries for terms in the scopes; all
// requires every term, else any; with prefix, the last term also stands
// for the words it begins.
func (d dialect) kbMatches(ctx context.Context, r q, lang string, scopes []string, terms []kb.Term, all, prefix bool) (kbMatch, bool, error) {
	if d.engine == Postgres {
		// PostgreSQL's stemmer gives the lexemes, as it gave the text's;
		// the words it drops (its stop words) do not count.
		words := make([]string, len(terms))
		for i, t := range terms {
			words[i] = t.Word
		}
		rows, err := r.query(ctx, "SELECT lexeme, array_to_string(positions, ',') FROM unnest(to_tsvector(CAST(? AS regconfig), ?))", tsConfig(lang), strings.Join(words, " "))
		if err != nil {
			return kbMatch{}, false, err
		}
		lex := make([]string, len(terms))
		for rows.Next() {
			var l, pos string
			if err := rows.Scan(&l, &pos); err != nil {
				rows.Close()
				return kbMatch{}, false, err
			}
			for p := range strings.SplitSeq(pos, ",") {
				if i, err := strconv.Atoi(p); err == nil && i >= 1 && i <= len(lex) {
					lex[i-1] = l
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return kbMatch{}, false, err
		}
		var completions []string
		if prefix {
			if completions, err = d.kbCompletions(ctx, r, terms[len(terms)-1].Word); err != nil {
				return kbMatch{}, false, err
			}
		}
		build := func(mark string) string {
			var parts []string
			for i, l := range lex {
				words := []string{l}
				if prefix && i == len(lex)-1 {
					words = append(words, completions...)
				}
				var alts []string
				for _, w := range words {
					for _, sc := range scopes {
						if x := kbTSQuote(sc + mark + w); w != "" && !slices.Contains(alts, x) {
							alts = append(alts, x)
						}
					}
				}
				if len(alts) == 0 {
					continue
				}
				parts = append(parts, "("+strings.Join(alts, " | ")+")")
			}
			op := " | "
			if all {
				op = " & "
			}
			return strings.Join(parts, op)
		}
		m := kbMatch{title: build(kbTitleMark), any: build(kbBodyMark)}
		return m, m.any != "", nil
	}
	ts := make([]string, len(terms))
	for i, t := range terms {
		ts[i] = `"` + t.Stem + `"`
		if prefix && i == len(terms)-1 {
			words, err := d.kbCompletions(ctx, r, t.Word)
			if err != nil {
				return kbMatch{}, false, err
			}
			alts := []string{ts[i]}
			for _, w := range words {
				if w != t.Stem {
					alts = append(alts, `"`+w+`"`)
				}
			}
			ts[i] = "(" + strings.Join(alts, " OR ") + ")"
		}
	}
	op := " OR "
	if all {
		op = " AND "
	}
	scope := "scope : (" + strings.Join(scopes, " OR ") + ") AND "
	expr := "(" + strings.Join(ts, op) + ")"
	return kbMatch{title: scope + "title : " + expr, any: scope + "{title body} : " + expr}, true, nil
}

// kbCompletions lists words of the index that begin with prefix, for an
// unfinished last word: a prefix query would make either engine merge,
// before answering, the whole list of every word that begins so.
func (d dialect) kbCompletions(ctx context.Context, r q, prefix string) ([]string, error) {
	rows, err := r.query(ctx, "SELECT term FROM kb_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?", prefix, prefix+"\U0010FFFF", kbCompletions)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// kbMatchIDs answers the ids of the first n translations that match, in
// the index's order; titles: SQLite's query is of the titles' index.
func (d dialect) kbMatchIDs(ctx context.Context, r q, titles bool, match string, n int) ([]int64, error) {
	query := "SELECT rowid FROM kb_search WHERE kb_search MATCH ? LIMIT ?"
	if titles {
		query = "SELECT rowid FROM kb_search_titles WHERE kb_search_titles MATCH ? LIMIT ?"
	}
	if d.engine == Postgres {
		query = "SELECT translation_id FROM kb_search WHERE tsv @@ CAST(? AS tsquery) LIMIT ?"
	}
	rows, err := r.query(ctx, query, match, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// kbHits reads the hits of ids in the organisation, in no order. The
// unary plus keeps both engines' planners off the organisation's index
// (which would read every text of the organisation) and on the primary
// key: the ids are few, and the organisation only checks them.
func kbHits(ctx context.Context, r q, orgID int64, ids []int64) ([]*KBHit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, orgID)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := r.query(ctx, `SELECT t.id, t.article_id, a.slug, t.language, t.title, t.summary, a.status
		FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id
		WHERE +t.org_id = ? AND t.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*KBHit
	for rows.Next() {
		var h KBHit
		if err := rows.Scan(&h.TranslationID, &h.ArticleID, &h.Slug, &h.Language, &h.Title, &h.Summary, &h.Status); err != nil {
			return nil, err
		}
		out = append(out, &h)
	}
	return out, rows.Err()
}

// rankKBHits orders hits: those with more words of the query in their
// title first, and of those with some, the shortest title (the one most
// about them); then the oldest text.
func rankKBHits(hits []*KBHit, terms []kb.Term, prefix bool) {
	type key struct{ words, length int }
	keys := make(map[*KBHit]key, len(hits))
	for _, h := range hits {
		words := strings.FieldsFunc(kb.Fold(h.Title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		var k key
		for i, t := range terms {
			for _, w := range words {
				if strings.HasPrefix(w, t.Stem) || (prefix && i == len(terms)-1 && strings.HasPrefix(w, t.Word)) {
					k.words++
					break
				}
			}
		}
		if k.words > 0 {
			k.length = len(words)
		}
		keys[h] = k
	}
	slices.SortStableFunc(hits, func(a, b *KBHit) int {
		ka, kb := keys[a], keys[b]
		if ka.words != kb.words {
			return kb.words - ka.words
		}
		if ka.length != kb.length {
			return ka.length - kb.length
		}
		return cmp.Compare(a.TranslationID, b.TranslationID)
	})
}

// searchKB runs one full-text query; all requires every term. With
// prefix, the last term also matches the words it begins (what a person
// is still typing). It reads the first kbTitleCandidates texts whose
// title holds the words (from the titles' own index on SQLite, the
// title's lexemes on PostgreSQL: wherever they are in the index); when
// they are fewer than limit, also the first kbTextCandidates others that
// hold the words anywhere; and orders them with rankKBHits. No step
// reads or ranks every text a common word is in.
func (d dialect) searchKB(ctx context.Context, r q, orgID int64, lang string, terms []kb.Term, statuses []string, all, prefix bool, limit int) ([]*KBHit, error) {
	scopes := make([]string, len(statuses))
	for i, st := range statuses {
		scopes[i] = scopeToken(orgID, lang, st)
	}
	m, ok, err := d.kbMatches(ctx, r, lang, scopes, terms, all, prefix)
	if err != nil || !ok {
		return nil, err
	}
	ids, err := d.kbMatchIDs(ctx, r, true, m.title, kbTitleCandidates)
	if err != nil {
		return nil, err
	}
	if len(ids) < limit {
		// Every title that holds the words is in hand; the rest come from
		// the texts.
		more, err := d.kbMatchIDs(ctx, r, false, m.any, kbTextCandidates+len(ids))
		if err != nil {
			return nil, err
		}
		seen := make(map[int64]bool, len(ids))
		for _, id := range ids {
			seen[id] = true
		}
		n := len(ids)
		for _, id := range more {
			if !seen[id] && len(ids) < n+kbTextCandidates {
				ids = append(ids, id)
			}
		}
	}
	hits, err := kbHits(ctx, r, orgID, ids)
	if err != nil {
		return nil, err
	}
	rankKBHits(hits, terms, prefix)
	return hits[:min(limit, len(hits))], nil
}

// KBQuery is a search of the knowledge base.
type KBQuery struct {
	Language string   // the language searched
	Text     string   // what the person typed
	Statuses []string // default: published only
	Limit    int      // default 10, at most KBSearchMax
	Prefix   bool     // the last word may be unfinished (suggestions as one types)
}

// SearchKB finds the organisation's articles in q.Language whose title or
// text hold every word of the query (or, when none does, any word), best
// first: titles that hold the words before texts that do (see searchKB).
// Accents and case do not matter; plural endings mostly do not.
func (s *Store) SearchKB(ctx context.Context, orgID int64, qy KBQuery) ([]*KBHit, error) {
	terms := kb.Terms(qy.Text, qy.Language)
	if len(terms) == 0 || !model.ValidLanguage(qy.Language) {
		return []*KBHit{}, nil
	}
	if len(qy.Statuses) == 0 {
		qy.Statuses = []string{kb.StatusPublished}
	}
	for _, st := range qy.Statuses {
		if !kb.ValidStatus(st) {
			return nil, model.Invalid("status", "kb.error_status", "status must be draft, published or internal", nil)
		}
	}
	if qy.Limit <= 0 {
		qy.Limit = 10
	}
	qy.Limit = min(qy.Limit, KBSearchMax)
	hits, err := s.searchKB(ctx, s.reader(), orgID, qy.Language, terms, qy.Statuses, true, qy.Prefix, qy.Limit)
	if err != nil || len(hits) > 0 || len(terms) == 1 {
		if hits == nil {
			hits = []*KBHit{}
		}
		return hits, err
	}
	hits, err = s.searchKB(ctx, s.reader(), orgID, qy.Language, terms, qy.Statuses, false, qy.Prefix, qy.Limit)
	if hits == nil {
		hits = []*KBHit{}
	}
	return hits, err
}

// SaveKBCategory creates a category (ID 0) or renames and moves one.
func (s *Store) SaveKBCategory(ctx context.Context, c *KBCategory) error {
	if c.Names == nil {
		c.Names = map[string]string{}
	}
	if err := validateKBCategory(c); err != nil {
		return err
	}
	names, _ := json.Marshal(c.Names)
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		if c.ID == 0 {
			c.CreatedAt, c.UpdatedAt = now, now
			return mapError(tx.row(ctx, `INSERT INTO kb_categories (org_id, slug, names, position, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.OrgID, c.Slug, string(names), c.Position, ms(now), ms(now)).Scan(&c.ID))
		}
		res, err := tx.exec(ctx, `UPDATE kb_categories SET slug = ?, names = ?, position = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
			c.Slug, string(names), c.Position, ms(now), c.OrgID, c.ID)
		c.UpdatedAt = now
		return mustAffect(res, err)("kb_category")
	})
}

// DeleteKBCategory removes a category; its articles stay, without one.
func (s *Store) DeleteKBCategory(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		res, err := tx.exec(ctx, "DELETE FROM kb_categories WHERE org_id = ? AND id = ?", orgID, id)
		return mustAffect(res, err)("kb_category")
	})
}

const kbCategoryColumns = "id, org_id, slug, names, position, created_at, updated_at"

func scanKBCategory(sc interface{ Scan(...any) error }) (*KBCategory, error) {
	var c KBCategory
	var names string
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Slug, &names, &c.Position, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(names), &c.Names); err != nil || c.Names == nil {
		c.Names = map[string]string{}
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// KBCategories lists the organisation's categories in their order.
func (s *Store) KBCategories(ctx context.Context, orgID int64) ([]*KBCategory, error) {
	rows, err := s.reader().query(ctx, "SELECT "+kbCategoryColumns+" FROM kb_categories WHERE org_id = ? ORDER BY position, slug", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*KBCategory{}
	for rows.Next() {
		c, err := scanKBCategory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// KBCategoryBySlug returns one category of the organisation.
func (s *Store) KBCategoryBySlug(ctx context.Context, orgID int64, slug string) (*KBCategory, error) {
	c, err := scanKBCategory(s.reader().row(ctx, "SELECT "+kbCategoryColumns+" FROM kb_categories WHERE org_id = ? AND slug = ?", orgID, slug))
	return c, notFound(err, "kb_category")
}

// KBCategory returns one category of the organisation.
func (s *Store) KBCategory(ctx context.Context, orgID, id int64) (*KBCategory, error) {
	c, err := scanKBCategory(s.reader().row(ctx, "SELECT "+kbCategoryColumns+" FROM kb_categories WHERE org_id = ? AND id = ?", orgID, id))
	return c, notFound(err, "kb_category")
}

// SaveKBArticle creates an article (ID 0) or changes its category,
// slug, status, owner, review date and sources; a new status reaches the
// search index in the same transaction.
func (s *Store) SaveKBArticle(ctx context.Context, a *KBArticle) error {
	if err := validateKBArticle(a); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		return s.saveKBArticle(ctx, tx, a, now)
	})
}

func (s *Store) saveKBArticle(ctx context.Context, tx q, a *KBArticle, now time.Time) error {
	if a.CategoryID != 0 {
		if err := mustExist(ctx, tx, "kb_categories", a.OrgID, a.CategoryID, "category_id"); err != nil {
			return err
		}
	}
	if a.OwnerID != 0 {
		if err := mustExist(ctx, tx, "users", a.OrgID, a.OwnerID, "owner_id"); err != nil {
			return err
		}
	}
	var review sql.NullInt64
	if a.ReviewBy != nil {
		review = sql.NullInt64{Int64: ms(*a.ReviewBy), Valid: true}
	}
	shared := 0
	if a.Shared {
		shared = 1
	}
	sources := strings.Join(a.Sources, "\n")
	if a.ID == 0 {
		a.CreatedAt, a.UpdatedAt = now, now
		return mapError(tx.row(ctx, `INSERT INTO kb_articles (org_id, category_id, slug, status, shared, owner_id, review_by, sources, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.OrgID, nullID(a.CategoryID), a.Slug, a.Status, shared, nullID(a.OwnerID), review, sources, ms(now), ms(now)).Scan(&a.ID))
	}
	var old string
	if err := tx.row(ctx, "SELECT status FROM kb_articles WHERE org_id = ? AND id = ?", a.OrgID, a.ID).Scan(&old); err != nil {
		return notFound(err, "kb_article")
	}
	if _, err := tx.exec(ctx, `UPDATE kb_articles SET category_id = ?, slug = ?, status = ?, shared = ?, owner_id = ?, review_by = ?, sources = ?, updated_at = ?
		WHERE org_id = ? AND id = ?`, nullID(a.CategoryID), a.Slug, a.Status, shared, nullID(a.OwnerID), review, sources, ms(now), a.OrgID, a.ID); err != nil {
		return err
	}
	a.UpdatedAt = now
	if old == a.Status {
		return nil
	}
	ts, err := s.kbTranslations(ctx, tx, a.OrgID, a.ID, true)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := s.indexKB(ctx, tx, t, a.Status); err != nil {
			return err
		}
	}
	return nil
}

// DeleteKBArticle removes an article with its translations and history.
func (s *Store) DeleteKBArticle(ctx context.Context, orgID, id int64) error {
	return s.inTx(ctx, func(tx q) error {
		ts, err := s.kbTranslations(ctx, tx, orgID, id, false)
		if err != nil {
			return err
		}
		ids := make([]int64, len(ts))
		for i, t := range ts {
			ids[i] = t.ID
		}
		if err := s.unindexKB(ctx, tx, ids); err != nil {
			return err
		}
		res, err := tx.exec(ctx, "DELETE FROM kb_articles WHERE org_id = ? AND id = ?", orgID, id)
		return mustAffect(res, err)("kb_article")
	})
}

const kbArticleColumns = "id, org_id, category_id, slug, status, shared, owner_id, review_by, sources, created_at, updated_at"

func scanKBArticle(sc interface{ Scan(...any) error }) (*KBArticle, error) {
	var a KBArticle
	var cat, owner nullInt
	var review sql.NullInt64
	var shared int
	var sources string
	var created, updated int64
	if err := sc.Scan(&a.ID, &a.OrgID, &cat, &a.Slug, &a.Status, &shared, &owner, &review, &sources, &created, &updated); err != nil {
		return nil, err
	}
	a.CategoryID, a.OwnerID, a.Shared = cat.Int64, owner.Int64, shared != 0
	a.ReviewBy = fromNullMS(review)
	if sources != "" {
		a.Sources = strings.Split(sources, "\n")
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, nil
}

// KBArticle returns one article of the organisation with its
// translations (bodies included).
func (s *Store) KBArticle(ctx context.Context, orgID, id int64) (*KBArticle, error) {
	a, err := scanKBArticle(s.reader().row(ctx, "SELECT "+kbArticleColumns+" FROM kb_articles WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "kb_article")
	}
	a.Translations, err = s.kbTranslations(ctx, s.reader(), orgID, a.ID, true)
	return a, err
}

// KBArticleBySlug returns one article of the organisation by its slug,
// with its translations.
func (s *Store) KBArticleBySlug(ctx context.Context, orgID int64, slug string) (*KBArticle, error) {
	a, err := scanKBArticle(s.reader().row(ctx, "SELECT "+kbArticleColumns+" FROM kb_articles WHERE org_id = ? AND slug = ?", orgID, slug))
	if err != nil {
		return nil, notFound(err, "kb_article")
	}
	a.Translations, err = s.kbTranslations(ctx, s.reader(), orgID, a.ID, true)
	return a, err
}

const kbTranslationColumns = "id, org_id, article_id, language, title, summary, body, version, updated_by, created_at, updated_at"

func scanKBTranslation(sc interface{ Scan(...any) error }) (*KBTranslation, error) {
	var t KBTranslation
	var by nullInt
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.OrgID, &t.ArticleID, &t.Language, &t.Title, &t.Summary, &t.Body, &t.Version, &by, &created, &updated); err != nil {
		return nil, err
	}
	t.UpdatedBy = by.Int64
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

func (s *Store) kbTranslations(ctx context.Context, r q, orgID, articleID int64, bodies bool) ([]*KBTranslation, error) {
	cols := kbTranslationColumns
	if !bodies {
		cols = strings.Replace(cols, "body", "''", 1)
	}
	rows, err := r.query(ctx, "SELECT "+cols+" FROM kb_translations WHERE article_id = ? AND org_id = ? ORDER BY language", articleID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*KBTranslation{}
	for rows.Next() {
		t, err := scanKBTranslation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// KBFilter selects articles. The zero value selects all of the
// organisation's.
type KBFilter struct {
	CategoryID int64    // 0: any
	Statuses   []string // empty: any
	ReviewDue  *time.Time
	OwnerID    int64 // with ReviewDue: only this owner's (0: anyone's)
	Limit      int   // default 500
}

// KBArticles lists the organisation's articles under f by slug, each
// with its translations without their bodies; with ReviewDue, those whose
// review date is on or before it, the most overdue first.
func (s *Store) KBArticles(ctx context.Context, orgID int64, f KBFilter) ([]*KBArticle, error) {
	where := []string{"org_id = ?"}
	args := []any{orgID}
	order := "slug"
	if f.CategoryID != 0 {
		where = append(where, "category_id = ?")
		args = append(args, f.CategoryID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.ReviewDue != nil {
		where = append(where, "review_by IS NOT NULL AND review_by <= ?")
		args = append(args, ms(*f.ReviewDue))
		order = "review_by, slug"
		if f.OwnerID != 0 {
			where = append(where, "owner_id = ?")
			args = append(args, f.OwnerID)
		}
	}
	if f.Limit <= 0 {
		f.Limit = 500
	}
	args = append(args, f.Limit)
	r := s.reader()
	rows, err := r.query(ctx, "SELECT "+kbArticleColumns+" FROM kb_articles WHERE "+strings.Join(where, " AND ")+" ORDER BY "+order+" LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	out := []*KBArticle{}
	byID := map[int64]*KBArticle{}
	for rows.Next() {
		a, err := scanKBArticle(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		a.Translations = []*KBTranslation{}
		out = append(out, a)
		byID[a.ID] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out)+1)
	ids = append(ids, orgID)
	for _, a := range out {
		ids = append(ids, a.ID)
	}
	cols := strings.Replace(kbTranslationColumns, "body", "''", 1)
	trows, err := r.query(ctx, "SELECT "+cols+" FROM kb_translations WHERE org_id = ? AND article_id IN ("+placeholders(len(out))+") ORDER BY language", ids...)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		t, err := scanKBTranslation(trows)
		if err != nil {
			return nil, err
		}
		if a := byID[t.ArticleID]; a != nil {
			a.Translations = append(a.Translations, t)
		}
	}
	return out, trows.Err()
}

// SaveKBTranslation writes an article's text in t.Language: the first
// time as version 1, then, when the text changes, keeping the previous
// one in the history. The search index follows in the same transaction.
func (s *Store) SaveKBTranslation(ctx context.Context, t *KBTranslation) error {
	if err := validateKBTranslation(t); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		var status string
		if err := tx.row(ctx, "SELECT status FROM kb_articles WHERE org_id = ? AND id = ?", t.OrgID, t.ArticleID).Scan(&status); err != nil {
			return notFound(err, "kb_article")
		}
		return s.saveKBTranslation(ctx, tx, t, status, now)
	})
}

func (s *Store) saveKBTranslation(ctx context.Context, tx q, t *KBTranslation, status string, now time.Time) error {
	if t.UpdatedBy != 0 {
		if err := mustExist(ctx, tx, "users", t.OrgID, t.UpdatedBy, "updated_by"); err != nil {
			return err
		}
	}
	old, err := scanKBTranslation(tx.row(ctx, "SELECT "+kbTranslationColumns+" FROM kb_translations WHERE article_id = ? AND org_id = ? AND language = ?", t.ArticleID, t.OrgID, t.Language))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.Version, t.CreatedAt, t.UpdatedAt = 1, now, now
		if err := mapError(tx.row(ctx, `INSERT INTO kb_translations (org_id, article_id, language, title, summary, body, version, updated_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
			t.OrgID, t.ArticleID, t.Language, t.Title, t.Summary, t.Body, nullID(t.UpdatedBy), ms(now), ms(now)).Scan(&t.ID)); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		t.ID, t.CreatedAt = old.ID, old.CreatedAt
		if old.Title == t.Title && old.Summary == t.Summary && old.Body == t.Body {
			t.Version, t.UpdatedAt, t.UpdatedBy = old.Version, old.UpdatedAt, old.UpdatedBy
			return nil
		}
		if _, err := tx.exec(ctx, `INSERT INTO kb_versions (org_id, translation_id, version, title, summary, body, edited_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.OrgID, old.ID, old.Version, old.Title, old.Summary, old.Body, nullID(old.UpdatedBy), ms(old.UpdatedAt)); err != nil {
			return err
		}
		t.Version, t.UpdatedAt = old.Version+1, now
		if _, err := tx.exec(ctx, `UPDATE kb_translations SET title = ?, summary = ?, body = ?, version = ?, updated_by = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`, t.Title, t.Summary, t.Body, t.Version, nullID(t.UpdatedBy), ms(now), t.OrgID, t.ID); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, "UPDATE kb_articles SET updated_at = ? WHERE org_id = ? AND id = ?", ms(now), t.OrgID, t.ArticleID); err != nil {
		return err
	}
	return s.indexKB(ctx, tx, t, status)
}

// DeleteKBTranslation removes an article's text in one language.
func (s *Store) DeleteKBTranslation(ctx context.Context, orgID, articleID int64, lang string) error {
	return s.inTx(ctx, func(tx q) error {
		var id int64
		if err := tx.row(ctx, "SELECT id FROM kb_translations WHERE article_id = ? AND org_id = ? AND language = ?", articleID, orgID, lang).Scan(&id); err != nil {
			return notFound(err, "kb_translation")
		}
		if err := s.unindexKB(ctx, tx, []int64{id}); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "DELETE FROM kb_translations WHERE org_id = ? AND id = ?", orgID, id)
		return err
	})
}

// KBVersions lists the earlier texts of an article's translation in
// lang, newest first.
func (s *Store) KBVersions(ctx context.Context, orgID, articleID int64, lang string) ([]*KBVersion, error) {
	r := s.reader()
	var id int64
	if err := r.row(ctx, "SELECT id FROM kb_translations WHERE article_id = ? AND org_id = ? AND language = ?", articleID, orgID, lang).Scan(&id); err != nil {
		return nil, notFound(err, "kb_translation")
	}
	rows, err := r.query(ctx, `SELECT version, title, summary, body, edited_by, created_at
		FROM kb_versions WHERE translation_id = ? AND org_id = ? ORDER BY version DESC`, id, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*KBVersion{}
	for rows.Next() {
		var v KBVersion
		var by nullInt
		var created int64
		if err := rows.Scan(&v.Version, &v.Title, &v.Summary, &v.Body, &by, &created); err != nil {
			return nil, err
		}
		v.EditedBy, v.CreatedAt = by.Int64, fromMS(created)
		out = append(out, &v)
	}
	return out, rows.Err()
}

// ImportKBDoc writes one Markdown file's article into the organisation,
// in one transaction: its category (created when missing, named in the
// file's language), the article (found by slug, else created; status,
// review date, owner, shared and sources from the file; those a file
// leaves out keep their values) and its translation. editorID (0: none) is recorded as the author of the text.
func (s *Store) ImportKBDoc(ctx context.Context, orgID int64, d *kb.Doc, editorID int64) (*KBArticle, error) {
	a := &KBArticle{OrgID: orgID, Slug: d.Slug, Status: d.Status, Shared: d.Shared, Sources: d.Sources}
	keepStatus := a.Status == ""
	if keepStatus {
		a.Status = kb.StatusDraft
	}
	if d.ReviewBy != "" {
		t, err := kb.ParseDate("review_by", d.ReviewBy)
		if err != nil {
			return nil, err
		}
		a.ReviewBy = &t
	}
	if err := validateKBArticle(a); err != nil {
		return nil, err
	}
	tr := &KBTranslation{OrgID: orgID, Language: d.Language, Title: d.Title, Summary: d.Summary, Body: d.Body, UpdatedBy: editorID}
	if err := validateKBTranslation(tr); err != nil {
		return nil, err
	}
	var cat *KBCategory
	if d.Category != "" {
		cat = &KBCategory{OrgID: orgID, Slug: d.Category, Names: map[string]string{}}
		if d.CategoryName != "" {
			cat.Names[tr.Language] = d.CategoryName
		}
		if err := validateKBCategory(cat); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	err := s.inTx(ctx, func(tx q) error {
		if d.Owner != "" {
			email, err := model.NormalizeEmail("owner", d.Owner)
			if err != nil {
				return err
			}
			if err := tx.row(ctx, "SELECT id FROM users WHERE org_id = ? AND email = ?", orgID, email).Scan(&a.OwnerID); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return model.Invalid("owner", "error.validation.reference", "no user with that address in this organisation", map[string]any{"Field": "owner"})
				}
				return err
			}
		}
		if cat != nil {
			old, err := scanKBCategory(tx.row(ctx, "SELECT "+kbCategoryColumns+" FROM kb_categories WHERE org_id = ? AND slug = ?", orgID, cat.Slug))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				names, _ := json.Marshal(cat.Names)
				if err := mapError(tx.row(ctx, `INSERT INTO kb_categories (org_id, slug, names, position, created_at, updated_at)
					VALUES (?, ?, ?, 0, ?, ?) RETURNING id`, orgID, cat.Slug, string(names), ms(now), ms(now)).Scan(&cat.ID)); err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				cat.ID = old.ID
				if n := cat.Names[tr.Language]; n != "" && old.Names[tr.Language] != n {
					old.Names[tr.Language] = n
					names, _ := json.Marshal(old.Names)
					if _, err := tx.exec(ctx, "UPDATE kb_categories SET names = ?, updated_at = ? WHERE org_id = ? AND id = ?", string(names), ms(now), orgID, old.ID); err != nil {
						return err
					}
				}
			}
			a.CategoryID = cat.ID
		}
		// The other languages' files of the same article may leave out what
		// one of them gave: what a file does not say is kept.
		switch old, err := scanKBArticle(tx.row(ctx, "SELECT "+kbArticleColumns+" FROM kb_articles WHERE org_id = ? AND slug = ?", orgID, a.Slug)); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			a.ID = old.ID
			if a.CategoryID == 0 {
				a.CategoryID = old.CategoryID
			}
			if a.OwnerID == 0 {
				a.OwnerID = old.OwnerID
			}
			if a.ReviewBy == nil {
				a.ReviewBy = old.ReviewBy
			}
			if len(a.Sources) == 0 {
				a.Sources = old.Sources
			}
			if keepStatus {
				a.Status = old.Status
			}
			a.Shared = a.Shared || old.Shared
		}
		if err := s.saveKBArticle(ctx, tx, a, now); err != nil {
			return err
		}
		tr.ArticleID = a.ID
		return s.saveKBTranslation(ctx, tx, tr, a.Status, now)
	})
	if err != nil {
		return nil, err
	}
	a.Translations = []*KBTranslation{tr}
	return a, nil
}

// ImportKBArticles writes many new articles with their translations in one
// transaction (the benchmark's seeding); arts get their ids.
func (s *Store) ImportKBArticles(ctx context.Context, orgID int64, arts []*KBArticle) error {
	for _, a := range arts {
		a.OrgID = orgID
		if err := validateKBArticle(a); err != nil {
			return err
		}
		for _, t := range a.Translations {
			t.OrgID = orgID
			if err := validateKBTranslation(t); err != nil {
				return err
			}
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, func(tx q) error {
		for _, a := range arts {
			if err := s.saveKBArticle(ctx, tx, a, now); err != nil {
				return err
			}
			for _, t := range a.Translations {
				t.ArticleID = a.ID
				if err := s.saveKBTranslation(ctx, tx, t, a.Status, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// KBShared is an article another organisation of the instance shares.
type KBShared struct {
	Article *KBArticle // with its translations, without their bodies
	OrgName string
}

// KBSharedArticles lists the published articles that organisations other
// than orgID mark as shared, by organisation and slug. Only what they
// chose to share is read: a shared article is public anyway, in their
// help centre.
func (s *Store) KBSharedArticles(ctx context.Context, orgID int64) ([]*KBShared, error) {
	rows, err := s.reader().query(ctx, `SELECT a.id, a.org_id, o.name FROM kb_articles a JOIN organizations o ON o.id = a.org_id
		WHERE a.shared = 1 AND a.status = ? AND a.org_id <> ? ORDER BY o.name, a.slug LIMIT 500`, kb.StatusPublished, orgID)
	if err != nil {
		return nil, err
	}
	type ref struct {
		id, org int64
		name    string
	}
	var refs []ref
	for rows.Next() {
		var x ref
		if err := rows.Scan(&x.id, &x.org, &x.name); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []*KBShared{}
	for _, x := range refs {
		a, err := scanKBArticle(s.reader().row(ctx, "SELECT "+kbArticleColumns+" FROM kb_articles WHERE org_id = ? AND id = ?", x.org, x.id))
		if err != nil {
			return nil, err
		}
		if a.Translations, err = s.kbTranslations(ctx, s.reader(), x.org, x.id, false); err != nil {
			return nil, err
		}
		out = append(out, &KBShared{Article: a, OrgName: x.name})
	}
	return out, nil
}

// CopySharedKBArticle copies a published, shared article of another
// organisation into orgID, every language, in one transaction: as a
// draft with no owner and a review date of today, so that someone checks
// it before citizens see it; its category by slug (created when missing),
// its sources kept. The slug must be free in orgID.
func (s *Store) CopySharedKBArticle(ctx context.Context, orgID, articleID, editorID int64) (*KBArticle, error) {
	src, err := scanKBArticle(s.reader().row(ctx, "SELECT "+kbArticleColumns+" FROM kb_articles WHERE id = ? AND shared = 1 AND status = ? AND org_id <> ?",
		articleID, kb.StatusPublished, orgID))
	if err != nil {
		return nil, notFound(err, "kb_article")
	}
	if src.Translations, err = s.kbTranslations(ctx, s.reader(), src.OrgID, src.ID, true); err != nil {
		return nil, err
	}
	var cat *KBCategory
	if src.CategoryID != 0 {
		if cat, err = s.KBCategory(ctx, src.OrgID, src.CategoryID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	today := now.Truncate(24 * time.Hour)
	dst := &KBArticle{OrgID: orgID, Slug: src.Slug, Status: kb.StatusDraft, Sources: src.Sources, ReviewBy: &today}
	err = s.inTx(ctx, func(tx q) error {
		if cat != nil {
			var id int64
			switch err := tx.row(ctx, "SELECT id FROM kb_categories WHERE org_id = ? AND slug = ?", orgID, cat.Slug).Scan(&id); {
			case errors.Is(err, sql.ErrNoRows):
				names, _ := json.Marshal(cat.Names)
				if err := mapError(tx.row(ctx, `INSERT INTO kb_categories (org_id, slug, names, position, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, orgID, cat.Slug, string(names), cat.Position, ms(now), ms(now)).Scan(&id)); err != nil {
					return err
				}
			case err != nil:
				return err
			}
			dst.CategoryID = id
		}
		if err := s.saveKBArticle(ctx, tx, dst, now); err != nil {
			return err
		}
		for _, t := range src.Translations {
			nt := &KBTranslation{OrgID: orgID, ArticleID: dst.ID, Language: t.Language, Title: t.Title, Summary: t.Summary, Body: t.Body, UpdatedBy: editorID}
			if err := s.saveKBTranslation(ctx, tx, nt, dst.Status, now); err != nil {
				return err
			}
			dst.Translations = append(dst.Translations, nt)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dst, nil
}
