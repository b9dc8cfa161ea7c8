package desk

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Recording a result on a case, and following the applications that come
// of it, are internal work on the case: they need the permission to write
// notes, and the case must be one the actor may see.

// NewScreening is a screening to record on a conversation.
type NewScreening struct {
	Answers eligibility.Answers
	// Date is the date whose rules apply; zero: today in the
	// organisation's time zone. It may not be after today.
	Date   time.Time
	Lang   string // of the explanation kept; "": the organisation's
	Source string // store.ScreenConsole, ScreenAPI…
	RunID  int64  // the run it finishes, if any
}

var errFutureDate = &model.Error{Code: model.CodeInvalid, Key: "error.screener.date_future", Field: "date",
	Message: "a result is recorded for today or an earlier date"}

// RecordScreening evaluates answers with the organisation's screener and
// records the result on a conversation the actor may see.
func (d *Service) RecordScreening(ctx context.Context, a *Actor, conversationID int64, ns NewScreening) (*store.Screening, eligibility.Result, error) {
	if !a.Can(model.PermConversationsNote) {
		return nil, eligibility.Result{}, errForbidden
	}
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, eligibility.Result{}, err
	}
	return d.recordScreening(ctx, a.OrgID(), conversationID, a.User.ID, ns)
}

// recordScreening is RecordScreening once the caller is known to be
// allowed: the chat flow records for the citizen, userID 0.
func (d *Service) recordScreening(ctx context.Context, orgID, conversationID, userID int64, ns NewScreening) (*store.Screening, eligibility.Result, error) {
	q, err := d.Screener(ctx, orgID)
	if err != nil {
		return nil, eligibility.Result{}, err
	}
	today := d.Today(ctx, orgID)
	on := today
	if !ns.Date.IsZero() {
		y, m, day := ns.Date.Date()
		on = time.Date(y, m, day, 12, 0, 0, 0, time.UTC)
		if on.After(today) {
			return nil, eligibility.Result{}, errFutureDate
		}
	}
	lang := ns.Lang
	if lang == "" {
		if o, err := d.st.Organization(ctx, orgID); err == nil {
			lang = o.Language
		}
	}
	lang = d.runLanguage(q, lang)
	res, err := eligibility.Evaluate(q, ns.Answers, on, lang)
	if err != nil {
		return nil, res, err
	}
	answers, err := json.Marshal(nonNilAnswers(ns.Answers))
	if err != nil {
		return nil, res, err
	}
	result, err := json.Marshal(res)
	if err != nil {
		return nil, res, err
	}
	sc := &store.Screening{
		OrgID: orgID, ConversationID: conversationID, Questionnaire: res.Questionnaire, Version: res.Version, Date: res.Date,
		Language: res.Lang, Source: ns.Source, Answers: string(answers), Result: string(result), CreatedBy: userID,
	}
	for _, b := range res.Benefits {
		o := store.ScreeningOutcome{Benefit: b.ID, Outcome: string(b.Outcome)}
		if b.Amount != nil {
			o.Period, o.MinCents, o.MaxCents = b.Amount.Period, b.Amount.MinCents, b.Amount.MaxCents
		}
		sc.Outcomes = append(sc.Outcomes, o)
	}
	if err := d.st.CreateScreening(ctx, sc, ns.RunID); err != nil {
		return nil, res, err
	}
	return sc, res, nil
}

func nonNilAnswers(a eligibility.Answers) eligibility.Answers {
	if a == nil {
		return eligibility.Answers{}
	}
	return a
}

// CaseScreenings is what a case shows of the screener: its recorded
// results (newest first), the applications followed, and a run going on
// in its chat.
type CaseScreenings struct {
	Screenings   []*store.Screening
	Applications []*store.BenefitApplication
	ChatRun      *Run
}

// Screenings returns a conversation's screener results and applications,
// for an actor who may see it.
func (d *Service) Screenings(ctx context.Context, a *Actor, conversationID int64) (*CaseScreenings, error) {
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, err
	}
	out := &CaseScreenings{}
	var err error
	if out.Screenings, err = d.st.Screenings(ctx, a.OrgID(), conversationID); err != nil {
		return nil, err
	}
	if out.Applications, err = d.st.Applications(ctx, a.OrgID(), conversationID); err != nil {
		return nil, err
	}
	out.ChatRun, err = d.OpenRun(ctx, a.OrgID(), conversationID, store.ScreenChat, 0)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	return out, nil
}

// ScreeningResult decodes a recorded result.
func ScreeningResult(sc *store.Screening) (eligibility.Result, error) {
	var r eligibility.Result
	err := json.Unmarshal([]byte(sc.Result), &r)
	return r, err
}

// screeningFor loads a recorded result the actor may write on.
func (d *Service) screeningFor(ctx context.Context, a *Actor, id int64) (*store.Screening, error) {
	if !a.Can(model.PermConversationsNote) {
		return nil, errForbidden
	}
	sc, err := d.st.Screening(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	if _, err := d.visible(ctx, a, sc.ConversationID); err != nil {
		return nil, model.NotFound("screening")
	}
	return sc, nil
}

// StartApplication starts following the application for one benefit of a
// recorded result, with its documents as the checklist.
func (d *Service) StartApplication(ctx context.Context, a *Actor, screeningID int64, benefit string) (*store.BenefitApplication, error) {
	sc, err := d.screeningFor(ctx, a, screeningID)
	if err != nil {
		return nil, err
	}
	res, err := ScreeningResult(sc)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(res.Benefits, func(b eligibility.BenefitResult) bool { return b.ID == benefit })
	if i < 0 {
		return nil, model.Invalid("benefit", "error.screener.unknown_benefit", "no such benefit in this result", map[string]any{"Value": benefit})
	}
	b := res.Benefits[i]
	app := &store.BenefitApplication{OrgID: a.OrgID(), ScreeningID: sc.ID, Benefit: b.ID, BenefitName: b.Name,
		Status: store.ApplicationStarted, CreatedBy: a.User.ID}
	for _, doc := range b.Documents {
		app.Checklist = append(app.Checklist, store.ChecklistItem{Text: doc})
	}
	if err := d.st.CreateApplication(ctx, app); err != nil {
		return nil, err
	}
	return app, nil
}

// ApplicationPatch changes an application: its status, which documents
// are gathered (by their place in the checklist), and a document to add.
type ApplicationPatch struct {
	Status string
	Done   []int
	Add    string
}

// UpdateApplication saves an application's progress.
func (d *Service) UpdateApplication(ctx context.Context, a *Actor, id int64, p ApplicationPatch) (*store.BenefitApplication, error) {
	if !a.Can(model.PermConversationsNote) {
		return nil, errForbidden
	}
	app, err := d.st.Application(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	if _, err := d.visible(ctx, a, app.ConversationID); err != nil {
		return nil, model.NotFound("application")
	}
	if p.Status != "" {
		app.Status = p.Status
	}
	for i := range app.Checklist {
		app.Checklist[i].Done = slices.Contains(p.Done, i)
	}
	if add := strings.TrimSpace(p.Add); add != "" {
		app.Checklist = append(app.Checklist, store.ChecklistItem{Text: add})
	}
	app.UpdatedBy = a.User.ID
	if err := d.st.UpdateApplication(ctx, app); err != nil {
		return nil, err
	}
	return app, nil
}

// ConversationScreenings lists a conversation's recorded results for an
// actor who may see it (the API).
func (d *Service) ConversationScreenings(ctx context.Context, a *Actor, conversationID int64) ([]*store.Screening, error) {
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, err
	}
	return d.st.Screenings(ctx, a.OrgID(), conversationID)
}
