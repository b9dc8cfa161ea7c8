package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// kbArticleList is a list of articles.
type kbArticleList struct {
	Items []*kbArticle `json:"items"`
}

// listKBArticles answers the organisation's articles by slug, with their
// translations' titles: ?status=draft,published,internal filters,
// ?category_id= keeps one category, ?review_due=true keeps those past
// their review date (?owner_id= narrows them to one owner).
func (a *API) listKBArticles(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	v, err := parseQuery(r.URL.RawQuery, "status", "category_id", "review_due", "owner_id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var f store.KBFilter
	if s := v.Get("status"); s != "" {
		for st := range strings.SplitSeq(s, ",") {
			if !kb.ValidStatus(st) {
				a.fail(w, r, model.Invalid("status", "kb.error_status", "status must be draft, published or internal", nil))
				return
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	if s := v.Get("category_id"); s != "" {
		id, ok := positive(s)
		if !ok {
			a.fail(w, r, invalidNumber("category_id"))
			return
		}
		f.CategoryID = id
	}
	if s := v.Get("owner_id"); s != "" {
		id, ok := positive(s)
		if !ok {
			a.fail(w, r, invalidNumber("owner_id"))
			return
		}
		f.OwnerID = id
	}
	var list []*store.KBArticle
	switch v.Get("review_due") {
	case "", "false":
		list, err = a.desk.KBArticles(r.Context(), actor, f)
	case "true":
		var all []*store.KBArticle
		all, err = a.desk.KBReviewDue(r.Context(), actor, f.OwnerID)
		for _, art := range all {
			if (f.CategoryID == 0 || art.CategoryID == f.CategoryID) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, art.Status)) {
				list = append(list, art)
			}
		}
	default:
		err = model.Invalid("review_due", "error.api.query", "review_due must be true or false", nil)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := kbArticleList{Items: []*kbArticle{}}
	for _, art := range list {
		out.Items = append(out.Items, kbArticleJSON(art, false))
	}
	web.WriteJSON(w, http.StatusOK, out)
}
