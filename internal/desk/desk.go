package desk

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
)

// Service is the desk's use cases. It is safe for concurrent use.
type Service struct {
	st         *store.Store
	hub        *realtime.Hub
	pub        Publisher
	log        *slog.Logger
	now        func() time.Time
	pwParams   auth.PasswordParams
	dummyHash  func() string // verified when no user matches, so timing does not tell
	byEmail    *auth.Limiter // failed logins per e-mail
	byIP       *auth.Limiter // failed logins per client address
	hashSlots  chan struct{} // bounds concurrent argon2id work (64 MiB each)
	sessionTTL time.Duration
	screen     *screener // the benefit screeners (screening.go)
	routes     *router   // routing, opening hours, SLAs, translation (routing.go)

	// Channels (channels.go) and the job queue (jobs.go).
	files      *files.Store
	baseURL    string
	httpClient *http.Client
	senders    senders
	jobKick    chan struct{}
	shared     *sharedPresence // operators' presence across instances (presence_shared.go)
	traffic    struct {
		sync.Mutex
		m map[int64]time.Time // channels' latest inbound, not yet written
	}
	mail mailLimits // e-mail senders' messages this hour (email.go)
}

// Options tune a Service.
type Options struct {
	Now            func() time.Time
	PasswordParams auth.PasswordParams // zero: auth.DefaultPasswordParams
	SessionTTL     time.Duration       // zero: 12 hours
	Hub            *realtime.Hub       // live events; nil: a private hub nobody listens to
	Publisher      Publisher           // where events go; nil: the hub (one instance)
	// Bundle speaks to citizens in the screener's chat flow; nil: the
	// catalogs are loaded when first needed.
	Bundle *locale.Bundle
	// HTTPClient reaches the organisations' translation services; nil: a
	// client with a 15-second timeout.
	HTTPClient *http.Client
	// Files keeps attachments: media fetched from providers, files sent
	// with replies. Nil: channels neither fetch nor send files.
	Files *files.Store
	// BaseURL is the desk's public URL, for the webhook addresses
	// providers are given. Empty: http://localhost:8080.
	BaseURL string
	// SharedPresence writes operators' presence to the database and reads
	// the other instances': for several instances on one PostgreSQL.
	SharedPresence bool
}

// Publisher sends an event to the live connections: the hub itself, or a
// relay that also reaches the other app instances.
type Publisher interface {
	Publish(topic string, ev realtime.Event)
}

// New builds the desk over st.
func New(st *store.Store, log *slog.Logger, opt Options) (*Service, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.PasswordParams == (auth.PasswordParams{}) {
		opt.PasswordParams = auth.DefaultPasswordParams()
	}
	if opt.SessionTTL == 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	if err := opt.PasswordParams.Validate(); err != nil {
		return nil, err
	}
	// Made at the first unknown e-mail, not at start: hashing costs tens
	// of milliseconds and start-up should not.
	dummy := sync.OnceValue(func() string {
		h, _ := auth.HashPassword("not a real password, only for timing", opt.PasswordParams)
		return h
	})
	if opt.Hub == nil {
		opt.Hub = realtime.NewHub(0)
	}
	if opt.Publisher == nil {
		opt.Publisher = opt.Hub
	}
	return &Service{
		st: st, hub: opt.Hub, pub: opt.Publisher, log: log, now: opt.Now, pwParams: opt.PasswordParams, dummyHash: dummy,
		byEmail:    auth.NewLimiter(auth.LimiterConfig{MaxFailures: 5, Window: 15 * time.Minute}, opt.Now),
		byIP:       auth.NewLimiter(auth.LimiterConfig{MaxFailures: 20, Window: 15 * time.Minute}, opt.Now),
		hashSlots:  make(chan struct{}, 2),
		sessionTTL: opt.SessionTTL,
		screen:     newScreener(opt.Bundle),
		routes:     newRouter(opt),
		files:      opt.Files,
		baseURL:    strings.TrimRight(cmp.Or(opt.BaseURL, "http://localhost:8080"), "/"),
		httpClient: cmp.Or(opt.HTTPClient, &http.Client{Timeout: 30 * time.Second}),
		jobKick:    make(chan struct{}, 1),
		shared:     newSharedPresence(opt.SharedPresence),
	}, nil
}

// Hub is where the desk publishes live events.
func (d *Service) Hub() *realtime.Hub { return d.hub }

// Store gives handlers read access to the store.
func (d *Service) Store() *store.Store { return d.st }

// PasswordParams are the argon2id parameters new hashes use.
func (d *Service) PasswordParams() auth.PasswordParams { return d.pwParams }

// HashPassword validates and hashes a new password.
func (d *Service) HashPassword(pw string) (string, error) {
	if err := auth.ValidatePassword(pw); err != nil {
		return "", err
	}
	return auth.HashPassword(pw, d.pwParams)
}

// RateLimitError says how long to wait before trying again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string { return "too many attempts" }

// ErrBadCredentials is what a failed login reports, whatever failed.
var ErrBadCredentials = &model.Error{Code: model.CodeUnauthorized, Key: "login.invalid", Message: "wrong e-mail or password"}

// Authenticate checks an e-mail and password. It is rate limited per
// e-mail and per client address, audits successes and failures, and takes
// the same time whether or not the e-mail exists.
func (d *Service) Authenticate(ctx context.Context, email, password, ip string) (*model.User, error) {
	emailKey, ipKey := "email:"+email, "ip:"+ip
	if ok, wait := d.byEmail.Allow(emailKey); !ok {
		return nil, &RateLimitError{RetryAfter: wait}
	}
	if ok, wait := d.byIP.Allow(ipKey); !ok {
		return nil, &RateLimitError{RetryAfter: wait}
	}
	users, err := d.st.UsersByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	d.hashSlots <- struct{}{}
	defer func() { <-d.hashSlots }()
	if len(users) == 0 {
		_, _, _ = auth.VerifyPassword(password, d.dummyHash())
		d.byEmail.Fail(emailKey)
		d.byIP.Fail(ipKey)
		return nil, ErrBadCredentials
	}
	for _, u := range users {
		ok, rehash, err := d.pwParams.Verify(password, u.PasswordHash)
		if err != nil || !ok {
			continue
		}
		d.byEmail.Reset(emailKey)
		if rehash {
			if h, err := auth.HashPassword(password, d.pwParams); err == nil {
				_ = d.st.SetPassword(ctx, u.OrgID, u.ID, h, "\x00keep-all")
			}
		}
		d.audit(ctx, u.OrgID, u.ID, "login", "user", u.ID, "", ip)
		return u, nil
	}
	d.byEmail.Fail(emailKey)
	d.byIP.Fail(ipKey)
	for _, u := range users {
		d.audit(ctx, u.OrgID, 0, "login_failed", "user", u.ID, "", ip)
	}
	return nil, ErrBadCredentials
}

// SweepLimiters forgets expired login failures; the server calls it
// periodically.
func (d *Service) SweepLimiters() {
	d.byEmail.Sweep()
	d.byIP.Sweep()
}

// StartSession creates a browser session for u and returns the secret for
// the cookie.
func (d *Service) StartSession(ctx context.Context, u *model.User, ip, userAgent string) (string, *model.Session, error) {
	token, hash, err := auth.NewToken("")
	if err != nil {
		return "", nil, err
	}
	csrf, _, err := auth.NewToken("")
	if err != nil {
		return "", nil, err
	}
	now := d.now().UTC()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	se := &model.Session{Hash: hash, UserID: u.ID, OrgID: u.OrgID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(d.sessionTTL), IP: ip, UserAgent: userAgent}
	if err := d.st.CreateSession(ctx, se); err != nil {
		return "", nil, err
	}
	return token, se, nil
}

// SessionActor resolves a session cookie's secret to its actor.
func (d *Service) SessionActor(ctx context.Context, token, ip string) (*Actor, *model.Session, error) {
	if token == "" {
		return nil, nil, ErrUnauthenticated
	}
	se, u, err := d.st.Session(ctx, auth.HashToken(token))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil, ErrUnauthenticated
		}
		return nil, nil, err
	}
	// Sliding expiry: a session in use is extended, so a shift is never
	// cut short; an idle one ends after the TTL.
	now := d.now()
	if !se.ExpiresAt.After(now) {
		return nil, nil, ErrUnauthenticated
	}
	if se.ExpiresAt.Sub(now) < d.sessionTTL/2 {
		se.ExpiresAt = now.Add(d.sessionTTL)
		if err := d.st.ExtendSession(ctx, se.Hash, se.ExpiresAt); err != nil {
			d.log.Warn("extend session", "err", err)
		}
	}
	a, err := d.actor(ctx, u, "session", ip)
	return a, se, err
}

// EndSession logs a session out.
func (d *Service) EndSession(ctx context.Context, a *Actor, token string) error {
	d.audit(ctx, a.OrgID(), a.User.ID, "logout", "user", a.User.ID, "", a.IP)
	return d.st.DeleteSession(ctx, auth.HashToken(token))
}

// ErrUnauthenticated means no valid session or token came with the request.
var ErrUnauthenticated = &model.Error{Code: model.CodeUnauthorized, Key: "error.unauthorized", Message: "sign in or send a valid API token"}

// TokenActor resolves an API token to its actor. Checking costs one
// SHA-256 and one indexed lookup.
func (d *Service) TokenActor(ctx context.Context, token, ip string) (*Actor, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	t, u, err := d.st.APITokenByHash(ctx, auth.HashToken(token))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		return nil, err
	}
	if err := d.st.TouchAPIToken(ctx, t.ID, d.now()); err != nil {
		d.log.Warn("touch api token", "err", err)
	}
	return d.actor(ctx, u, "token", ip)
}

func (d *Service) actor(ctx context.Context, u *model.User, via, ip string) (*Actor, error) {
	teams, err := d.st.TeamsOf(ctx, u.OrgID, u.ID)
	if err != nil {
		return nil, err
	}
	return &Actor{User: u, TeamIDs: teams, Via: via, IP: ip}, nil
}

// ChangePassword replaces the actor's password after checking the current
// one, and ends their other sessions.
func (d *Service) ChangePassword(ctx context.Context, a *Actor, current, next, keepSessionToken string) error {
	u, err := d.st.User(ctx, a.OrgID(), a.User.ID)
	if err != nil {
		return err
	}
	if ok, _, err := auth.VerifyPassword(current, u.PasswordHash); err != nil || !ok {
		return &model.Error{Code: model.CodeInvalid, Key: "password.current_invalid", Field: "current", Message: "the current password is wrong"}
	}
	h, err := d.HashPassword(next)
	if err != nil {
		return err
	}
	if err := d.st.SetPassword(ctx, a.OrgID(), a.User.ID, h, auth.HashToken(keepSessionToken)); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "password_change", "user", a.User.ID, "", a.IP)
	return nil
}

// CreateAPIToken issues a token for a user and returns the secret, shown
// once. actorID is 0 when the command line does it.
func (d *Service) CreateAPIToken(ctx context.Context, orgID, userID, actorID int64, name string) (string, *model.APIToken, error) {
	return d.issueToken(ctx, orgID, userID, actorID, name, "")
}

// audit records a security-relevant action; a failure to audit is logged,
// never hidden, but does not undo the action.
func (d *Service) audit(ctx context.Context, orgID, actorID int64, action, targetType string, targetID int64, detail, ip string) {
	e := &model.AuditEntry{OrgID: orgID, ActorID: actorID, Action: action, TargetType: targetType, TargetID: targetID, Detail: detail, IP: ip}
	if err := d.st.Audit(ctx, e); err != nil {
		d.log.Error("audit", "action", action, "org", orgID, "err", err)
	}
}

// Audit records an action the actor took at an edge (an export, say).
func (d *Service) Audit(ctx context.Context, a *Actor, action, targetType string, targetID int64, detail string) {
	d.audit(ctx, a.OrgID(), a.User.ID, action, targetType, targetID, detail, a.IP)
}

// AuditSystem records an action of the command line or the system.
func (d *Service) AuditSystem(ctx context.Context, orgID int64, action, targetType string, targetID int64, detail string) {
	d.audit(ctx, orgID, 0, action, targetType, targetID, detail, "")
}
