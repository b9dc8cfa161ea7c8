package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// getConversation answers one conversation; one the caller may not see,
// or of another organisation, is not found.
func (a *API) getConversation(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.desk.Conversation(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, c)
}
