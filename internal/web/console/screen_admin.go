package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// The screener's rules for the organisation's administrators: the
// January update (a dated value with its legal reference added to a
// parameter) as a plain form, and the organisation's overlay as JSON, for
// local aids, with the engine's validation (the exact location of a
// problem) and a preview on a sample person before anything is saved.

const screenAdminPath = "/admin/screener"

type screenAdminPage struct {
	*page
	Base, Version string
	Revision      int64
	Updated       string
	Params        []paramRow
	ParamOptions  []option
	Local         []localAidRow // the organisation's own benefits
	AidAction     string
	Value         valueForm
	ValueErrors   map[string]string
	ValueAction   string
	Action        string
	Document      string
	Sample        string
	Date          string
	Valid         string
	Problem       string
	Location      string
	Missing       []string
	Preview       *web.ResultView
	Example       string
}

// localAidRow is one of the organisation's own benefits, with its form
// when the form can show it.
type localAidRow struct {
	ID, Name, Edit, Remove string
}

type paramRow struct {
	ID, Description, Unit, Current, From, Reference string
	ToVerify                                        bool
	Added                                           int // values the organisation added
}

type valueForm struct {
	Param, From, Value, Reference, URL, Note string
	ToVerify                                 bool
}

// screenerAdmin shows the rules: the parameters with the values in force,
// the form to add a value, and the overlay.
func (c *Console) screenerAdmin(w http.ResponseWriter, r *http.Request) {
	c.renderScreenerAdmin(w, r, http.StatusOK, nil)
}

// renderScreenerAdmin renders the page; data, when given, is a refused or
// checked form to show again.
func (c *Console) renderScreenerAdmin(w http.ResponseWriter, r *http.Request, status int, data *screenAdminPage) {
	ctx := r.Context()
	a := web.ActorFrom(r)
	pg := c.newPage(r, screenAdminPath, "screener.admin_title")
	pg.Nav = "screener"
	p := pg.p
	ov, err := c.desk.ScreenerOverlay(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q, err := c.desk.Screener(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if data == nil {
		data = &screenAdminPage{Document: ov.Document, Sample: sampleAnswers, Revision: ov.Revision}
		data.Date = c.desk.Today(ctx, a.OrgID()).Format(time.DateOnly)
	}
	data.page = pg
	data.Base, data.Version, data.Revision = ov.Base, q.Version, ov.Revision
	data.ValueAction, data.Action, data.Example = screenAdminPath+"/values", screenAdminPath, localAidExample
	if data.ValueErrors == nil {
		data.ValueErrors = map[string]string{}
	}
	if ov.Revision > 0 {
		n, err := c.names(r, a.OrgID(), p)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		data.Updated = p.T("screener.admin_updated", map[string]any{"Revision": ov.Revision, "Who": n.user(ov.UpdatedBy),
			"Date": p.FormatDateTime(ov.UpdatedAt, c.orgLocation(r, a.OrgID()))})
	}
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = p.T("screener.admin_saved", nil)
	case "value":
		pg.Notice = p.T("screener.admin_value_added", nil)
	case "aid":
		pg.Notice = p.T("screener.aid_saved", nil)
	case "aid_removed":
		pg.Notice = p.T("screener.aid_removed", nil)
	}
	base, err := c.desk.Builtin(ov.Base)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	today := c.desk.Today(ctx, a.OrgID()).Format(time.DateOnly)
	for _, prm := range q.Parameters {
		row := paramRow{ID: prm.ID, Description: prm.Description.In(p.Lang()), Unit: prm.Unit}
		for _, v := range prm.Values {
			if v.From <= today {
				row.Current, row.From, row.Reference, row.ToVerify = formatParam(p, prm.Unit, v.Value), v.From, v.Reference, v.ToVerify
			}
		}
		if i := indexParam(base, prm.ID); i >= 0 {
			row.Added = len(prm.Values) - len(base.Parameters[i].Values)
		} else {
			row.Added = len(prm.Values)
		}
		data.Params = append(data.Params, row)
		data.ParamOptions = append(data.ParamOptions, option{Value: prm.ID, Label: prm.ID + " — " + row.Description, Selected: prm.ID == data.Value.Param})
	}
	_, aids, err := c.desk.LocalAids(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, aid := range aids {
		row := localAidRow{ID: aid.Benefit.ID, Name: aid.Benefit.Name.In(p.Lang()), Remove: aidPath + "/" + aid.Benefit.ID + "/delete"}
		if _, ok := aidFormOf(p, q, aid); ok {
			row.Edit = aidPath + "/" + aid.Benefit.ID
		}
		data.Local = append(data.Local, row)
	}
	data.AidAction = aidPath + "/new"
	if len(data.ValueErrors) > 0 || data.Problem != "" {
		pg.failed()
	}
	c.render(w, r, status, "screen_admin", pg, data)
}

func indexParam(q *eligibility.Questionnaire, id string) int {
	for i, p := range q.Parameters {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// formatParam writes a parameter's value for a reader.
func formatParam(p *locale.Printer, unit string, v any) string {
	f, ok := v.(float64)
	if !ok {
		s, _ := v.(string)
		return s
	}
	switch unit {
	case eligibility.UnitEuro:
		return p.FormatFloat(f, -1) + " €"
	case eligibility.UnitRatio:
		return p.FormatFloat(f, -1)
	}
	return p.FormatFloat(f, -1) + " " + unit
}

// screenerAdminPost checks, previews or saves the overlay, by the button
// pressed. Nothing is saved unless it validates.
func (c *Console) screenerAdminPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := web.ActorFrom(r)
	p := c.printer(r)
	rev, _ := strconv.ParseInt(r.PostForm.Get("revision"), 10, 64)
	data := &screenAdminPage{Document: r.PostForm.Get("document"), Sample: r.PostForm.Get("sample"), Date: r.PostForm.Get("date")}
	doc := []byte(data.Document)
	switch r.PostForm.Get("action") {
	case "save":
		if _, err := c.desk.SaveOverlay(ctx, a, doc, rev); err != nil {
			if web.Status(err) >= 500 {
				c.fail(w, r, err)
				return
			}
			data.Problem, data.Location = p.Error(err), problemAt(err)
			c.renderScreenerAdmin(w, r, web.Status(err), data)
			return
		}
		http.Redirect(w, r, screenAdminPath+"?ok=saved", http.StatusSeeOther)
		return
	case "preview":
		q, _, err := c.desk.CheckOverlay(doc)
		if err == nil {
			data.Preview, err = c.preview(r, p, q, data.Sample, data.Date)
		}
		if err != nil {
			data.Problem, data.Location = p.Error(err), problemAt(err)
			c.renderScreenerAdmin(w, r, http.StatusBadRequest, data)
			return
		}
	default: // check
		q, _, err := c.desk.CheckOverlay(doc)
		if err != nil {
			data.Problem, data.Location = p.Error(err), problemAt(err)
			c.renderScreenerAdmin(w, r, http.StatusBadRequest, data)
			return
		}
		data.Valid = p.T("screener.admin_valid", map[string]any{"Version": q.Version})
		data.Missing = q.MissingTranslations()
	}
	c.renderScreenerAdmin(w, r, http.StatusOK, data)
}

// problemAt is where a problem is: the location the engine gives.
func problemAt(err error) string {
	if e, ok := model.AsError(err); ok {
		return e.Field
	}
	return ""
}

// preview evaluates the sample person (JSON answers) with q on date.
func (c *Console) preview(_ *http.Request, p *locale.Printer, q *eligibility.Questionnaire, sample, date string) (*web.ResultView, error) {
	var answers eligibility.Answers
	dec := json.NewDecoder(strings.NewReader(sample))
	if err := dec.Decode(&answers); err != nil {
		return nil, model.Invalid("sample", "error.screener.sample", "the sample person is not a JSON object of answers", map[string]any{"Value": err.Error()})
	}
	on, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, model.Invalid("date", "error.eligibility.date_invalid", "not a date", map[string]any{"Value": date})
	}
	res, err := eligibility.Evaluate(q, answers, on.Add(12*time.Hour), p.Lang())
	if err != nil {
		return nil, err
	}
	return web.NewResultView(p, c.bundle, res), nil
}

// screenerAddValue adds a dated value to a parameter: the January
// update, without touching JSON.
func (c *Console) screenerAddValue(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	p := c.printer(r)
	f := r.PostForm
	rev, _ := strconv.ParseInt(f.Get("revision"), 10, 64)
	vf := valueForm{Param: f.Get("param"), From: strings.TrimSpace(f.Get("from")), Value: strings.TrimSpace(f.Get("value")),
		Reference: strings.TrimSpace(f.Get("reference")), URL: strings.TrimSpace(f.Get("url")), Note: strings.TrimSpace(f.Get("note")),
		ToVerify: f.Get("to_verify") == "1"}
	v := eligibility.ParameterValue{From: vf.From, Reference: vf.Reference, URL: vf.URL, Note: vf.Note, ToVerify: vf.ToVerify}
	errs := map[string]string{}
	if vf.Value != "" {
		if n, ok := eligibility.ParseNumber(vf.Value, p.Lang()); ok {
			v.Value = n
		} else if _, err := time.Parse(time.DateOnly, vf.Value); err == nil {
			v.Value = vf.Value // a parameter of unit date
		} else {
			errs["value"] = p.T("error.screen.number", nil)
		}
	}
	if len(errs) == 0 {
		_, err := c.desk.AddParameterValue(r.Context(), a, vf.Param, v, rev)
		if err == nil {
			http.Redirect(w, r, screenAdminPath+"?ok=value", http.StatusSeeOther)
			return
		}
		if web.Status(err) >= 500 {
			c.fail(w, r, err)
			return
		}
		field := problemAt(err)
		switch {
		case strings.HasPrefix(field, "value."):
			errs[strings.TrimPrefix(field, "value.")] = p.Error(err)
		case strings.Contains(field, ".values["): // the engine, on the merged values
			key := "value"
			for _, k := range []string{"from", "reference", "url"} {
				if strings.HasSuffix(field, "."+k) {
					key = k
				}
			}
			errs[key] = p.Error(err) + " (" + field + ")"
		default:
			errs["param"] = p.Error(err)
		}
	}
	data := &screenAdminPage{Value: vf, ValueErrors: errs, Sample: sampleAnswers, Date: c.desk.Today(r.Context(), a.OrgID()).Format(time.DateOnly)}
	ov, err := c.desk.ScreenerOverlay(r.Context(), a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Document = ov.Document
	c.renderScreenerAdmin(w, r, http.StatusBadRequest, data)
}

// sampleAnswers is the sample person the preview starts with: a tenant
// family of three with a low ISEE.
const sampleAnswers = `{"age": 34, "citizenship": "non_eu", "permit": "ue_lungo_periodo", "resident": true,
 "residence_years": 8, "continuous_years": 8, "household": {"size": 3, "minors": 2, "over_60": 0, "disabled": 0},
 "isee": 7500, "family_income": 5000, "rent": true, "utility_contract": true, "lost_job": false,
 "agri_worker": false, "newborn": false, "violence": false, "disadvantage_care": false}`

// localAidExample shows how a local aid is written: a Comune's rent
// support over the questionnaire's own questions.
const localAidExample = `{
  "base": "it-benefici",
  "parameters": [
    {"id": "affitto_isee_max", "unit": "eur",
     "description": {"it": "Soglia ISEE del contributo affitto comunale", "en": "ISEE threshold of the municipal rent support"},
     "values": [{"from": "2025-01-01", "value": 12000, "reference": "Delibera di Giunta comunale n. 45/2025", "url": "https://comune.example/delibere/45-2025"}]},
    {"id": "affitto_importo", "unit": "eur",
     "description": {"it": "Contributo affitto mensile", "en": "Monthly rent support"},
     "values": [{"from": "2025-01-01", "value": 200, "reference": "Delibera di Giunta comunale n. 45/2025"}]}
  ],
  "benefits": [{
    "id": "contributo_affitto",
    "name": {"it": "Contributo affitto del Comune", "en": "Municipal rent support", "fr": "Aide au loyer de la commune", "ar": "مساعدة الإيجار من البلدية", "es": "Ayuda municipal para el alquiler"},
    "legal": [{"reference": "Delibera di Giunta comunale n. 45/2025", "url": "https://comune.example/delibere/45-2025"}],
    "conditions": [
      {"question": "resident", "op": "=", "value": true,
       "holds": {"it": "Hai la residenza.", "en": "You are a registered resident."},
       "fails": {"it": "Il contributo è per chi ha la residenza.", "en": "The support is for registered residents."}},
      {"question": "rent", "op": "=", "value": true,
       "holds": {"it": "Vivi in affitto con un contratto registrato.", "en": "You rent with a registered contract."},
       "fails": {"it": "Il contributo è per chi vive in affitto con un contratto registrato.", "en": "The support is for tenants with a registered contract."}},
      {"question": "isee", "op": "<=", "param": "affitto_isee_max",
       "holds": {"it": "Il tuo ISEE non supera {affitto_isee_max}.", "en": "Your ISEE is not above {affitto_isee_max}."},
       "fails": {"it": "Il tuo ISEE supera {affitto_isee_max}.", "en": "Your ISEE is above {affitto_isee_max}."}}
    ],
    "amount": {"period": "month", "value": {"param": "affitto_importo"}},
    "documents": [{"it": "Contratto di affitto registrato", "en": "Registered rent contract"}],
    "next_steps": [{"text": {"it": "Chiedi il modulo allo sportello sociale del Comune.", "en": "Ask for the form at the Comune's social desk."}}]
  }]
}`
