// Package console is the operators' console: server-rendered pages to sign
// in, work through the inbox, read a conversation's timeline, reply, write
// internal notes, assign and change status, and change one's password.
//
// Every page works without JavaScript; console.js adds shortcuts, canned
// responses at a keystroke and the live connection (live.go): one
// WebSocket per tab that keeps the inbox and the open conversation up to
// date, tells who else is looking and typing, and notifies. Templates and
// static files are embedded; static URLs carry a hash of their content so
// browsers can keep them for a year.
package console

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/web"
	"github.com/sportello/sportello/internal/web/assets"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates under templates/, each parsed with the layout.
var pageNames = []string{"login", "inbox", "conversation", "password", "error", "canned", "canned_form", "kb", "kb_article", "kb_shared",
	"users", "user_form", "teams", "team_form", "tokens", "audit", "contact", "secret",
	"screen", "screen_case", "screen_admin", "screen_aid", // the benefit screener (screen*.go)
	"routing", "routing_rule", "hours", "hours_form", "sla", "translation", // routing, hours, SLAs, translation (admin_routing.go)
	"channels", "channel_form", // channels and their health (admin_channels.go)
	"wa_templates",                                                                 // WhatsApp's approved templates (admin_templates.go)
	"directory", "directory_card", "directory_stale", "referrals", "referral_form"} // the directory of services and referrals (directory.go, referrals.go)

// defaultLanguage is the console's language when the browser says nothing
// we support: the desks are Italian.
const defaultLanguage = "it"

// Console serves the operator console. It is safe for concurrent use.
type Console struct {
	desk   *desk.Service
	bundle *locale.Bundle
	log    *slog.Logger
	now    func() time.Time
	assets *assets.Static
	// pages holds, per language, each page's template set with T and N
	// bound to that language's printer.
	pages *assets.Pages
	// presence knows who is online and looking at what, in this instance.
	presence *desk.Presence
	// convs shares conversations loaded for live events among the tabs.
	convs *convCache
	// liveCtx ends every live connection when the server shuts down.
	liveCtx  context.Context
	stopLive context.CancelFunc
}

// New parses the templates and hashes the static files once.
func New(d *desk.Service, b *locale.Bundle, log *slog.Logger) (*Console, error) {
	static, err := assets.LoadStatic(staticFS, "static", staticPrefix, false)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c := &Console{desk: d, bundle: b, log: log, now: time.Now, assets: static,
		presence: d.NewPresence(), convs: newConvCache()}
	c.liveCtx, c.stopLive = context.WithCancel(context.Background())
	if c.pages, err = assets.ParsePages(templateFS, "templates/layout.html", pageNames, b, c.funcs); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return c, nil
}

// funcs are the template functions of one language: T and N translate,
// asset gives a static file's hashed URL.
func (c *Console) funcs(p *locale.Printer) template.FuncMap {
	return template.FuncMap{
		"T":     func(key string, kv ...any) string { return p.T(key, assets.Args(kv)) },
		"N":     func(key string, n int, kv ...any) string { return p.N(key, n, assets.Args(kv)) },
		"asset": c.assets.URL,
	}
}

// printer is the request's language: ?lang=, the cookie, the browser, then
// Italian.
func (c *Console) printer(r *http.Request) *locale.Printer {
	return c.bundle.Printer(web.Language(r, c.bundle, defaultLanguage))
}

// render executes template name of the page's language into a buffer, so
// a failure never sends half a page, then writes it with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page, data any) {
	c.renderTemplate(w, r, status, pg.Lang, name, "layout", data)
}

func (c *Console) renderTemplate(w http.ResponseWriter, r *http.Request, status int, lang, set, tmpl string, data any) {
	body, err := c.pages.Execute(lang, set, tmpl, data)
	if err != nil {
		c.log.ErrorContext(r.Context(), "render", "template", set+"/"+tmpl, "err", err, "request_id", web.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data: never keep them in a shared or back-button cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
