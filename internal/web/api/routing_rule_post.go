package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/web"
)

// postRoutingRule adds a rule after the others (or at position) and
// answers it with 201.
func (a *API) postRoutingRule(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	var body ruleBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	var rule routing.Rule
	if err := body.apply(&rule); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if err := a.desk.SaveRoutingRule(ctx, actor, &rule); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.Position != nil {
		if err := a.desk.MoveRoutingRule(ctx, actor, rule.ID, *body.Position); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.answerRule(w, r, rule.ID, http.StatusCreated)
}

// answerRule answers the rule as it is now, with its position.
func (a *API) answerRule(w http.ResponseWriter, r *http.Request, id int64, status int) {
	rules, err := a.desk.RoutingRules(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for i, rule := range rules {
		if rule.ID == id {
			web.WriteJSON(w, status, ruleOut(rule, i+1))
			return
		}
	}
	a.fail(w, r, model.NotFound("routing_rule")) // deleted meanwhile
}
