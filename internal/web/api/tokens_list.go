package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// tokenList is every API token of the organisation; model.APIToken never
// encodes its hash, and the secret is not stored.
type tokenList struct {
	Items []*model.APIToken `json:"items"`
}

// listTokens answers the organisation's tokens, revoked ones included,
// newest first.
func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	if _, err := parseQuery(r.URL.RawQuery); err != nil {
		a.fail(w, r, err)
		return
	}
	items, err := a.desk.APITokens(r.Context(), actor)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, tokenList{Items: items})
}
