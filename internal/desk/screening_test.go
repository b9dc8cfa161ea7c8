package desk_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// rentAid is a Comune's rent support over the built-in questions.
const rentAid = `{
 "base": "it-benefici",
 "parameters": [{"id": "affitto_isee_max", "unit": "eur", "description": {"it": "Soglia", "en": "Threshold"},
   "values": [{"from": "2025-01-01", "value": 12000, "reference": "Delibera 45/2025"}]}],
 "benefits": [{"id": "contributo_affitto", "name": {"it": "Contributo affitto", "en": "Rent support"},
   "legal": [{"reference": "Delibera 45/2025"}],
   "conditions": [
     {"question": "rent", "op": "=", "value": true, "holds": {"it": "Sei in affitto.", "en": "You rent."}, "fails": {"it": "Non sei in affitto.", "en": "You do not rent."}},
     {"question": "isee", "op": "<=", "param": "affitto_isee_max", "holds": {"it": "ISEE entro {affitto_isee_max}.", "en": "ISEE within {affitto_isee_max}."},
      "fails": {"it": "ISEE oltre {affitto_isee_max}.", "en": "ISEE above {affitto_isee_max}."}}
   ],
   "amount": {"period": "month", "value": {"value": 150}}}]
}`

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t.Add(12 * time.Hour)
}

func TestOverlayValidationLocatesProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		tests := []struct{ name, doc, field, key string }{
			{"unknown question", strings.Replace(rentAid, `"question": "rent"`, `"question": "affitto"`, 1),
				"benefits[contributo_affitto].conditions[0].question", "error.eligibility.reference_unknown"},
			{"value without reference", strings.Replace(rentAid, `"reference": "Delibera 45/2025"}]}]`, `"reference": ""}]}]`, 1),
				"parameters[affitto_isee_max].values[0].reference", "error.eligibility.source_missing"},
			{"value of an unknown parameter", `{"parameter_values": {"nope": [{"from": "2027-01-01", "value": 1, "reference": "x"}]}}`,
				"parameter_values[nope]", "error.eligibility.reference_unknown"},
			{"a benefit id of the built-in questionnaire", strings.Replace(rentAid, `"id": "contributo_affitto"`, `"id": "naspi"`, 1),
				"benefits[9].id", "error.eligibility.id_duplicate"},
			{"a misspelt field", `{"benefit": []}`, "", "error.eligibility.json"},
			{"an unknown base", `{"base": "xx"}`, "base", "error.screener.unknown_base"},
		}
		for _, tt := range tests {
			_, _, err := w.d.CheckOverlay([]byte(tt.doc))
			e, ok := model.AsError(err)
			if !ok {
				t.Errorf("%s: %v, want a domain error", tt.name, err)
				continue
			}
			if !strings.HasPrefix(e.Field, tt.field) || tt.key != "" && e.Key != tt.key {
				t.Errorf("%s: %s at %q (%s), want %s at %q", tt.name, e.Key, e.Field, e.Message, tt.key, tt.field)
			}
		}

		// A valid local aid previews on a sample person before saving.
		q, _, err := w.d.CheckOverlay([]byte(rentAid))
		if err != nil {
			t.Fatal(err)
		}
		if q.Version != "2026.1+draft" && !strings.HasSuffix(q.Version, "+draft") {
			t.Errorf("draft version %q", q.Version)
		}
		res, err := eligibility.Evaluate(q, eligibility.Answers{"rent": true, "isee": 9000.0}, day("2026-03-01"), "en")
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(res.Benefits, func(b eligibility.BenefitResult) bool { return b.ID == "contributo_affitto" })
		if i < 0 || res.Benefits[i].Outcome != eligibility.LikelyEligible || res.Benefits[i].Amount == nil {
			t.Fatalf("preview: %+v", res.Benefits)
		}
		if got := res.Benefits[i].Explanation[1].Text; !strings.Contains(got, "12,000") {
			t.Errorf("explanation %q: want the threshold filled in", got)
		}
	})
}

func TestOverlaySavedPerOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		admin, op := w.actor(t, model.RoleAdmin), w.actor(t, model.RoleOperator)
		if _, err := w.d.SaveOverlay(ctx, op, []byte(rentAid), 0); !model.ErrorIs(err, model.CodeForbidden) {
			t.Errorf("an operator saves the rules: %v", err)
		}
		ov, err := w.d.SaveOverlay(ctx, admin, []byte(rentAid), 0)
		if err != nil {
			t.Fatal(err)
		}
		q, err := w.d.Screener(ctx, w.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(q.Version, "+local.1") || q.Benefits[len(q.Benefits)-1].ID != "contributo_affitto" {
			t.Errorf("the organisation's screener: version %q, %d benefits", q.Version, len(q.Benefits))
		}

		// The January update: a dated value with its reference.
		v := eligibility.ParameterValue{From: "2027-01-01", Value: 560.0, Reference: "INPS, circolare n. 1/2027"}
		if _, err := w.d.AddParameterValue(ctx, admin, "assegno_sociale_monthly", v, 0); !errors.Is(err, store.ErrStaleOverlay) {
			t.Errorf("over a stale revision: %v", err)
		}
		noRef := v
		noRef.Reference = " "
		if _, err := w.d.AddParameterValue(ctx, admin, "assegno_sociale_monthly", noRef, ov.Revision); !model.ErrorIs(err, model.CodeInvalid) || fieldOf(err) != "value.reference" {
			t.Errorf("without a reference: %v at %q", err, fieldOf(err))
		}
		if _, err := w.d.AddParameterValue(ctx, admin, "assegno_sociale_monthly", v, ov.Revision); err != nil {
			t.Fatal(err)
		}
		q, err = w.d.Screener(ctx, w.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		elderly := eligibility.Answers{"age": 68.0, "citizenship": "it", "resident": true, "residence_years": 68.0, "continuous_years": 68.0,
			"married": false, "own_income": 0.0}
		amountFrom := func(on string) string {
			res, err := eligibility.Evaluate(q, elderly, day(on), "it")
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range res.Benefits {
				if b.ID == "assegno_sociale" && b.Amount != nil {
					for _, c := range b.Amount.Parameters {
						if c.Parameter == "assegno_sociale_monthly" {
							return c.From + " " + c.Reference
						}
					}
				}
			}
			return ""
		}
		if got := amountFrom("2027-02-01"); got != "2027-01-01 INPS, circolare n. 1/2027" {
			t.Errorf("on 2027-02-01 the amount cites %q, want the new value", got)
		}
		if got := amountFrom("2026-02-01"); strings.HasPrefix(got, "2027") || got == "" {
			t.Errorf("on 2026-02-01 the amount cites %q, want the 2026 value", got)
		}

		// Another organisation screens with the built-in questionnaire.
		other := &model.Organization{Slug: "altra", Name: "Altra"}
		if err := s.CreateOrganization(ctx, other); err != nil {
			t.Fatal(err)
		}
		q2, err := w.d.Screener(ctx, other.ID)
		if err != nil || strings.Contains(q2.Version, "local") || q2.Benefits[len(q2.Benefits)-1].ID == "contributo_affitto" {
			t.Errorf("another organisation's screener: %q, %v", q2.Version, err)
		}
	})
}

func fieldOf(err error) string {
	if e, ok := model.AsError(err); ok {
		return e.Field
	}
	return ""
}

func TestRunPagesBackAndResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		run, code, err := w.d.StartRun(ctx, w.org.ID, store.ScreenPortal, "ar", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 8 || desk.NormalizeCode(strings.ToLower(desk.FormatCode(code))) != code {
			t.Errorf("code %q, formatted %q", code, desk.FormatCode(code))
		}
		q, err := w.d.Screener(ctx, w.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		on := day("2026-03-01")
		pg, err := w.d.NextPage(q, run, -1, 3, on, "ar")
		if err != nil {
			t.Fatal(err)
		}
		if pg.Index != 0 || len(pg.Questions) == 0 || pg.Questions[0].ID != "age" || pg.Done {
			t.Fatalf("first page %+v", pg)
		}
		ids := []string{}
		for _, p := range pg.Questions {
			ids = append(ids, p.ID)
		}
		// An impossible answer is refused, naming the question; nothing is kept.
		err = w.d.Answer(q, run, 0, ids, eligibility.Answers{"age": 200.0}, nil, on)
		if desk.QuestionOf(err) != "age" || len(run.State.Answers) != 0 {
			t.Fatalf("age 200: %v (%q), answers %v", err, desk.QuestionOf(err), run.State.Answers)
		}
		if err := w.d.Answer(q, run, 0, []string{"age"}, eligibility.Answers{"age": 40.0}, nil, on); err != nil {
			t.Fatal(err)
		}
		if err := w.d.SaveRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		pg, _ = w.d.NextPage(q, run, -1, 3, on, "ar")
		if pg.Index != 1 || pg.Answered != 1 || slices.ContainsFunc(pg.Questions, func(p eligibility.Prompt) bool { return p.ID == "age" }) {
			t.Fatalf("second page %+v", pg)
		}
		second := pg.Questions[0].ID
		if err := w.d.Answer(q, run, 1, []string{second}, nil, []string{second}, on); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(run.State.Skipped, second) {
			t.Errorf("skipped %v, want %s", run.State.Skipped, second)
		}
		// Going back to page 0 and answering it again: the later page
		// waits in the draft, and is asked again.
		back, _ := w.d.NextPage(q, run, 0, 3, on, "ar")
		if back.Index != 0 || back.Values["age"] != 40.0 {
			t.Errorf("page 0 again: %+v", back)
		}
		if err := w.d.Answer(q, run, 0, []string{"age"}, eligibility.Answers{"age": 41.0}, nil, on); err != nil {
			t.Fatal(err)
		}
		if len(run.State.Pages) != 1 || slices.Contains(run.State.Skipped, second) {
			t.Errorf("after changing page 0: pages %v, skipped %v", run.State.Pages, run.State.Skipped)
		}
		if err := w.d.SaveRun(ctx, run); err != nil {
			t.Fatal(err)
		}

		// The code finds the run again, in this organisation only.
		again, err := w.d.RunByCode(ctx, w.org.ID, " "+desk.FormatCode(code)+" ")
		if err != nil || again.ID != run.ID || again.State.Answers["age"] != 41.0 || again.Language != "ar" {
			t.Fatalf("resume: %+v, %v", again, err)
		}
		other := &model.Organization{Slug: "altra", Name: "Altra"}
		if err := s.CreateOrganization(ctx, other); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunByCode(ctx, other.ID, code); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the code in another organisation: %v", err)
		}
		if _, err := w.d.RunByCode(ctx, w.org.ID, "nonsense"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a malformed code: %v", err)
		}
	})
}

// messagesOf lists a conversation's replies.
func repliesOf(t *testing.T, s *store.Store, orgID, conv int64) []*model.Message {
	t.Helper()
	ms, err := s.Messages(context.Background(), orgID, conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Message
	for _, m := range ms {
		if m.Direction == model.DirectionOutbound {
			out = append(out, m)
		}
	}
	return out
}

func TestChatScreeningFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		n := 0
		say := func(body string) store.InboundResult {
			t.Helper()
			n++
			res, err := w.d.ReceiveWeb(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.ch.ID, Channel: model.ChannelWeb, Language: "it",
				From: model.Identity{Kind: model.IdentityWeb, Value: "citizen"}, Body: body, ProviderMessageID: "citizen:" + string(rune('a'+n))}, "")
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		res := say("Buongiorno, vorrei sapere degli aiuti")
		conv := res.ConversationID
		if len(repliesOf(t, s, w.org.ID, conv)) != 0 {
			t.Fatal("an ordinary message got an answer from the screener")
		}
		vol := w.actor(t, model.RoleVolunteer)
		if err := w.d.StartChatScreening(ctx, vol, conv); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a volunteer not assigned starts it: %v", err)
		}
		op := w.actor(t, model.RoleCoordinator)
		if err := w.d.StartChatScreening(ctx, op, conv); err != nil {
			t.Fatal(err)
		}
		replies := repliesOf(t, s, w.org.ID, conv)
		if len(replies) != 2 || !strings.Contains(replies[1].Body, "anni") || len(replies[1].QuickReplies) != 1 {
			t.Fatalf("intro and first question: %+v", replies)
		}
		last := func() *model.Message { r := repliesOf(t, s, w.org.ID, conv); return r[len(r)-1] }

		say("boh")
		if got := last().Body; !strings.Contains(got, "Scusa, non ho capito") {
			t.Errorf("after a word for a number: %q", got)
		}
		say("200")
		if got := last().Body; !strings.Contains(got, "130") {
			t.Errorf("after age 200: %q, want the engine's limit", got)
		}
		say("34")
		q := last()
		if !strings.Contains(q.Body, "1. ") || len(q.QuickReplies) != 4 || q.QuickReplies[3] != "Non lo so" {
			t.Fatalf("citizenship: %q %v", q.Body, q.QuickReplies)
		}
		say(q.QuickReplies[0]) // a button: Italiana
		run, err := w.d.OpenRun(ctx, w.org.ID, conv, store.ScreenChat, 0)
		if err != nil {
			t.Fatal(err)
		}
		if run.State.Answers["age"] != 34.0 || run.State.Answers["citizenship"] != "it" || run.UserID != op.User.ID {
			t.Errorf("answers so far %v, started by %d", run.State.Answers, run.UserID)
		}
		// The household is asked number by number.
		for guard := 0; guard < 60; guard++ {
			m := last()
			if strings.Contains(m.Body, "Grazie.") {
				break
			}
			switch {
			case strings.Contains(m.Body, "nucleo, tu compreso"):
				say("3")
			case strings.Contains(m.Body, "meno di 18 anni"):
				say("2")
			case strings.Contains(m.Body, "60 anni o più") || strings.Contains(m.Body, "disabilità?"):
				say("0")
			default:
				say("Non lo so")
			}
		}
		final := last()
		if !strings.Contains(final.Body, "Grazie.") || !strings.Contains(final.Body, "operatore") {
			t.Fatalf("the end: %q", final.Body)
		}
		scs, err := w.d.ConversationScreenings(ctx, op, conv)
		if err != nil || len(scs) != 1 {
			t.Fatalf("recorded: %d, %v", len(scs), err)
		}
		sc := scs[0]
		if sc.Source != store.ScreenChat || sc.CreatedBy != op.User.ID {
			t.Errorf("recorded %+v", sc)
		}
		var answers map[string]any
		_ = json.Unmarshal([]byte(sc.Answers), &answers)
		hh, _ := answers["household"].(map[string]any)
		if hh["size"] != 3.0 || hh["minors"] != 2.0 {
			t.Errorf("household %v", answers["household"])
		}
		if _, err := w.d.OpenRun(ctx, w.org.ID, conv, store.ScreenChat, 0); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the run is still open: %v", err)
		}

		// The citizen may start it with a command, and stop it.
		say("/benefici")
		if !strings.Contains(last().Body, "anni") {
			t.Errorf("after the command: %q", last().Body)
		}
		say("stop")
		if !strings.Contains(last().Body, "finite") {
			t.Errorf("after stop: %q", last().Body)
		}
		say("34")
		if got := last().Body; !strings.Contains(got, "finite") {
			t.Errorf("a message after stop got %q", got)
		}
	})
}

func TestRecordOnTheCaseAndFollowTheApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		res, err := w.d.Receive(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.ch.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "c1"}, Body: "ciao", ProviderMessageID: "c1:1"})
		if err != nil {
			t.Fatal(err)
		}
		family := eligibility.Answers{"age": 34.0, "citizenship": "it", "resident": true, "residence_years": 34.0, "continuous_years": 34.0,
			"household": map[string]any{"size": 3.0, "minors": 2.0}, "isee": 8000.0, "family_income": 3000.0, "rent": true}
		vol := w.actor(t, model.RoleVolunteer)
		if _, _, err := w.d.RecordScreening(ctx, vol, res.ConversationID, desk.NewScreening{Answers: family, Source: store.ScreenConsole}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a volunteer records on a case not theirs: %v", err)
		}
		op := w.actor(t, model.RoleCoordinator)
		if _, _, err := w.d.RecordScreening(ctx, op, res.ConversationID, desk.NewScreening{Answers: eligibility.Answers{"age": -1.0}, Source: store.ScreenConsole}); desk.QuestionOf(err) != "age" {
			t.Errorf("age -1: %v", err)
		}
		sc, result, err := w.d.RecordScreening(ctx, op, res.ConversationID, desk.NewScreening{Answers: family, Source: store.ScreenConsole, Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		if sc.Language != "fr" || sc.Version != result.Version || sc.Date == "" || len(sc.Outcomes) != len(result.Benefits) {
			t.Errorf("recorded %+v", sc)
		}
		app, err := w.d.StartApplication(ctx, op, sc.ID, "assegno_unico")
		if err != nil {
			t.Fatal(err)
		}
		if app.Status != store.ApplicationStarted || len(app.Checklist) == 0 || app.BenefitName == "" {
			t.Errorf("application %+v: want the benefit's documents as checklist", app)
		}
		if _, err := w.d.StartApplication(ctx, op, sc.ID, "nope"); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("an unknown benefit: %v", err)
		}
		got, err := w.d.UpdateApplication(ctx, op, app.ID, desk.ApplicationPatch{Status: store.ApplicationSubmitted, Done: []int{0}, Add: "Permesso di soggiorno"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.ApplicationSubmitted || !got.Checklist[0].Done || got.Checklist[len(got.Checklist)-1].Text != "Permesso di soggiorno" {
			t.Errorf("after the update: %+v", got)
		}
		if _, err := w.d.UpdateApplication(ctx, vol, app.ID, desk.ApplicationPatch{Status: store.ApplicationGranted}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a volunteer updates a case not theirs: %v", err)
		}
		cs, err := w.d.Screenings(ctx, op, res.ConversationID)
		if err != nil || len(cs.Screenings) != 1 || len(cs.Applications) != 1 || cs.ChatRun != nil {
			t.Errorf("the case's screenings: %+v, %v", cs, err)
		}
		if _, _, err := w.d.RecordScreening(ctx, op, res.ConversationID, desk.NewScreening{Answers: family, Date: time.Now().AddDate(1, 0, 0)}); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("a date next year: %v", err)
		}
	})
}
