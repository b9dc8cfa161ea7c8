package api

import (
	"net/http"
	"strings"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

var errNoRoute = &model.Error{Code: model.CodeNotFound, Key: "error.api.no_route",
	Message: "there is no such address in the API; see /api/v1/openapi.json"}

// probeMethods are the methods a 405 may list as allowed.
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers requests under /api/v1/ that no route takes, in JSON: 405
// with Allow when the path exists for other methods (asking mux which),
// else 404.
func (a *API) noRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.NoteRoute(r)
		fallback := r.Pattern
		var allow []string
		for _, m := range probeMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := mux.Handler(probe); p != "" && p != fallback {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			a.fail(w, r, errNoRoute)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		msg := a.printer(r).T("error.api.method", nil)
		web.WriteJSON(w, http.StatusMethodNotAllowed, web.ErrorBody{Error: web.ErrorDetail{Code: "method_not_allowed", Message: msg}})
	})
}
