package api

import (
	"strings"

	"github.com/sportello/sportello/internal/model"
)

// Endpoint is one route of the table, for tests that must cover them all.
type Endpoint struct {
	Method, Path string
	Perm         model.Permission
}

// Public is the permission of the routes that need no token.
const Public = public

// Endpoints lists the route table.
func Endpoints() []Endpoint {
	var a API
	var out []Endpoint
	for _, rt := range a.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		out = append(out, Endpoint{Method: method, Path: path, Perm: rt.perm})
	}
	return out
}

var ParseConversationFilter = parseConversationFilter

const MaxLimit = maxLimit
