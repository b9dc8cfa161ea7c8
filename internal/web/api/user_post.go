package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// newUser is the body of POST /api/v1/users.
type newUser struct {
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      model.Role `json:"role"`
	Languages []string   `json:"languages"`
	MaxChats  int        `json:"max_chats"`
}

// userWithPassword is a user with the password just generated for them:
// the only time it is ever shown.
type userWithPassword struct {
	*model.User
	Password string `json:"password,omitempty"`
}

// postUser adds an active user with a generated password and answers it
// with 201, password included.
func (a *API) postUser(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	var body newUser
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := body.validate(); err != nil {
		a.fail(w, r, err)
		return
	}
	u, password, err := a.desk.CreateUser(r.Context(), actor, desk.NewUser{
		Email: body.Email, Name: body.Name, Role: body.Role, Languages: body.Languages, MaxChats: body.MaxChats})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, userWithPassword{User: u, Password: password})
}

// validate checks what the store leaves to the edge; the store checks
// e-mail, role, languages and the chat limit.
func (b newUser) validate() error {
	if err := checkText("email", b.Email, 254); err != nil {
		return err
	}
	return checkText("name", b.Name, 200)
}
