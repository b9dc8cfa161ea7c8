package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// newTeam is the body of POST /api/v1/teams.
type newTeam struct {
	Name      string  `json:"name"`
	Slug      string  `json:"slug"` // optional: made from the name
	MemberIDs []int64 `json:"member_ids"`
}

// postTeam adds a team and answers it with 201.
func (a *API) postTeam(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	var body newTeam
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := checkText("name", body.Name, 200); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.desk.CreateTeam(r.Context(), actor, body.Name, body.Slug, body.MemberIDs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, t)
}
