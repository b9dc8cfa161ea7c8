package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// patchKBArticle changes an article's slug, category, status, sharing,
// owner, review date or sources, and answers it as it is now.
func (a *API) patchKBArticle(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body kbArticleBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	art, err := a.desk.KBArticle(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := body.apply(art); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.desk.SaveKBArticle(r.Context(), actor, art); err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, kbArticleJSON(art, true))
}
