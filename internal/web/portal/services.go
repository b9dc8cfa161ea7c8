package portal

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/store"
)

// The directory of services for citizens, under /o/{org}/services: a
// search form and a list that work without JavaScript, and a map that
// map.js draws from the list's own data over the organisation's tile
// server. "Near me" is the browser's position, asked only when the
// citizen presses the button, or a typed place (a CAP, a comune) looked
// up in the directory's own addresses. Confidential locations never show
// an address or a position here.

const servicesPerPage = 20

// servicesView is what the directory pages show.
type servicesView struct {
	Action     string
	Q, Lang    string // the text and the language spoken searched for
	Place      string
	Lat, Lon   string // the browser's position, when the citizen gave it
	OpenNow    bool
	Languages  []langOption
	Results    []serviceItem
	Total      int
	NearLabel  string // where distances are from
	PlaceError bool   // a typed place not found
	PrevURL    string
	NextURL    string
	TileURL    string
	TileCredit string
	HasMap     bool
	Card       *desk.Card
	Days       []string // weekday names, Monday first
	BackURL    string
	ChatURL    string
}

type langOption struct {
	Code, Name string
	Selected   bool
}

type serviceItem struct {
	URL          string
	Name         string
	Distance     string
	Open         *bool
	Languages    string
	Lat, Lon     string
	HasPosition  bool
	Confidential bool
}

// spokenLanguages are offered in the language filter: the desk's
// catalogs' languages and those most asked for at Italian desks.
var spokenLanguages = []string{"it", "en", "fr", "ar", "es", "uk", "ru", "zh", "bn", "ur", "pa", "wo", "ti", "so", "sq", "ro"}

// services lists the directory's services by the citizen's search.
func (p *Portal) services(w http.ResponseWriter, r *http.Request, rq *request) {
	qv := r.URL.Query()
	base := "/o/" + rq.org.Slug + "/services"
	pr := rq.pr
	pg := p.newPage(pr, &url.URL{Path: base, RawQuery: r.URL.RawQuery}, pr.T("services.title", nil))
	pg.OrgName = rq.org.Name
	sv := &servicesView{
		Action: base, Q: trimTo(qv.Get("q"), 200), Lang: trimTo(qv.Get("language"), 8), Place: trimTo(qv.Get("place"), 100),
		OpenNow: qv.Get("open") == "1", ChatURL: chatURL(rq.org.Slug, false).String(),
	}
	pg.Services = sv
	for _, l := range spokenLanguages {
		sv.Languages = append(sv.Languages, langOption{Code: l, Name: langName(pr, l), Selected: l == sv.Lang})
	}
	q := store.SiteQuery{Text: sv.Q, Language: sv.Lang, Limit: servicesPerPage}
	if n, err := strconv.Atoi(qv.Get("page")); err == nil && n > 1 && n < 1000 {
		q.Offset = (n - 1) * servicesPerPage
	}
	if sv.OpenNow {
		q.OpenAt = p.opt.Now()
	}
	lat, errLat := strconv.ParseFloat(qv.Get("lat"), 64)
	lon, errLon := strconv.ParseFloat(qv.Get("lon"), 64)
	switch {
	case errLat == nil && errLon == nil && math.Abs(lat) <= 90 && math.Abs(lon) <= 180:
		q.Near = &store.Point{Lat: lat, Lon: lon}
		sv.Lat, sv.Lon = strconv.FormatFloat(lat, 'f', 5, 64), strconv.FormatFloat(lon, 'f', 5, 64)
		sv.NearLabel = pr.T("services.near_you", nil)
	case sv.Place != "":
		if pt, ok := p.desk.PlacePoint(r.Context(), rq.org.ID, sv.Place); ok {
			q.Near = pt
			sv.NearLabel = sv.Place
		} else {
			sv.PlaceError = true
		}
	}
	if q.Near != nil {
		q.RadiusKM = 100
	}
	sites, total, err := p.desk.PublicSites(r.Context(), rq.org.ID, q)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	sv.Total = total
	p.desk.TranslateSiteNames(r.Context(), rq.org.ID, pr.Lang(), sites)
	for _, s := range sites {
		it := serviceItem{
			URL: base + "/" + url.PathEscape(s.ServiceID), Name: s.Name, Open: s.Open,
			Confidential: s.Confidential, HasPosition: s.HasPosition && !s.Confidential,
		}
		var names []string
		for _, l := range s.Languages {
			names = append(names, langName(pr, l))
		}
		it.Languages = strings.Join(names, ", ")
		if q.Near != nil {
			it.Distance = formatKM(s.DistanceKM)
		}
		if it.HasPosition {
			it.Lat, it.Lon = strconv.FormatFloat(s.Lat, 'f', 5, 64), strconv.FormatFloat(s.Lon, 'f', 5, 64)
			sv.HasMap = true
		}
		sv.Results = append(sv.Results, it)
	}
	page := q.Offset/servicesPerPage + 1
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range qv {
			if k != "page" && k != "lang" {
				v[k] = vs
			}
		}
		v.Set("page", strconv.Itoa(n))
		return base + "?" + v.Encode()
	}
	if page > 1 {
		sv.PrevURL = link(page - 1)
	}
	if q.Offset+len(sites) < total {
		sv.NextURL = link(page + 1)
	}
	cfg := p.desk.DirectoryConfig(r.Context(), rq.org.ID)
	sv.TileURL, sv.TileCredit = cfg.TileURL, cfg.TileAttribution
	p.allowTiles(w, cfg.TileURL)
	p.render(w, r, http.StatusOK, "services", pg)
}

// serviceCard shows one service.
func (p *Portal) serviceCard(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	if id == "" || len(id) > 200 {
		p.notFound(w, r, rq)
		return
	}
	card, err := p.desk.ServiceCard(r.Context(), rq.org.ID, id, rq.pr.Lang(), false)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	if card.Status == "defunct" {
		p.fail(w, r, rq, desk.ErrNoService)
		return
	}
	base := "/o/" + rq.org.Slug + "/services"
	pg := p.newPage(rq.pr, &url.URL{Path: base + "/" + url.PathEscape(id)}, card.Name)
	pg.OrgName = rq.org.Name
	sv := &servicesView{Card: card, BackURL: base, ChatURL: chatURL(rq.org.Slug, false).String()}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		sv.Days = append(sv.Days, rq.pr.T(dayKey(d), nil))
	}
	for _, l := range card.Languages {
		sv.Languages = append(sv.Languages, langOption{Code: l, Name: langName(rq.pr, l)})
	}
	for _, pl := range card.Places {
		if pl.HasPosition && !pl.Hidden {
			sv.HasMap = true
		}
	}
	cfg := p.desk.DirectoryConfig(r.Context(), rq.org.ID)
	sv.TileURL, sv.TileCredit = cfg.TileURL, cfg.TileAttribution
	p.allowTiles(w, cfg.TileURL)
	pg.Services = sv
	p.render(w, r, http.StatusOK, "service", pg)
}

// allowTiles lets this page, and only this one, load images from the
// tile server's origin.
func (p *Portal) allowTiles(w http.ResponseWriter, tileURL string) {
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(tileURL))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "img-src 'self'", "img-src 'self' https://"+u.Host, 1))
}

// langName names a language spoken in the reader's language, or gives
// its code when the catalogs do not name it.
func langName(pr *locale.Printer, code string) string {
	key := "services.lang_" + code
	if s := pr.T(key, nil); s != key {
		return s
	}
	return strings.ToUpper(code)
}

func dayKey(d string) string { return "chat.day_" + d }

func formatKM(km float64) string {
	if km < 1 {
		return fmt.Sprintf("%d m", int(math.Round(km*1000/10))*10)
	}
	if km < 10 {
		return strconv.FormatFloat(km, 'f', 1, 64) + " km"
	}
	return strconv.Itoa(int(math.Round(km))) + " km"
}

func trimTo(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}
