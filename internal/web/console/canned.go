package console

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// Placeholders a canned response may hold. They are filled in as plain
// text: the reply box and the page escape them like any other text.
const (
	phContact  = "contact.name"
	phOperator = "operator.name"
	phOrg      = "org.name"
)

// placeholderList is shown to those who write responses.
var placeholderList = "{{" + phContact + "}}, {{" + phOperator + "}}, {{" + phOrg + "}}"

var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z]+\.[a-z_]+)\s*\}\}`)

// fillPlaceholders replaces the known placeholders of body with vars; an
// unknown one is left as written, so the operator sees it before sending.
func fillPlaceholders(body string, vars map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		if v, ok := vars[placeholderRE.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// joinDraft adds text to a draft, on a new paragraph when the draft has
// something already.
func joinDraft(draft, text string) string {
	if strings.TrimSpace(draft) == "" {
		return text
	}
	return strings.TrimRight(draft, " \n") + "\n\n" + text
}

// cannedOption is a response offered in a conversation, filled in.
type cannedOption struct {
	ID          int64
	Title, Body string
}

// cannedFor lists the responses for replying in conv: the organisation's,
// the actor's teams' and the conversation's team's, in its language or for
// any language, with the placeholders filled in.
func (c *Console) cannedFor(ctx context.Context, a *desk.Actor, conv *model.Conversation) ([]cannedOption, error) {
	teams := slices.Clone(a.TeamIDs)
	if conv.TeamID != 0 && !slices.Contains(teams, conv.TeamID) {
		teams = append(teams, conv.TeamID)
	}
	list, err := c.desk.Store().CannedResponses(ctx, a.OrgID(), store.CannedFilter{TeamScoped: true, Teams: teams, Language: conv.Language})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	org, err := c.desk.Store().Organization(ctx, a.OrgID())
	if err != nil {
		return nil, err
	}
	vars := map[string]string{phContact: conv.ContactName, phOperator: a.User.Name, phOrg: org.Name}
	out := make([]cannedOption, 0, len(list))
	for _, cr := range list {
		out = append(out, cannedOption{ID: cr.ID, Title: cr.Title, Body: fillPlaceholders(cr.Body, vars)})
	}
	return out, nil
}

type cannedRow struct {
	ID                      int64
	Title, Team, Lang, Body string
	EditURL, DeleteURL      string
}

type cannedListPage struct {
	*page
	Rows         []cannedRow
	Placeholders string
}

// cannedList shows the organisation's canned responses, to those who
// write them.
func (c *Console) cannedList(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, "/canned", "canned.title")
	pg.Nav = "canned"
	p := pg.p
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = p.T("canned.saved", nil)
	case "deleted":
		pg.Notice = p.T("canned.deleted", nil)
	}
	list, err := c.desk.Store().CannedResponses(ctx, a.OrgID(), store.CannedFilter{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n, err := c.names(r, a.OrgID(), p)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := cannedListPage{page: pg, Placeholders: placeholderList}
	for _, cr := range list {
		data.Rows = append(data.Rows, c.cannedRow(p, n, cr))
	}
	c.render(w, r, http.StatusOK, "canned", pg, data)
}

func (c *Console) cannedRow(p *locale.Printer, n names, cr *store.Canned) cannedRow {
	row := cannedRow{ID: cr.ID, Title: cr.Title, Body: cr.Body, Team: p.T("canned.all_teams", nil), Lang: p.T("canned.any_language", nil),
		EditURL: cannedURL(cr.ID), DeleteURL: cannedURL(cr.ID) + "/delete"}
	if cr.TeamID != 0 {
		row.Team = n.team(cr.TeamID)
	}
	if cr.Language != "" {
		row.Lang = c.languageName(cr.Language)
	}
	return row
}

func cannedURL(id int64) string { return "/canned/" + strconv.FormatInt(id, 10) }

type cannedFormPage struct {
	*page
	Action       string
	DeleteURL    string // editing: the delete form's target
	Title, Body  string
	Language     string
	Teams        []option
	Languages    []option
	Errors       map[string]string
	Placeholders string
	TitleMax     int
	BodyMax      int
}

// cannedNew shows the form for a new response.
func (c *Console) cannedNew(w http.ResponseWriter, r *http.Request) {
	c.renderCannedForm(w, r, http.StatusOK, &store.Canned{}, nil)
}

// cannedEdit shows the form of an existing response.
func (c *Console) cannedEdit(w http.ResponseWriter, r *http.Request) {
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
	c.renderCannedForm(w, r, http.StatusOK, cr, nil)
}

// renderCannedForm shows the form of cr (ID 0: a new one) with errs by
// their fields.
func (c *Console) renderCannedForm(w http.ResponseWriter, r *http.Request, status int, cr *store.Canned, errs map[string]string) {
	a := web.ActorFrom(r)
	self, titleKey := "/canned/new", "canned.new_title"
	if cr.ID != 0 {
		self, titleKey = cannedURL(cr.ID), "canned.edit_title"
	}
	pg := c.newPage(r, self, titleKey)
	pg.Nav = "canned"
	p := pg.p
	data := cannedFormPage{page: pg, Action: "/canned", Title: cr.Title, Body: cr.Body, Language: cr.Language, Errors: errs,
		Placeholders: placeholderList, TitleMax: store.CannedTitleMax, BodyMax: store.CannedBodyMax}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	if cr.ID != 0 {
		data.Action, data.DeleteURL = cannedURL(cr.ID), cannedURL(cr.ID)+"/delete"
	}
	teams, err := c.desk.Store().Teams(r.Context(), a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Teams = append(data.Teams, option{Value: "0", Label: p.T("canned.all_teams", nil), Selected: cr.TeamID == 0})
	for _, t := range teams {
		data.Teams = append(data.Teams, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == cr.TeamID})
	}
	for _, lang := range c.bundle.Languages() {
		data.Languages = append(data.Languages, option{Value: lang, Label: c.languageName(lang)})
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "canned_form", pg, data)
}
