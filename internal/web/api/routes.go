package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
)

// route is one endpoint: a method and path pattern, the permission its
// token's user needs, and its handler.
type route struct {
	pattern string
	perm    model.Permission
	handler http.HandlerFunc
}

// routes is the one table of the API's endpoints. The desk narrows the
// permission further: which conversations a role sees, reply or note,
// assigning, restricting. Keep openapi.json in step; the tests check that
// every route is in it and that none leaks another organisation's data.
func (a *API) routes() []route {
	return []route{
		{"GET /api/v1/openapi.json", public, a.openAPI},

		{"GET /api/v1/conversations", model.PermConversationsReadAssigned, a.listConversations},
		{"GET /api/v1/conversations/{id}", model.PermConversationsReadAssigned, a.getConversation},
		{"PATCH /api/v1/conversations/{id}", model.PermConversationsUpdate, a.patchConversation},
		{"GET /api/v1/conversations/{id}/messages", model.PermConversationsReadAssigned, a.listMessages},
		{"POST /api/v1/conversations/{id}/messages", model.PermConversationsReadAssigned, a.postMessage}, // reply or note: desk.Post

		{"GET /api/v1/contacts", model.PermContactsRead, a.listContacts},
		{"GET /api/v1/contacts/{id}", model.PermContactsRead, a.getContact},

		{"GET /api/v1/teams", model.PermTeamsRead, a.listTeams},
		{"GET /api/v1/users", model.PermUsersRead, a.listUsers},
	}
}

// Routes registers the API on mux, and a JSON 404 or 405 for any other
// request under /api/v1/.
func (a *API) Routes(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		a.handle(mux, rt.pattern, rt.perm, rt.handler)
	}
	mux.Handle("/api/v1/", a.noRoute(mux))
}
