package console

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The case's screener section on the conversation page: buttons to run
// the screener (here, or in the chat), the results recorded, newest
// first, each with its explanation and answers, and the applications
// followed with their checklists. It is its own template set
// (screen_case.html), rendered into the page.

type screenCase struct {
	CSRF      string
	Notice    string
	CanRun    bool
	CanChat   bool
	RunURL    string
	ChatURL   string
	ChatRun   string // a run going on in the chat: how far it is
	Items     []screeningItem
	Apps      []appView
	AppAction string
}

type screeningItem struct {
	ID       int64
	Anchor   string
	Heading  string
	Source   string
	Result   *web.ResultView
	Answers  []answerRow
	StartApp string // the form that starts an application
	Open     []option
}

type answerRow struct{ Question, Answer string }

// statusKeys name an application's statuses.
var statusKeys = map[string]string{store.ApplicationStarted: "screener.status_started", store.ApplicationSubmitted: "screener.status_submitted",
	store.ApplicationGranted: "screener.status_granted", store.ApplicationRefused: "screener.status_refused"}

// sourceKeys say where a result comes from.
var sourceKeys = map[string]string{store.ScreenConsole: "screener.source_console", store.ScreenPortal: "screener.source_portal",
	store.ScreenChat: "screener.source_chat", store.ScreenAPI: "screener.source_api"}

type appView struct {
	ID       int64
	Anchor   string
	Name     string
	Status   string
	Action   string
	Statuses []option
	Items    []checkItem
	Updated  string
	Done     int
}

type checkItem struct {
	Index int
	Text  string
	Done  bool
}

// screeningSection renders the section for conv, or nothing for an actor
// who may not write on the case.
func (c *Console) screeningSection(r *http.Request, pg *page, conv *model.Conversation) (template.HTML, error) {
	ctx := r.Context()
	a := web.ActorFrom(r)
	find := c.placesFinder(r)
	if !a.Can(model.PermConversationsNote) {
		return "", nil
	}
	p := pg.p
	cs, err := c.desk.Screenings(ctx, a, conv.ID)
	if err != nil {
		return "", err
	}
	data := screenCase{CSRF: pg.CSRF, CanRun: true, CanChat: a.Can(model.PermConversationsReply),
		RunURL: screenURL(conv.ID), ChatURL: screenURL(conv.ID) + "/chat"}
	switch r.URL.Query().Get("ok") {
	case "screened":
		data.Notice = p.T("screener.recorded", nil)
	case "screen_chat":
		data.Notice = p.T("screener.chat_started", nil)
	case "application":
		data.Notice = p.T("screener.application_saved", nil)
	}
	if cs.ChatRun != nil {
		data.ChatRun = p.T("screener.chat_running", map[string]any{"Count": len(cs.ChatRun.State.Answers)})
	}
	n, err := c.names(r, a.OrgID(), p)
	if err != nil {
		return "", err
	}
	q, err := c.desk.Screener(ctx, a.OrgID())
	if err != nil {
		return "", err
	}
	loc := c.orgLocation(r, a.OrgID())
	started := map[[2]string]bool{}
	for _, app := range cs.Applications {
		started[[2]string{strconv.FormatInt(app.ScreeningID, 10), app.Benefit}] = true
		data.Apps = append(data.Apps, appViewOf(p, n, app))
	}
	for _, sc := range cs.Screenings {
		res, err := desk.ScreeningResult(sc)
		if err != nil {
			return "", err
		}
		it := screeningItem{ID: sc.ID, Anchor: "screening-" + strconv.FormatInt(sc.ID, 10),
			Result: web.NewResultView(p, c.bundle, res), StartApp: "/screenings/" + strconv.FormatInt(sc.ID, 10) + "/applications"}
		it.Result.FillPlaces(find)
		who := p.T("screener.by_citizen", nil)
		if sc.CreatedBy != 0 {
			who = n.user(sc.CreatedBy)
		}
		on := sc.Date
		if d, err := time.Parse(time.DateOnly, sc.Date); err == nil {
			on = p.FormatDate(d)
		}
		it.Heading = p.T("screener.recorded_heading", map[string]any{
			"Date": p.FormatDateTime(sc.CreatedAt, loc), "Who": who, "Version": sc.Questionnaire + " " + sc.Version, "On": on})
		it.Source = sc.Source
		if key, ok := sourceKeys[sc.Source]; ok {
			it.Source = p.T(key, nil)
		}
		it.Answers = answerRows(p, q, sc)
		for _, b := range res.Benefits {
			if b.Outcome != eligibility.NotEligible && !started[[2]string{strconv.FormatInt(sc.ID, 10), b.ID}] {
				it.Open = append(it.Open, option{Value: b.ID, Label: b.Name})
			}
		}
		data.Items = append(data.Items, it)
	}
	body, err := c.pages.Execute(p.Lang(), "screen_case", "screenings", data)
	if err != nil {
		return "", err
	}
	return template.HTML(body), nil // the output of html/template, escaped there
}

func appViewOf(p *locale.Printer, n names, app *store.BenefitApplication) appView {
	v := appView{ID: app.ID, Anchor: "application-" + strconv.FormatInt(app.ID, 10), Name: app.BenefitName, Status: app.Status,
		Action: "/applications/" + strconv.FormatInt(app.ID, 10)}
	if v.Name == "" {
		v.Name = app.Benefit
	}
	for _, s := range store.ApplicationStatuses {
		v.Statuses = append(v.Statuses, option{Value: s, Label: p.T(statusKeys[s], nil), Selected: s == app.Status})
	}
	for i, it := range app.Checklist {
		v.Items = append(v.Items, checkItem{Index: i, Text: it.Text, Done: it.Done})
		if it.Done {
			v.Done++
		}
	}
	who := n.user(app.UpdatedBy)
	v.Updated = p.T("screener.application_updated", map[string]any{"Who": who, "Date": p.FormatDate(app.UpdatedAt)})
	return v
}

// answerRows lists a recorded screening's answers with the questions'
// texts in the reader's language, in the questionnaire's order.
func answerRows(p *locale.Printer, q *eligibility.Questionnaire, sc *store.Screening) []answerRow {
	var answers map[string]any
	if json.Unmarshal([]byte(sc.Answers), &answers) != nil {
		return nil
	}
	order := map[string]int{}
	for i, qu := range q.Questions {
		order[qu.ID] = i
	}
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		oi, iok := order[ids[i]]
		oj, jok := order[ids[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return ids[i] < ids[j]
	})
	var out []answerRow
	for _, id := range ids {
		qu, ok := q.Question(id)
		text := id
		if ok {
			text = qu.Text.In(p.Lang())
		}
		out = append(out, answerRow{Question: text, Answer: formatAnswer(p, qu, answers[id])})
	}
	return out
}

// formatAnswer writes an answer for a reader.
func formatAnswer(p *locale.Printer, qu *eligibility.Question, v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return p.T("screen.yes", nil)
		}
		return p.T("screen.no", nil)
	case float64:
		s := p.FormatFloat(x, -1)
		if qu != nil && qu.Type == eligibility.Money {
			s += " €"
		}
		return s
	case string:
		if qu != nil && qu.Type == eligibility.Choice {
			if i := slices.IndexFunc(qu.Options, func(o eligibility.Option) bool { return o.Value == x }); i >= 0 {
				return qu.Options[i].Text.In(p.Lang())
			}
		}
		return x
	case map[string]any:
		var parts []string
		for _, k := range []string{"size", "minors", "over_60", "disabled"} {
			if n, ok := x[k].(float64); ok {
				parts = append(parts, p.T(web.HouseholdKeys[k], nil)+": "+p.FormatFloat(n, -1))
			}
		}
		return strings.Join(parts, " · ")
	}
	return ""
}

// renderScreeningSection fills the conversation page's section; a
// failure is logged and leaves the section out rather than the page.
func (c *Console) renderScreeningSection(ctx context.Context, r *http.Request, pg *page, conv *model.Conversation) template.HTML {
	h, err := c.screeningSection(r, pg, conv)
	if err != nil {
		c.log.ErrorContext(ctx, "console: screener section", "conversation", conv.ID, "err", err, "request_id", web.RequestID(ctx))
		return ""
	}
	return h
}

// placesFinder finds, for a screening result, the services of the
// organisation's directory where a step is done, as the operator may see
// them (nothing without directory:read).
func (c *Console) placesFinder(r *http.Request) func(words string) []web.Place {
	a := web.ActorFrom(r)
	return func(words string) []web.Place {
		sites, _, err := c.desk.SearchSites(r.Context(), a, store.SiteQuery{Text: words, Limit: 3})
		if err != nil {
			return nil
		}
		var out []web.Place
		for _, s := range sites {
			out = append(out, web.Place{Name: s.Name, URL: directoryURL + "/services/" + url.PathEscape(s.ServiceID)})
		}
		return out
	}
}
