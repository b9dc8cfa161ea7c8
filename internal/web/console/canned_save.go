package console

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// cannedFields are the form fields whose errors show next to an input.
var cannedFields = []string{"title", "body", "team_id", "language"}

// cannedCreate adds a canned response from the form.
func (c *Console) cannedCreate(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	cr := &store.Canned{OrgID: a.OrgID(), CreatedBy: a.User.ID}
	c.saveCanned(w, r, cr, c.desk.Store().CreateCanned, "canned_create")
}

// cannedUpdate changes a canned response from the form.
func (c *Console) cannedUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	cr, err := c.desk.Store().CannedResponse(r.Context(), web.ActorFrom(r).OrgID(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.saveCanned(w, r, cr, c.desk.Store().UpdateCanned, "canned_update")
}

// saveCanned reads the form into cr and writes it with save; a mistake
// comes back with the form as typed and the error by its field.
func (c *Console) saveCanned(w http.ResponseWriter, r *http.Request, cr *store.Canned, save func(context.Context, *store.Canned) error, action string) {
	a := web.ActorFrom(r)
	f := r.PostForm
	cr.Title, cr.Body = f.Get("title"), strings.ReplaceAll(f.Get("body"), "\r\n", "\n")
	cr.Language = strings.TrimSpace(f.Get("language"))
	team, err := strconv.ParseInt(f.Get("team_id"), 10, 64)
	if err != nil || team < 0 {
		c.renderCannedForm(w, r, http.StatusBadRequest, cr, map[string]string{"team_id": c.printer(r).T("console.choose_from_list", nil)})
		return
	}
	cr.TeamID = team
	if err := save(r.Context(), cr); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			c.fail(w, r, err)
			return
		}
		field := ""
		if e, _ := model.AsError(err); slices.Contains(cannedFields, e.Field) {
			field = e.Field
		}
		c.renderCannedForm(w, r, http.StatusBadRequest, cr, map[string]string{field: errorText(c.printer(r), err)})
		return
	}
	c.desk.Audit(r.Context(), a, action, "canned_response", cr.ID, cr.Title)
	http.Redirect(w, r, "/canned?ok=saved", http.StatusSeeOther)
}

// cannedDelete removes a canned response.
func (c *Console) cannedDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	if err := c.desk.Store().DeleteCanned(r.Context(), a.OrgID(), id); err != nil {
		c.fail(w, r, err)
		return
	}
	c.desk.Audit(r.Context(), a, "canned_delete", "canned_response", id, "")
	http.Redirect(w, r, "/canned?ok=deleted", http.StatusSeeOther)
}
