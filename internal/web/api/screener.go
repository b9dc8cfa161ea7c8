package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The organisation's screener rules, as the console's /admin/screener
// edits them: the overlay as a whole, one local aid at a time, the
// January update, and a check with a preview on a sample person.
// A revision in a body, when given, must be the overlay's current one,
// so that a client that read an older one does not overwrite a newer
// save; without it the change applies to whatever is current.

// screenerOverlay is the overlay as the API shows it.
type screenerOverlay struct {
	Base      string          `json:"base"`
	Revision  int64           `json:"revision"`
	Version   string          `json:"version"`
	UpdatedAt *time.Time      `json:"updated_at"`
	UpdatedBy *int64          `json:"updated_by"`
	Document  json.RawMessage `json:"document"`
}

func (a *API) overlayOf(r *http.Request, ov *store.EligibilityOverlay) (screenerOverlay, error) {
	q, err := a.desk.Screener(r.Context(), web.ActorFrom(r).OrgID())
	if err != nil {
		return screenerOverlay{}, err
	}
	out := screenerOverlay{Base: ov.Base, Revision: ov.Revision, Version: q.Version, Document: json.RawMessage(ov.Document)}
	if ov.Revision > 0 {
		at, by := ov.UpdatedAt, ov.UpdatedBy
		out.UpdatedAt = &at
		if by != 0 {
			out.UpdatedBy = &by
		}
	}
	return out, nil
}

func (a *API) answerOverlay(w http.ResponseWriter, r *http.Request, ov *store.EligibilityOverlay, status int) {
	out, err := a.overlayOf(r, ov)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, status, out)
}

// getScreenerOverlay answers the organisation's overlay (an empty one at
// revision 0 when it never saved one).
func (a *API) getScreenerOverlay(w http.ResponseWriter, r *http.Request) {
	ov, err := a.desk.ScreenerOverlay(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerOverlay(w, r, ov, http.StatusOK)
}

// overlayBody is the body of PUT /api/v1/screener/overlay.
type overlayBody struct {
	Revision *int64          `json:"revision"`
	Document json.RawMessage `json:"document"`
}

// current is the revision a change applies over: the one given, or the
// overlay's current one.
func (a *API) current(r *http.Request, given *int64) (int64, error) {
	if given != nil {
		return *given, nil
	}
	ov, err := a.desk.ScreenerOverlay(r.Context(), web.ActorFrom(r))
	if err != nil {
		return 0, err
	}
	return ov.Revision, nil
}

// putScreenerOverlay replaces the overlay; only what validates is saved.
// Audited as screener_overlay_save.
func (a *API) putScreenerOverlay(w http.ResponseWriter, r *http.Request) {
	var body overlayBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(bytes.TrimSpace(body.Document)) == 0 || bytes.Equal(bytes.TrimSpace(body.Document), []byte("null")) {
		a.fail(w, r, model.Invalid("document", "error.validation.required", "document is required", map[string]any{"Field": "document"}))
		return
	}
	rev, err := a.current(r, body.Revision)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ov, err := a.desk.SaveOverlay(r.Context(), web.ActorFrom(r), body.Document, rev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerOverlay(w, r, ov, http.StatusOK)
}

// sampleBody is the sample person of a check: answers on a date, the
// explanation in lang.
type sampleBody struct {
	Answers eligibility.Answers `json:"answers"`
	Date    string              `json:"date"`
	Lang    string              `json:"lang"`
}

// checkResult is what a check answers: the version the rules would have,
// the texts missing in some language, and the sample person's result.
type checkResult struct {
	Valid               bool                `json:"valid"`
	Version             string              `json:"version"`
	MissingTranslations []string            `json:"missing_translations"`
	Result              *eligibility.Result `json:"result,omitempty"`
}

// answerCheck evaluates the sample, if any, with q.
func (a *API) answerCheck(w http.ResponseWriter, r *http.Request, q *eligibility.Questionnaire, s sampleBody) {
	out := checkResult{Valid: true, Version: q.Version, MissingTranslations: q.MissingTranslations()}
	if out.MissingTranslations == nil {
		out.MissingTranslations = []string{}
	}
	if s.Answers != nil {
		on := a.desk.Today(r.Context(), web.ActorFrom(r).OrgID())
		if s.Date != "" {
			d, err := time.Parse(time.DateOnly, s.Date)
			if err != nil {
				a.fail(w, r, model.Invalid("date", "error.eligibility.date_invalid", "date must be YYYY-MM-DD", map[string]any{"Value": s.Date}))
				return
			}
			on = d.Add(12 * time.Hour)
		}
		lang := a.printer(r).Lang()
		if s.Lang != "" {
			if !model.ValidLanguage(s.Lang) {
				a.fail(w, r, model.Invalid("lang", "error.api.language", "lang must be a language code such as it, ar or fr", nil))
				return
			}
			lang = strings.ToLower(s.Lang)
		}
		res, err := eligibility.Evaluate(q, s.Answers, on, lang)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out.Result = &res
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// overlayCheck is the body of POST /api/v1/screener/overlay/check.
type overlayCheck struct {
	Document json.RawMessage `json:"document"`
	sampleBody
}

// checkScreenerOverlay validates an overlay without saving it and, given
// answers, evaluates them with it. A problem is 400 with its location in
// field ("benefits[contributo_affitto].conditions[0].question").
func (a *API) checkScreenerOverlay(w http.ResponseWriter, r *http.Request) {
	var body overlayCheck
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.desk.ScreenerOverlay(r.Context(), web.ActorFrom(r)); err != nil { // the permission
		a.fail(w, r, err)
		return
	}
	q, _, err := a.desk.CheckOverlay(body.Document)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerCheck(w, r, q, body.sampleBody)
}

// valueBody is the body of POST /api/v1/screener/values: the January
// update, a dated value added to a parameter.
type valueBody struct {
	Revision  *int64 `json:"revision"`
	Param     string `json:"param"`
	From      string `json:"from"`
	Value     any    `json:"value"`
	Reference string `json:"reference"`
	URL       string `json:"url"`
	ToVerify  bool   `json:"to_verify"`
	Note      string `json:"note"`
}

// postScreenerValue adds a dated value to a parameter, built-in or the
// organisation's: 201 with the overlay. Audited as screener_overlay_save.
func (a *API) postScreenerValue(w http.ResponseWriter, r *http.Request) {
	var body valueBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	rev, err := a.current(r, body.Revision)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := eligibility.ParameterValue{From: body.From, Value: body.Value, Reference: body.Reference, URL: body.URL, ToVerify: body.ToVerify, Note: body.Note}
	ov, err := a.desk.AddParameterValue(r.Context(), web.ActorFrom(r), body.Param, v, rev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerOverlay(w, r, ov, http.StatusCreated)
}

// localAids is the answer of GET /api/v1/screener/aids.
type localAids struct {
	Revision int64           `json:"revision"`
	Items    []desk.LocalAid `json:"items"`
}

// listLocalAids answers the organisation's own benefits, each with the
// parameters of the overlay it reads.
func (a *API) listLocalAids(w http.ResponseWriter, r *http.Request) {
	ov, aids, err := a.desk.LocalAids(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := localAids{Revision: ov.Revision, Items: aids}
	if out.Items == nil {
		out.Items = []desk.LocalAid{}
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// aidBody is a local aid in a request: the benefit and its new
// parameters, over revision.
type aidBody struct {
	Revision *int64 `json:"revision"`
	desk.LocalAid
}

// savedAid is the answer of a change to a local aid.
type savedAid struct {
	Revision int64         `json:"revision"`
	Version  string        `json:"version"`
	Aid      desk.LocalAid `json:"aid"`
}

func (a *API) saveAid(w http.ResponseWriter, r *http.Request, replace string, status int) {
	var body aidBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	rev, err := a.current(r, body.Revision)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ov, err := a.desk.SaveLocalAid(r.Context(), web.ActorFrom(r), replace, body.LocalAid, rev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.overlayOf(r, ov)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, status, savedAid{Revision: ov.Revision, Version: out.Version, Aid: body.LocalAid})
}

// postLocalAid adds a local aid: 201. Problems are 400 with their
// location in the body ("benefit.conditions[1].question",
// "parameters[0].values[0].from"). Audited as screener_aid_save.
func (a *API) postLocalAid(w http.ResponseWriter, r *http.Request) {
	a.saveAid(w, r, "", http.StatusCreated)
}

// putLocalAid replaces the local aid {aid} (its id may change). Audited
// as screener_aid_save.
func (a *API) putLocalAid(w http.ResponseWriter, r *http.Request) {
	a.saveAid(w, r, r.PathValue("aid"), http.StatusOK)
}

// deleteLocalAid takes a local aid out, with the parameters no other
// local aid reads. ?revision= is checked when given. Audited as
// screener_aid_remove.
func (a *API) deleteLocalAid(w http.ResponseWriter, r *http.Request) {
	v, err := parseQuery(r.URL.RawQuery, "revision")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var given *int64
	if s := v.Get("revision"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			a.fail(w, r, invalidNumber("revision"))
			return
		}
		given = &n
	}
	rev, err := a.current(r, given)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ov, err := a.desk.RemoveLocalAid(r.Context(), web.ActorFrom(r), r.PathValue("aid"), rev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerOverlay(w, r, ov, http.StatusOK)
}

// aidCheck is the body of POST /api/v1/screener/aids/check.
type aidCheck struct {
	Replace string `json:"replace"`
	desk.LocalAid
	sampleBody
}

// checkLocalAid validates a local aid in place of replace (or as a new
// one) without saving it and, given answers, evaluates them.
func (a *API) checkLocalAid(w http.ResponseWriter, r *http.Request) {
	var body aidCheck
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	q, _, err := a.desk.CheckLocalAid(r.Context(), web.ActorFrom(r), body.Replace, body.LocalAid)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerCheck(w, r, q, body.sampleBody)
}
