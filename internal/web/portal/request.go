package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// request is what a handler of an organisation's page gets: the
// organisation, its web chat settings, and the visitor's language.
type request struct {
	org *model.Organization
	cfg *chatConfig
	pr  *locale.Printer
}

// inOrg resolves the organisation named in the path, or answers the
// not-found page; then remembers a language picked with ?lang=.
func (p *Portal) inOrg(h func(http.ResponseWriter, *http.Request, *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		web.NoteRoute(r)
		slug := r.PathValue("org")
		if !model.ValidSlug(slug) {
			p.notFound(w, r, nil)
			return
		}
		ctx := r.Context()
		o, err := p.st.OrganizationBySlug(ctx, slug)
		if errors.Is(err, model.ErrNotFound) {
			p.notFound(w, r, nil)
			return
		}
		if err != nil {
			p.fail(w, r, nil, err)
			return
		}
		doc, err := p.st.OrganizationSettings(ctx, o.ID)
		if err != nil {
			p.fail(w, r, nil, err)
			return
		}
		cfg, problems, fresh := p.settingsOf(o.ID, doc)
		if fresh {
			for _, pb := range problems {
				p.log.WarnContext(ctx, "portal: organisation settings", "org", o.Slug, "problem", pb)
			}
		}
		p.rememberLanguage(w, r)
		h(w, r, &request{org: o, cfg: cfg, pr: p.bundle.Printer(web.Language(r, p.bundle, o.Language))})
	}
}

// rememberLanguage keeps a language picked with ?lang= for the next pages.
func (p *Portal) rememberLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang == "" || !p.bundle.Supported(lang) {
		return
	}
	if ck, err := r.Cookie(web.LangCookie); err == nil && ck.Value == lang {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: web.LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: web.IsHTTPS(r),
	})
}

// page is what the layout needs.
type page struct {
	Lang, Dir string
	Title     string
	OrgName   string
	Langs     []langLink
	Alert     string // announced at once (role=alert)
	Notice    string // announced politely (role=status)
	Embed     bool
	Back      string // a link back to the chat, on error pages
	Chat      *chatView
	Screen    *screenView   // the benefit screener's pages (screen.go)
	Contact   *contactView  // the contact form (contact.go)
	Help      *helpView     // the help centre's pages (help.go)
	Services  *servicesView // the directory of services (services.go)
	Referral  *referralView // an outside partner's referral (referral.go)
}

type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// newPage starts a page in the request's language. self is the page's
// GET address; the language picker links to it with ?lang=.
func (p *Portal) newPage(pr *locale.Printer, self *url.URL, title string) *page {
	pg := &page{Lang: pr.Lang(), Dir: pr.Dir(), Title: title}
	for _, lang := range p.bundle.Languages() {
		u := *self
		q := u.Query()
		q.Set("lang", lang)
		q.Del("expired")
		u.RawQuery = q.Encode()
		pg.Langs = append(pg.Langs, langLink{Lang: lang, Name: p.bundle.Printer(lang).Name(), URL: u.String(), Current: lang == pr.Lang()})
	}
	return pg
}

// chatURL is the address of an organisation's chat page, keeping the
// embedding mode.
func chatURL(slug string, embed bool) *url.URL {
	u := &url.URL{Path: "/o/" + slug + "/chat"}
	if embed {
		u.RawQuery = "embed=1"
	}
	return u
}

// notFound answers the not-found page, in the organisation's language
// when there is one.
func (p *Portal) notFound(w http.ResponseWriter, r *http.Request, rq *request) {
	p.fail(w, r, rq, model.NotFound("page"))
}

// fail answers an error page: a translated message and the status from
// web's table. Internal errors are logged, never shown.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	web.NoteRoute(r)
	fallback, slug := defaultLanguage, ""
	if rq != nil {
		fallback, slug = rq.org.Language, rq.org.Slug
	}
	pr := p.bundle.Printer(web.Language(r, p.bundle, fallback))
	status, d := web.Detail(r, p.log, pr, err)
	title, msg := pr.T("portal.error_title", nil), d.Message
	if status == http.StatusNotFound {
		title, msg = pr.T("portal.not_found_title", nil), pr.T("portal.not_found", nil)
	}
	self := &url.URL{Path: r.URL.Path}
	if r.Method != http.MethodGet {
		self.Path = "/"
	}
	pg := p.newPage(pr, self, title)
	pg.Alert = msg
	if rq != nil {
		pg.OrgName = rq.org.Name
		pg.Back = chatURL(slug, r.URL.Query().Get("embed") == "1").String()
	}
	p.render(w, r, status, "error", pg)
}

// wantsJSON reports whether the client is chat.js asking for JSON rather
// than a browser posting a form.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// writeError answers err as JSON in the request's language.
func (p *Portal) writeError(w http.ResponseWriter, r *http.Request, pr *locale.Printer, err error) {
	web.WriteError(w, r, p.log, pr, chatError(err))
}

// chatError replaces errors whose general text does not fit the chat.
func chatError(err error) error {
	if e, ok := model.AsError(err); ok && e.Key == "error.attachment.type" {
		return &model.Error{Code: model.CodeInvalid, Key: "chat.file_type", Field: "file", Message: e.Message, Err: err}
	}
	return err
}
