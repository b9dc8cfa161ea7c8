package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// SessionCookie holds the session's secret; the store keeps only its hash.
const SessionCookie = "sportello_session"

// maxForm bounds a form body: a reply is at most 20,000 characters.
const maxForm = 256 << 10

var (
	errCSRF     = &model.Error{Code: model.CodeForbidden, Key: "error.csrf", Message: "missing or wrong CSRF field"}
	errTooLarge = &model.Error{Code: model.CodeTooLarge, Key: "error.too_large", Message: "form too large"}
	errBadForm  = &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "malformed form"}
)

// guard applies a route's access: it resolves the session, checks the
// permission and, on state-changing requests, the CSRF field. The app's
// cross-origin middleware already refuses cross-site posts; the field is
// a second lock.
func (c *Console) guard(acc access, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.NoteRoute(r)
		c.rememberLanguage(w, r)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					c.fail(w, r, errTooLarge)
				} else {
					c.fail(w, r, errBadForm)
				}
				return
			}
		}
		if !acc.session {
			h(w, r)
			return
		}
		a, se, err := c.session(r)
		if err != nil {
			if model.ErrorIs(err, model.CodeUnauthorized) {
				c.toLogin(w, r)
				return
			}
			c.fail(w, r, err)
			return
		}
		r = web.WithActor(r, a, se)
		if len(acc.perms) > 0 && !slices.ContainsFunc(acc.perms, a.Can) {
			c.fail(w, r, desk.Forbidden())
			return
		}
		if r.Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(se.CSRF)) != 1 {
			c.fail(w, r, errCSRF)
			return
		}
		h(w, r)
	})
}

// session resolves the session cookie.
func (c *Console) session(r *http.Request) (*desk.Actor, *model.Session, error) {
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, nil, desk.ErrUnauthenticated
	}
	return c.desk.SessionActor(r.Context(), ck.Value, web.ClientIP(r))
}

// toLogin sends a visitor without a valid session to the login page, with
// the page they wanted as next. A script polling the timeline, or the
// live connection, gets a bare 401 instead and stops.
func (c *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(SessionCookie); err == nil {
		c.clearSessionCookie(w, r) // expired or revoked
	}
	if r.URL.Query().Has("after_seq") || r.URL.Path == livePath {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	target := "/login"
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (c *Console) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: web.IsHTTPS(r),
	})
}

func (c *Console) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: web.IsHTTPS(r),
	})
}

// rememberLanguage keeps a language picked with ?lang= for the next pages.
func (c *Console) rememberLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang == "" || !c.bundle.Supported(lang) {
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

// safeNext returns next when it is a path on this site, else the inbox:
// "//evil.example", "https://evil.example" and "/\evil.example" would
// all leave it.
func safeNext(next string) string {
	const fallback = "/inbox"
	if next == "" || next[0] != '/' || len(next) > 2000 {
		return fallback
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return fallback
	}
	if strings.ContainsAny(next, "\\\r\n\t\x00") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	if u.Path == "/login" {
		return fallback
	}
	return next
}

// home sends the visitor to the inbox, or to the login page.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	_, _, err := c.session(r)
	switch {
	case err == nil:
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	case model.ErrorIs(err, model.CodeUnauthorized):
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	default:
		c.fail(w, r, err)
	}
}
