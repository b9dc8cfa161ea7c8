package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes every route; the tests check it covers the route
// table.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the OpenAPI 3.1 document. It needs no token.
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPIDoc)
}
