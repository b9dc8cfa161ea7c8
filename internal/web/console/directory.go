package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The directory of services in the console: the citizens' search with the
// confidential locations an operator may see, a card per service with
// "send to the chat" when opened from a case, verification, and the list
// of services due for review.

const directoryURL = "/directory"

type directoryPage struct {
	*page
	Q, Lang, Place string
	OpenNow        bool
	Conversation   int64 // the case the search is for: results can be sent into its chat
	Results        []directoryRow
	Total          int
	Card           *desk.Card
	CanManage      bool
	Stale          []store.StaleService
	Days           []string
}

type directoryRow struct {
	ServiceID, Name, Distance, Languages string
	Open                                 *bool
	Confidential                         bool
	URL                                  string
}

func conversationParam(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.URL.Query().Get("conversation"), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// directorySearch is the search page.
func (c *Console) directorySearch(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	qv := r.URL.Query()
	pg := c.newPage(r, selfURL(r), "directory.title")
	pg.Nav = "directory"
	data := directoryPage{page: pg, Q: qv.Get("q"), Lang: qv.Get("language"), Place: qv.Get("place"), OpenNow: qv.Get("open") == "1",
		Conversation: conversationParam(r)}
	q := store.SiteQuery{Text: data.Q, Language: data.Lang, Limit: store.SearchLimit}
	if data.OpenNow {
		q.OpenAt = time.Now()
	}
	if data.Place != "" {
		if pt, ok := c.desk.PlacePoint(r.Context(), a.OrgID(), data.Place); ok {
			q.Near, q.RadiusKM = pt, 100
		} else {
			q.Place = data.Place
		}
	}
	sites, total, err := c.desk.SearchSites(r.Context(), a, q)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Total = total
	c.desk.TranslateSiteNames(r.Context(), a.OrgID(), pg.Lang, sites)
	for _, s := range sites {
		row := directoryRow{ServiceID: s.ServiceID, Name: s.Name, Open: s.Open, Confidential: s.Confidential, Languages: strings.Join(s.Languages, ", ")}
		row.URL = directoryURL + "/services/" + url.PathEscape(s.ServiceID)
		if data.Conversation != 0 {
			row.URL += "?conversation=" + strconv.FormatInt(data.Conversation, 10)
		}
		if q.Near != nil {
			row.Distance = strconv.FormatFloat(s.DistanceKM, 'f', 1, 64) + " km"
		}
		data.Results = append(data.Results, row)
	}
	c.render(w, r, http.StatusOK, "directory", pg, data)
}

// directoryCard shows one service as an operator reads it.
func (c *Console) directoryCard(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, selfURL(r), "directory.title")
	pg.Nav = "directory"
	card, err := c.desk.OperatorServiceCard(r.Context(), a, r.PathValue("id"), pg.Lang)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pg.Title = card.Name
	if r.URL.Query().Get("ok") == "verified" {
		pg.Notice = pg.p.T("directory.verified", nil)
	}
	data := directoryPage{page: pg, Card: card, Conversation: conversationParam(r), CanManage: a.Can(model.PermDirectoryManage)}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		data.Days = append(data.Days, pg.p.T(dayKey(d), nil))
	}
	c.render(w, r, http.StatusOK, "directory_card", pg, data)
}

func dayKey(d string) string { return "chat.day_" + d }

// directoryVerify marks a service verified today.
func (c *Console) directoryVerify(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := c.desk.VerifyService(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, directoryURL+"/services/"+url.PathEscape(id)+"?ok=verified", http.StatusSeeOther)
}

// directoryStale lists the services due for review.
func (c *Console) directoryStale(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, "/directory/stale", "directory.stale_title")
	pg.Nav = "directory"
	list, err := c.desk.StaleServices(r.Context(), a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "directory_stale", pg, directoryPage{page: pg, Stale: list, CanManage: a.Can(model.PermDirectoryManage)})
}

// sendServiceCard sends a service's card into the case's chat, in the
// conversation's language, and goes back to the case.
func (c *Console) sendServiceCard(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if _, err := c.desk.SendServiceCard(r.Context(), web.ActorFrom(r), id, r.PostForm.Get("service_id"), publicBase(r)); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, conversationURL(id), http.StatusSeeOther)
}

// publicBase is the desk's address as the browser reached it.
func publicBase(r *http.Request) string {
	if web.IsHTTPS(r) {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
