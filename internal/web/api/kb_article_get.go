package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// getKBArticle answers one article with every translation's Markdown.
func (a *API) getKBArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	art, err := a.desk.KBArticle(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, kbArticleJSON(art, true))
}
