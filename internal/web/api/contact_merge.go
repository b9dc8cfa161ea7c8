package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// contactMerge is the body of POST /api/v1/contacts/{id}/merge.
type contactMerge struct {
	DuplicateID int64 `json:"duplicate_id"`
}

// mergeContact folds the duplicate into the contact of the path: its
// addresses, conversations and consents move over. Answers the contact
// kept; the merge is audited.
func (a *API) mergeContact(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body contactMerge
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.DuplicateID <= 0 {
		a.fail(w, r, invalidNumber("duplicate_id"))
		return
	}
	c, err := a.desk.MergeContacts(r.Context(), actor, id, body.DuplicateID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, c)
}
