package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

func contactURL(id int64) string { return "/contacts/" + strconv.FormatInt(id, 10) }

// contactCandidates bounds the search for a duplicate.
const contactCandidates = 20

type contactConv struct {
	URL, Status, When, ISO, Preview string
}

type contactCandidate struct {
	ID         int64
	Name       string
	Identities string
}

type contactPage struct {
	*page
	ID            int64
	Name          string
	Language      string
	Created       string
	Identities    []fact
	MergedInto    string // the contact kept, when this one was merged
	Conversations []contactConv
	CanMerge      bool
	MergeURL      string
	Query         string
	Searched      bool
	Candidates    []contactCandidate
	Duplicate     string
	Errors        map[string]string
}

// contactPage shows a contact: addresses, the conversations the actor may
// see and, for who may merge, the search for a duplicate to fold into it.
func (c *Console) contactPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	c.renderContact(w, r, http.StatusOK, id, "", nil)
}

func (c *Console) renderContact(w http.ResponseWriter, r *http.Request, status int, id int64, duplicate string, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	ct, err := c.desk.Store().Contact(ctx, a.OrgID(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	self := contactURL(id)
	if r.Method == http.MethodGet {
		self = selfURL(r)
	}
	pg := c.newPage(r, self, "contact.title")
	pg.Nav = "inbox"
	p := pg.p
	if r.URL.Query().Get("ok") == "merged" {
		pg.Notice = p.T("contact.merged", nil)
	}
	loc := c.orgLocation(r, a.OrgID())
	data := contactPage{page: pg, ID: ct.ID, Name: contactName(p, ct.DisplayName, ct.ID), Language: c.languageName(ct.Language),
		Created: p.FormatDateTime(ct.CreatedAt, loc), Duplicate: duplicate, Errors: errs}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	pg.Title = data.Name + " · " + pg.Title
	for _, idn := range ct.Identities {
		data.Identities = append(data.Identities, fact{Label: identityLabel(p, idn.Kind), Value: idn.Value})
	}
	if ct.MergedInto != 0 {
		data.MergedInto = contactURL(ct.MergedInto)
	}
	convs, _, err := c.desk.Conversations(ctx, a, store.ConversationFilter{ContactID: ct.ID, Limit: 50})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.now()
	for _, cv := range convs {
		data.Conversations = append(data.Conversations, contactConv{URL: conversationURL(cv.ID), Status: statusLabel(p, cv.Status),
			When: p.Relative(cv.LastActivityAt.In(loc), now), ISO: cv.LastActivityAt.UTC().Format(time.RFC3339), Preview: cv.Preview})
	}
	data.CanMerge = ct.MergedInto == 0 && a.Can(model.PermContactsMerge)
	if data.CanMerge {
		data.MergeURL = contactURL(ct.ID) + "/merge"
		data.Query = strings.TrimSpace(r.URL.Query().Get("q"))
		if data.Query != "" && r.Method == http.MethodGet {
			data.Searched = true
			found, _, err := c.desk.Store().Contacts(ctx, a.OrgID(), store.ContactFilter{Q: data.Query, Limit: contactCandidates})
			if err != nil && !model.ErrorIs(err, model.CodeInvalid) {
				c.fail(w, r, err)
				return
			}
			for _, f := range found {
				if f.ID == ct.ID {
					continue
				}
				var ids []string
				for _, idn := range f.Identities {
					ids = append(ids, idn.Value)
				}
				data.Candidates = append(data.Candidates, contactCandidate{ID: f.ID, Name: contactName(p, f.DisplayName, f.ID), Identities: strings.Join(ids, ", ")})
			}
		}
	}
	if msg, ok := data.Errors["duplicate_id"]; ok && !data.CanMerge {
		data.Errors[""] = msg // no form to show it by
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "contact", pg, data)
}

// contactMerge folds the posted duplicate into the contact of the page.
func (c *Console) contactMerge(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	dupText := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("duplicate_id")), "#"))
	dup, err := strconv.ParseInt(dupText, 10, 64)
	if err != nil || dup <= 0 {
		c.renderContact(w, r, http.StatusBadRequest, id, dupText, map[string]string{"duplicate_id": c.printer(r).T("contact.duplicate_invalid", nil)})
		return
	}
	if _, err := c.desk.MergeContacts(r.Context(), web.ActorFrom(r), id, dup); err != nil {
		switch {
		case model.ErrorIs(err, model.CodeInvalid):
			c.renderContact(w, r, http.StatusBadRequest, id, dupText, map[string]string{"duplicate_id": errorText(c.printer(r), err)})
		case model.ErrorIs(err, model.CodeNotFound):
			// The page's contact exists (or the next page says it does
			// not): the number typed is what was not found.
			c.renderContact(w, r, http.StatusNotFound, id, dupText, map[string]string{"duplicate_id": c.printer(r).T("contact.duplicate_not_found", nil)})
		default:
			c.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, contactURL(id)+"?ok=merged", http.StatusSeeOther)
}
