package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// transcriptJSON is a transcript e-mailed to a conversation's contact.
type transcriptJSON struct {
	ID             int64      `json:"id"`
	ConversationID int64      `json:"conversation_id"`
	Recipient      string     `json:"recipient"`
	Language       string     `json:"language"`
	State          string     `json:"state"` // queued, sent, failed
	Error          string     `json:"error,omitempty"`
	RequestedBy    int64      `json:"requested_by,omitempty"` // the operator; absent when the citizen asked
	CreatedAt      time.Time  `json:"created_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
}

func transcriptOf(t *store.Transcript) transcriptJSON {
	return transcriptJSON{ID: t.ID, ConversationID: t.ConversationID, Recipient: t.Recipient, Language: t.Language,
		State: t.State, Error: t.Error, RequestedBy: t.RequestedBy, CreatedAt: t.CreatedAt, SentAt: t.SentAt}
}

// postTranscript e-mails the conversation's transcript to its contact's
// address and answers 202 with the transcript, queued: the job queue
// sends it. The desk checks the reply permission, the conversation's
// visibility, the e-mail channel, the address and the limit per hour.
func (a *API) postTranscript(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if r.ContentLength != 0 {
		// Nothing, or an empty object: the address is the contact's,
		// never one the caller names.
		if err := web.DecodeJSON(w, r, &struct{}{}, web.MaxJSONBody); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	t, err := a.desk.SendTranscript(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusAccepted, transcriptOf(t))
}

// listTranscripts answers a conversation's transcripts, newest first,
// with how each went.
func (a *API) listTranscripts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.desk.Transcripts(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]transcriptJSON, 0, len(list))
	for _, t := range list {
		items = append(items, transcriptOf(t))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}
