package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

// patchRoutingRule changes a rule's conditions, team, or place.
func (a *API) patchRoutingRule(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body ruleBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	rule, err := a.desk.RoutingRule(ctx, actor, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := body.apply(&rule); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.desk.SaveRoutingRule(ctx, actor, &rule); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.Position != nil {
		if err := a.desk.MoveRoutingRule(ctx, actor, id, *body.Position); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.answerRule(w, r, id, http.StatusOK)
}
