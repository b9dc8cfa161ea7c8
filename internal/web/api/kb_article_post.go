package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// postKBArticle creates an article (a draft unless status says otherwise)
// and answers it with 201; its text comes with PUT …/translations/{language}.
func (a *API) postKBArticle(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	var body kbArticleBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	art := &store.KBArticle{Status: kb.StatusDraft}
	if err := body.apply(art); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.desk.SaveKBArticle(r.Context(), actor, art); err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, kbArticleJSON(art, false))
}
