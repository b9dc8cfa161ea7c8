package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// slaRow is one policy as a form of its own, or the empty form to add one.
type slaRow struct {
	ID                        int64
	Action, DeleteURL         string
	Teams, Priorities         []option
	FirstResponse, Resolution string // minutes
	Warn                      string
	Summary                   string
	Prefix                    string // for the fields' ids
	CSRF                      string
	Errors                    map[string]string
}

type slaPage struct {
	*page
	Tabs []link
	Rows []slaRow
	New  slaRow
}

// slaFields are the policy form's fields that show their own errors.
var slaFields = []string{"team_id", "priority", "first_response_minutes", "resolution_minutes", "warn_percent"}

// slaSettings lists the service-level policies, each editable, and a form
// for a new one.
func (c *Console) slaSettings(w http.ResponseWriter, r *http.Request) {
	c.renderSLA(w, r, http.StatusOK, nil, 0, nil)
}

// renderSLA shows the page; failed is a policy refused with errs (failedID
// its id, -1 for a new one), shown as typed.
func (c *Console) renderSLA(w http.ResponseWriter, r *http.Request, status int, failed *store.SLAPolicy, failedID int64, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, slaURL, "sla.title")
	pg.Nav = "routing"
	p := pg.p
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = p.T("routing.saved", nil)
	case "deleted":
		pg.Notice = p.T("routing.deleted", nil)
	}
	policies, err := c.desk.SLAPolicies(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	teams, err := c.desk.Store().Teams(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n := newNames(p, nil, teams)
	row := func(pol store.SLAPolicy) slaRow {
		rw := slaRow{ID: pol.ID, Action: slaURL, FirstResponse: minutes(pol.FirstResponse), Resolution: minutes(pol.Resolution),
			Warn: strconv.Itoa(pol.WarnPercent), Prefix: "sla" + strconv.FormatInt(pol.ID, 10), CSRF: pg.CSRF, Errors: map[string]string{}}
		if pol.ID == failedID || pol.ID == 0 && failedID == -1 {
			rw.Errors = errs
		}
		if pol.ID != 0 {
			rw.Action = slaURL + "/" + strconv.FormatInt(pol.ID, 10)
			rw.DeleteURL = rw.Action + "/delete"
		}
		rw.Teams = append(rw.Teams, option{Value: "0", Label: p.T("sla.any_team", nil), Selected: pol.TeamID == 0})
		for _, t := range teams {
			rw.Teams = append(rw.Teams, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == pol.TeamID})
		}
		rw.Priorities = append(rw.Priorities, option{Value: "-1", Label: p.T("sla.any_priority", nil), Selected: pol.Priority == store.AnyPriority})
		for pr := model.PriorityLow; pr <= model.PriorityUrgent; pr++ {
			rw.Priorities = append(rw.Priorities, option{Value: strconv.Itoa(int(pr)), Label: priorityLabel(p, pr), Selected: pr == pol.Priority})
		}
		team := p.T("sla.any_team", nil)
		if pol.TeamID != 0 {
			team = n.team(pol.TeamID)
		}
		pri := p.T("sla.any_priority", nil)
		if pol.Priority != store.AnyPriority {
			pri = priorityLabel(p, pol.Priority)
		}
		rw.Summary = team + " · " + pri
		return rw
	}
	data := slaPage{page: pg, Tabs: routingTabs(p, slaURL)}
	for _, pol := range policies {
		if failed != nil && failed.ID == pol.ID {
			pol = *failed
		}
		data.Rows = append(data.Rows, row(pol))
	}
	newPol := store.SLAPolicy{Priority: store.AnyPriority, WarnPercent: 80}
	if failed != nil && failed.ID == 0 {
		newPol = *failed
	}
	data.New = row(newPol)
	if newPol.FirstResponse == 0 && failed == nil {
		data.New.FirstResponse, data.New.Resolution = "", ""
	}
	if len(errs) > 0 {
		pg.failed()
	}
	c.render(w, r, status, "sla", pg, data)
}

func minutes(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return strconv.Itoa(int(d / time.Minute))
}

// slaSave creates or changes a policy from its form.
func (c *Console) slaSave(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pol := store.SLAPolicy{}
	if id, ok := pathID(r); ok {
		pol.ID = id
	}
	f := r.PostForm
	p := c.printer(r)
	errs := map[string]string{}
	num := func(field string, dst *int64) {
		s := f.Get(field)
		if s == "" {
			*dst = 0
			return
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs[field] = p.T("sla.whole_number", nil)
			return
		}
		*dst = n
	}
	var team, pri, first, res, warn int64
	num("team_id", &team)
	num("priority", &pri)
	num("first_response_minutes", &first)
	num("resolution_minutes", &res)
	num("warn_percent", &warn)
	pol.TeamID, pol.Priority, pol.WarnPercent = team, model.Priority(pri), int(warn)
	pol.FirstResponse, pol.Resolution = time.Duration(first)*time.Minute, time.Duration(res)*time.Minute
	failedID := pol.ID
	if failedID == 0 {
		failedID = -1
	}
	if len(errs) == 0 {
		err := c.desk.SaveSLAPolicy(r.Context(), a, &pol)
		switch {
		case err == nil:
			http.Redirect(w, r, slaURL+"?ok=saved", http.StatusSeeOther)
			return
		case model.ErrorIs(err, model.CodeInvalid), model.ErrorIs(err, model.CodeConflict):
			errs[formField(err, slaFields...)] = slaError(p, err)
		default:
			c.fail(w, r, err)
			return
		}
	}
	c.renderSLA(w, r, http.StatusBadRequest, &pol, failedID, errs)
}

// slaError explains a refused policy; two for the same team and priority
// is the common mistake.
func slaError(p *locale.Printer, err error) string {
	if model.ErrorIs(err, model.CodeConflict) {
		return p.T("sla.duplicate", nil)
	}
	return errorText(p, err)
}

// slaDelete removes a policy.
func (c *Console) slaDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if err := c.desk.DeleteSLAPolicy(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, slaURL+"?ok=deleted", http.StatusSeeOther)
}
