package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/web"
)

// applicationStart starts following the application for one benefit of a
// recorded result, with the benefit's documents as a checklist.
func (c *Console) applicationStart(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	app, err := c.desk.StartApplication(r.Context(), web.ActorFrom(r), id, r.PostForm.Get("benefit"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, conversationURL(app.ConversationID)+"?ok=application#application-"+strconv.FormatInt(app.ID, 10), http.StatusSeeOther)
}

// applicationUpdate saves an application's status, the documents ticked
// off and a document added.
func (c *Console) applicationUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	p := desk.ApplicationPatch{Status: r.PostForm.Get("status"), Add: strings.TrimSpace(r.PostForm.Get("add"))}
	for _, s := range r.PostForm["done"] {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			p.Done = append(p.Done, n)
		}
	}
	app, err := c.desk.UpdateApplication(r.Context(), web.ActorFrom(r), id, p)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, conversationURL(app.ConversationID)+"?ok=application#application-"+strconv.FormatInt(app.ID, 10), http.StatusSeeOther)
}
