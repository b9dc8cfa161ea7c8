package console

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

type loginPage struct {
	*page
	Email string
	Next  string
}

// loginForm shows the sign-in form, or sends a signed-in user on.
func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, _, err := c.session(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	pg := c.newPage(r, loginURL(next), "login.title")
	if r.URL.Query().Has("out") {
		pg.Notice = pg.p.T("login.logged_out", nil)
	}
	c.render(w, r, http.StatusOK, "login", pg, loginPage{page: pg, Next: next})
}

// login checks the e-mail and password and starts a session. Whatever
// failed, the message is the same; too many failures are refused for a
// while by the desk.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	ip := web.ClientIP(r)

	u, err := c.desk.Authenticate(r.Context(), email, password, ip)
	if err != nil {
		pg := c.newPage(r, loginURL(next), "login.title")
		status := http.StatusUnauthorized
		var rl *desk.RateLimitError
		switch {
		case errors.As(err, &rl):
			status = http.StatusTooManyRequests
			mins := max(1, int(math.Ceil(rl.RetryAfter.Minutes())))
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(rl.RetryAfter.Seconds()))))
			pg.Alert = pg.p.N("login.too_many_attempts", mins, nil)
		case model.ErrorIs(err, model.CodeUnauthorized):
			pg.Alert = pg.p.T("login.invalid", nil)
		default:
			c.fail(w, r, err)
			return
		}
		pg.failed()
		c.render(w, r, status, "login", pg, loginPage{page: pg, Email: email, Next: next})
		return
	}
	token, se, err := c.desk.StartSession(r.Context(), u, ip, r.UserAgent())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.setSessionCookie(w, r, token, se.ExpiresAt)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session and forgets the cookie.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err := c.desk.EndSession(r.Context(), web.ActorFrom(r), ck.Value); err != nil {
		c.fail(w, r, err)
		return
	}
	c.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// loginURL is the login page's address for a checked next.
func loginURL(next string) string {
	if next == "/inbox" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}
