package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

const teamsURL = "/admin/teams"

func teamURL(id int64) string { return teamsURL + "/" + strconv.FormatInt(id, 10) }

// teamFields are the team form's fields that show their own errors.
var teamFields = []string{"name", "member_ids"}

type teamRow struct {
	Name, Members string
	EditURL       string
}

type teamsPage struct {
	*page
	Rows []teamRow
}

// teamsList shows the organisation's teams with their members.
func (c *Console) teamsList(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, teamsURL, "teams.title")
	pg.Nav = "teams"
	p := pg.p
	if r.URL.Query().Get("ok") == "saved" {
		pg.Notice = p.T("teams.saved", nil)
	}
	n, err := c.names(r, a.OrgID(), p)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	teams, err := c.desk.Store().Teams(r.Context(), a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := teamsPage{page: pg}
	for _, t := range teams {
		members := make([]string, 0, len(t.MemberIDs))
		for _, id := range t.MemberIDs {
			members = append(members, n.user(id))
		}
		data.Rows = append(data.Rows, teamRow{Name: t.Name, Members: strings.Join(members, ", "), EditURL: teamURL(t.ID)})
	}
	c.render(w, r, http.StatusOK, "teams", pg, data)
}

type teamFormPage struct {
	*page
	Action  string
	New     bool
	Name    string
	Members []option
	Errors  map[string]string
}

// teamNew shows the form for a new team.
func (c *Console) teamNew(w http.ResponseWriter, r *http.Request) {
	c.renderTeamForm(w, r, http.StatusOK, &model.Team{}, nil)
}

// teamEdit shows a team's form.
func (c *Console) teamEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	t, err := c.desk.Store().Team(r.Context(), web.ActorFrom(r).OrgID(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderTeamForm(w, r, http.StatusOK, t, nil)
}

// renderTeamForm shows the form of t (ID 0: a new one): its name and a
// box for each person, members ticked.
func (c *Console) renderTeamForm(w http.ResponseWriter, r *http.Request, status int, t *model.Team, errs map[string]string) {
	a := web.ActorFrom(r)
	self, titleKey := teamsURL+"/new", "teams.new_title"
	if t.ID != 0 {
		self, titleKey = teamURL(t.ID), "teams.edit_title"
	}
	pg := c.newPage(r, self, titleKey)
	pg.Nav = "teams"
	data := teamFormPage{page: pg, Action: teamsURL, New: t.ID == 0, Name: t.Name, Errors: errs}
	if t.ID != 0 {
		data.Action = teamURL(t.ID)
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	users, err := c.desk.Store().Users(r.Context(), a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	member := map[int64]bool{}
	for _, id := range t.MemberIDs {
		member[id] = true
	}
	for _, u := range users {
		if !u.Active && !member[u.ID] {
			continue
		}
		label := u.Name + " — " + roleLabel(pg.p, u.Role)
		if !u.Active {
			label += " (" + pg.p.T("users.inactive", nil) + ")"
		}
		data.Members = append(data.Members, option{Value: strconv.FormatInt(u.ID, 10), Label: label, Selected: member[u.ID]})
	}
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "team_form", pg, data)
}

// readTeamForm reads the name and the ticked members.
func readTeamForm(r *http.Request) (string, []int64, bool) {
	var ids []int64
	for _, s := range r.PostForm["member_ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return "", nil, false
		}
		ids = append(ids, id)
	}
	return r.PostForm.Get("name"), ids, true
}

// teamCreate adds a team from the form.
func (c *Console) teamCreate(w http.ResponseWriter, r *http.Request) {
	name, ids, ok := readTeamForm(r)
	t := &model.Team{Name: name, MemberIDs: ids}
	if !ok {
		c.renderTeamForm(w, r, http.StatusBadRequest, t, map[string]string{"member_ids": c.printer(r).T("console.choose_from_list", nil)})
		return
	}
	if _, err := c.desk.CreateTeam(r.Context(), web.ActorFrom(r), name, "", ids); err != nil {
		c.teamFormError(w, r, t, err)
		return
	}
	http.Redirect(w, r, teamsURL+"?ok=saved", http.StatusSeeOther)
}

// teamUpdate renames a team and sets its members from the form.
func (c *Console) teamUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	t, err := c.desk.Store().Team(r.Context(), a.OrgID(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	name, ids, ok := readTeamForm(r)
	t.Name, t.MemberIDs = name, ids
	if !ok {
		c.renderTeamForm(w, r, http.StatusBadRequest, t, map[string]string{"member_ids": c.printer(r).T("console.choose_from_list", nil)})
		return
	}
	if ids == nil {
		ids = []int64{}
	}
	if _, err := c.desk.UpdateTeam(r.Context(), a, id, desk.TeamChange{Name: &name, MemberIDs: &ids}); err != nil {
		c.teamFormError(w, r, t, err)
		return
	}
	http.Redirect(w, r, teamsURL+"?ok=saved", http.StatusSeeOther)
}

func (c *Console) teamFormError(w http.ResponseWriter, r *http.Request, t *model.Team, err error) {
	switch model.ErrorCode(err) {
	case model.CodeInvalid, model.CodeConflict:
		c.renderTeamForm(w, r, web.Status(err), t, map[string]string{formField(err, teamFields...): errorText(c.printer(r), err)})
	default:
		c.fail(w, r, err)
	}
}
