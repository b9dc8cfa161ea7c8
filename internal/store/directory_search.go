package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/hours"
)

// SiteQuery selects places where services are given. Conditions combine
// with AND; the zero value lists every active service.
type SiteQuery struct {
	Text     string // words, each must appear (accents and case ignored)
	Category string // a taxonomy term's id or code
	Language string // a language spoken, ISO 639 code
	// Near sorts by distance from a point and keeps the sites within
	// RadiusKM (default 30, at most 500). Sites without a position are
	// left out, and so are confidential ones unless Confidential.
	Near     *Point
	RadiusKM float64
	// OpenAt keeps the sites open at that instant by their HSDS
	// schedules; sites whose hours are unknown are left out.
	OpenAt time.Time
	// Place keeps sites whose address matches these words (a CAP, a
	// comune, a province code).
	Place string
	// ModifiedAfter keeps services modified after it.
	ModifiedAfter time.Time
	// ServiceID keeps the places of one service.
	ServiceID string
	// AllStatuses includes inactive and defunct services.
	AllStatuses bool
	// Confidential: the reader may see confidential locations' positions.
	Confidential  bool
	Offset, Limit int
	// All returns every match, ignoring Offset and Limit (for the HSDS
	// API, which pages services, not places).
	All bool
}

// Point is a WGS 84 position.
type Point struct{ Lat, Lon float64 }

// Site is one search result: a service at one of its places.
type Site struct {
	ID           string // service_at_location id, or the service's for a service without a place
	ServiceID    string
	LocationID   string
	Name         string
	Lat, Lon     float64
	HasPosition  bool // false too when confidential and the reader may not see it
	Confidential bool
	DistanceKM   float64 // when searched Near
	Languages    []string
	Hours        string // hours.Calendar JSON, "" unknown
	Open         *bool  // at OpenAt, or now when hours are known
	ModifiedAt   time.Time
}

// SearchLimit caps a page of search results.
const SearchLimit = 100

const earthKM = 6371.0088

// Haversine is the great-circle distance in kilometres.
func Haversine(a, b Point) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// SearchDirectory finds sites. With Near, the database prefilters on a
// bounding box of the radius over the indexed (org_id, lat, lon) columns,
// and the exact great-circle distance sorts and filters what remains.
// It returns a page and the total number of matches.
func (s *Store) SearchDirectory(ctx context.Context, orgID int64, sq SiteQuery) ([]Site, int, error) {
	if sq.Limit <= 0 || sq.Limit > SearchLimit {
		sq.Limit = 20
	}
	if sq.All {
		sq.Offset, sq.Limit = 0, math.MaxInt32
	}
	if sq.Offset < 0 {
		sq.Offset = 0
	}
	var where []string
	args := []any{orgID}
	where = append(where, "si.org_id = ?")
	if !sq.AllStatuses {
		where = append(where, "si.status = 'active'")
	}
	for _, w := range searchWords(sq.Text) {
		where = append(where, "si.search LIKE ?")
		args = append(args, "% "+w+"%")
	}
	if c := fold(strings.TrimSpace(sq.Category)); c != "" && !strings.ContainsAny(c, "% _\\") {
		where = append(where, "si.categories LIKE ?")
		args = append(args, "% "+c+" %")
	}
	if l := strings.ToLower(strings.TrimSpace(sq.Language)); l != "" && !strings.ContainsAny(l, "% _\\") {
		where = append(where, "si.languages LIKE ?")
		args = append(args, "% "+l+" %")
	}
	for _, w := range searchWords(sq.Place) {
		where = append(where, "si.place LIKE ?")
		args = append(args, "% "+w+"%")
	}
	if sq.ServiceID != "" {
		where = append(where, "si.service_id = ?")
		args = append(args, sq.ServiceID)
	}
	if !sq.ModifiedAfter.IsZero() {
		where = append(where, "sv.modified_at > ?")
		args = append(args, ms(sq.ModifiedAfter))
	}
	if sq.Near != nil {
		r := sq.RadiusKM
		if r <= 0 {
			r = 30
		}
		if r > 500 {
			r = 500
		}
		sq.RadiusKM = r
		dLat := r / 111.0
		cos := math.Cos(sq.Near.Lat * math.Pi / 180)
		dLon := 180.0
		if cos > 0.01 {
			dLon = math.Min(180, r/(111.320*cos))
		}
		where = append(where, "si.lat BETWEEN ? AND ?", "si.lon BETWEEN ? AND ?")
		args = append(args, sq.Near.Lat-dLat, sq.Near.Lat+dLat, sq.Near.Lon-dLon, sq.Near.Lon+dLon)
		if !sq.Confidential {
			where = append(where, "si.confidential = 0")
		}
	}
	// Near a point, the places in the box come first (the position index),
	// then their services: CROSS JOIN keeps SQLite's planner, which has no
	// statistics, from scanning every service's text instead; PostgreSQL
	// plans it as an ordinary join.
	join := ` FROM directory_sites si JOIN directory_services sv ON sv.org_id = si.org_id AND sv.id = si.service_id WHERE `
	if sq.Near != nil {
		join = ` FROM directory_sites si CROSS JOIN directory_services sv WHERE sv.org_id = si.org_id AND sv.id = si.service_id AND `
	}
	base := join + strings.Join(where, " AND ")
	cols := `SELECT si.id, si.service_id, si.location_id, sv.name, si.lat, si.lon, si.confidential, si.languages, si.hours, sv.modified_at`
	// Without distance or hours to compute, the database pages.
	inGo := sq.Near != nil || !sq.OpenAt.IsZero()
	x := s.reader()
	total := 0
	query := cols + base + ` ORDER BY sv.name, si.id`
	qargs := args
	if !inGo {
		if err := x.row(ctx, `SELECT COUNT(*)`+base, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
		query += ` LIMIT ? OFFSET ?`
		qargs = append(append([]any(nil), args...), sq.Limit, sq.Offset)
	}
	rows, err := x.query(ctx, query, qargs...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Site
	for rows.Next() {
		var si Site
		var lat, lon sql.NullFloat64
		var conf int
		var langs string
		var mod int64
		if err := rows.Scan(&si.ID, &si.ServiceID, &si.LocationID, &si.Name, &lat, &lon, &conf, &langs, &si.Hours, &mod); err != nil {
			return nil, 0, err
		}
		si.Confidential = conf != 0
		si.ModifiedAt = fromMS(mod)
		if lat.Valid && lon.Valid && (!si.Confidential || sq.Confidential) {
			si.Lat, si.Lon, si.HasPosition = lat.Float64, lon.Float64, true
		}
		si.Languages = strings.Fields(langs)
		if sq.Near != nil {
			si.DistanceKM = Haversine(*sq.Near, Point{lat.Float64, lon.Float64})
			if si.DistanceKM > sq.RadiusKM {
				continue
			}
		}
		at := sq.OpenAt
		if at.IsZero() {
			at = s.now()
		}
		if sch := s.SiteHours(si.Hours); sch != nil {
			open := sch.Open(at)
			si.Open = &open
		}
		if !sq.OpenAt.IsZero() && (si.Open == nil || !*si.Open) {
			continue
		}
		out = append(out, si)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if !inGo {
		return out, total, nil
	}
	if sq.Near != nil {
		sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceKM < out[j].DistanceKM })
	}
	total = len(out)
	if sq.Offset >= len(out) {
		return []Site{}, total, nil
	}
	out = out[sq.Offset:]
	if len(out) > sq.Limit {
		out = out[:sq.Limit]
	}
	return out, total, nil
}

// SiteHours returns a site's schedule from its Hours, nil when unknown.
// Compiled calendars are kept by their JSON: many sites share the same
// hours, and compiling loads a time zone.
func (s *Store) SiteHours(js string) *hours.Schedule {
	if js == "" {
		return nil
	}
	if v, ok := s.dir.hours.Load(js); ok {
		return v.(*hours.Schedule)
	}
	var sch *hours.Schedule
	var c hours.Calendar
	if json.Unmarshal([]byte(js), &c) == nil {
		sch, _ = hours.Compile(c)
	}
	s.dir.hours.Store(js, sch)
	return sch
}
