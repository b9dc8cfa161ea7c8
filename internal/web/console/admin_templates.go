package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

const templatesURL = "/admin/templates"

type templateRow struct {
	ID                  int64
	Channel, Name, Lang string
	Body                string
	Params              int
	DeleteURL           string
}

type templatesPage struct {
	*page
	Rows     []templateRow
	Channels []option // the organisation's WhatsApp channels
	Name     string
	Language string
	Body     string
	Errors   map[string]string
	NameMax  int
	BodyMax  int
	// Placeholders shows how a template marks its values.
	Placeholders string
}

// templateFields are the form fields whose errors show next to an input.
var templateFields = []string{"channel_id", "name", "language", "body"}

// templatesList shows the templates registered on the organisation's
// WhatsApp channels, with the form to register one.
func (c *Console) templatesList(w http.ResponseWriter, r *http.Request) {
	c.renderTemplates(w, r, http.StatusOK, &store.Template{}, nil)
}

func (c *Console) renderTemplates(w http.ResponseWriter, r *http.Request, status int, t *store.Template, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, templatesURL, "template.title")
	pg.Nav = "templates"
	p := pg.p
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = p.T("template.saved", nil)
	case "deleted":
		pg.Notice = p.T("template.deleted", nil)
	}
	chans, err := c.desk.Channels(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	list, err := c.desk.Templates(ctx, a, 0)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := templatesPage{page: pg, Name: t.Name, Language: t.Language, Body: t.Body, Errors: errs,
		NameMax: store.TemplateNameMax, BodyMax: store.TemplateBodyMax, Placeholders: "{{1}}, {{2}}…"}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	names := map[int64]string{}
	for _, ch := range chans {
		names[ch.ID] = ch.Name
		if ch.Kind == model.ChannelWhatsApp {
			data.Channels = append(data.Channels, option{Value: strconv.FormatInt(ch.ID, 10), Label: ch.Name, Selected: ch.ID == t.ChannelID})
		}
	}
	for _, tp := range list {
		data.Rows = append(data.Rows, templateRow{ID: tp.ID, Channel: names[tp.ChannelID], Name: tp.Name, Lang: tp.Language, Body: tp.Body,
			Params: tp.Params, DeleteURL: templatesURL + "/" + strconv.FormatInt(tp.ID, 10) + "/delete"})
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "wa_templates", pg, data)
}

// templateCreate registers a template from the form; a mistake comes
// back with the form as typed.
func (c *Console) templateCreate(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	f := r.PostForm
	t := &store.Template{Name: f.Get("name"), Language: f.Get("language"), Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n")}
	id, err := strconv.ParseInt(f.Get("channel_id"), 10, 64)
	if err != nil || id <= 0 {
		c.renderTemplates(w, r, http.StatusBadRequest, t, map[string]string{"channel_id": c.printer(r).T("console.choose_from_list", nil)})
		return
	}
	t.ChannelID = id
	if err := c.desk.CreateTemplate(r.Context(), a, t); err != nil {
		c.templateFailed(w, r, t, err)
		return
	}
	http.Redirect(w, r, templatesURL+"?ok=saved", http.StatusSeeOther)
}

func (c *Console) templateFailed(w http.ResponseWriter, r *http.Request, t *store.Template, err error) {
	if !model.ErrorIs(err, model.CodeInvalid) && !model.ErrorIs(err, model.CodeConflict) {
		c.fail(w, r, err)
		return
	}
	field := ""
	if e, _ := model.AsError(err); e != nil && slices.Contains(templateFields, e.Field) {
		field = e.Field
	}
	if model.ErrorIs(err, model.CodeConflict) {
		field = "name"
	}
	c.renderTemplates(w, r, web.Status(err), t, map[string]string{field: errorText(c.printer(r), err)})
}

// templateDelete removes a template.
func (c *Console) templateDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if _, err := c.desk.DeleteTemplate(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, templatesURL+"?ok=deleted", http.StatusSeeOther)
}
