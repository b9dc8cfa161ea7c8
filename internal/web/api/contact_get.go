package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// getContact answers one contact with its identities.
func (a *API) getContact(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.desk.Store().Contact(r.Context(), actor.OrgID(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, c)
}
