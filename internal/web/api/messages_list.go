package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// messageList is a conversation's messages, oldest first.
type messageList struct {
	Items []*model.Message `json:"items"`
}

// listMessages answers the messages after after_seq: a client that has
// seen up to seq N asks for after_seq=N and misses nothing.
func (a *API) listMessages(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	afterSeq, limit, err := parseMessagesQuery(r.URL.RawQuery)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, err := a.desk.Messages(r.Context(), actor, id, afterSeq, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.translate(r, id, items); err != nil { // ?translate_to=
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, messageList{Items: items})
}
