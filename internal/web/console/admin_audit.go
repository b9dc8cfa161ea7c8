package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

const auditURL = "/admin/audit"

// auditPageSize is how many entries a page of the audit log shows.
const auditPageSize = 50

// auditActions are the actions the filter offers, in the order of the
// list. Entries of other actions still show; ?action= takes any.
var auditActions = []string{
	"login", "login_failed", "logout", "password_change", "password_reset",
	"user_create", "user_update", "role_change", "user_activate", "user_deactivate",
	"team_create", "team_update", "token_create", "token_revoke",
	"contact_merge", "restricted_open", "restricted_change", "assign_over_limit",
	"canned_create", "canned_update", "canned_delete",
}

type auditRow struct {
	When, ISO    string
	Actor        string
	Action, Code string
	Target       string
	TargetURL    string
	Detail, IP   string
}

type auditPage struct {
	*page
	Rows                []auditRow
	Actions             []option
	Action              string
	OlderURL, NewestURL string
}

// auditLog shows the organisation's audit log, newest first, a page at a
// time, optionally only one action.
func (c *Console) auditLog(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	q := r.URL.Query()
	f := store.AuditFilter{Action: q.Get("action"), Limit: auditPageSize + 1}
	if s := q.Get("before"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			c.fail(w, r, model.Invalid("before", "error.cursor.invalid", "malformed cursor", nil))
			return
		}
		f.BeforeID = id
	}
	pg := c.newPage(r, selfURL(r), "audit.title")
	pg.Nav = "audit"
	p := pg.p
	entries, err := c.desk.AuditLog(ctx, a, f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n, err := c.names(r, a.OrgID(), p)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	loc := c.orgLocation(r, a.OrgID())
	data := auditPage{page: pg, Action: f.Action}
	data.Actions = append(data.Actions, option{Value: "", Label: p.T("audit.all_actions", nil), Selected: f.Action == ""})
	actions := auditActions
	if f.Action != "" && !slices.Contains(actions, f.Action) {
		actions = append(slices.Clone(actions), f.Action)
	}
	for _, act := range actions {
		data.Actions = append(data.Actions, option{Value: act, Label: auditActionLabel(pg.p, act), Selected: act == f.Action})
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		data.OlderURL = auditPageURL(f.Action, entries[len(entries)-1].ID)
	}
	if f.BeforeID != 0 {
		data.NewestURL = auditPageURL(f.Action, 0)
	}
	for _, e := range entries {
		row := auditRow{When: p.FormatDateTime(e.CreatedAt, loc), ISO: e.CreatedAt.UTC().Format(time.RFC3339), Actor: n.user(e.ActorID),
			Action: auditActionLabel(p, e.Action), Code: e.Action, Detail: e.Detail, IP: e.IP}
		row.Target, row.TargetURL = auditTarget(p, n, e)
		data.Rows = append(data.Rows, row)
	}
	c.render(w, r, http.StatusOK, "audit", pg, data)
}

func auditPageURL(action string, before int64) string {
	v := url.Values{}
	if action != "" {
		v.Set("action", action)
	}
	if before != 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return auditURL
	}
	return auditURL + "?" + v.Encode()
}

func auditActionLabel(p *locale.Printer, action string) string {
	return labelOr(p, "audit.action_"+action, action)
}

// auditTarget names what an entry is about, with a link when there is a
// page for it.
func auditTarget(p *locale.Printer, n names, e *model.AuditEntry) (string, string) {
	if e.TargetID == 0 {
		return "", ""
	}
	id := strconv.FormatInt(e.TargetID, 10)
	switch e.TargetType {
	case "user":
		return n.user(e.TargetID), ""
	case "team":
		return n.team(e.TargetID), teamURL(e.TargetID)
	case "contact":
		return p.T("audit.target_contact", map[string]any{"Value": id}), contactURL(e.TargetID)
	case "conversation":
		return p.T("audit.target_conversation", map[string]any{"Value": id}), conversationURL(e.TargetID)
	case "api_token":
		return p.T("audit.target_token", map[string]any{"Value": id}), ""
	}
	return e.TargetType + " #" + id, ""
}
