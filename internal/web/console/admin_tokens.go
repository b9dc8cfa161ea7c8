package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

const tokensURL = "/admin/tokens"

// tokenFields are the token form's fields that show their own errors.
var tokenFields = []string{"name", "user_id"}

type tokenRow struct {
	Name, Prefix, User     string
	Created, LastUsed      string
	CreatedISO, LastUseISO string
	Revoked                string
	RevokeURL              string
}

type tokensPage struct {
	*page
	Rows   []tokenRow
	Name   string
	Users  []option
	Errors map[string]string
}

// tokensList shows the organisation's API tokens and the form for a new
// one.
func (c *Console) tokensList(w http.ResponseWriter, r *http.Request) {
	pg := c.newPage(r, tokensURL, "tokens.title")
	if r.URL.Query().Get("ok") == "revoked" {
		pg.Notice = pg.p.T("tokens.revoked_done", nil)
	}
	c.renderTokens(w, r, http.StatusOK, pg, "", 0, nil)
}

// renderTokens shows the tokens page; name and userID are the form as
// typed, errs its errors.
func (c *Console) renderTokens(w http.ResponseWriter, r *http.Request, status int, pg *page, name string, userID int64, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg.Nav = "tokens"
	p := pg.p
	tokens, err := c.desk.APITokens(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, err := c.desk.Store().Users(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n := newNames(p, users, nil)
	loc := c.orgLocation(r, a.OrgID())
	data := tokensPage{page: pg, Name: name, Errors: errs}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	if userID == 0 {
		userID = a.User.ID
	}
	for _, u := range users {
		if u.Active {
			data.Users = append(data.Users, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + " — " + roleLabel(p, u.Role), Selected: u.ID == userID})
		}
	}
	for _, t := range tokens {
		row := tokenRow{Name: t.Name, Prefix: t.Prefix + "…", User: n.user(t.UserID),
			Created: p.FormatDateTime(t.CreatedAt, loc), CreatedISO: t.CreatedAt.UTC().Format(time.RFC3339), LastUsed: p.T("tokens.never_used", nil)}
		if t.LastUsedAt != nil {
			row.LastUsed, row.LastUseISO = p.FormatDateTime(*t.LastUsedAt, loc), t.LastUsedAt.UTC().Format(time.RFC3339)
		}
		if t.RevokedAt != nil {
			row.Revoked = p.FormatDateTime(*t.RevokedAt, loc)
		} else {
			row.RevokeURL = tokensURL + "/" + strconv.FormatInt(t.ID, 10) + "/revoke"
		}
		data.Rows = append(data.Rows, row)
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "tokens", pg, data)
}

// tokenCreate makes a token and shows its secret, once.
func (c *Console) tokenCreate(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	name := r.PostForm.Get("name")
	userID, err := strconv.ParseInt(r.PostForm.Get("user_id"), 10, 64)
	if err != nil || userID <= 0 {
		pg := c.newPage(r, tokensURL, "tokens.title")
		c.renderTokens(w, r, http.StatusBadRequest, pg, name, 0, map[string]string{"user_id": pg.p.T("console.choose_from_list", nil)})
		return
	}
	secret, t, err := c.desk.IssueAPIToken(r.Context(), a, userID, name)
	if err != nil {
		if code := model.ErrorCode(err); code != model.CodeInvalid && code != model.CodeConflict {
			c.fail(w, r, err)
			return
		}
		pg := c.newPage(r, tokensURL, "tokens.title")
		c.renderTokens(w, r, web.Status(err), pg, name, userID, map[string]string{formField(err, tokenFields...): errorText(pg.p, err)})
		return
	}
	pg := c.newPage(r, tokensURL, "tokens.created_title")
	pg.Nav = "tokens"
	pg.Notice = pg.p.T("tokens.created", map[string]any{"Name": t.Name})
	c.renderSecret(w, r, http.StatusCreated, pg, secretPage{
		Heading: pg.p.T("tokens.created_title", nil), Intro: pg.p.T("tokens.secret_intro", nil),
		Label: pg.p.T("tokens.secret", nil), Secret: secret, Back: tokensURL, BackLabel: pg.p.T("tokens.back", nil),
	})
}

// tokenRevoke stops a token at once.
func (c *Console) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if _, err := c.desk.RevokeAPIToken(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, tokensURL+"?ok=revoked", http.StatusSeeOther)
}
