package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// An operator sends a service card into an Arabic chat: it goes out as a
// reply in Arabic; a confidential location's address never goes out.
// Verifying a service takes it off the review list.
func TestServiceCardsAndFreshness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		set, err := demo.Directory(w.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDirectory(ctx, w.org.ID, set, store.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		rome, err := time.LoadLocation("Europe/Rome")
		if err != nil {
			t.Fatal(err)
		}
		ar := "ar"
		conv := w.conversation(t, "visitor-ar", store.ConversationPatch{Language: &ar})
		op := w.actor(t, model.RoleAdmin)
		m, err := w.d.SendServiceCard(ctx, op, conv, "b7f0c1a2-0001-4c5e-9a10-000000000002", "https://desk.example.org")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"مكتب الاستشارات القانونية للهجرة", "Via Principe Amedeo 188", "+39 06 0000 2202", "https://desk.example.org/o/desk/services/b7f0c1a2-0001-4c5e-9a10-000000000002?lang=ar"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("card lacks %q:\n%s", want, m.Body)
			}
		}
		if m.Direction != model.DirectionOutbound {
			t.Errorf("card sent as %s", m.Direction)
		}
		shelter, err := w.d.SendServiceCard(ctx, op, conv, "b7f0c1a2-0001-4c5e-9a10-000000000003", "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(shelter.Body, "Via riservata") || !strings.Contains(shelter.Body, "800 290 290") {
			t.Errorf("shelter card:\n%s", shelter.Body)
		}
		if _, err := w.d.SendServiceCard(ctx, op, conv, "nope", ""); !errors.Is(err, desk.ErrNoService) {
			t.Errorf("unknown service: %v", err)
		}

		// The operator may see the shelter's address in the console.
		card, err := w.d.OperatorServiceCard(ctx, w.actor(t, model.RoleOperator), "b7f0c1a2-0001-4c5e-9a10-000000000003", "it")
		if err != nil || len(card.Places) != 1 || card.Places[0].Hidden || !strings.Contains(strings.Join(card.Places[0].Address, " "), "Via riservata") {
			t.Errorf("operator's shelter card: %+v %v", card, err)
		}
		vcard, err := w.d.OperatorServiceCard(ctx, w.actor(t, model.RoleVolunteer), "b7f0c1a2-0001-4c5e-9a10-000000000003", "it")
		if err != nil || !vcard.Places[0].Hidden || len(vcard.Places[0].Address) != 0 {
			t.Errorf("volunteer's shelter card: %+v %v", vcard, err)
		}

		stale, err := w.d.StaleServices(ctx, op)
		if err != nil || len(stale) != 1 || stale[0].ID != "b7f0c1a2-0001-4c5e-9a10-000000000002" {
			t.Fatalf("stale: %+v %v", stale, err)
		}
		if err := w.d.VerifyService(ctx, w.actor(t, model.RoleOperator), stale[0].ID); !errors.Is(err, desk.Forbidden()) {
			t.Errorf("an operator verifies: %v", err)
		}
		if err := w.d.VerifyService(ctx, op, stale[0].ID); err != nil {
			t.Fatal(err)
		}
		if stale, _ := w.d.StaleServices(ctx, op); len(stale) != 0 {
			t.Errorf("still stale after verification: %+v", stale)
		}
		again, err := w.d.OperatorServiceCard(ctx, op, "b7f0c1a2-0001-4c5e-9a10-000000000002", "it")
		if err != nil || again.Owner != "admin@desk.example" || again.VerifiedOn != w.clock.now().In(rome).Format("2006-01-02") {
			t.Errorf("after verification: owner %q, on %q", again.Owner, again.VerifiedOn)
		}
	})
}
