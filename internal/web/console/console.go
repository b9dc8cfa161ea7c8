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
	"bytes"
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
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates under templates/, each parsed with the layout.
var pageNames = []string{"login", "inbox", "conversation", "password", "error", "canned", "canned_form"}

// defaultLanguage is the console's language when the browser says nothing
// we support: the desks are Italian.
const defaultLanguage = "it"

// Console serves the operator console. It is safe for concurrent use.
type Console struct {
	desk   *desk.Service
	bundle *locale.Bundle
	log    *slog.Logger
	now    func() time.Time
	assets map[string]*asset
	// pages holds, per language, each page's template set with T and N
	// bound to that language's printer.
	pages map[string]map[string]*template.Template
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
	assets, err := loadAssets()
	if err != nil {
		return nil, err
	}
	c := &Console{desk: d, bundle: b, log: log, now: time.Now, assets: assets, pages: map[string]map[string]*template.Template{},
		presence: d.NewPresence(), convs: newConvCache()}
	c.liveCtx, c.stopLive = context.WithCancel(context.Background())
	base := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(c.funcs(b.Printer(locale.Source))).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: %w", err)
		}
		base[name] = t
	}
	for _, lang := range b.Languages() {
		p := b.Printer(lang)
		set := map[string]*template.Template{}
		for name, t := range base {
			clone, err := t.Clone()
			if err != nil {
				return nil, fmt.Errorf("console: %w", err)
			}
			set[name] = clone.Funcs(c.funcs(p))
		}
		c.pages[p.Lang()] = set
	}
	return c, nil
}

// funcs are the template functions of one language: T and N translate,
// asset gives a static file's hashed URL.
func (c *Console) funcs(p *locale.Printer) template.FuncMap {
	return template.FuncMap{
		"T":     func(key string, kv ...any) string { return p.T(key, pairs(kv)) },
		"N":     func(key string, n int, kv ...any) string { return p.N(key, n, pairs(kv)) },
		"asset": c.assetURL,
	}
}

// pairs turns "Name", value, "Other", value… into template arguments.
func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
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
	t := c.pages[lang][set]
	if t == nil {
		t = c.pages[locale.Source][set]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		c.log.ErrorContext(r.Context(), "render", "template", set+"/"+tmpl, "err", err, "request_id", web.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data: never keep them in a shared or back-button cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
