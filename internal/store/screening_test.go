package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func cents(n int64) *int64 { return &n }

func TestScreeningRecordedOnACase(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		a, b := newFixture(t, s, "alpha"), newFixture(t, s, "bravo")
		res, err := s.RecordInbound(ctx, a.inbound("v1", "ciao", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		resB, err := s.RecordInbound(ctx, b.inbound("v2", "salve", "p2"))
		if err != nil {
			t.Fatal(err)
		}
		run := &store.ScreeningRun{OrgID: a.org.ID, CodeHash: "hash-1", Questionnaire: "it-benefici", Language: "ar", Source: store.ScreenConsole,
			ConversationID: res.ConversationID, UserID: a.user.ID, State: `{"answers":{"age":34}}`, ExpiresAt: clock.Now().Add(time.Hour)}
		if err := s.CreateScreeningRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		sc := &store.Screening{OrgID: a.org.ID, ConversationID: res.ConversationID, Questionnaire: "it-benefici", Version: "2026.1",
			Date: "2026-03-02", Language: "it", Source: store.ScreenConsole, Answers: `{"age": 34}`, Result: `{"benefits": []}`,
			CreatedBy: a.user.ID, Outcomes: []store.ScreeningOutcome{
				{Benefit: "adi", Outcome: "likely_eligible", Period: "month", MinCents: cents(10000), MaxCents: cents(50000)},
				{Benefit: "naspi", Outcome: "not_eligible"},
			}}
		if err := s.CreateScreening(ctx, sc, run.ID); err != nil {
			t.Fatal(err)
		}
		if sc.ID == 0 || sc.ContactID != res.ContactID {
			t.Errorf("created %+v: want an id and the conversation's contact %d", sc, res.ContactID)
		}
		got, err := s.Screening(ctx, a.org.ID, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != "2026.1" || got.Date != "2026-03-02" || got.CreatedBy != a.user.ID || len(got.Outcomes) != 2 {
			t.Fatalf("read back %+v", got)
		}
		if o := got.Outcomes[0]; o.Benefit != "adi" || o.Period != "month" || *o.MinCents != 10000 || *o.MaxCents != 50000 {
			t.Errorf("outcome %+v", o)
		}
		if o := got.Outcomes[1]; o.MinCents != nil || o.MaxCents != nil {
			t.Errorf("an outcome without amount: %+v", o)
		}
		// The run it finished is done, and open no more.
		r, err := s.ScreeningRun(ctx, a.org.ID, run.ID)
		if err != nil || r.DoneAt == nil || r.ScreeningID != sc.ID {
			t.Errorf("run after recording: %+v, %v", r, err)
		}
		if _, err := s.OpenScreeningRun(ctx, a.org.ID, res.ConversationID, store.ScreenConsole, a.user.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("open run after recording: %v, want not found", err)
		}

		list, err := s.Screenings(ctx, a.org.ID, res.ConversationID)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %d, %v", len(list), err)
		}

		// Another organisation's conversation, or reads from it, find nothing.
		other := *sc
		other.OrgID, other.ID = a.org.ID, 0
		other.ConversationID = resB.ConversationID
		wantCode(t, "record on B's conversation", s.CreateScreening(ctx, &other, 0), model.CodeNotFound)
		if _, err := s.Screening(ctx, b.org.ID, sc.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B reads A's screening: %v", err)
		}
		if l, err := s.Screenings(ctx, b.org.ID, res.ConversationID); err != nil || len(l) != 0 {
			t.Errorf("B lists A's conversation: %d, %v", len(l), err)
		}
		bad := *sc
		bad.ID, bad.Answers = 0, "not json"
		wantCode(t, "answers that are not JSON", s.CreateScreening(ctx, &bad, 0), model.CodeInvalid)
		bad.Answers, bad.Source = "{}", "fax"
		wantCode(t, "unknown source", s.CreateScreening(ctx, &bad, 0), model.CodeInvalid)
	})
}

func TestScreeningRunsByCodeAndExpiry(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		a, b := newFixture(t, s, "alpha"), newFixture(t, s, "bravo")
		run := &store.ScreeningRun{OrgID: a.org.ID, CodeHash: "h-portal", Questionnaire: "it-benefici", Language: "ar", Source: store.ScreenPortal,
			State: `{"answers":{}}`, ExpiresAt: clock.Now().Add(time.Hour)}
		if err := s.CreateScreeningRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		got, err := s.ScreeningRunByCode(ctx, a.org.ID, "h-portal")
		if err != nil || got.ID != run.ID || got.Language != "ar" || got.ConversationID != 0 {
			t.Fatalf("by code: %+v, %v", got, err)
		}
		if _, err := s.ScreeningRunByCode(ctx, b.org.ID, "h-portal"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("another organisation's code: %v", err)
		}
		dup := *run
		dup.ID = 0
		wantCode(t, "the same code twice", s.CreateScreeningRun(ctx, &dup), model.CodeConflict)

		clock.Advance(time.Minute)
		got.State = `{"answers":{"age":30}}`
		got.ExpiresAt = clock.Now().Add(time.Hour)
		if err := s.UpdateScreeningRun(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.ScreeningRun(ctx, a.org.ID, run.ID)
		if again.State != `{"answers":{"age":30}}` || !again.UpdatedAt.After(again.CreatedAt) {
			t.Errorf("after update: %+v", again)
		}
		wrong := *got
		wrong.OrgID = b.org.ID
		wantCode(t, "B updates A's run", s.UpdateScreeningRun(ctx, &wrong), model.CodeNotFound)

		clock.Advance(2 * time.Hour)
		if _, err := s.ScreeningRunByCode(ctx, a.org.ID, "h-portal"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("an expired run: %v, want not found", err)
		}
		n, err := s.DeleteExpiredScreeningRuns(ctx)
		if err != nil || n != 1 {
			t.Errorf("deleted %d, %v; want the expired run", n, err)
		}
	})
}

func TestApplicationsFollowAResult(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		a, b := newFixture(t, s, "alpha"), newFixture(t, s, "bravo")
		res, err := s.RecordInbound(ctx, a.inbound("v1", "ciao", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		sc := &store.Screening{OrgID: a.org.ID, ConversationID: res.ConversationID, Questionnaire: "it-benefici", Version: "2026.1",
			Date: "2026-03-02", Source: store.ScreenConsole, Answers: "{}", Result: "{}"}
		if err := s.CreateScreening(ctx, sc, 0); err != nil {
			t.Fatal(err)
		}
		app := &store.BenefitApplication{OrgID: a.org.ID, ScreeningID: sc.ID, Benefit: "assegno_unico", BenefitName: "Assegno unico",
			CreatedBy: a.user.ID, Checklist: []store.ChecklistItem{{Text: "ISEE"}, {Text: "Codice fiscale"}}}
		if err := s.CreateApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
		if app.Status != store.ApplicationStarted || app.ConversationID != res.ConversationID {
			t.Errorf("created %+v", app)
		}
		dup := *app
		dup.ID = 0
		wantCode(t, "a second application for the same benefit", s.CreateApplication(ctx, &dup), model.CodeConflict)

		clock.Advance(time.Hour)
		app.Status, app.Checklist[1].Done = store.ApplicationSubmitted, true
		app.Checklist = append(app.Checklist, store.ChecklistItem{Text: "Permesso di soggiorno", Done: true})
		if err := s.UpdateApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
		list, err := s.Applications(ctx, a.org.ID, res.ConversationID)
		if err != nil || len(list) != 1 {
			t.Fatalf("list %d, %v", len(list), err)
		}
		got := list[0]
		if got.Status != store.ApplicationSubmitted || len(got.Checklist) != 3 || got.Checklist[0].Done || !got.Checklist[1].Done || !got.UpdatedAt.After(got.CreatedAt) {
			t.Errorf("read back %+v", got)
		}
		app.Status = "lost"
		wantCode(t, "an unknown status", s.UpdateApplication(ctx, app), model.CodeInvalid)
		other := &store.BenefitApplication{OrgID: b.org.ID, ScreeningID: sc.ID, Benefit: "adi"}
		wantCode(t, "B follows A's result", s.CreateApplication(ctx, other), model.CodeNotFound)
		if _, err := s.Application(ctx, b.org.ID, app.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B reads A's application: %v", err)
		}
	})
}

func TestOverlayRevisions(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		a, b := newFixture(t, s, "alpha"), newFixture(t, s, "bravo")
		if _, err := s.EligibilityOverlay(ctx, a.org.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("no overlay yet: %v", err)
		}
		ov := &store.EligibilityOverlay{OrgID: a.org.ID, Base: "it-benefici", Document: `{"benefits": []}`, UpdatedBy: a.user.ID}
		if err := s.SaveEligibilityOverlay(ctx, ov, 0); err != nil {
			t.Fatal(err)
		}
		if ov.Revision != 1 {
			t.Errorf("revision %d, want 1", ov.Revision)
		}
		// A second editor who started from nothing is too late.
		late := &store.EligibilityOverlay{OrgID: a.org.ID, Base: "it-benefici", Document: `{}`}
		if err := s.SaveEligibilityOverlay(ctx, late, 0); !errors.Is(err, store.ErrStaleOverlay) {
			t.Errorf("stale create: %v", err)
		}
		ov.Document = `{"parameters": []}`
		if err := s.SaveEligibilityOverlay(ctx, ov, 1); err != nil || ov.Revision != 2 {
			t.Fatalf("second save: revision %d, %v", ov.Revision, err)
		}
		if err := s.SaveEligibilityOverlay(ctx, ov, 1); !errors.Is(err, store.ErrStaleOverlay) {
			t.Errorf("save over revision 1 after 2: %v", err)
		}
		got, err := s.EligibilityOverlay(ctx, a.org.ID)
		if err != nil || got.Document != `{"parameters": []}` || got.Revision != 2 || got.UpdatedBy != a.user.ID {
			t.Errorf("read back %+v, %v", got, err)
		}
		if _, err := s.EligibilityOverlay(ctx, b.org.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B has A's overlay: %v", err)
		}
		wantCode(t, "a document that is not JSON", s.SaveEligibilityOverlay(ctx, &store.EligibilityOverlay{OrgID: b.org.ID, Base: "x", Document: "{"}, 0), model.CodeInvalid)
	})
}

func TestQuickRepliesKeptWithTheirMessage(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		a := newFixture(t, s, "alpha")
		res, err := s.RecordInbound(ctx, a.inbound("v1", "ciao", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		m := &model.Message{Direction: model.DirectionOutbound, Body: "Sei residente?\n1. Sì\n2. No", QuickReplies: []string{"Sì", "No", "Non lo so"}}
		if err := s.AddMessage(ctx, a.org.ID, res.ConversationID, m); err != nil {
			t.Fatal(err)
		}
		plain := &model.Message{Direction: model.DirectionOutbound, Body: "Grazie."}
		if err := s.AddMessage(ctx, a.org.ID, res.ConversationID, plain); err != nil {
			t.Fatal(err)
		}
		ms, err := s.Messages(ctx, a.org.ID, res.ConversationID, 0, 0)
		if err != nil || len(ms) != 3 {
			t.Fatalf("messages: %d, %v", len(ms), err)
		}
		if got := ms[1].QuickReplies; len(got) != 3 || got[2] != "Non lo so" {
			t.Errorf("quick replies %v", got)
		}
		if ms[0].QuickReplies != nil || ms[2].QuickReplies != nil {
			t.Errorf("quick replies on messages without: %v, %v", ms[0].QuickReplies, ms[2].QuickReplies)
		}
		// Reading from the middle still finds them.
		if tail, _ := s.Messages(ctx, a.org.ID, res.ConversationID, 1, 1); len(tail) != 1 || len(tail[0].QuickReplies) != 3 {
			t.Errorf("from seq 1: %+v", tail)
		}
		many := &model.Message{Direction: model.DirectionOutbound, Body: "x", QuickReplies: make([]string, store.MaxQuickReplies+1)}
		for i := range many.QuickReplies {
			many.QuickReplies[i] = "r"
		}
		wantCode(t, "too many quick replies", s.AddMessage(ctx, a.org.ID, res.ConversationID, many), model.CodeInvalid)
	})
}
