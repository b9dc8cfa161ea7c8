package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// listChannels answers the organisation's channels with their health and
// webhook URLs; secrets are masked.
func (a *API) listChannels(w http.ResponseWriter, r *http.Request) {
	cs, err := a.desk.Channels(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"channels": cs})
}

// newChannel is the body of POST /api/v1/channels.
type newChannel struct {
	Kind     model.ChannelKind `json:"kind"`
	Name     string            `json:"name"`
	Settings channel.Settings  `json:"settings"`
}

// postChannel adds a channel and answers it with its webhook URLs (201).
func (a *API) postChannel(w http.ResponseWriter, r *http.Request) {
	var body newChannel
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := checkText("name", body.Name, 100); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.desk.CreateChannel(r.Context(), web.ActorFrom(r), body.Kind, body.Name, body.Settings)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, c)
}

// channelPatch is the body of PATCH /api/v1/channels/{id}. A field left
// out stays; settings replace all settings (a masked secret sent back
// keeps its value).
type channelPatch struct {
	Name     *string           `json:"name"`
	Settings *channel.Settings `json:"settings"`
	Active   *bool             `json:"active"`
}

// patchChannel renames, reconfigures, turns on or off a channel.
func (a *API) patchChannel(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body channelPatch
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	cur, err := a.desk.Channel(r.Context(), actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	name, settings, active := cur.Name, cur.Settings, cur.Active
	if body.Name != nil {
		if err := checkText("name", *body.Name, 100); err != nil {
			a.fail(w, r, err)
			return
		}
		name = *body.Name
	}
	if body.Settings != nil {
		settings = *body.Settings
	}
	if body.Active != nil {
		active = *body.Active
	}
	c, err := a.desk.UpdateChannel(r.Context(), actor, id, name, settings, active)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, c)
}

// inboundMessage is the body of POST /api/v1/channels/{id}/messages: a
// citizen's message from the app or a partner's system.
type inboundMessage struct {
	ID       string         `json:"id"`
	From     model.Identity `json:"from"`
	Name     string         `json:"name"`
	Language string         `json:"language"`
	Text     string         `json:"text"`
	Topic    string         `json:"topic"`
}

// postInbound records a citizen's message through an API channel: 201
// with where it went, or 200 when the id was posted before (nothing new
// is stored).
func (a *API) postInbound(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body inboundMessage
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := checkText("text", body.Text, 10000); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.desk.ReceiveAPI(r.Context(), web.ActorFrom(r), id, desk.APIMessage{ID: body.ID, From: body.From, Name: body.Name,
		Language: body.Language, Text: body.Text, Topic: body.Topic})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	web.WriteJSON(w, status, map[string]any{"conversation_id": res.ConversationID, "contact_id": res.ContactID,
		"message_id": res.MessageID, "seq": res.Seq, "duplicate": res.Duplicate})
}

// retryMessage sends again a reply that failed: 200 with the message, now
// queued.
func (a *API) retryMessage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	mid, ok := positive(r.PathValue("message"))
	if !ok {
		a.fail(w, r, model.Invalid("message", "error.api.id", "the id in the address must be a positive whole number", nil))
		return
	}
	m, err := a.desk.RetryMessage(r.Context(), web.ActorFrom(r), id, mid)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, m)
}
