package console

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// page is what the layout needs: language, title, the signed-in user,
// the language picker and one message to announce.
type page struct {
	Lang   string
	Dir    string
	Title  string
	Nav    string // the current item of the main navigation
	Actor  *desk.Actor
	CSRF   string
	Langs  []langLink
	Notice string // success, announced politely (role=status)
	Alert  string // failure, announced at once (role=alert)
	// CanCanned shows the canned responses in the navigation.
	CanCanned bool
	// Admin are the administration pages the actor may open (admin.go).
	Admin []navItem

	p *locale.Printer
}

type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// option is one choice of a select. A person's option in the assign form
// also carries what live presence updates need: the user, their name and
// their load ("2/6").
type option struct {
	Value, Label string
	Selected     bool
	User         int64
	Name, Load   string
}

// newPage starts a page titled by titleKey. self is the page's own GET
// address, for the language picker: a form's page re-rendered after a
// POST links to the page, not to the POST's target.
func (c *Console) newPage(r *http.Request, self, titleKey string) *page {
	p := c.printer(r)
	pg := &page{Lang: p.Lang(), Dir: p.Dir(), Title: p.T(titleKey, nil), Actor: web.ActorFrom(r), p: p}
	if se := web.SessionFrom(r); se != nil {
		pg.CSRF = se.CSRF
	}
	pg.CanCanned = pg.Actor != nil && pg.Actor.Can(model.PermCannedManage)
	pg.Admin = adminNav(p, pg.Actor)
	u, err := url.Parse(self)
	if err != nil {
		u = &url.URL{Path: "/inbox"}
	}
	for _, lang := range c.bundle.Languages() {
		q := u.Query()
		q.Set("lang", lang)
		u.RawQuery = q.Encode()
		lp := c.bundle.Printer(lang)
		pg.Langs = append(pg.Langs, langLink{Lang: lang, Name: lp.Name(), URL: u.String(), Current: lang == p.Lang()})
	}
	return pg
}

// selfURL is the request's address without ?lang=, for GET pages.
func selfURL(r *http.Request) string {
	u := *r.URL
	q := u.Query()
	q.Del("lang")
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// failed marks the title of a page that shows errors, so that a screen
// reader user hears it first.
func (pg *page) failed() {
	pg.Title = pg.p.T("console.error_prefix", nil) + " " + pg.Title
}

// fail renders the error page for err: a translated message and the
// status from web's table. Internal errors are logged, never shown.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := c.printer(r)
	status, d := web.Detail(r, c.log, p, err)
	self := "/inbox"
	if r.Method == http.MethodGet {
		self = selfURL(r)
	}
	titleKey := "console.error_title"
	msg := d.Message
	switch status {
	case http.StatusNotFound:
		titleKey, msg = "console.not_found_title", p.T("console.not_found", nil)
	case http.StatusForbidden:
		titleKey = "console.forbidden_title"
	}
	pg := c.newPage(r, self, titleKey)
	pg.Alert = msg
	c.render(w, r, status, "error", pg, pg)
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.fail(w, r, model.NotFound("page"))
}

// errorText is err as a message for a form field.
func errorText(p *locale.Printer, err error) string { return p.Error(err) }

// has reports whether the catalogs know key: T returns a missing key as is.
func has(p *locale.Printer, key string) bool { return p.T(key, nil) != key }

// labelOr translates key, or returns fallback when no catalog has it (a
// status or language added later).
func labelOr(p *locale.Printer, key, fallback string) string {
	if has(p, key) {
		return p.T(key, nil)
	}
	return fallback
}

func statusLabel(p *locale.Printer, s model.Status) string {
	return labelOr(p, "status."+string(s), string(s))
}

var priorityKeys = map[model.Priority]string{
	model.PriorityLow: "priority.low", model.PriorityNormal: "priority.normal",
	model.PriorityHigh: "priority.high", model.PriorityUrgent: "priority.urgent",
}

func priorityLabel(p *locale.Printer, n model.Priority) string {
	if k, ok := priorityKeys[n]; ok {
		return p.T(k, nil)
	}
	return strconv.Itoa(int(n))
}

func channelLabel(p *locale.Printer, k model.ChannelKind) string {
	return labelOr(p, "channel."+string(k), string(k))
}

func identityLabel(p *locale.Printer, k model.IdentityKind) string {
	return labelOr(p, "conversation.identity_"+string(k), string(k))
}

// languageName is a language's name in itself when the console speaks it
// ("العربية"), else its code ("wo").
func (c *Console) languageName(code string) string {
	if code == "" {
		return ""
	}
	if c.bundle.Supported(code) {
		return c.bundle.Printer(code).Name()
	}
	return code
}

// orgLocation is the organisation's time zone, in which times are shown.
func (c *Console) orgLocation(r *http.Request, orgID int64) *time.Location {
	o, err := c.desk.Store().Organization(r.Context(), orgID)
	if err != nil {
		c.log.WarnContext(r.Context(), "console: organisation time zone", "org", orgID, "err", err)
		return time.UTC
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// contactName is the contact's name, or a stand-in for one without.
func contactName(p *locale.Printer, name string, id int64) string {
	if name != "" {
		return name
	}
	return p.T("conversation.unnamed_contact", nil) + " #" + strconv.FormatInt(id, 10)
}

func presenceLabel(p *locale.Printer, s desk.PresenceStatus) string {
	return labelOr(p, "presence."+string(s), string(s))
}

// personLabel is a person as the assign form lists them: name, presence
// and, for someone with a limit, their open chats against it. console.js
// builds the same text when presence changes.
func personLabel(name, presence, load string) string {
	s := name + " — " + presence
	if load != "" {
		s += " · " + load
	}
	return s
}

// csrfOf is the session's CSRF token, for forms rendered outside a page
// (timeline items sent live).
func csrfOf(r *http.Request) string {
	if se := web.SessionFrom(r); se != nil {
		return se.CSRF
	}
	return ""
}
