package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// searchDirectory finds places where services are given: ?q= text,
// ?category=, ?language= spoken, ?place= (CAP, comune), ?lat=&lon= and
// ?radius_km= for distance, ?open_now=true, ?offset=&limit=. Confidential
// locations' positions only for directory:confidential.
func (a *API) searchDirectory(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	v, err := parseQuery(r.URL.RawQuery, "q", "category", "language", "place", "lat", "lon", "radius_km", "open_now", "offset", "limit")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q := store.SiteQuery{Text: v.Get("q"), Category: v.Get("category"), Language: v.Get("language"), Place: v.Get("place"), Limit: 50}
	for name, dst := range map[string]*int{"offset": &q.Offset, "limit": &q.Limit} {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 100000 || name == "limit" && (n < 1 || n > store.SearchLimit) {
				a.fail(w, r, invalidNumber(name))
				return
			}
			*dst = n
		}
	}
	if v.Get("lat") != "" || v.Get("lon") != "" {
		lat, e1 := strconv.ParseFloat(v.Get("lat"), 64)
		lon, e2 := strconv.ParseFloat(v.Get("lon"), 64)
		if e1 != nil || e2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
			a.fail(w, r, model.Invalid("lat", "directory.error.param", "lat and lon must be WGS 84 degrees", map[string]any{"Field": "lat"}))
			return
		}
		q.Near = &store.Point{Lat: lat, Lon: lon}
		q.Place = ""
		if s := v.Get("radius_km"); s != "" {
			if q.RadiusKM, err = strconv.ParseFloat(s, 64); err != nil || q.RadiusKM <= 0 {
				a.fail(w, r, invalidNumber("radius_km"))
				return
			}
		}
	}
	if v.Get("open_now") == "true" {
		q.OpenAt = time.Now()
	}
	sites, total, err := a.desk.SearchSites(r.Context(), actor, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]siteJSON, 0, len(sites))
	for _, s := range sites {
		items = append(items, siteOf(s, q.Near != nil))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "items": items})
}

// getServiceCard answers a service as the operator reads it, in ?lang=.
func (a *API) getServiceCard(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	card, err := a.desk.OperatorServiceCard(r.Context(), actor, r.PathValue("id"), a.printer(r).Lang())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, card)
}
