package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The benefit screener for citizens, under /o/{org}/screen: a few
// questions a page, plain forms that work without JavaScript, asked in
// the citizen's language and only as long as the answers can still
// change an outcome. The answers stay on the server, in a run found again
// by a short code: the page shows it, and a cookie keeps it on this
// phone. Nothing of the answers is ever in an address.

// screenCookie holds the code of the citizen's run on this device.
const screenCookie = "sportello_screen"

// screenPerPage is how many questions a citizen's page asks at most.
const screenPerPage = 3

// screenView is what the screener's pages show.
type screenView struct {
	Title, Description, Notice string
	Code                       string // the resume code, as people read it
	StartURL, ResumeURL        string
	PageURL, ResultURL         string
	ChatURL                    string
	HasRun, Done               bool // the start page: a run to go back to
	ResumeValue, ResumeError   string

	// A page of questions.
	Index     int
	Fields    []web.ScreenField
	Errors    []screenProblem
	BackURL   string
	Answered  int
	Left      int
	Total     int
	ChangeURL string // the result page: back to the last page

	Result *web.ResultView
}

type screenProblem struct{ ID, Text string }

func screenBase(slug string) string { return "/o/" + slug + "/screen" }

// newScreenPage starts a screener page in the request's language.
func (p *Portal) newScreenPage(rq *request, self string, q *eligibility.Questionnaire) (*page, *screenView) {
	lang := rq.pr.Lang()
	base := screenBase(rq.org.Slug)
	pg := p.newPage(rq.pr, &url.URL{Path: self}, q.Title.In(lang))
	pg.OrgName = rq.org.Name
	sv := &screenView{
		Title: q.Title.In(lang), Description: q.Description.In(lang), Notice: q.Notice.In(lang),
		StartURL: base + "/start", ResumeURL: base + "/resume", PageURL: base + "/questions", ResultURL: base + "/result",
		ChatURL: chatURL(rq.org.Slug, false).String(),
	}
	pg.Screen = sv
	return pg, sv
}

// screenRun is the run whose code the request's cookie holds, if any.
func (p *Portal) screenRun(r *http.Request, rq *request) (*desk.Run, string, error) {
	ck, err := r.Cookie(screenCookie)
	if err != nil || ck.Value == "" {
		return nil, "", model.NotFound("screening_run")
	}
	run, err := p.desk.RunByCode(r.Context(), rq.org.ID, ck.Value)
	return run, ck.Value, err
}

func (p *Portal) setScreenCookie(w http.ResponseWriter, r *http.Request, rq *request, code string) {
	http.SetCookie(w, &http.Cookie{
		Name: screenCookie, Value: code, Path: screenBase(rq.org.Slug), MaxAge: int(desk.RunTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: web.IsHTTPS(r),
	})
}

// screenStart shows what the screener is, a button to start, and a form
// to go on with a code.
func (p *Portal) screenStart(w http.ResponseWriter, r *http.Request, rq *request) {
	p.renderScreenStart(w, r, rq, http.StatusOK, "", "")
}

func (p *Portal) renderScreenStart(w http.ResponseWriter, r *http.Request, rq *request, status int, code, problem string) {
	q, err := p.desk.Screener(r.Context(), rq.org.ID)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	pg, sv := p.newScreenPage(rq, screenBase(rq.org.Slug), q)
	if run, c, err := p.screenRun(r, rq); err == nil {
		sv.HasRun, sv.Done, sv.Code = true, len(run.State.Pages) > 0 && p.runDone(r, rq, q, run), desk.FormatCode(c)
	}
	sv.ResumeValue, sv.ResumeError = code, problem
	if problem != "" {
		pg.Title = rq.pr.T("screen.error_prefix", nil) + " " + pg.Title
	}
	p.render(w, r, status, "screen_start", pg)
}

// runDone reports whether nothing is left to ask in run.
func (p *Portal) runDone(r *http.Request, rq *request, q *eligibility.Questionnaire, run *desk.Run) bool {
	pgv, err := p.desk.NextPage(q, run, -1, screenPerPage, p.desk.Today(r.Context(), rq.org.ID), rq.pr.Lang())
	return err == nil && pgv.Done
}

// screenNew starts a run and sends the citizen to its first questions.
func (p *Portal) screenNew(w http.ResponseWriter, r *http.Request, rq *request) {
	ip := web.ClientIP(r)
	if ok, _ := p.starts.Allow("screen:" + ip); !ok {
		p.fail(w, r, rq, errRateLimited)
		return
	}
	p.starts.Fail("screen:" + ip)
	_, code, err := p.desk.StartRun(r.Context(), rq.org.ID, store.ScreenPortal, rq.pr.Lang(), 0, 0)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	p.setScreenCookie(w, r, rq, code)
	http.Redirect(w, r, screenBase(rq.org.Slug)+"/questions", http.StatusSeeOther)
}

var errBadCode = &model.Error{Code: model.CodeNotFound, Key: "error.screen.code", Field: "code", Message: "no screener with this code"}

// screenResume finds a run by the code the citizen typed. Wrong codes
// count against the client's address, so codes cannot be guessed.
func (p *Portal) screenResume(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, rq, errScreenForm)
		return
	}
	typed := r.PostForm.Get("code")
	key := "resume:" + web.ClientIP(r)
	if ok, _ := p.starts.Allow(key); !ok {
		p.renderScreenStart(w, r, rq, http.StatusTooManyRequests, typed, rq.pr.Error(errRateLimited))
		return
	}
	code := desk.NormalizeCode(typed)
	run, err := p.desk.RunByCode(r.Context(), rq.org.ID, code)
	if errors.Is(err, model.ErrNotFound) {
		p.starts.Fail(key)
		p.renderScreenStart(w, r, rq, http.StatusNotFound, typed, rq.pr.Error(errBadCode))
		return
	}
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	p.setScreenCookie(w, r, rq, code)
	target := screenBase(rq.org.Slug) + "/questions"
	if run.ScreeningID != 0 {
		target = screenBase(rq.org.Slug) + "/result"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

var errScreenForm = &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "malformed form"}

// screenQuestions shows the next questions, or with ?page=N a page gone
// back to; with nothing left to ask, the result.
func (p *Portal) screenQuestions(w http.ResponseWriter, r *http.Request, rq *request) {
	run, _, err := p.screenRun(r, rq)
	if errors.Is(err, model.ErrNotFound) {
		http.Redirect(w, r, screenBase(rq.org.Slug), http.StatusSeeOther)
		return
	}
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	index := -1
	if s := r.URL.Query().Get("page"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			index = n
		}
	}
	p.renderScreenPage(w, r, rq, run, index, nil, nil, nil)
}

// renderScreenPage shows page index of run; after a refused post, with the
// values posted and the problems by question.
func (p *Portal) renderScreenPage(w http.ResponseWriter, r *http.Request, rq *request, run *desk.Run, index int, posted url.Values, errs map[string]string, order []string) {
	ctx := r.Context()
	q, err := p.desk.Screener(ctx, rq.org.ID)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	on := p.desk.Today(ctx, rq.org.ID)
	pgv, err := p.desk.NextPage(q, run, index, screenPerPage, on, rq.pr.Lang())
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	if pgv.Done {
		http.Redirect(w, r, screenBase(rq.org.Slug)+"/result", http.StatusSeeOther)
		return
	}
	base := screenBase(rq.org.Slug)
	self := base + "/questions"
	if pgv.Index < len(run.State.Pages) {
		self += "?page=" + strconv.Itoa(pgv.Index)
	}
	pg, sv := p.newScreenPage(rq, self, q)
	sv.Index, sv.Answered, sv.Left = pgv.Index, pgv.Answered, pgv.Left
	sv.Total = sv.Answered + sv.Left
	sv.Fields = web.ScreenFields(rq.pr, pgv, posted, errs)
	sv.BackURL = base
	if pgv.Index > 0 {
		sv.BackURL = base + "/questions?page=" + strconv.Itoa(pgv.Index-1)
	}
	if ck, err := r.Cookie(screenCookie); err == nil {
		sv.Code = desk.FormatCode(ck.Value)
	}
	for _, f := range sv.Fields {
		if f.Error != "" {
			sv.Errors = append(sv.Errors, screenProblem{ID: f.ID, Text: f.Text + " — " + f.Error})
		}
	}
	for _, id := range order { // a problem with a question of another page
		if msg := errs[id]; msg != "" && !hasField(sv.Fields, id) {
			sv.Errors = append(sv.Errors, screenProblem{Text: msg})
		}
	}
	status := http.StatusOK
	if len(sv.Errors) > 0 {
		status = http.StatusBadRequest
		pg.Title = rq.pr.T("screen.error_prefix", nil) + " " + pg.Title
	}
	p.render(w, r, status, "screen_page", pg)
}

func hasField(fs []web.ScreenField, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// screenAnswer takes a page's answers. Answers the form cannot read, and
// answers the engine refuses (impossible ones), come back with the page,
// each named; nothing of the page is kept then.
func (p *Portal) screenAnswer(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, rq, errScreenForm)
		return
	}
	run, _, err := p.screenRun(r, rq)
	if errors.Is(err, model.ErrNotFound) {
		http.Redirect(w, r, screenBase(rq.org.Slug), http.StatusSeeOther)
		return
	}
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	q, err := p.desk.Screener(ctx, rq.org.ID)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	on := p.desk.Today(ctx, rq.org.ID)
	ids, index := web.ScreenPageIDs(r.PostForm)
	if len(ids) == 0 { // a form without questions: nothing to keep
		http.Redirect(w, r, screenBase(rq.org.Slug)+"/questions", http.StatusSeeOther)
		return
	}
	prompts := make([]eligibility.Prompt, 0, len(ids))
	for _, id := range ids {
		pr, err := eligibility.PromptFor(q, id, on, rq.pr.Lang())
		if err != nil {
			p.fail(w, r, rq, err)
			return
		}
		prompts = append(prompts, pr)
	}
	answers, skipped, errs := web.ReadScreenForm(rq.pr, r.PostForm, prompts)
	if len(errs) == 0 {
		err = p.desk.Answer(q, run, index, ids, answers, skipped, on)
		if model.ErrorIs(err, model.CodeInvalid) {
			errs = map[string]string{desk.QuestionOf(err): web.ScreenError(rq.pr, err)}
		} else if err != nil {
			p.fail(w, r, rq, err)
			return
		}
	}
	if len(errs) > 0 {
		p.renderScreenPage(w, r, rq, run, index, r.PostForm, errs, append(ids, desk.QuestionOf(err)))
		return
	}
	if err := p.desk.SaveRun(ctx, run); err != nil {
		p.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, screenBase(rq.org.Slug)+"/questions", http.StatusSeeOther)
}

// screenResult explains the outcome of every benefit for the answers so
// far, on today's rules.
func (p *Portal) screenResult(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx := r.Context()
	run, code, err := p.screenRun(r, rq)
	if errors.Is(err, model.ErrNotFound) {
		http.Redirect(w, r, screenBase(rq.org.Slug), http.StatusSeeOther)
		return
	}
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	q, err := p.desk.Screener(ctx, rq.org.ID)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	res, err := eligibility.Evaluate(q, run.State.Answers, p.desk.Today(ctx, rq.org.ID), rq.pr.Lang())
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	pg, sv := p.newScreenPage(rq, screenBase(rq.org.Slug)+"/result", q)
	pg.Title = rq.pr.T("screen.result_title", nil) + " · " + sv.Title
	sv.Code = desk.FormatCode(code)
	sv.Result = web.NewResultView(rq.pr, p.bundle, res)
	sv.Result.FillPlaces(func(words string) []web.Place {
		sites, _, err := p.desk.PublicSites(ctx, rq.org.ID, store.SiteQuery{Text: words, Limit: 3})
		if err != nil {
			p.log.WarnContext(ctx, "screener: places", "err", err)
			return nil
		}
		var out []web.Place
		for _, s := range sites {
			out = append(out, web.Place{Name: s.Name, URL: servicesURL(rq.org.Slug, s.ServiceID)})
		}
		return out
	})
	sv.ChangeURL = screenBase(rq.org.Slug) + "/questions"
	if n := len(run.State.Pages); n > 0 {
		sv.ChangeURL += "?page=" + strconv.Itoa(n-1)
	}
	p.render(w, r, http.StatusOK, "screen_result", pg)
}

// servicesURL is the page of a service of the organisation's directory.
func servicesURL(slug, serviceID string) string {
	return "/o/" + slug + "/services/" + url.PathEscape(serviceID)
}
