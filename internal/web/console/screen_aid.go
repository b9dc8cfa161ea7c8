package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// A local aid as a form, for administrators who do not write JSON: the
// form compiles into the overlay the engine validates, the engine's
// problem is shown next to the field that caused it, a sample person
// previews the result, and saving makes a new revision of the overlay.

const aidPath = screenAdminPath + "/aids"

type aidPage struct {
	*page
	Action, Back string
	Original     string
	Revision     int64
	Form         aidForm
	Errors       map[string]string
	Problems     []aidProblem
	Questions    []option
	AmountParams []option
	Periods      []option
	Kinds        []option
	TextLangs    []aidLang
	Sample, Date string
	Preview      *web.ResultView
}

type aidLang struct {
	Code, Name, Dir string
	Required        bool
}

// aidProblem is one line of the error summary, linking to its field.
type aidProblem struct {
	Anchor, Message string
}

// aidNew shows an empty form for a new local aid.
func (c *Console) aidNew(w http.ResponseWriter, r *http.Request) {
	ov, err := c.desk.ScreenerOverlay(r.Context(), web.ActorFrom(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	af := aidForm{Name: mapOf(nil), Summary: mapOf(nil), Steps: mapOf(nil), Documents: mapOf(nil), AmountPeriod: eligibility.PerMonth}
	c.renderAid(w, r, http.StatusOK, &aidPage{Form: af, Revision: ov.Revision}, false)
}

// aidEdit shows a local aid in the form. An aid with rules the form has
// no fields for is edited in JSON.
func (c *Console) aidEdit(w http.ResponseWriter, r *http.Request) {
	ov, aids, err := c.desk.LocalAids(r.Context(), web.ActorFrom(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	i := slices.IndexFunc(aids, func(a desk.LocalAid) bool { return a.Benefit.ID == id })
	if i < 0 {
		c.notFound(w, r)
		return
	}
	q, err := c.desk.Screener(r.Context(), web.ActorFrom(r).OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	af, ok := aidFormOf(c.printer(r), q, aids[i])
	if !ok {
		c.fail(w, r, &model.Error{Code: model.CodeConflict, Key: "error.screener.aid_json_only", Message: "this aid is edited in JSON",
			Args: map[string]any{"Value": id}})
		return
	}
	c.renderAid(w, r, http.StatusOK, &aidPage{Form: af, Original: id, Revision: ov.Revision}, false)
}

// aidPost previews or saves the form, or draws it again with a blank
// row more ("more"). Nothing is saved unless the engine validates it.
func (c *Console) aidPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := web.ActorFrom(r)
	p := c.printer(r)
	f := r.PostForm
	rev, _ := strconv.ParseInt(f.Get("revision"), 10, 64)
	data := &aidPage{Form: readAidForm(f), Original: f.Get("original"), Revision: rev, Sample: f.Get("sample"), Date: f.Get("date")}
	// The parameters being edited keep their later values (added by the
	// January update).
	if data.Original != "" {
		_, aids, err := c.desk.LocalAids(ctx, a)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if i := slices.IndexFunc(aids, func(x desk.LocalAid) bool { return x.Benefit.ID == data.Original }); i >= 0 {
			if saved, ok := aidFormOf(p, nil, aids[i]); ok {
				data.Form.kept, data.Form.keptDesc, data.Form.otherRequirements = saved.kept, saved.keptDesc, saved.otherRequirements
				data.Form.toVerify, data.Form.note = saved.toVerify, saved.note
			}
		}
	}
	action := f.Get("action")
	if action == "more" {
		c.renderAid(w, r, http.StatusOK, data, true)
		return
	}
	q, err := c.desk.Screener(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	errs := map[string]string{}
	aid := data.Form.compile(p, q, errs)
	status := http.StatusBadRequest
	if len(errs) == 0 {
		if action == "save" {
			_, err = c.desk.SaveLocalAid(ctx, a, data.Original, aid, rev)
			if err == nil {
				http.Redirect(w, r, screenAdminPath+"?ok=aid", http.StatusSeeOther)
				return
			}
		} else {
			var merged *eligibility.Questionnaire
			if merged, _, err = c.desk.CheckLocalAid(ctx, a, data.Original, aid); err == nil {
				data.Preview, err = c.preview(r, p, merged, data.Sample, data.Date)
				if err == nil {
					status = http.StatusOK
				}
			}
		}
	} else {
		// Say also what the engine finds, when it is about another field.
		_, _, err = c.desk.CheckLocalAid(ctx, a, data.Original, aid)
	}
	if err != nil {
		if web.Status(err) >= 500 {
			c.fail(w, r, err)
			return
		}
		if len(errs) == 0 {
			status = web.Status(err)
		}
		loc := problemAt(err)
		field := data.Form.fieldOf(loc)
		switch {
		case loc == "sample" || loc == "date":
			field = loc
		case field == "" && loc != "":
			field = "form"
			errs[field] = p.Error(err) + " (" + loc + ")"
		case field == "":
			field = "form"
		}
		if errs[field] == "" {
			errs[field] = p.Error(err)
		}
	}
	data.Errors = errs
	c.renderAid(w, r, status, data, false)
}

// aidRemove takes a local aid out of the organisation's screener.
func (c *Console) aidRemove(w http.ResponseWriter, r *http.Request) {
	rev, _ := strconv.ParseInt(r.PostForm.Get("revision"), 10, 64)
	if _, err := c.desk.RemoveLocalAid(r.Context(), web.ActorFrom(r), r.PathValue("id"), rev); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, screenAdminPath+"?ok=aid_removed", http.StatusSeeOther)
}

// renderAid draws the form; more adds a blank row of each kind.
func (c *Console) renderAid(w http.ResponseWriter, r *http.Request, status int, data *aidPage, more bool) {
	ctx := r.Context()
	a := web.ActorFrom(r)
	self := aidPath + "/new"
	if data.Original != "" {
		self = aidPath + "/" + data.Original
	}
	pg := c.newPage(r, self, "screener.aid_title")
	pg.Nav = "screener"
	p := pg.p
	q, err := c.desk.Screener(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.page, data.Action, data.Back = pg, aidPath, screenAdminPath
	if data.Sample == "" {
		data.Sample = sampleAnswers
	}
	if data.Date == "" {
		data.Date = c.desk.Today(ctx, a.OrgID()).Format(time.DateOnly)
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	data.Form.prepare(p, q, more)
	data.Questions = []option{{Value: "", Label: p.T("screener.aid_choose_question", nil)}}
	for _, qu := range q.Questions {
		data.Questions = append(data.Questions, option{Value: qu.ID, Label: qu.Text.In(p.Lang())})
	}
	data.AmountParams = []option{}
	for _, prm := range q.Parameters {
		if prm.Unit == eligibility.UnitEuro {
			data.AmountParams = append(data.AmountParams, option{Value: prm.ID, Label: prm.ID, Selected: prm.ID == data.Form.AmountParam})
		}
	}
	for _, row := range data.Form.Parameters {
		if row.ID != "" && (row.Unit == eligibility.UnitEuro || row.Unit == "") && !slices.ContainsFunc(data.AmountParams, func(o option) bool { return o.Value == row.ID }) {
			data.AmountParams = append(data.AmountParams, option{Value: row.ID, Label: row.ID, Selected: row.ID == data.Form.AmountParam})
		}
	}
	data.Periods = []option{
		{Value: eligibility.PerMonth, Label: p.T("screener.aid_per_month", nil)},
		{Value: eligibility.PerYear, Label: p.T("screener.aid_per_year", nil)},
		{Value: eligibility.Once, Label: p.T("screener.aid_once", nil)},
	}
	for i := range data.Periods {
		data.Periods[i].Selected = data.Periods[i].Value == data.Form.AmountPeriod
	}
	data.Kinds = []option{
		{Value: "", Label: p.T("screener.aid_amount_none", nil)},
		{Value: "fixed", Label: p.T("screener.aid_amount_fixed", nil)},
		{Value: "param", Label: p.T("screener.aid_amount_param", nil)},
	}
	for i := range data.Kinds {
		data.Kinds[i].Selected = data.Kinds[i].Value == data.Form.AmountKind
	}
	data.TextLangs = nil
	for _, lang := range aidLangs {
		lp := c.bundle.Printer(lang)
		data.TextLangs = append(data.TextLangs, aidLang{Code: lang, Name: lp.Name(), Dir: lp.Dir(), Required: lang == "it"})
	}
	data.Problems = nil
	for _, field := range slices.Sorted(func(yield func(string) bool) {
		for k := range data.Errors {
			if !yield(k) {
				return
			}
		}
	}) {
		data.Problems = append(data.Problems, aidProblem{Anchor: anchorOf(field), Message: data.Errors[field]})
	}
	if len(data.Errors) > 0 {
		pg.failed()
	}
	c.render(w, r, status, "screen_aid", pg, data)
}

// anchorOf is the id of a field's control: "c.0.question" is
// "aid-c-0-question"; a text in several languages is found by its
// Italian control.
func anchorOf(field string) string {
	switch field {
	case "name", "summary", "steps", "documents":
		return "aid-" + field + "-it"
	case "form":
		return "aid-form"
	case "amount":
		return "aid-amount-kind"
	}
	if strings.HasSuffix(field, ".holds") || strings.HasSuffix(field, ".fails") {
		field += ".it"
	}
	return "aid-" + strings.ReplaceAll(field, ".", "-")
}
