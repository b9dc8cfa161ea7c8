package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The screener run by an operator from a case, at the desk or on a tablet
// in the field: the same questions as the citizens' portal, several to a
// page, in the operator's language, each with its text in the citizen's
// language to read out. The run is the operator's own (one per case and
// operator) and is kept as it goes, so it can be left and taken up again.
// The result is recorded on the case with the questionnaire's id and
// version, the date, the answers and the outcomes.

// screenPerPage is how many questions an operator's page asks at most.
const screenPerPage = 6

func screenURL(conv int64) string { return conversationURL(conv) + "/screen" }

type screenPage struct {
	*page
	Conv      *model.Conversation
	Heading   string
	BackURL   string // the case
	Action    string
	StartURL  string
	RecordURL string
	Notice    string // the questionnaire's: orientation, not a decision
	Title     string // the questionnaire's
	Version   string
	// Before a run: the language to read out in.
	Started   bool
	Languages []option
	// A page of questions.
	Index     int
	Fields    []web.ScreenField
	Errors    []string
	PrevURL   string
	Answered  int
	Left      int
	Total     int
	ReadName  string // the language read out, by name
	Done      bool
	Result    *web.ResultView
	Questions int // answered so far, for the record button
}

// screenForm shows the operator's run on a case: a button to start one,
// the next questions, or the result to record.
func (c *Console) screenForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	index := -1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n >= 0 {
		index = n
	}
	c.renderScreen(w, r, id, index, nil, nil)
}

// renderScreen shows page index of the actor's run on the case; after a
// refused post, with the values posted and the problems by question.
func (c *Console) renderScreen(w http.ResponseWriter, r *http.Request, convID int64, index int, posted url.Values, errs map[string]string) {
	ctx := r.Context()
	a := web.ActorFrom(r)
	conv, err := c.desk.Conversation(ctx, a, convID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q, err := c.desk.Screener(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pg := c.newPage(r, screenURL(convID), "screener.run_title")
	pg.Nav = "inbox"
	p := pg.p
	name := contactName(p, conv.ContactName, conv.ContactID)
	pg.Title = name + " · " + pg.Title
	data := &screenPage{page: pg, Conv: conv, Heading: name, BackURL: conversationURL(convID) + "#screenings",
		Action: screenURL(convID), StartURL: screenURL(convID) + "/start", RecordURL: screenURL(convID) + "/record",
		Title: q.Title.In(p.Lang()), Notice: q.Notice.In(p.Lang()), Version: q.Version}
	run, err := c.desk.OpenRun(ctx, a.OrgID(), convID, store.ScreenConsole, a.User.ID)
	if errors.Is(err, model.ErrNotFound) {
		read := conv.Language
		if read == "" {
			read = p.Lang()
		}
		for _, lang := range q.Languages {
			data.Languages = append(data.Languages, option{Value: lang, Label: c.languageName(lang), Selected: lang == read})
		}
		c.render(w, r, http.StatusOK, "screen", pg, data)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Started = true
	on := c.desk.Today(ctx, a.OrgID())
	pv, err := c.desk.NextPage(q, run, index, screenPerPage, on, p.Lang())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Index, data.Answered, data.Left, data.Done = pv.Index, pv.Answered, pv.Left, pv.Done
	data.Total = data.Answered + data.Left
	data.Questions = len(run.State.Answers)
	if run.Language != p.Lang() {
		data.ReadName = c.languageName(run.Language)
	}
	if pv.Done {
		res, err := eligibility.Evaluate(q, run.State.Answers, on, p.Lang())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		data.Result = web.NewResultView(p, c.bundle, res)
		data.Result.FillPlaces(c.placesFinder(r))
		if n := len(run.State.Pages); n > 0 {
			data.PrevURL = screenURL(convID) + "?page=" + strconv.Itoa(n-1)
		}
		c.render(w, r, http.StatusOK, "screen", pg, data)
		return
	}
	data.Fields = web.ScreenFields(p, pv, posted, errs)
	if data.ReadName != "" {
		readFields(c.bundle.Printer(run.Language), q, data.Fields, on, run.Language)
	}
	if pv.Index > 0 {
		data.PrevURL = screenURL(convID) + "?page=" + strconv.Itoa(pv.Index-1)
	}
	for _, f := range data.Fields {
		if f.Error != "" {
			data.Errors = append(data.Errors, f.Text+" — "+f.Error)
		}
	}
	for id, msg := range errs {
		if !hasScreenField(data.Fields, id) {
			data.Errors = append(data.Errors, msg)
		}
	}
	status := http.StatusOK
	if len(data.Errors) > 0 {
		status = http.StatusBadRequest
		pg.failed()
	}
	c.render(w, r, status, "screen", pg, data)
}

// readFields adds to each field its text in the citizen's language lang,
// to read out.
func readFields(rp *locale.Printer, q *eligibility.Questionnaire, fields []web.ScreenField, on time.Time, lang string) {
	for i := range fields {
		f := &fields[i]
		p, err := eligibility.PromptFor(q, f.ID, on, lang)
		if err != nil {
			continue
		}
		f.Read, f.ReadHelp, f.ReadLang, f.ReadDir = p.Text, p.Help, lang, rp.Dir()
		switch p.Type {
		case eligibility.YesNo:
			f.ReadOptions = []string{rp.T("screen.yes", nil), rp.T("screen.no", nil), rp.T("screen.dont_know", nil)}
		case eligibility.Choice:
			for _, o := range p.Options {
				f.ReadOptions = append(f.ReadOptions, o.Text)
			}
			f.ReadOptions = append(f.ReadOptions, rp.T("screen.dont_know", nil))
		}
	}
}

func hasScreenField(fs []web.ScreenField, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// screenStart starts the actor's run on a case (or starts it again),
// reading out in the language chosen.
func (c *Console) screenStart(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	ctx := r.Context()
	a := web.ActorFrom(r)
	if !a.Can(model.PermConversationsNote) {
		c.fail(w, r, desk.Forbidden())
		return
	}
	if _, err := c.desk.Conversation(ctx, a, id); err != nil {
		c.fail(w, r, err)
		return
	}
	if old, err := c.desk.OpenRun(ctx, a.OrgID(), id, store.ScreenConsole, a.User.ID); err == nil {
		if err := c.desk.Store().CloseScreeningRun(ctx, a.OrgID(), old.ID); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	lang := r.PostForm.Get("read")
	if !model.ValidLanguage(lang) {
		lang = c.printer(r).Lang()
	}
	if _, _, err := c.desk.StartRun(ctx, a.OrgID(), store.ScreenConsole, lang, id, a.User.ID); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, screenURL(id), http.StatusSeeOther)
}

// screenAnswer takes a page of answers; refused ones come back named.
func (c *Console) screenAnswer(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	ctx := r.Context()
	a := web.ActorFrom(r)
	if _, err := c.desk.Conversation(ctx, a, id); err != nil {
		c.fail(w, r, err)
		return
	}
	run, err := c.desk.OpenRun(ctx, a.OrgID(), id, store.ScreenConsole, a.User.ID)
	if errors.Is(err, model.ErrNotFound) {
		http.Redirect(w, r, screenURL(id), http.StatusSeeOther)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q, err := c.desk.Screener(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := c.printer(r)
	on := c.desk.Today(ctx, a.OrgID())
	ids, index := web.ScreenPageIDs(r.PostForm)
	if len(ids) == 0 { // a form without questions: nothing to keep
		http.Redirect(w, r, screenURL(id), http.StatusSeeOther)
		return
	}
	prompts := make([]eligibility.Prompt, 0, len(ids))
	for _, qid := range ids {
		pr, err := eligibility.PromptFor(q, qid, on, p.Lang())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		prompts = append(prompts, pr)
	}
	answers, skipped, errs := web.ReadScreenForm(p, r.PostForm, prompts)
	if len(errs) == 0 {
		err = c.desk.Answer(q, run, index, ids, answers, skipped, on)
		if model.ErrorIs(err, model.CodeInvalid) {
			errs = map[string]string{desk.QuestionOf(err): web.ScreenError(p, err)}
		} else if err != nil {
			c.fail(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		c.renderScreen(w, r, id, index, r.PostForm, errs)
		return
	}
	if err := c.desk.SaveRun(ctx, run); err != nil {
		c.fail(w, r, err)
		return
	}
	if r.PostForm.Has("record") {
		c.screenRecordRun(w, r, id, run)
		return
	}
	http.Redirect(w, r, screenURL(id), http.StatusSeeOther)
}

// screenRecord records the actor's run on the case with what it knows so
// far: questions left unanswered leave their benefits to check.
func (c *Console) screenRecord(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	run, err := c.desk.OpenRun(r.Context(), a.OrgID(), id, store.ScreenConsole, a.User.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.screenRecordRun(w, r, id, run)
}

func (c *Console) screenRecordRun(w http.ResponseWriter, r *http.Request, id int64, run *desk.Run) {
	a := web.ActorFrom(r)
	_, _, err := c.desk.RecordScreening(r.Context(), a, id, desk.NewScreening{
		Answers: run.State.Answers, Lang: c.printer(r).Lang(), Source: store.ScreenConsole, RunID: run.ID,
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, conversationURL(id)+"?ok=screened#screenings", http.StatusSeeOther)
}

// screenChat starts the screener in the case's chat: the citizen answers
// there, with buttons where the channel has them.
func (c *Console) screenChat(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if err := c.desk.StartChatScreening(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, conversationURL(id)+"?ok=screen_chat#screenings", http.StatusSeeOther)
}
