package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// A local aid is one benefit of the organisation's overlay with the new
// parameters it reads. The console's form and the API edit one aid at a
// time; the result is the same overlay the JSON editor writes, validated
// by the engine on the merged questionnaire. Problems are located
// relative to the aid, "benefit.conditions[1].question" or
// "parameters[0].values[0].from", so that a form can put the message
// next to the field.

// LocalAid is a benefit of the organisation's own, with the parameters
// of the overlay it brings.
type LocalAid struct {
	Benefit    eligibility.Benefit     `json:"benefit"`
	Parameters []eligibility.Parameter `json:"parameters,omitempty"`
}

// LocalAids returns the overlay as stored and its benefits, each with
// the overlay's parameters it reads.
func (d *Service) LocalAids(ctx context.Context, a *Actor) (*store.EligibilityOverlay, []LocalAid, error) {
	ov, err := d.ScreenerOverlay(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	o, err := ParseOverlay([]byte(ov.Document))
	if err != nil {
		return nil, nil, err
	}
	var out []LocalAid
	for _, b := range o.Benefits {
		la := LocalAid{Benefit: b}
		refs := paramRefs(&b)
		for _, p := range o.Parameters {
			if refs[p.ID] {
				la.Parameters = append(la.Parameters, p)
			}
		}
		out = append(out, la)
	}
	return ov, out, nil
}

// CheckLocalAid puts aid in the organisation's overlay, in place of the
// benefit replace (empty for a new aid), and validates the result: the
// questionnaire it would give, for a preview, and the overlay document.
func (d *Service) CheckLocalAid(ctx context.Context, a *Actor, replace string, aid LocalAid) (*eligibility.Questionnaire, []byte, error) {
	ov, err := d.ScreenerOverlay(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	o, err := ParseOverlay([]byte(ov.Document))
	if err != nil {
		return nil, nil, err
	}
	if o.Base == "" {
		o.Base = ov.Base
	}
	base, err := d.Builtin(o.Base)
	if err != nil {
		return nil, nil, err
	}
	if err := putAid(base, o, replace, aid); err != nil {
		return nil, nil, err
	}
	q, err := ApplyOverlay(base, o, 0)
	if err != nil {
		return nil, nil, aidProblem(err, aid)
	}
	doc, err := json.Marshal(o)
	if err != nil {
		return nil, nil, err
	}
	return q, doc, nil
}

// SaveLocalAid saves aid as a new revision of the overlay, over revision
// (the one the editor started from). It is audited.
func (d *Service) SaveLocalAid(ctx context.Context, a *Actor, replace string, aid LocalAid, revision int64) (*store.EligibilityOverlay, error) {
	cur, err := d.ScreenerOverlay(ctx, a)
	if err != nil {
		return nil, err
	}
	if cur.Revision != revision {
		return nil, store.ErrStaleOverlay
	}
	_, doc, err := d.CheckLocalAid(ctx, a, replace, aid)
	if err != nil {
		return nil, err
	}
	return d.saveOverlay(ctx, a, doc, revision, "screener_aid_save", "benefit="+aid.Benefit.ID)
}

// RemoveLocalAid takes the benefit id out of the overlay, with the
// overlay's parameters no other local aid reads, and saves a new
// revision. It is audited.
func (d *Service) RemoveLocalAid(ctx context.Context, a *Actor, id string, revision int64) (*store.EligibilityOverlay, error) {
	cur, err := d.ScreenerOverlay(ctx, a)
	if err != nil {
		return nil, err
	}
	if cur.Revision != revision {
		return nil, store.ErrStaleOverlay
	}
	o, err := ParseOverlay([]byte(cur.Document))
	if err != nil {
		return nil, err
	}
	if o.Base == "" {
		o.Base = cur.Base
	}
	i := slices.IndexFunc(o.Benefits, func(b eligibility.Benefit) bool { return b.ID == id })
	if i < 0 {
		return nil, model.NotFound("local_aid")
	}
	gone := paramRefs(&o.Benefits[i])
	o.Benefits = slices.Delete(o.Benefits, i, i+1)
	dropUnread(o, gone)
	doc, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return d.saveOverlay(ctx, a, doc, revision, "screener_aid_remove", "benefit="+id)
}

// putAid checks what the engine cannot know (whose an id is) and puts
// aid in o: the benefit in place of replace or at the end, its
// parameters in place of the overlay's with the same id or at the end.
func putAid(base *eligibility.Questionnaire, o *Overlay, replace string, aid LocalAid) error {
	b := aid.Benefit
	if err := checkSlug("benefit.id", b.ID); err != nil {
		return err
	}
	at := -1
	if replace != "" {
		at = slices.IndexFunc(o.Benefits, func(x eligibility.Benefit) bool { return x.ID == replace })
		if at < 0 {
			return model.NotFound("local_aid")
		}
	}
	taken := slices.ContainsFunc(base.Benefits, func(x eligibility.Benefit) bool { return x.ID == b.ID })
	for i, x := range o.Benefits {
		if x.ID == b.ID && i != at {
			taken = true
		}
	}
	if taken {
		return model.Invalid("benefit.id", "error.screener.aid_duplicate", "another benefit has the id "+b.ID, map[string]any{"Value": b.ID})
	}
	// The parameters the replaced benefit read may be rewritten; any
	// other parameter of the overlay or of the base keeps its id.
	mine := map[string]bool{}
	if at >= 0 {
		mine = paramRefs(&o.Benefits[at])
	}
	seen := map[string]bool{}
	for k, p := range aid.Parameters {
		path := fmt.Sprintf("parameters[%d].id", k)
		if err := checkSlug(path, p.ID); err != nil {
			return err
		}
		inBase := slices.ContainsFunc(base.Parameters, func(x eligibility.Parameter) bool { return x.ID == p.ID })
		inOverlay := slices.ContainsFunc(o.Parameters, func(x eligibility.Parameter) bool { return x.ID == p.ID })
		if seen[p.ID] || inBase || inOverlay && !mine[p.ID] {
			return model.Invalid(path, "error.screener.param_duplicate", "another parameter has the id "+p.ID, map[string]any{"Value": p.ID})
		}
		seen[p.ID] = true
	}
	if at >= 0 {
		o.Benefits[at] = b
	} else {
		o.Benefits = append(o.Benefits, b)
	}
	for _, p := range aid.Parameters {
		if i := slices.IndexFunc(o.Parameters, func(x eligibility.Parameter) bool { return x.ID == p.ID }); i >= 0 {
			o.Parameters[i] = p
		} else {
			o.Parameters = append(o.Parameters, p)
		}
	}
	// A parameter the replaced benefit read and that no local aid reads
	// any more goes, with the values the January update added to it.
	dropUnread(o, mine)
	return nil
}

// dropUnread removes from o the parameters among candidates that none
// of its benefits reads.
func dropUnread(o *Overlay, candidates map[string]bool) {
	used := map[string]bool{}
	for j := range o.Benefits {
		for p := range paramRefs(&o.Benefits[j]) {
			used[p] = true
		}
	}
	o.Parameters = slices.DeleteFunc(o.Parameters, func(p eligibility.Parameter) bool {
		if candidates[p.ID] && !used[p.ID] {
			delete(o.ParameterValues, p.ID)
			return true
		}
		return false
	})
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// checkSlug is the engine's rule for ids, said where the form has it.
func checkSlug(path, id string) error {
	if !slugRE.MatchString(id) {
		return model.Invalid(path, "error.eligibility.id_invalid",
			fmt.Sprintf("%q is not an identifier: lowercase letters, digits, _ and -, starting with a letter", id), map[string]any{"Value": id})
	}
	return nil
}

// aidProblem relocates the engine's problem, found in the merged
// questionnaire, relative to the aid: "benefits[id].x" becomes
// "benefit.x" and "parameters[pid].x" "parameters[k].x". A problem
// elsewhere (the rest of the overlay) keeps its location.
func aidProblem(err error, aid LocalAid) error {
	e, ok := model.AsError(err)
	if !ok || e.Field == "" {
		return err
	}
	field := e.Field
	if rest, ok := strings.CutPrefix(field, "benefits["+aid.Benefit.ID+"]"); ok {
		field = "benefit" + rest
	}
	for k, p := range aid.Parameters {
		if rest, ok := strings.CutPrefix(field, "parameters["+p.ID+"]"); ok {
			field = "parameters[" + strconv.Itoa(k) + "]" + rest
		}
	}
	if field == e.Field {
		return err
	}
	out := *e
	out.Field = field
	return &out
}

// placeholderRE finds {param} in a text.
var placeholderRE = regexp.MustCompile(`\{([a-z][a-z0-9_-]*)\}`)

// paramRefs lists the parameters b reads: in its conditions and amount,
// and in its texts' placeholders.
func paramRefs(b *eligibility.Benefit) map[string]bool {
	out := map[string]bool{}
	var cond func(c *eligibility.Condition)
	var expr func(e *eligibility.Expr)
	expr = func(e *eligibility.Expr) {
		if e == nil {
			return
		}
		if e.Param != "" {
			out[e.Param] = true
		}
		for _, list := range [][]eligibility.Expr{e.Add, e.Sub, e.Mul, e.Div, e.Min, e.Max} {
			for i := range list {
				expr(&list[i])
			}
		}
		if e.If != nil {
			cond(&e.If.When)
			expr(&e.If.Then)
			expr(&e.If.Else)
		}
		if e.Interp != nil {
			for _, x := range []*eligibility.Expr{&e.Interp.X, &e.Interp.X0, &e.Interp.X1, &e.Interp.Y0, &e.Interp.Y1} {
				expr(x)
			}
		}
	}
	cond = func(c *eligibility.Condition) {
		if c.Param != "" {
			out[c.Param] = true
		}
		expr(c.Expr)
		for i := range c.All {
			cond(&c.All[i])
		}
		for i := range c.Any {
			cond(&c.Any[i])
		}
		if c.Not != nil {
			cond(c.Not)
		}
	}
	for i := range b.Conditions {
		cond(&b.Conditions[i])
	}
	if a := b.Amount; a != nil {
		expr(a.Value)
		expr(a.Min)
		expr(a.Max)
	}
	texts, _ := json.Marshal(b)
	for _, m := range placeholderRE.FindAllSubmatch(texts, -1) {
		out[string(m[1])] = true
	}
	return out
}
