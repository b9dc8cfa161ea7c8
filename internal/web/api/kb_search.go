package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

type kbHit struct {
	ArticleID int64  `json:"article_id"`
	Slug      string `json:"slug"`
	Language  string `json:"language"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Status    string `json:"status"`
}

type kbHitList struct {
	Items []*kbHit `json:"items"`
}

// searchKB answers the articles in ?language= (default: the
// organisation's) whose text matches ?q=, best first: published and
// internal ones, or those of ?status=.
func (a *API) searchKB(w http.ResponseWriter, r *http.Request) {
	v, err := parseQuery(r.URL.RawQuery, "q", "language", "status", "limit")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q, err := search(v.Get("q"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lang := v.Get("language")
	if lang == "" {
		org, err := a.desk.Store().Organization(r.Context(), web.ActorFrom(r).OrgID())
		if err != nil {
			a.fail(w, r, err)
			return
		}
		lang = org.Language
	}
	if lang, err = kbLang(lang); err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := limit(v.Get("limit"), 10, store.KBSearchMax)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	qy := store.KBQuery{Language: lang, Text: q, Limit: n}
	if st := v.Get("status"); st != "" {
		if !kb.ValidStatus(st) {
			a.fail(w, r, model.Invalid("status", "kb.error_status", "status must be draft, published or internal", nil))
			return
		}
		qy.Statuses = []string{st}
	}
	hits, err := a.desk.SearchKB(r.Context(), web.ActorFrom(r), qy)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := kbHitList{Items: []*kbHit{}}
	for _, h := range hits {
		out.Items = append(out.Items, &kbHit{ArticleID: h.ArticleID, Slug: h.Slug, Language: h.Language, Title: h.Title, Summary: h.Summary, Status: h.Status})
	}
	web.WriteJSON(w, http.StatusOK, out)
}
