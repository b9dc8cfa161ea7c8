package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

const usersURL = "/admin/users"

func userURL(id int64) string { return usersURL + "/" + strconv.FormatInt(id, 10) }

// userFields are the user form's fields that show their own errors.
var userFields = []string{"email", "name", "role", "languages", "max_chats"}

type userRow struct {
	Name, Email, Role, Languages string
	Active                       bool
	MaxChats                     int
	EditURL                      string
	Self                         bool
}

type usersPage struct {
	*page
	Rows      []userRow
	CanManage bool
}

// usersList shows the organisation's people; those who manage them get
// links to add and edit.
func (c *Console) usersList(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, usersURL, "users.title")
	pg.Nav = "users"
	p := pg.p
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = p.T("users.saved", nil)
	}
	users, err := c.desk.Users(r.Context(), a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := usersPage{page: pg, CanManage: a.Can(model.PermUsersManage)}
	for _, u := range users {
		row := userRow{Name: u.Name, Email: u.Email, Role: roleLabel(p, u.Role), Active: u.Active, MaxChats: u.MaxChats, Self: u.ID == a.User.ID}
		var langs []string
		for _, l := range u.Languages {
			langs = append(langs, c.languageName(l))
		}
		row.Languages = strings.Join(langs, ", ")
		if data.CanManage {
			row.EditURL = userURL(u.ID)
		}
		data.Rows = append(data.Rows, row)
	}
	c.render(w, r, http.StatusOK, "users", pg, data)
}

type userFormPage struct {
	*page
	Action      string
	PasswordURL string // editing: the reset form's target
	New         bool
	Email, Name string
	Languages   string
	MaxChats    string
	Active      bool
	Self        bool
	Roles       []option
	Errors      map[string]string
}

// userForm is what the form shows: a user as stored, or as typed.
type userForm struct {
	email, name, languages, maxChats string
	role                             model.Role
	active                           bool
}

func formOf(u *model.User) userForm {
	return userForm{email: u.Email, name: u.Name, role: u.Role, active: u.Active,
		languages: strings.Join(u.Languages, ", "), maxChats: strconv.Itoa(u.MaxChats)}
}

// userNew shows the form for a new user.
func (c *Console) userNew(w http.ResponseWriter, r *http.Request) {
	c.renderUserForm(w, r, http.StatusOK, 0, userForm{role: model.RoleOperator, active: true, maxChats: "0"}, nil)
}

// userEdit shows a user's form.
func (c *Console) userEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	u, err := c.desk.User(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderUserForm(w, r, http.StatusOK, id, formOf(u), nil)
}

// renderUserForm shows the form of user id (0: a new one) with errs by
// their fields.
func (c *Console) renderUserForm(w http.ResponseWriter, r *http.Request, status int, id int64, f userForm, errs map[string]string) {
	self, titleKey := usersURL+"/new", "users.new_title"
	if id != 0 {
		self, titleKey = userURL(id), "users.edit_title"
	}
	pg := c.newPage(r, self, titleKey)
	pg.Nav = "users"
	data := userFormPage{page: pg, Action: usersURL, New: id == 0, Email: f.email, Name: f.name, Languages: f.languages,
		MaxChats: f.maxChats, Active: f.active, Roles: roleOptions(pg.p, f.role), Errors: errs}
	if id != 0 {
		data.Action, data.PasswordURL = userURL(id), userURL(id)+"/password"
		data.Self = id == pg.Actor.User.ID
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "user_form", pg, data)
}

// readUserForm reads the posted form; a chat limit that is not a number
// is reported by its field.
func readUserForm(r *http.Request, p *locale.Printer) (userForm, map[string]string) {
	pf := r.PostForm
	f := userForm{email: pf.Get("email"), name: pf.Get("name"), role: model.Role(pf.Get("role")),
		languages: pf.Get("languages"), maxChats: pf.Get("max_chats"), active: pf.Get("active") == "1"}
	if _, ok := formInt(f.maxChats); !ok {
		return f, map[string]string{"max_chats": p.T("users.max_chats_invalid", nil)}
	}
	return f, nil
}

// userCreate adds a user and shows their generated password, once.
func (c *Console) userCreate(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	p := c.printer(r)
	f, errs := readUserForm(r, p)
	f.active = true
	if errs != nil {
		c.renderUserForm(w, r, http.StatusBadRequest, 0, f, errs)
		return
	}
	maxChats, _ := formInt(f.maxChats)
	u, password, err := c.desk.CreateUser(r.Context(), a, desk.NewUser{Email: f.email, Name: f.name, Role: f.role,
		Languages: splitLanguages(f.languages), MaxChats: maxChats})
	if err != nil {
		c.userFormError(w, r, 0, f, err)
		return
	}
	pg := c.newPage(r, usersURL, "users.created_title")
	pg.Nav = "users"
	pg.Notice = pg.p.T("users.created", map[string]any{"Name": u.Name})
	c.renderSecret(w, r, http.StatusCreated, pg, secretPage{
		Heading: pg.p.T("users.created_title", nil), Intro: pg.p.T("users.password_intro", map[string]any{"Name": u.Name, "Value": u.Email}),
		Label: pg.p.T("users.password", nil), Secret: password, Back: usersURL, BackLabel: pg.p.T("users.back", nil),
	})
}

// userUpdate saves a user's form. Demoting or deactivating the last
// active administrator comes back with the form and the reason.
func (c *Console) userUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	p := c.printer(r)
	u, err := c.desk.User(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f, errs := readUserForm(r, p)
	f.email = u.Email
	if errs != nil {
		c.renderUserForm(w, r, http.StatusBadRequest, id, f, errs)
		return
	}
	maxChats, _ := formInt(f.maxChats)
	langs := splitLanguages(f.languages)
	_, err = c.desk.UpdateUser(r.Context(), a, id, desk.UserChange{Name: &f.name, Role: &f.role, Languages: &langs, Active: &f.active, MaxChats: &maxChats})
	if err != nil {
		c.userFormError(w, r, id, f, err)
		return
	}
	http.Redirect(w, r, usersURL+"?ok=saved", http.StatusSeeOther)
}

// userFormError shows a refused form again, or the error page for a
// failure that is not the form's.
func (c *Console) userFormError(w http.ResponseWriter, r *http.Request, id int64, f userForm, err error) {
	switch model.ErrorCode(err) {
	case model.CodeInvalid, model.CodeConflict:
		c.renderUserForm(w, r, web.Status(err), id, f, map[string]string{formField(err, userFields...): errorText(c.printer(r), err)})
	default:
		c.fail(w, r, err)
	}
}

// userResetPassword gives a user a new generated password and shows it,
// once; their sessions end.
func (c *Console) userResetPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	u, err := c.desk.User(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	password, err := c.desk.ResetPassword(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pg := c.newPage(r, userURL(id), "users.reset_title")
	pg.Nav = "users"
	pg.Notice = pg.p.T("users.reset_done", map[string]any{"Name": u.Name})
	c.renderSecret(w, r, http.StatusOK, pg, secretPage{
		Heading: pg.p.T("users.reset_title", nil), Intro: pg.p.T("users.password_intro", map[string]any{"Name": u.Name, "Value": u.Email}),
		Label: pg.p.T("users.password", nil), Secret: password, Back: usersURL, BackLabel: pg.p.T("users.back", nil),
	})
}
