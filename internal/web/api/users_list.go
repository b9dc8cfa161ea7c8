package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// userList is every user of the organisation. model.User never encodes its
// password hash.
type userList struct {
	Items []*model.User `json:"items"`
}

// listUsers answers the organisation's users, inactive ones included, by
// name.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	if _, err := parseQuery(r.URL.RawQuery); err != nil {
		a.fail(w, r, err)
		return
	}
	items, err := a.desk.Store().Users(r.Context(), actor.OrgID())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, userList{Items: items})
}
