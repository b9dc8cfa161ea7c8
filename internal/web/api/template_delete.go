package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// deleteTemplate removes a template and answers it as it was; replies
// already sent with it keep it.
func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.desk.DeleteTemplate(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, t)
}
