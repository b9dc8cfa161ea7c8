package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// notes are the internal notes of a conversation.
func notes(t *testing.T, s *store.Store, orgID, conv int64) string {
	t.Helper()
	ms, err := s.Messages(context.Background(), orgID, conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.Direction == model.DirectionNote {
			out = append(out, m.Body)
		}
	}
	return strings.Join(out, " | ")
}

// A case goes from one organisation to another on the same desk and
// back: refused without consent, then sent with only the chosen fields,
// accepted and completed by the partner, every step noted on the case.
func TestReferralBetweenOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		partner := &model.Organization{Slug: "casa-diritti", Name: "Casa dei Diritti", Language: "it"}
		if err := s.CreateOrganization(ctx, partner); err != nil {
			t.Fatal(err)
		}
		pu := &model.User{OrgID: partner.ID, Email: "op@casa.example", Name: "Samira", Role: model.RoleOperator, Active: true}
		if err := s.CreateUser(ctx, pu); err != nil {
			t.Fatal(err)
		}
		tok, _, err := w.d.CreateAPIToken(ctx, partner.ID, pu.ID, 0, "t")
		if err != nil {
			t.Fatal(err)
		}
		pa, err := w.d.TokenActor(ctx, tok, "")
		if err != nil {
			t.Fatal(err)
		}
		conv := w.conversation(t, "visitor-1", store.ConversationPatch{})
		op := w.actor(t, model.RoleCoordinator)
		req := desk.ReferralRequest{ConversationID: conv, PartnerSlug: "casa-diritti", Reason: "Rinnovo del permesso", Share: []string{"language", "summary"}, Summary: "Permesso scaduto a marzo"}

		_, _, err = w.d.Refer(ctx, op, req)
		if me, ok := model.AsError(err); !ok || me.Key != "referral.error.consent" {
			t.Fatalf("without consent: %v", err)
		}
		if _, _, err := w.d.Refer(ctx, w.actor(t, model.RoleVolunteer), req); !errors.Is(err, desk.Forbidden()) {
			t.Errorf("a volunteer refers: %v", err)
		}
		req.ConsentGiven = true
		r, link, err := w.d.Refer(ctx, op, req)
		if err != nil {
			t.Fatal(err)
		}
		if link != "" || r.Status != store.ReferralSent || r.Fields.Summary != "Permesso scaduto a marzo" || r.Fields.Name != "" || r.ConsentID == 0 {
			t.Errorf("referral %+v, link %q", r, link)
		}
		cs, err := s.Consents(ctx, w.org.ID, r.ContactID)
		if err != nil || len(cs) != 1 || cs[0].Purpose != "referral" {
			t.Errorf("consent recorded: %+v %v", cs, err)
		}

		got, err := w.d.Referrals(ctx, pa, store.ReferralFilter{Received: true})
		if err != nil || len(got) != 1 || got[0].OrgName != "Desk" || got[0].Reason != "Rinnovo del permesso" {
			t.Fatalf("partner's list: %+v %v", got, err)
		}
		if _, err := w.d.Referral(ctx, pa, r.ID, false); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the partner reads it as its own: %v", err)
		}
		if _, err := w.d.AnswerReferral(ctx, pa, r.ID, true, store.ReferralCompleted, ""); err == nil {
			t.Error("completed before being accepted")
		}
		if _, err := w.d.AnswerReferral(ctx, pa, r.ID, true, store.ReferralAccepted, "Appuntamento giovedì alle 10"); err != nil {
			t.Fatal(err)
		}
		done, err := w.d.AnswerReferral(ctx, pa, r.ID, true, store.ReferralCompleted, "Domanda di rinnovo presentata")
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != store.ReferralCompleted || len(done.Events) != 3 {
			t.Errorf("after completion: %+v", done)
		}
		n := notes(t, s, w.org.ID, conv)
		for _, want := range []string{"Casa dei Diritti", "Appuntamento giovedì alle 10", "Domanda di rinnovo presentata"} {
			if !strings.Contains(n, want) {
				t.Errorf("case notes %q lack %q", n, want)
			}
		}
		// The referring desk sees the same status.
		mine, err := w.d.Referral(ctx, op, r.ID, false)
		if err != nil || mine.Status != store.ReferralCompleted || mine.Events[2].Note != "Domanda di rinnovo presentata" {
			t.Errorf("referrer's view: %+v %v", mine, err)
		}
	})
}

// A partner outside the desk answers through its link, without an
// account; an overdue referral is flagged.
func TestReferralByLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		conv := w.conversation(t, "visitor-2", store.ConversationPatch{})
		op := w.actor(t, model.RoleOperator)
		r, link, err := w.d.Refer(ctx, op, desk.ReferralRequest{ConversationID: conv, PartnerEmail: "Sportello@Comune.example", Reason: "Residenza fittizia",
			ConsentGiven: true, DueDays: 3, LinkBase: "https://desk.example.org", Share: []string{"name"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(link, "https://desk.example.org/o/desk/referral/ref_") || !strings.Contains(r.EmailBody, link) || r.PartnerEmail != "sportello@comune.example" {
			t.Fatalf("link %q, e-mail %q", link, r.EmailBody)
		}
		token := link[strings.LastIndex(link, "/")+1:]
		if _, err := w.d.LinkReferral(ctx, w.org.ID, token+"x"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a wrong token: %v", err)
		}
		if r.Overdue(w.clock.now()) {
			t.Error("overdue at once")
		}
		w.clock.add(4 * 24 * time.Hour)
		open, _ := w.d.Referrals(ctx, op, store.ReferralFilter{OpenOnly: true})
		if len(open) != 1 || !open[0].Overdue(w.clock.now()) {
			t.Errorf("not flagged overdue: %+v", open)
		}
		got, err := w.d.AnswerLinkReferral(ctx, w.org.ID, token, store.ReferralDeclined, "Non di nostra competenza")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.ReferralDeclined || got.Overdue(w.clock.now()) {
			t.Errorf("after declining: %+v", got)
		}
		if !strings.Contains(notes(t, s, w.org.ID, conv), "Non di nostra competenza") {
			t.Error("the note did not come back to the case")
		}
		if _, err := w.d.AnswerLinkReferral(ctx, w.org.ID, token, store.ReferralAccepted, ""); err == nil {
			t.Error("a declined referral accepted")
		}
	})
}
