package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// getAttachment answers the bytes of a file of a conversation's message:
// a message's attachments list their ids.
func (a *API) getAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	aid, ok := positive(r.PathValue("attachment"))
	if !ok {
		a.fail(w, r, model.Invalid("attachment", "error.api.id", "the id in the address must be a positive whole number", nil))
		return
	}
	at, f, err := a.desk.OpenAttachment(r.Context(), web.ActorFrom(r), id, aid)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer f.Close()
	web.ServeAttachment(w, r, at, f)
}
