package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func TestConsents(t *testing.T) {
	eachClocked(t, func(t *testing.T, s *store.Store, clock *stepClock) {
		ctx := context.Background()
		orgA, _ := newTenant(t, s, "a")
		orgB, _ := newTenant(t, s, "b")
		contact := &model.Contact{OrgID: orgA.ID, DisplayName: "Amina"}
		if err := s.CreateContact(ctx, contact); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name string
			c    model.Consent
			code model.Code
		}{
			{"given now", model.Consent{OrgID: orgA.ID, ContactID: contact.ID, Purpose: "data_processing", TextVersion: "2026-01", Source: "web"}, ""},
			{"another organisation's contact", model.Consent{OrgID: orgB.ID, ContactID: contact.ID, Purpose: "referral", TextVersion: "v1"}, model.CodeNotFound},
			{"missing contact", model.Consent{OrgID: orgA.ID, ContactID: contact.ID + 1000, Purpose: "referral", TextVersion: "v1"}, model.CodeNotFound},
			{"no purpose", model.Consent{OrgID: orgA.ID, ContactID: contact.ID, TextVersion: "v1"}, model.CodeInvalid},
			{"no text version", model.Consent{OrgID: orgA.ID, ContactID: contact.ID, Purpose: "referral"}, model.CodeInvalid},
		}
		for _, tt := range tests {
			c := tt.c
			wantCode(t, tt.name, s.RecordConsent(ctx, &c), tt.code)
		}
		clock.Advance(time.Hour)
		later := &model.Consent{OrgID: orgA.ID, ContactID: contact.ID, Purpose: "referral", TextVersion: "v1", Source: "operator"}
		if err := s.RecordConsent(ctx, later); err != nil {
			t.Fatal(err)
		}

		got, err := s.Consents(ctx, orgA.ID, contact.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || *got[0] != *later || got[1].Purpose != "data_processing" || !got[1].GivenAt.Equal(clock.Now().Add(-time.Hour)) {
			t.Errorf("Consents = %+v, want the referral then the data processing consent", got)
		}
		if got, err := s.Consents(ctx, orgB.ID, contact.ID); err != nil || len(got) != 0 {
			t.Errorf("Consents from another organisation = %v, %v, want none", got, err)
		}

		if err := s.WithdrawConsent(ctx, orgB.ID, later.ID, clock.Now()); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("WithdrawConsent from another organisation: %v, want not found", err)
		}
		withdrawn := clock.Now()
		if err := s.WithdrawConsent(ctx, orgA.ID, later.ID, withdrawn); err != nil {
			t.Fatal(err)
		}
		if err := s.WithdrawConsent(ctx, orgA.ID, later.ID, withdrawn.Add(time.Hour)); err != nil {
			t.Errorf("withdrawing twice: %v", err)
		}
		got, err = s.Consents(ctx, orgA.ID, contact.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].WithdrawnAt == nil || !got[0].WithdrawnAt.Equal(withdrawn) || got[1].WithdrawnAt != nil {
			t.Errorf("after withdrawal: %+v, %+v; want the first withdrawal time on the referral only", got[0], got[1])
		}
	})
}
