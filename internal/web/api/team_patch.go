package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/web"
)

// teamPatch is the body of PATCH /api/v1/teams/{id}. A field left out, or
// null, stays as it is; member_ids replaces every member.
type teamPatch struct {
	Name      *string  `json:"name"`
	MemberIDs *[]int64 `json:"member_ids"`
}

// patchTeam renames a team or sets its members, and answers it as it is
// now.
func (a *API) patchTeam(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body teamPatch
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.Name != nil {
		if err := checkText("name", *body.Name, 200); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	t, err := a.desk.UpdateTeam(r.Context(), actor, id, desk.TeamChange{Name: body.Name, MemberIDs: body.MemberIDs})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, t)
}
