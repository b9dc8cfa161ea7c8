package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// contactList is a page of contacts.
type contactList struct {
	Items      []*model.Contact `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

// listContacts answers the organisation's contacts, most recently updated
// first, searched and paged. Merged contacts are left out.
func (a *API) listContacts(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	f, err := parseContactFilter(r.URL.RawQuery)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, next, err := a.desk.Store().Contacts(r.Context(), actor.OrgID(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, contactList{Items: items, NextCursor: nextCursor(next)})
}
