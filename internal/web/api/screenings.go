package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// screening is a screener result recorded on a case, as the API shows it.
type screening struct {
	ID             int64           `json:"id"`
	ConversationID int64           `json:"conversation_id"`
	ContactID      int64           `json:"contact_id"`
	Questionnaire  string          `json:"questionnaire"`
	Version        string          `json:"version"`
	Date           string          `json:"date"`
	Lang           string          `json:"lang"`
	Source         string          `json:"source"`
	CreatedBy      *int64          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
	Answers        json.RawMessage `json:"answers"`
	Outcomes       []outcome       `json:"outcomes"`
	Result         json.RawMessage `json:"result"`
}

// outcome is one benefit's outcome; amounts in euro cents.
type outcome struct {
	Benefit        string `json:"benefit"`
	Outcome        string `json:"outcome"`
	Period         string `json:"period,omitempty"`
	AmountMinCents *int64 `json:"amount_min_cents,omitempty"`
	AmountMaxCents *int64 `json:"amount_max_cents,omitempty"`
}

func screeningOf(sc *store.Screening) screening {
	out := screening{ID: sc.ID, ConversationID: sc.ConversationID, ContactID: sc.ContactID, Questionnaire: sc.Questionnaire,
		Version: sc.Version, Date: sc.Date, Lang: sc.Language, Source: sc.Source, CreatedAt: sc.CreatedAt,
		Answers: json.RawMessage(sc.Answers), Result: json.RawMessage(sc.Result), Outcomes: []outcome{}}
	if sc.CreatedBy != 0 {
		by := sc.CreatedBy
		out.CreatedBy = &by
	}
	for _, o := range sc.Outcomes {
		out.Outcomes = append(out.Outcomes, outcome{Benefit: o.Benefit, Outcome: o.Outcome, Period: o.Period,
			AmountMinCents: o.MinCents, AmountMaxCents: o.MaxCents})
	}
	return out
}

type screeningList struct {
	Items []screening `json:"items"`
}

// listScreenings answers the results recorded on a conversation the caller
// may see, newest first.
func (a *API) listScreenings(w http.ResponseWriter, r *http.Request) {
	v, err := parseQuery(r.URL.RawQuery, "conversation_id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, ok := positive(v.Get("conversation_id"))
	if !ok {
		a.fail(w, r, model.Invalid("conversation_id", "error.api.id", "conversation_id must be a positive whole number", nil))
		return
	}
	list, err := a.desk.ConversationScreenings(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := screeningList{Items: []screening{}}
	for _, sc := range list {
		out.Items = append(out.Items, screeningOf(sc))
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// newScreening is the body of POST /api/v1/screenings.
type newScreening struct {
	ConversationID int64               `json:"conversation_id"`
	Answers        eligibility.Answers `json:"answers"`
	Date           string              `json:"date"` // YYYY-MM-DD; today if empty
	Lang           string              `json:"lang"` // of the explanation; the organisation's if empty
}

// postScreening evaluates answers with the organisation's screener and
// records the result on the conversation: 201 with it. Impossible answers
// are 400 naming the question in field.
func (a *API) postScreening(w http.ResponseWriter, r *http.Request) {
	var body newScreening
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.ConversationID <= 0 {
		a.fail(w, r, model.Invalid("conversation_id", "error.api.id", "conversation_id must be a positive whole number", nil))
		return
	}
	ns := desk.NewScreening{Answers: body.Answers, Source: store.ScreenAPI}
	if body.Date != "" {
		d, err := time.Parse(time.DateOnly, body.Date)
		if err != nil {
			a.fail(w, r, model.Invalid("date", "error.eligibility.date_invalid", "date must be YYYY-MM-DD", map[string]any{"Value": body.Date}))
			return
		}
		ns.Date = d
	}
	if body.Lang != "" {
		if !model.ValidLanguage(body.Lang) {
			a.fail(w, r, model.Invalid("lang", "error.api.language", "lang must be a language code such as it, ar or fr", nil))
			return
		}
		ns.Lang = strings.ToLower(body.Lang)
	}
	sc, _, err := a.desk.RecordScreening(r.Context(), web.ActorFrom(r), body.ConversationID, ns)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, screeningOf(sc))
}
