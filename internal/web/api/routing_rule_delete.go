package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// deleteRoutingRule removes a rule and answers it as it was.
func (a *API) deleteRoutingRule(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	rules, err := a.desk.RoutingRules(ctx, actor)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.desk.DeleteRoutingRule(ctx, actor, id); err != nil {
		a.fail(w, r, err)
		return
	}
	for i, rule := range rules {
		if rule.ID == id {
			web.WriteJSON(w, http.StatusOK, ruleOut(rule, i+1))
			return
		}
	}
	web.WriteJSON(w, http.StatusOK, ruleJSON{ID: id, Keywords: []string{}})
}
