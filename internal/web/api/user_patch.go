package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// userPatch is the body of PATCH /api/v1/users/{id}: the fields to
// change. A field left out, or null, stays as it is.
type userPatch struct {
	Name          *string     `json:"name"`
	Role          *model.Role `json:"role"`
	Languages     *[]string   `json:"languages"`
	Active        *bool       `json:"active"`
	MaxChats      *int        `json:"max_chats"`
	ResetPassword bool        `json:"reset_password"` // generate a new password, answered once
}

// patchUser changes a user and answers them as they are now, with the new
// password when one was asked for. The desk keeps an active administrator
// and audits role changes and (de)activations.
func (a *API) patchUser(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body userPatch
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
	ch := desk.UserChange{Name: body.Name, Role: body.Role, Languages: body.Languages, Active: body.Active, MaxChats: body.MaxChats}
	var u *model.User
	if ch == (desk.UserChange{}) {
		u, err = a.desk.User(r.Context(), actor, id)
	} else {
		u, err = a.desk.UpdateUser(r.Context(), actor, id, ch)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := userWithPassword{User: u}
	if body.ResetPassword {
		if out.Password, err = a.desk.ResetPassword(r.Context(), actor, id); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	web.WriteJSON(w, http.StatusOK, out)
}
