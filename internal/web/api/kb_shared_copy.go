package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// copyKBShared copies an article another organisation shares into the
// caller's, every language, as a draft with a review date of today, and
// answers it with 201. An article that is not shared and published, or
// is the caller's own, is not found; a slug already taken here is a
// conflict. It reads no body.
func (a *API) copyKBShared(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	art, err := a.desk.CopySharedKB(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, kbArticleJSON(art, true))
}
