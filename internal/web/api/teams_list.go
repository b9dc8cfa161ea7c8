package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// teamList is every team of the organisation.
type teamList struct {
	Items []*model.Team `json:"items"`
}

// listTeams answers the organisation's teams with their members, by name.
func (a *API) listTeams(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	if _, err := parseQuery(r.URL.RawQuery); err != nil {
		a.fail(w, r, err)
		return
	}
	items, err := a.desk.Store().Teams(r.Context(), actor.OrgID())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, teamList{Items: items})
}
