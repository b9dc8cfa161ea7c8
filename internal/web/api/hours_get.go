package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// getHours answers whether the desk is open at ?at= (default now) for
// ?team= and ?channel= (ids, optional), by the calendar that applies: the
// channel's, else the team's, else the organisation's.
func (a *API) getHours(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	v, err := parseQuery(r.URL.RawQuery, "team", "channel", "at")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ids := map[string]int64{}
	for _, name := range []string{"team", "channel"} {
		if s := v.Get(name); s != "" {
			id, ok := positive(s)
			if !ok {
				a.fail(w, r, invalidNumber(name))
				return
			}
			ids[name] = id
		}
	}
	at := time.Now()
	if s := v.Get("at"); s != "" {
		if at, err = time.Parse(time.RFC3339, s); err != nil {
			a.fail(w, r, model.Invalid("at", "error.api.time", "at must be a date and time such as 2026-03-01T09:00:00+01:00",
				map[string]any{"Field": "at"}))
			return
		}
	}
	ctx := r.Context()
	if id := ids["team"]; id != 0 {
		if _, err := a.desk.Store().Team(ctx, actor.OrgID(), id); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if id := ids["channel"]; id != 0 {
		if _, err := a.desk.Store().Channel(ctx, actor.OrgID(), id); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	st, err := a.desk.HoursAt(ctx, actor.OrgID(), ids["team"], ids["channel"], at)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, st)
}
