package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// conversationPatch is the body of PATCH /api/v1/conversations/{id}: the
// fields to change. A field left out, or null, stays as it is.
type conversationPatch struct {
	Status       *model.Status   `json:"status"`
	Priority     *model.Priority `json:"priority"`
	TeamID       *int64          `json:"team_id"`     // 0 clears
	AssigneeID   *int64          `json:"assignee_id"` // 0 clears
	Tags         *[]string       `json:"tags"`        // replaces all tags
	Language     *string         `json:"language"`
	Subject      *string         `json:"subject"`
	SnoozedUntil *string         `json:"snoozed_until"` // RFC 3339
}

// patchConversation changes a conversation and answers it as it is now.
// The desk checks who may assign and what the caller may see.
func (a *API) patchConversation(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body conversationPatch
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := body.validate()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.desk.Update(r.Context(), actor, id, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, c)
}

// validate checks what the store leaves to the edge and turns the body
// into a store patch; the store checks tags, language and lengths.
func (b conversationPatch) validate() (store.ConversationPatch, error) {
	p := store.ConversationPatch{Status: b.Status, Priority: b.Priority, TeamID: b.TeamID, AssigneeID: b.AssigneeID,
		Tags: b.Tags, Language: b.Language, Subject: b.Subject}
	if b.Status != nil && !model.ValidStatus(*b.Status) {
		return p, invalidStatus(string(*b.Status))
	}
	if b.Priority != nil && !model.ValidPriority(*b.Priority) {
		return p, model.Invalid("priority", "error.api.priority", "priority must be 0 (low), 1 (normal), 2 (high) or 3 (urgent)", nil)
	}
	if err := clearableID("team_id", b.TeamID); err != nil {
		return p, err
	}
	if err := clearableID("assignee_id", b.AssigneeID); err != nil {
		return p, err
	}
	if b.Subject != nil {
		if err := checkText("subject", *b.Subject, 300); err != nil {
			return p, err
		}
	}
	if b.SnoozedUntil != nil {
		t, err := time.Parse(time.RFC3339, *b.SnoozedUntil)
		if err != nil {
			return p, model.Invalid("snoozed_until", "error.api.time",
				"snoozed_until must be a date and time such as 2026-03-01T09:00:00+01:00", map[string]any{"Field": "snoozed_until"})
		}
		p.SnoozedUntil = &t
	}
	return p, nil
}

func clearableID(field string, v *int64) error {
	if v != nil && *v < 0 {
		return model.Invalid(field, "error.api.clear_id", field+" must be an id, or 0 to clear it", map[string]any{"Field": field})
	}
	return nil
}
