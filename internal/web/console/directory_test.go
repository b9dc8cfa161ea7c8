package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// An operator finds a service for a case and sends its card into the
// chat; refers the case to a partner on the desk, refused first without
// the citizen's consent; the partner accepts it and the case hears back.
func TestDirectoryAndReferralPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := t.Context()
		set, err := demo.Directory(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDirectory(ctx, e.org.ID, set, store.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		conv := e.inbound("web-ar", "Amina", "مرحبا")
		ar := "ar"
		e.update(e.coord, conv, store.ConversationPatch{Language: &ar, TeamID: &e.team.ID})
		c := e.client().signIn(e.op.Email)
		id := strconv.FormatInt(conv, 10)

		page := c.get("/directory?conversation=" + id + "&language=ar")
		wantStatus(t, "directory", page, http.StatusOK)
		wantContains(t, "directory", page.body, "Sportello legale immigrazione", "Accoglienza protetta antitratta", `action="/conversations/`+id+`/service-card"`)
		card := c.get("/directory/services/b7f0c1a2-0001-4c5e-9a10-000000000003")
		wantContains(t, "an operator's shelter card", card.body, "Via riservata 7")
		vol := e.client().signIn(e.vol.Email)
		wantMissing(t, "a volunteer's shelter card", vol.get("/directory/services/b7f0c1a2-0001-4c5e-9a10-000000000003").body, "Via riservata")

		r := c.send("/conversations/"+id+"/service-card", url.Values{"service_id": {"b7f0c1a2-0001-4c5e-9a10-000000000002"}})
		wantStatus(t, "send card", r, http.StatusSeeOther)
		ms := e.messages(conv)
		last := ms[len(ms)-1]
		if last.Direction != model.DirectionOutbound || !strings.Contains(last.Body, "مكتب الاستشارات القانونية للهجرة") {
			t.Errorf("card message: %s %q", last.Direction, last.Body)
		}

		partner := &model.Organization{Slug: "casa-diritti", Name: "Casa dei Diritti"}
		if err := s.CreateOrganization(ctx, partner); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"partner": {"casa-diritti"}, "reason": {"Rinnovo del permesso"}, "share": {"language", "summary"}, "summary": {"Permesso scaduto"}, "due_days": {"7"}}
		r = c.send("/conversations/"+id+"/refer", form)
		wantStatus(t, "refer without consent", r, http.StatusBadRequest)
		wantContains(t, "refer without consent", r.body, `id="consent-error"`)
		form.Set("consent", "1")
		r = c.send("/conversations/"+id+"/refer", form)
		wantStatus(t, "refer", r, http.StatusSeeOther)

		hash, err := e.d.HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		pu := &model.User{OrgID: partner.ID, Email: "samira@casa.example", Name: "Samira", Role: model.RoleOperator, Languages: []string{"it"}, Active: true, PasswordHash: hash}
		if err := s.CreateUser(ctx, pu); err != nil {
			t.Fatal(err)
		}
		pc := e.client().signIn(pu.Email)
		list := pc.get("/referrals")
		wantContains(t, "partner's referrals", list.body, "Rinnovo del permesso", "Permesso scaduto", `value="accepted"`)
		wantMissing(t, "partner's referrals", list.body, "Amina")
		refs, err := s.Referrals(ctx, partner.ID, store.ReferralFilter{Received: true})
		if err != nil || len(refs) != 1 {
			t.Fatalf("received: %v %v", refs, err)
		}
		r = pc.send("/referrals/"+strconv.FormatInt(refs[0].ID, 10)+"/received", url.Values{"status": {"accepted"}, "note": {"Giovedì alle 10"}})
		wantStatus(t, "accept", r, http.StatusSeeOther)
		mine := c.get("/referrals?conversation=" + id)
		wantContains(t, "case referrals", mine.body, "Giovedì alle 10", "Casa dei Diritti")
		wantContains(t, "case timeline", c.get(convURL(conv)).body, "Giovedì alle 10")
	})
}
