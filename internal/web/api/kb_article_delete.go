package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// deleteKBArticle removes an article with its translations and history,
// and answers it as it was.
func (a *API) deleteKBArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	actor := web.ActorFrom(r)
	art, err := a.desk.KBArticle(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.desk.DeleteKBArticle(r.Context(), actor, id); err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, kbArticleJSON(art, false))
}
