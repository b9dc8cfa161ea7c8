package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// maxAuditLimit is the largest page of the audit log.
const maxAuditLimit = 500

// auditPage is a page of the audit log. NextBefore is the before= of the
// next (older) page, null on the last one.
type auditPage struct {
	Items      []*model.AuditEntry `json:"items"`
	NextBefore *int64              `json:"next_before"`
}

// listAudit answers the organisation's audit log, newest first.
func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	f, err := parseAuditFilter(r.URL.RawQuery)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n := f.Limit
	f.Limit++ // one more tells whether there is a next page
	items, err := a.desk.AuditLog(r.Context(), actor, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := auditPage{Items: items}
	if len(items) > n {
		out.Items = items[:n]
		next := items[n-1].ID
		out.NextBefore = &next
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// parseAuditFilter reads limit, before and action of GET /api/v1/audit.
func parseAuditFilter(raw string) (store.AuditFilter, error) {
	var f store.AuditFilter
	v, err := parseQuery(raw, "limit", "before", "action")
	if err != nil {
		return f, err
	}
	if f.Limit, err = limit(v.Get("limit"), defaultLimit, maxAuditLimit); err != nil {
		return f, err
	}
	if s := v.Get("before"); s != "" {
		id, ok := positive(s)
		if !ok {
			return f, invalidNumber("before")
		}
		f.BeforeID = id
	}
	if s := v.Get("action"); s != "" {
		if err := checkText("action", s, 100); err != nil {
			return f, err
		}
		f.Action = s
	}
	return f, nil
}
