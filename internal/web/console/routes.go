package console

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
)

// access is what a route asks of the request: nothing, a session, or a
// session whose actor holds at least one of perms.
type access struct {
	session bool
	perms   []model.Permission
}

var (
	public   = access{}              // no session needed
	signedIn = access{session: true} // any signed-in user
)

// anyOf needs a session whose actor holds at least one of perms.
func anyOf(perms ...model.Permission) access { return access{session: true, perms: perms} }

// Routes registers the console. Each route names what it needs; handlers
// of routes with a session also get a valid CSRF field on every POST. The
// desk checks the finer rules again (reply or note, assigning others).
func (c *Console) Routes(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		access  access
		handler http.HandlerFunc
	}{
		{"GET /{$}", public, c.home},
		{"GET /login", public, c.loginForm},
		{"POST /login", public, c.login},
		{"POST /logout", signedIn, c.logout},
		{"GET /inbox", anyOf(model.PermConversationsReadAssigned), c.inbox},
		{"GET /conversations/{id}", anyOf(model.PermConversationsReadAssigned), c.conversation},
		{"POST /conversations/{id}/messages", anyOf(model.PermConversationsReply, model.PermConversationsNote), c.postMessage},
		{"POST /conversations/{id}", anyOf(model.PermConversationsUpdate), c.updateConversation},
		{"GET /live", anyOf(model.PermConversationsReadAssigned), c.live},
		{"GET /canned", anyOf(model.PermCannedManage), c.cannedList},
		{"GET /canned/new", anyOf(model.PermCannedManage), c.cannedNew},
		{"POST /canned", anyOf(model.PermCannedManage), c.cannedCreate},
		{"GET /canned/{id}", anyOf(model.PermCannedManage), c.cannedEdit},
		{"POST /canned/{id}", anyOf(model.PermCannedManage), c.cannedUpdate},
		{"POST /canned/{id}/delete", anyOf(model.PermCannedManage), c.cannedDelete},
		{"GET /account/password", signedIn, c.passwordForm},
		{"POST /account/password", signedIn, c.changePassword},
		{"GET " + staticPrefix + "{hash}/{file}", public, c.static},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, c.guard(rt.access, rt.handler))
	}
}
