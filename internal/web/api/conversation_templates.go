package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// conversationTemplates is what may be sent in a conversation: its
// free-reply window and its channel's approved templates.
type conversationTemplates struct {
	Window desk.Window       `json:"window"`
	Items  []*store.Template `json:"items"`
}

// listConversationTemplates answers a conversation's window and the
// templates that can be sent in it. The desk checks the reply
// permission.
func (a *API) listConversationTemplates(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.desk.ConversationTemplates(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	conv, err := a.desk.Conversation(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, conversationTemplates{Window: a.desk.WindowOf(conv), Items: list})
}

// templateSend is the body of POST /api/v1/conversations/{id}/templates.
type templateSend struct {
	TemplateID int64    `json:"template_id"`
	Params     []string `json:"params"`
}

// postConversationTemplate replies with an approved template, its
// parameters filled, and answers the message with 201: the way to write
// on WhatsApp once the 24-hour window has closed.
func (a *API) postConversationTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body templateSend
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	for _, p := range body.Params {
		if err := checkText("params", p, store.TemplateParamMax); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	m, err := a.desk.SendTemplate(r.Context(), web.ActorFrom(r), id, body.TemplateID, body.Params)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, m)
}
