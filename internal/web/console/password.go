package console

import (
	"net/http"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

type passwordPage struct {
	*page
	MinLength int
	Errors    map[string]string
}

const passwordURL = "/account/password"

func (c *Console) passwordForm(w http.ResponseWriter, r *http.Request) {
	pg := c.newPage(r, passwordURL, "password.title")
	pg.Nav = "password"
	if r.URL.Query().Has("done") {
		pg.Notice = pg.p.T("password.changed", nil)
	}
	c.render(w, r, http.StatusOK, "password", pg, passwordPage{page: pg, MinLength: auth.MinPasswordLen})
}

// changePassword checks the current password and sets the new one; the
// desk ends every other session of the user, and this one stays.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	current, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	pg := c.newPage(r, passwordURL, "password.title")
	pg.Nav = "password"
	errs := map[string]string{}
	status := http.StatusBadRequest
	if next != confirm {
		errs["confirm"] = pg.p.T("password.mismatch", nil)
	} else {
		token := ""
		if ck, err := r.Cookie(SessionCookie); err == nil {
			token = ck.Value
		}
		err := c.desk.ChangePassword(r.Context(), a, current, next, token)
		switch {
		case err == nil:
			http.Redirect(w, r, passwordURL+"?done=1", http.StatusSeeOther)
			return
		case model.ErrorIs(err, model.CodeInvalid):
			field := "new"
			if e, _ := model.AsError(err); e.Field == "current" {
				field = "current"
			}
			errs[field] = errorText(pg.p, err)
			status = web.Status(err)
		default:
			c.fail(w, r, err)
			return
		}
	}
	pg.failed()
	c.render(w, r, status, "password", pg, passwordPage{page: pg, MinLength: auth.MinPasswordLen, Errors: errs})
}
