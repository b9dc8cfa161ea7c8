// Package hsds serves an organisation's directory of services as Open
// Referral's HSDS 3.0 API, under /hsds/{org}/: the required endpoints
// (the root, /services with search, paging, modified_after and
// format=ndjson, /services/{id} fully nested) and the optional read-only
// ones for organisations, service at locations, taxonomies and taxonomy
// terms. Anyone may read it; confidential locations come without address,
// position or transport unless the request carries an API token whose
// user may see them (directory:confidential).
package hsds

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// API serves the HSDS endpoints.
type API struct {
	desk   *desk.Service
	bundle *locale.Bundle
	log    *slog.Logger
}

// New returns the HSDS API.
func New(d *desk.Service, b *locale.Bundle, log *slog.Logger) *API {
	return &API{desk: d, bundle: b, log: log}
}

// Routes registers the HSDS API. Every route: anyone, for a known
// organisation; an API token of that organisation, when given, must be
// valid and lifts the confidentiality filter if its user holds
// directory:confidential.
func (a *API) Routes(mux *http.ServeMux) {
	for _, rt := range []struct {
		pattern string
		h       func(http.ResponseWriter, *http.Request, *reader)
	}{
		{"GET /hsds/{org}/{$}", a.root},
		{"GET /hsds/{org}/services", a.services},
		{"GET /hsds/{org}/services/{id}", a.one("service")},
		{"GET /hsds/{org}/organizations", a.list("organization")},
		{"GET /hsds/{org}/organizations/{id}", a.one("organization")},
		{"GET /hsds/{org}/service_at_locations", a.list("service_at_location")},
		{"GET /hsds/{org}/service_at_locations/{id}", a.one("service_at_location")},
		{"GET /hsds/{org}/taxonomies", a.list("taxonomy")},
		{"GET /hsds/{org}/taxonomies/{id}", a.one("taxonomy")},
		{"GET /hsds/{org}/taxonomy_terms", a.list("taxonomy_term")},
		{"GET /hsds/{org}/taxonomy_terms/{id}", a.one("taxonomy_term")},
	} {
		mux.Handle(rt.pattern, a.inOrg(rt.h))
	}
	mux.Handle("/hsds/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, model.NotFound("page"))
	}))
}

// reader is a request's organisation, its directory and the nesting that
// applies to the reader.
type reader struct {
	org    *model.Organization
	dir    *store.Directory
	nester *hsds.Nester
	actor  *desk.Actor // the API token's user, nil when anonymous
}

func (a *API) inOrg(h func(http.ResponseWriter, *http.Request, *reader)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		web.NoteRoute(r)
		slug := r.PathValue("org")
		if !model.ValidSlug(slug) {
			a.fail(w, r, model.NotFound("page"))
			return
		}
		ctx := r.Context()
		o, err := a.desk.Store().OrganizationBySlug(ctx, slug)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		var actor *desk.Actor
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			act, err := a.desk.TokenActor(ctx, strings.TrimSpace(tok), web.ClientIP(r))
			if err != nil {
				a.fail(w, r, err)
				return
			}
			if act.OrgID() != o.ID {
				a.fail(w, r, desk.Forbidden())
				return
			}
			actor = act
		} else {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		dir, n, err := a.desk.HSDSDirectory(ctx, o.ID, actor)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		h(w, r, &reader{org: o, dir: dir, nester: n, actor: actor})
	}
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := a.bundle.Printer(web.Language(r, a.bundle, "it"))
	web.WriteError(w, r, a.log, p, err)
}

// root is HSDS's "/": the version and profile served.
func (a *API) root(w http.ResponseWriter, r *http.Request, rd *reader) {
	web.WriteJSON(w, http.StatusOK, map[string]any{
		"version":     hsds.Version,
		"profile":     hsds.Profile,
		"openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
		"description": "HSDS API of " + rd.org.Name,
		"publisher":   map[string]any{"name": rd.org.Name, "identifier": rd.org.Slug},
	})
}

var errBadParam = func(field string) error {
	return model.Invalid(field, "directory.error.param", "not a valid value", map[string]any{"Field": field})
}

// paging reads page and per_page (HSDS's defaults 1 and 50; at most 500).
func paging(r *http.Request) (page, size int, err error) {
	page, size = 1, 50
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 1_000_000 {
			return 0, 0, errBadParam("page")
		}
	}
	if v := q.Get("per_page"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 500 {
			return 0, 0, errBadParam("per_page")
		}
	}
	return page, size, nil
}

// services lists services, fully nested: HSDS's search, taxonomy_term_id,
// organization_id, modified_after, page, per_page and format=ndjson, and
// Sportello's language, lat, lon and proximity (metres), open_now.
func (a *API) services(w http.ResponseWriter, r *http.Request, rd *reader) {
	q := r.URL.Query()
	page, size, err := paging(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sq := store.SiteQuery{Text: q.Get("search"), Category: q.Get("taxonomy_term_id"), Language: q.Get("language"), AllStatuses: true, All: true}
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			a.fail(w, r, errBadParam("modified_after"))
			return
		}
		sq.ModifiedAfter = t
	}
	if q.Get("lat") != "" || q.Get("lon") != "" {
		lat, e1 := strconv.ParseFloat(q.Get("lat"), 64)
		lon, e2 := strconv.ParseFloat(q.Get("lon"), 64)
		if e1 != nil || e2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
			a.fail(w, r, errBadParam("lat"))
			return
		}
		sq.Near = &store.Point{Lat: lat, Lon: lon}
		if v := q.Get("proximity"); v != "" {
			m, err := strconv.ParseFloat(v, 64)
			if err != nil || m <= 0 {
				a.fail(w, r, errBadParam("proximity"))
				return
			}
			sq.RadiusKM = m / 1000
		}
	}
	if q.Get("open_now") == "true" {
		sq.OpenAt = time.Now()
	}
	var sites []store.Site
	if rd.actor != nil {
		sites, _, err = a.desk.SearchSites(r.Context(), rd.actor, sq)
	} else {
		sites, _, err = a.desk.PublicSites(r.Context(), rd.org.ID, sq)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	org := q.Get("organization_id")
	var ids []string
	seen := map[string]bool{}
	for _, s := range sites {
		if seen[s.ServiceID] {
			continue
		}
		seen[s.ServiceID] = true
		if org != "" {
			if svc := rd.dir.Set.Get("service", s.ServiceID); svc == nil || svc.String("organization_id") != org {
				continue
			}
		}
		ids = append(ids, s.ServiceID)
	}
	if q.Get("format") == "ndjson" {
		a.ndjson(w, r, rd, "service", ids)
		return
	}
	a.page(w, rd, "service", ids, page, size)
}

// list pages through one table's records in the directory's order.
func (a *API) list(table string) func(http.ResponseWriter, *http.Request, *reader) {
	return func(w http.ResponseWriter, r *http.Request, rd *reader) {
		page, size, err := paging(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		var ids []string
		for _, rec := range rd.dir.Set.Of(table) {
			ids = append(ids, rec.ID())
		}
		if r.URL.Query().Get("format") == "ndjson" {
			a.ndjson(w, r, rd, table, ids)
			return
		}
		a.page(w, rd, table, ids, page, size)
	}
}

// skipOf is what an object of table leaves out when nested at the top:
// an organisation's services are their own endpoint.
func skipOf(table string) []string {
	if table == "organization" {
		return []string{"services"}
	}
	return nil
}

func (a *API) nest(rd *reader, table, id string) *hsds.Object {
	rec := rd.dir.Set.Get(table, id)
	if rec == nil {
		return nil
	}
	return rd.nester.Nest(rec, skipOf(table)...)
}

// page writes an HSDS Page of the records with ids.
func (a *API) page(w http.ResponseWriter, rd *reader, table string, ids []string, page, size int) {
	total := len(ids)
	pages := (total + size - 1) / size
	from := (page - 1) * size
	contents := []*hsds.Object{}
	for i := from; i < total && i < from+size; i++ {
		if o := a.nest(rd, table, ids[i]); o != nil {
			contents = append(contents, o)
		}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{
		"total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
		"first_page": page == 1, "last_page": page >= pages, "empty": len(contents) == 0,
		"contents": contents,
	})
}

// ndjson streams every record, one JSON object a line, without paging.
func (a *API) ndjson(w http.ResponseWriter, r *http.Request, rd *reader, table string, ids []string) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for _, id := range ids {
		if r.Context().Err() != nil {
			return
		}
		if o := a.nest(rd, table, id); o != nil {
			if err := enc.Encode(o); err != nil {
				return
			}
		}
	}
}

// one answers one record, fully nested.
func (a *API) one(table string) func(http.ResponseWriter, *http.Request, *reader) {
	return func(w http.ResponseWriter, r *http.Request, rd *reader) {
		o := a.nest(rd, table, r.PathValue("id"))
		if o == nil {
			err := error(model.NotFound("page"))
			if table == "service" {
				err = desk.ErrNoService
			}
			a.fail(w, r, err)
			return
		}
		web.WriteJSON(w, http.StatusOK, o)
	}
}
