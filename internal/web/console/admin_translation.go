package console

import (
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

type translationPage struct {
	*page
	Tabs    []link
	Enabled bool
	URL     string
	HasKey  bool
	Errors  map[string]string
}

// translationSettings shows the machine translation settings.
func (c *Console) translationSettings(w http.ResponseWriter, r *http.Request) {
	s, err := c.desk.TranslationSettings(r.Context(), web.ActorFrom(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderTranslation(w, r, http.StatusOK, s, nil)
}

func (c *Console) renderTranslation(w http.ResponseWriter, r *http.Request, status int, s desk.TranslationSettings, errs map[string]string) {
	pg := c.newPage(r, translationURL, "translation.title")
	pg.Nav = "routing"
	p := pg.p
	if r.URL.Query().Get("ok") == "saved" {
		pg.Notice = p.T("routing.saved", nil)
	}
	data := translationPage{page: pg, Tabs: routingTabs(p, translationURL), Enabled: s.Enabled, URL: s.URL, HasKey: s.APIKey != "", Errors: errs}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "translation", pg, data)
}

// translationSave saves them; an empty key keeps the stored one.
func (c *Console) translationSave(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s := desk.TranslationSettings{Enabled: f.Get("enabled") == "1", URL: f.Get("url"), APIKey: f.Get("api_key")}
	if err := c.desk.SetTranslationSettings(r.Context(), web.ActorFrom(r), s); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			c.fail(w, r, err)
			return
		}
		s.APIKey = ""
		c.renderTranslation(w, r, http.StatusBadRequest, s, map[string]string{formField(err, "url", "api_key"): errorText(c.printer(r), err)})
		return
	}
	http.Redirect(w, r, translationURL+"?ok=saved", http.StatusSeeOther)
}
