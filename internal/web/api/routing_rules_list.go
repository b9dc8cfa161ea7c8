package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// ruleList is every routing rule of the organisation, in the order they
// are tried.
type ruleList struct {
	Items []ruleJSON `json:"items"`
}

// listRoutingRules answers the organisation's routing rules.
func (a *API) listRoutingRules(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r.URL.RawQuery); err != nil {
		a.fail(w, r, err)
		return
	}
	rules, err := a.desk.RoutingRules(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := ruleList{Items: []ruleJSON{}}
	for i, rule := range rules {
		out.Items = append(out.Items, ruleOut(rule, i+1))
	}
	web.WriteJSON(w, http.StatusOK, out)
}
