package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// DefaultScreener is the built-in questionnaire an organisation screens
// with unless its overlay names another.
const DefaultScreener = "it-benefici"

// screener holds the built-in questionnaires, parsed once, and each
// organisation's questionnaire with its overlay applied, rebuilt when the
// overlay's revision changes (on any instance: the revision is read from
// the database each time).
type screener struct {
	builtin func() ([]*eligibility.Questionnaire, error)
	bundle  func() (*locale.Bundle, error)

	mu    sync.Mutex
	byOrg map[int64]orgScreener
}

type orgScreener struct {
	base     string
	revision int64
	q        *eligibility.Questionnaire
}

func newScreener(b *locale.Bundle) *screener {
	bundle := func() (*locale.Bundle, error) { return b, nil }
	if b == nil {
		bundle = sync.OnceValues(locale.Load)
	}
	return &screener{builtin: sync.OnceValues(eligibility.Builtin), bundle: bundle, byOrg: map[int64]orgScreener{}}
}

// Builtin returns a built-in questionnaire by id.
func (d *Service) Builtin(id string) (*eligibility.Questionnaire, error) {
	all, err := d.screen.builtin()
	if err != nil {
		return nil, err
	}
	q, ok := eligibility.Find(all, id)
	if !ok {
		return nil, model.Invalid("base", "error.screener.unknown_base", "no built-in questionnaire "+id, map[string]any{"Value": id})
	}
	return q, nil
}

// Screener returns the organisation's questionnaire: the built-in one with
// the organisation's overlay applied. An overlay that no longer applies
// (a release removed what it pointed at) is logged and left out, so that
// citizens can still be screened.
func (d *Service) Screener(ctx context.Context, orgID int64) (*eligibility.Questionnaire, error) {
	ov, err := d.st.EligibilityOverlay(ctx, orgID)
	if errors.Is(err, model.ErrNotFound) {
		return d.Builtin(DefaultScreener)
	}
	if err != nil {
		return nil, err
	}
	d.screen.mu.Lock()
	c, ok := d.screen.byOrg[orgID]
	d.screen.mu.Unlock()
	if ok && c.revision == ov.Revision && c.base == ov.Base {
		return c.q, nil
	}
	q, err := d.applyStored(ov)
	if err != nil {
		d.log.Warn("screener: the organisation's overlay does not apply; using the built-in questionnaire", "org", orgID, "err", err)
		return d.Builtin(DefaultScreener)
	}
	d.screen.mu.Lock()
	d.screen.byOrg[orgID] = orgScreener{base: ov.Base, revision: ov.Revision, q: q}
	d.screen.mu.Unlock()
	return q, nil
}

func (d *Service) applyStored(ov *store.EligibilityOverlay) (*eligibility.Questionnaire, error) {
	o, err := ParseOverlay([]byte(ov.Document))
	if err != nil {
		return nil, err
	}
	base, err := d.Builtin(ov.Base)
	if err != nil {
		return nil, err
	}
	return ApplyOverlay(base, o, ov.Revision)
}

// Overlay is an organisation's changes to a built-in questionnaire,
// stored as JSON and edited by its administrators:
//
//	{"base": "it-benefici",
//	 "parameter_values": {"naspi_max": [{"from": "2027-01-01", "value": 1610.5, "reference": "INPS, circolare n. …"}]},
//	 "parameters": [ new parameters, as in a questionnaire ],
//	 "benefits": [ local aids, with conditions over the questionnaire's questions ]}
//
// Values are added, never replaced: an evaluation on an earlier date
// still uses, and cites, the earlier figure.
type Overlay struct {
	Base            string                                  `json:"base,omitempty"`
	ParameterValues map[string][]eligibility.ParameterValue `json:"parameter_values,omitempty"`
	Parameters      []eligibility.Parameter                 `json:"parameters,omitempty"`
	Benefits        []eligibility.Benefit                   `json:"benefits,omitempty"`
}

// ParseOverlay decodes an overlay strictly: an unknown field is an error,
// so a misspelt "conditions" is not silently ignored.
func ParseOverlay(data []byte) (*Overlay, error) {
	if len(data) > store.MaxOverlay {
		return nil, model.Invalid("", "error.eligibility.too_large", "the overlay is too large", map[string]any{"Max": store.MaxOverlay})
	}
	o := &Overlay{}
	if len(bytes.TrimSpace(data)) == 0 {
		return o, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(o); err != nil {
		return nil, &model.Error{Code: model.CodeInvalid, Key: "error.eligibility.json", Message: "not an overlay: " + err.Error(),
			Args: map[string]any{"Detail": err.Error(), "Value": err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &model.Error{Code: model.CodeInvalid, Key: "error.eligibility.json", Message: "not an overlay: data after the JSON object",
			Args: map[string]any{"Detail": "trailing data", "Value": "trailing data"}}
	}
	return o, nil
}

// Empty reports whether the overlay changes nothing.
func (o *Overlay) Empty() bool {
	return len(o.ParameterValues) == 0 && len(o.Parameters) == 0 && len(o.Benefits) == 0
}

// ApplyOverlay returns base with o applied, validated: dated values added
// to base's parameters (in date order), new parameters and benefits
// appended. The version says it is local: "2026.1+local.3", revision 3
// of the organisation's overlay ("+draft" for one not saved yet). A
// problem is a *model.Error whose Field locates it in the merged
// questionnaire, e.g. "benefits[buono_affitto].conditions[1].question".
func ApplyOverlay(base *eligibility.Questionnaire, o *Overlay, revision int64) (*eligibility.Questionnaire, error) {
	data, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var q eligibility.Questionnaire
	if err := json.Unmarshal(data, &q); err != nil {
		return nil, err
	}
	// The organisation's own parameters first: the January update adds
	// values to them as to the built-in ones.
	q.Parameters = append(q.Parameters, o.Parameters...)
	for _, id := range slices.Sorted(maps.Keys(o.ParameterValues)) {
		i := slices.IndexFunc(q.Parameters, func(p eligibility.Parameter) bool { return p.ID == id })
		if i < 0 {
			return nil, model.Invalid("parameter_values["+id+"]", "error.eligibility.reference_unknown",
				fmt.Sprintf("no parameter %q in %s", id, base.ID), map[string]any{"Field": "parameter_values[" + id + "]", "Value": id})
		}
		p := &q.Parameters[i]
		p.Values = append(p.Values, o.ParameterValues[id]...)
		slices.SortStableFunc(p.Values, func(a, b eligibility.ParameterValue) int {
			switch {
			case a.From < b.From:
				return -1
			case a.From > b.From:
				return 1
			}
			return 0
		})
	}
	q.Benefits = append(q.Benefits, o.Benefits...)
	if !o.Empty() {
		if revision > 0 {
			q.Version = base.Version + "+local." + strconv.FormatInt(revision, 10)
		} else {
			q.Version = base.Version + "+draft"
		}
	}
	merged, err := json.Marshal(&q)
	if err != nil {
		return nil, err
	}
	return eligibility.Parse(merged)
}

// ScreenerOverlay returns the organisation's overlay as stored, or an
// empty one at revision 0.
func (d *Service) ScreenerOverlay(ctx context.Context, a *Actor) (*store.EligibilityOverlay, error) {
	if !a.Can(model.PermSettingsManage) {
		return nil, errForbidden
	}
	ov, err := d.st.EligibilityOverlay(ctx, a.OrgID())
	if errors.Is(err, model.ErrNotFound) {
		return &store.EligibilityOverlay{OrgID: a.OrgID(), Base: DefaultScreener, Document: "{}"}, nil
	}
	return ov, err
}

// CheckOverlay parses document and applies it to its base: the
// questionnaire it would give, or the first problem with its location.
func (d *Service) CheckOverlay(document []byte) (*eligibility.Questionnaire, *Overlay, error) {
	o, err := ParseOverlay(document)
	if err != nil {
		return nil, nil, err
	}
	if o.Base == "" {
		o.Base = DefaultScreener
	}
	base, err := d.Builtin(o.Base)
	if err != nil {
		return nil, nil, err
	}
	q, err := ApplyOverlay(base, o, 0)
	return q, o, err
}

// SaveOverlay validates document and saves it as the organisation's
// overlay, over revision (the one the editor started from). It is
// audited.
func (d *Service) SaveOverlay(ctx context.Context, a *Actor, document []byte, revision int64) (*store.EligibilityOverlay, error) {
	if !a.Can(model.PermSettingsManage) {
		return nil, errForbidden
	}
	return d.saveOverlay(ctx, a, document, revision, "screener_overlay_save", "")
}

// saveOverlay validates and saves document, audited as action with
// detail and the new revision.
func (d *Service) saveOverlay(ctx context.Context, a *Actor, document []byte, revision int64, action, detail string) (*store.EligibilityOverlay, error) {
	_, o, err := d.CheckOverlay(document)
	if err != nil {
		return nil, err
	}
	pretty, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return nil, err
	}
	ov := &store.EligibilityOverlay{OrgID: a.OrgID(), Base: o.Base, Document: string(pretty), UpdatedBy: a.User.ID}
	if err := d.st.SaveEligibilityOverlay(ctx, ov, revision); err != nil {
		return nil, err
	}
	if detail != "" {
		detail += " "
	}
	d.audit(ctx, a.OrgID(), a.User.ID, action, "eligibility_overlay", a.OrgID(), detail+"revision="+strconv.FormatInt(ov.Revision, 10), a.IP)
	return ov, nil
}

// AddParameterValue adds a dated value to a parameter of the
// organisation's questionnaire (the January update) and saves the
// overlay. The value's problems are located as "value.from",
// "value.reference"…; others as ApplyOverlay does.
func (d *Service) AddParameterValue(ctx context.Context, a *Actor, param string, v eligibility.ParameterValue, revision int64) (*store.EligibilityOverlay, error) {
	cur, err := d.ScreenerOverlay(ctx, a)
	if err != nil {
		return nil, err
	}
	if cur.Revision != revision {
		return nil, store.ErrStaleOverlay
	}
	if err := checkNewValue(v); err != nil {
		return nil, err
	}
	o, err := ParseOverlay([]byte(cur.Document))
	if err != nil {
		return nil, err
	}
	if o.Base == "" {
		o.Base = cur.Base
	}
	if o.ParameterValues == nil {
		o.ParameterValues = map[string][]eligibility.ParameterValue{}
	}
	o.ParameterValues[param] = append(o.ParameterValues[param], v)
	data, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return d.SaveOverlay(ctx, a, data, revision)
}

// checkNewValue checks what a person filling in the form can get wrong,
// naming the form's fields.
func checkNewValue(v eligibility.ParameterValue) error {
	if _, err := time.Parse(time.DateOnly, v.From); err != nil {
		return model.Invalid("value.from", "error.eligibility.date_invalid", "from must be a date YYYY-MM-DD", map[string]any{"Value": v.From})
	}
	if v.Value == nil {
		return model.Invalid("value.value", "error.validation.required", "the value is required", map[string]any{"Field": "value"})
	}
	if err := model.CheckText("value.reference", v.Reference, true, 500); err != nil {
		return model.Invalid("value.reference", "error.eligibility.source_missing", "the legal reference is required", map[string]any{"Field": "reference"})
	}
	if err := model.CheckText("value.url", v.URL, false, 1000); err != nil {
		return err
	}
	return model.CheckText("value.note", v.Note, false, 1000)
}

// Today is the date in the organisation's time zone: the date whose
// rules a screening uses.
func (d *Service) Today(ctx context.Context, orgID int64) time.Time {
	now := d.now()
	o, err := d.st.Organization(ctx, orgID)
	if err == nil {
		if loc, err := time.LoadLocation(o.TimeZone); err == nil {
			now = now.In(loc)
		}
	}
	y, m, day := now.Date()
	return time.Date(y, m, day, 12, 0, 0, 0, time.UTC)
}
