package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// deleteToken revokes an API token at once and answers it, revoked. The
// token stays in the list, for the record.
func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.desk.RevokeAPIToken(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, t)
}
