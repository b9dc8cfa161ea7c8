// Package portal is the citizens' side of the desk, under /o/{org}/: the
// hosted web chat page, the script that embeds it in an organisation's own
// site, and what the chat needs behind it (pre-chat form, messages,
// uploads, files, the live WebSocket).
//
// Every page works without JavaScript: the forms post and the page shows
// what the database holds. chat.js makes it live over one WebSocket whose
// frames are only a signal: on (re)connecting it asks for what came after
// the last sequence number it has, so a dropped connection loses nothing
// and a resent message is not stored twice (its client id is the
// provider message id). Pages are light (see the budgets in
// static_test.go), translated into every catalog's language, mirrored for
// right-to-left languages.
//
// A visitor is a random id in a token signed with a secret the store
// keeps, so that several instances accept each other's tokens and a
// visitor who only looks writes nothing. The hosted page keeps the token
// in a cookie; the embedded page, a third-party frame where cookies do not
// stick, in its own localStorage.
package portal

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
	"github.com/sportello/sportello/internal/web/assets"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates under templates/, each parsed with the layout.
var pageNames = []string{"chat", "error", "screen_start", "screen_page", "screen_result", "contact", "help", "services", "service", "referral"}

// defaultLanguage speaks to a visitor whose browser names no language we
// have, at an address that names no organisation: the desks are Italian.
const defaultLanguage = "it"

// Options tune a Portal; zero values take the defaults.
type Options struct {
	Now func() time.Time
	// TokenTTL is how long a visitor's token stays valid without being
	// renewed; a visitor who comes back within it finds their chat.
	TokenTTL time.Duration // default 180 days
	// PingInterval is how often a live connection is checked.
	PingInterval time.Duration // default 25 s
	// MaxUpload bounds an uploaded file; it should not exceed the files
	// store's own limit.
	MaxUpload int64 // default files.DefaultMaxSize
	// RateLimit messages (and uploads) per RateWindow are allowed per
	// visitor and per client address.
	RateLimit  int           // default 20
	RateWindow time.Duration // default 10 s
}

// Portal serves the citizens' pages. It is safe for concurrent use.
type Portal struct {
	settingsMu  sync.Mutex
	settings    map[int64]*parsedSettings // by organisation
	zones       sync.Map                  // time zone name → *time.Location
	webChannels sync.Map                  // organisation → cachedChannel

	pollOnce sync.Once
	wsPoll   *wsPoller // watches idle chat sockets; nil where the system has none

	desk   *desk.Service
	st     *store.Store
	files  *files.Store
	bundle *locale.Bundle
	log    *slog.Logger
	opt    Options
	assets *assets.Static
	pages  *assets.Pages

	keys      keyring
	maxFrames int           // frames a connection may send per second
	byVisitor *auth.Limiter // messages and uploads per visitor
	byIP      *auth.Limiter // and per client address
	starts    *auth.Limiter // pre-chat forms (new contacts) per client address

	mu        sync.Mutex
	lastSweep time.Time

	live     context.Context // ends when the server shuts down (CloseLive)
	stopLive context.CancelFunc
}

// New parses the templates and hashes the static files once. Nothing is
// read from the database until the first request.
func New(d *desk.Service, b *locale.Bundle, fs *files.Store, log *slog.Logger, opt Options) (*Portal, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.TokenTTL <= 0 {
		opt.TokenTTL = 180 * 24 * time.Hour
	}
	if opt.PingInterval <= 0 {
		opt.PingInterval = 25 * time.Second
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = files.DefaultMaxSize
	}
	if opt.RateLimit <= 0 {
		opt.RateLimit = 20
	}
	if opt.RateWindow <= 0 {
		opt.RateWindow = 10 * time.Second
	}
	static, err := assets.LoadStatic(staticFS, "static", staticPrefix, true)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	p := &Portal{
		settings: map[int64]*parsedSettings{}, desk: d, st: d.Store(), files: fs, bundle: b, log: log, opt: opt, assets: static,
		keys:      keyring{st: d.Store()},
		maxFrames: max(maxFramesPerSecond, int(2*float64(opt.RateLimit)/opt.RateWindow.Seconds())),
		byVisitor: auth.NewLimiter(auth.LimiterConfig{MaxFailures: opt.RateLimit, Window: opt.RateWindow}, opt.Now),
		byIP:      auth.NewLimiter(auth.LimiterConfig{MaxFailures: opt.RateLimit, Window: opt.RateWindow}, opt.Now),
		starts:    auth.NewLimiter(auth.LimiterConfig{MaxFailures: 10, Window: time.Minute}, opt.Now),
	}
	p.live, p.stopLive = context.WithCancel(context.Background())
	if p.pages, err = assets.ParsePages(templateFS, "templates/layout.html", pageNames, b, p.funcs); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return p, nil
}

// funcs are the template functions of one language.
func (p *Portal) funcs(pr *locale.Printer) template.FuncMap {
	return template.FuncMap{
		"T": func(key string, kv ...any) string { return pr.T(key, assets.Args(kv)) },
		"N": func(key string, n int, kv ...any) string { return pr.N(key, n, assets.Args(kv)) },
		// the referral page's statuses and the buttons that set them
		"statusKey": func(s string) string { return "referral.status_" + s },
		"actionKey": func(s string) string { return "referral.action_" + s },
		"asset":     p.assets.URL,
	}
}

// render executes a page into a buffer, so a failure never sends half a
// page, then writes it with status.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	body, err := p.pages.Execute(pg.Lang, name, "layout", pg)
	if err != nil {
		p.log.ErrorContext(r.Context(), "portal: render", "template", name, "err", err, "request_id", web.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// A citizen's chat may be on a shared phone: never keep it in a cache.
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding")
	if assets.AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = assets.Gzip(body)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// sweepLimiters forgets old rate-limit entries now and then; the limiters
// bound their memory anyway, this keeps them small.
func (p *Portal) sweepLimiters() {
	p.mu.Lock()
	now := p.opt.Now()
	due := now.Sub(p.lastSweep) > time.Minute
	if due {
		p.lastSweep = now
	}
	p.mu.Unlock()
	if due {
		p.byVisitor.Sweep()
		p.byIP.Sweep()
		p.starts.Sweep()
	}
}

// allow counts one message or upload of visitor from ip and reports
// whether it is within the limits.
func (p *Portal) allow(visitorID, ip string) bool {
	p.sweepLimiters()
	okV, _ := p.byVisitor.Allow(visitorID)
	okIP, _ := p.byIP.Allow(ip)
	if !okV || !okIP {
		return false
	}
	p.byVisitor.Fail(visitorID)
	p.byIP.Fail(ip)
	return true
}

// CloseLive tells every live chat connection to go away (close code 1001:
// the page reconnects, to another instance or to this one restarted). The
// server calls it when shutting down, since http.Server.Shutdown neither
// closes nor waits for hijacked connections.
func (p *Portal) CloseLive() {
	p.stopLive()
	p.poller().close()
}

// poller is the watch of idle chat sockets, started with the first.
func (p *Portal) poller() *wsPoller {
	p.pollOnce.Do(func() { p.wsPoll = newWSPoller() })
	return p.wsPoll
}
