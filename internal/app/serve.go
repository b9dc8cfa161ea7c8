package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/config"
	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/realtime/pgrelay"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
	"github.com/sportello/sportello/internal/web/api"
	"github.com/sportello/sportello/internal/web/console"
	"github.com/sportello/sportello/internal/web/hooks"
	hsdsapi "github.com/sportello/sportello/internal/web/hsds"
	"github.com/sportello/sportello/internal/web/portal"
)

// DemoPassword is the password of every demo user; the README gives it.
const DemoPassword = "demo-sportello"

func cmdServe(ctx context.Context, e env) error {
	fs, cfg := flags("serve", e, true)
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	return serve(ctx, cfg, e.stdout, e.stderr)
}

// serve runs the desk until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish, stops the workers and closes
// the store.
func serve(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	start := time.Now()
	log := cfg.Logger(stderr)
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	bundle, err := locale.Load()
	if err != nil {
		return fmt.Errorf("translations: %w", err)
	}
	hub := realtime.NewHub(0)
	attachments, err := files.New(filepath.Join(cfg.DataDir, "attachments"), files.Limits{})
	if err != nil {
		return err
	}
	defer attachments.Close()
	opts := desk.Options{Hub: hub, Bundle: bundle, Files: attachments, BaseURL: cfg.BaseURL}
	var relay *pgrelay.Relay
	if st.Engine() == store.Postgres {
		// Several instances may share this database: carry live events
		// between them.
		relay = pgrelay.New(cfg.DatabaseURL, hub, log)
		opts.Publisher = relay
		opts.SharedPresence = true
	}
	d, err := desk.New(st, log, opts)
	if err != nil {
		return err
	}
	if err := firstStart(ctx, st, cfg, stdout); err != nil {
		return err
	}
	h, onShutdown, err := handler(d, bundle, attachments, log, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Shutdown neither closes nor waits for hijacked connections: the
	// live sockets are told to go away here.
	for _, f := range onShutdown {
		srv.RegisterOnShutdown(f)
	}
	var workers sync.WaitGroup
	wctx, stopWorkers := context.WithCancel(context.Background())
	workers.Go(func() { sweep(wctx, d, st, log) })
	// Routing: SLA warnings and breaches, waiting work, chats of those
	// gone offline (internal/desk/worker.go).
	workers.Go(func() { d.RunWorker(wctx, desk.WorkerOptions{}) })
	// The durable job queue: replies out through providers, media in
	// (internal/desk/jobs.go).
	workers.Go(func() { d.RunJobs(wctx, desk.JobOptions{}) })
	// Channels that fetch messages by long polling instead of a webhook
	// (a Telegram bot with mode=polling; internal/desk/polling.go).
	workers.Go(func() { d.RunPollers(wctx, desk.PollOptions{}) })
	// E-mail channels' mailboxes, read over IMAP (internal/desk/email.go).
	workers.Go(func() { d.RunMailboxes(wctx, desk.MailOptions{}) })
	if relay != nil {
		workers.Go(func() { relay.Run(wctx) })
	}
	if cfg.DebugAddr != "" {
		if err := serveDebug(wctx, &workers, cfg.DebugAddr, log); err != nil {
			stopWorkers()
			workers.Wait()
			return fmt.Errorf("--debug-addr: %w", err)
		}
	}

	// Start-up parses catalogs, templates and questionnaires into garbage
	// many times the size of what stays live: hand it back now rather than
	// keep it resident for the life of a small server.
	debug.FreeOSMemory()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("sportello ready", "addr", "http://"+ln.Addr().String(), "engine", st.Engine(), "version", version(), "startup", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "Sportello is listening on http://%s\n", ln.Addr())

	select {
	case err := <-serveErr:
		stopWorkers()
		workers.Wait()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopWorkers()
	workers.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// handler assembles every surface on one mux behind the standard
// middleware, and returns what must run when the server shuts down.
func handler(d *desk.Service, bundle *locale.Bundle, attachments *files.Store, log *slog.Logger, cfg *config.Config) (http.Handler, []func(), error) {
	metrics := web.NewMetrics()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.Store().Ping(ctx); err != nil {
			log.Warn("readiness", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", metrics)
	// The durable job queue's size: replies and media waiting, and given up.
	jobs := func(states ...string) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			counts, err := d.Store().JobCounts(ctx)
			if err != nil {
				return -1
			}
			n := 0
			for _, st := range states {
				n += counts[st]
			}
			return float64(n)
		}
	}
	metrics.Gauge("sportello_jobs_waiting", jobs(store.JobQueued, store.JobRunning))
	metrics.Gauge("sportello_jobs_failed", jobs(store.JobFailed))
	metrics.CounterFunc("sportello_db_write_transactions_total", func() float64 { return float64(d.Store().WriteCount()) })
	metrics.Gauge("sportello_live_subscribers", func() float64 {
		n, _, _ := d.Hub().Stats()
		return float64(n)
	})
	api.New(d, bundle, log).Routes(mux)
	hsdsapi.New(d, bundle, log).Routes(mux)
	c, err := console.New(d, bundle, log)
	if err != nil {
		return nil, nil, err
	}
	c.Routes(mux)
	onShutdown := []func(){c.CloseLive}
	pt, err := portal.New(d, bundle, attachments, log, portal.Options{RateLimit: cfg.ChatRate})
	if err != nil {
		return nil, nil, err
	}
	pt.Routes(mux)
	onShutdown = append(onShutdown, pt.CloseLive)
	hooks.New(d, log).Routes(mux)

	denied := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := bundle.Printer(web.Language(r, bundle, "it"))
		err := &model.Error{Code: model.CodeForbidden, Key: "error.csrf", Message: "request from another site refused"}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			web.WriteError(w, r, log, p, err)
			return
		}
		http.Error(w, p.Error(err), http.StatusForbidden)
	})
	var h http.Handler = web.CrossOrigin(denied, mux)
	h = web.SecureHeaders(h)
	h = web.Log(log, metrics, h)
	if cfg.TrustProxy {
		h = web.TrustProxy(h)
	}
	return h, onShutdown, nil
}

// sweep is the housekeeping worker: expired sessions and old login
// failures.
func sweep(ctx context.Context, d *desk.Service, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.SweepLimiters()
			if n, err := st.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				log.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				log.Info("expired sessions removed", "count", n)
			}
			// Screener runs left half-way may hold sensitive answers.
			if n, err := st.DeleteExpiredScreeningRuns(ctx); err != nil && ctx.Err() == nil {
				log.Warn("sweep screener runs", "err", err)
			} else if n > 0 {
				log.Info("expired screener runs removed", "count", n)
			}
		}
	}
}

// firstStart fills an empty database: the demo desk with --demo, or else
// a first organisation and its admin, whose password is printed once.
func firstStart(ctx context.Context, st *store.Store, cfg *config.Config, stdout io.Writer) error {
	empty, err := st.IsEmpty(ctx)
	if err != nil || !empty {
		return err
	}
	if cfg.Demo {
		res, err := demo.Load(ctx, st, demo.Options{Password: DemoPassword, PasswordParams: auth.DefaultPasswordParams()})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(stdout, "Demo desk loaded. Sign in at http://%s/login as %s with password %s\n", cfg.Addr, res.AdminEmail, DemoPassword)
		return nil
	}
	org := &model.Organization{Slug: "sportello", Name: "Sportello"}
	if err := st.CreateOrganization(ctx, org); err != nil {
		return err
	}
	pw := auth.GeneratePassword()
	hash, err := auth.HashPassword(pw, auth.DefaultPasswordParams())
	if err != nil {
		return err
	}
	admin := &model.User{OrgID: org.ID, Email: "admin@sportello.local", Name: "Admin", Role: model.RoleAdmin, Languages: []string{"it"}, Active: true, PasswordHash: hash}
	if err := st.CreateUser(ctx, admin); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "First start: created organisation %q and its admin.\nSign in at http://%s/login as %s with password %s\n(shown once: change it under Account after signing in)\n",
		org.Slug, cfg.Addr, admin.Email, pw)
	return nil
}
