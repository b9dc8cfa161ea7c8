package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// newTemplate is the body of POST /api/v1/channels/{id}/templates: a
// template exactly as Meta approved it.
type newTemplate struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Body     string `json:"body"`
}

// postTemplate registers an approved template on a WhatsApp channel and
// answers it with 201; the number of parameters is counted from the
// body's {{1}}, {{2}}… placeholders.
func (a *API) postTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body newTemplate
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := checkText("body", body.Body, store.TemplateBodyMax); err != nil {
		a.fail(w, r, err)
		return
	}
	t := &store.Template{ChannelID: id, Name: body.Name, Language: body.Language, Body: body.Body}
	if err := a.desk.CreateTemplate(r.Context(), web.ActorFrom(r), t); err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, t)
}
