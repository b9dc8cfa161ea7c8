package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// templateList is the approved templates of a WhatsApp channel.
type templateList struct {
	Items []*store.Template `json:"items"`
}

// listTemplates answers the templates registered on one of the
// organisation's channels.
func (a *API) listTemplates(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.desk.Templates(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, templateList{Items: list})
}
