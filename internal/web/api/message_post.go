package api

import (
	"context"
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// newMessage is the body of POST /api/v1/conversations/{id}/messages.
type newMessage struct {
	Body string `json:"body"`
	Type string `json:"type"` // "reply" (the default) or "note"
	// TranslateFrom is the language the reply is written in: it is sent
	// translated into the conversation's, both texts kept.
	TranslateFrom string `json:"translate_from,omitempty"`
}

// postMessage adds a reply to the citizen or an internal note and answers
// it with 201. The desk checks the reply or note permission.
func (a *API) postMessage(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body newMessage
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := body.validate()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	post := a.desk.Post
	if body.TranslateFrom != "" {
		post = func(ctx context.Context, actor *desk.Actor, id int64, m *model.Message) error {
			return a.desk.PostTranslated(ctx, actor, id, m, body.TranslateFrom)
		}
	}
	if err := post(r.Context(), actor, id, m); err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, m)
}

func (b newMessage) validate() (*model.Message, error) {
	m := &model.Message{Body: b.Body, Attachments: []model.Attachment{}}
	switch b.Type {
	case "", "reply":
		m.Direction = model.DirectionOutbound
	case "note":
		m.Direction = model.DirectionNote
	default:
		return nil, model.Invalid("type", "error.api.message_type", `type must be "reply" or "note"`, nil)
	}
	if err := model.CheckText("body", b.Body, true, store.MaxBody); err != nil {
		return nil, err
	}
	if err := checkText("body", b.Body, store.MaxBody); err != nil {
		return nil, err
	}
	return m, nil
}
