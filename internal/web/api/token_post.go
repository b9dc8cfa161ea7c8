package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// newToken is the body of POST /api/v1/tokens.
type newToken struct {
	Name   string `json:"name"`
	UserID int64  `json:"user_id"` // the user the token acts as; 0 or left out: the caller
}

// tokenWithSecret is a token with its secret: the only time it is shown.
type tokenWithSecret struct {
	*model.APIToken
	Token string `json:"token"`
}

// postToken creates an API token and answers it with 201, secret included.
func (a *API) postToken(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	var body newToken
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := checkText("name", body.Name, 100); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.UserID < 0 {
		a.fail(w, r, invalidNumber("user_id"))
		return
	}
	secret, t, err := a.desk.IssueAPIToken(r.Context(), actor, body.UserID, body.Name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, tokenWithSecret{APIToken: t, Token: secret})
}
