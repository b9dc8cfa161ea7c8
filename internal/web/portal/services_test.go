package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/demo"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/portal"
)

// Wednesday 25 November 2026, 10:00 in Rome.
var wednesdayMorning = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newDirectoryEnv(t *testing.T, s *store.Store) *env {
	e := newEnv(t, s, options{portal: portal.Options{Now: func() time.Time { return wednesdayMorning }},
		settings: `{"directory": {"tile_url": "https://tiles.example.org/{z}/{x}/{y}.png"}}`})
	set, err := demo.Directory(wednesdayMorning)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportDirectory(t.Context(), e.org.ID, set, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// Without JavaScript, a citizen searches by language, opening hours and a
// typed place, and reads a service; a confidential address never shows.
func TestServicesWithoutJavaScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newDirectoryEnv(t, s)
		c := e.client()
		base := "/o/" + e.org.Slug + "/services"

		all := c.get(base)
		wantStatus(t, "list", all, http.StatusOK)
		for _, want := range []string{"Mensa Caritas San Giovanni", "Sportello legale immigrazione", "Accoglienza protetta antitratta", "Centro per l&#39;Impiego", "Ambulatorio STP/ENI", `name="q"`, `name="place"`, "6 servizi trovati"} {
			if !strings.Contains(all.body, want) {
				t.Errorf("list: missing %q", want)
			}
		}
		if strings.Contains(all.body, "Via riservata") || strings.Contains(all.body, "41.8712") {
			t.Error("the list shows the shelter's address or position")
		}
		if csp := all.header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' https://tiles.example.org") {
			t.Errorf("CSP %q does not allow the tile server", csp)
		}
		if csp := c.get(e.chatPath("")).header.Get("Content-Security-Policy"); strings.Contains(csp, "tiles.example.org") {
			t.Error("the tile server is allowed on the chat page too")
		}

		// Arabic spoken, open now, near Piazza Vittorio's CAP: the legal desk
		// (open all day) first, then the clinic (open in the morning).
		r := c.get(base + "?language=ar&open=1&place=00185")
		wantStatus(t, "search", r, http.StatusOK)
		legal := strings.Index(r.body, "Sportello legale immigrazione")
		clinic := strings.Index(r.body, "Ambulatorio STP/ENI")
		if legal < 0 || clinic < 0 || legal > clinic || strings.Contains(r.body, "Mensa Caritas") || strings.Contains(r.body, "Centro per l") {
			t.Errorf("Arabic, open, near 00185: wrong results\n%s", r.body)
		}
		if !strings.Contains(r.body, " m</span>") {
			t.Error("no distances shown")
		}
		// The shelter is not placed on the map, even when its language matches.
		if strings.Contains(r.body, "antitratta") {
			t.Error("a confidential location is ranked by distance")
		}

		// An unknown place says so, and lists without distances.
		r = c.get(base + "?place=Atlantide")
		if !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Error("unknown place not flagged")
		}

		// The card, in Arabic, of the legal desk.
		card := c.get(base + "/b7f0c1a2-0001-4c5e-9a10-000000000002?lang=ar")
		wantStatus(t, "card", card, http.StatusOK)
		for _, want := range []string{`dir="rtl"`, "مكتب الاستشارات القانونية للهجرة", "Via Principe Amedeo 188", "00185 Roma (RM)", `href="tel:&#43;390600002202"`, "09:00–19:00"} {
			if !strings.Contains(card.body, want) {
				t.Errorf("card: missing %q", want)
			}
		}
		shelter := c.get(base + "/b7f0c1a2-0001-4c5e-9a10-000000000003")
		wantStatus(t, "shelter card", shelter, http.StatusOK)
		if strings.Contains(shelter.body, "Via riservata") || strings.Contains(shelter.body, "data-lat") || !strings.Contains(shelter.body, "800 290 290") {
			t.Errorf("shelter card shows its address or lacks its phone:\n%s", shelter.body)
		}
		wantStatus(t, "unknown service", c.get(base+"/nope"), http.StatusNotFound)
	})
}

// An outside partner opens the referral's link, reads only what was
// shared, and accepts it with a note; a wrong link is not found.
func TestReferralLinkPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		ctx := t.Context()
		ch, err := s.DefaultChannel(ctx, e.org.ID, model.ChannelWeb)
		if err != nil {
			t.Fatal(err)
		}
		in, err := s.RecordInbound(ctx, store.Inbound{OrgID: e.org.ID, ChannelID: ch.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "v-ref"}, Body: "aiuto"})
		if err != nil {
			t.Fatal(err)
		}
		_, link, err := e.d.Refer(ctx, e.actor(), desk.ReferralRequest{ConversationID: in.ConversationID, PartnerEmail: "sportello@comune.example",
			Reason: "Residenza fittizia", Share: []string{"summary"}, Summary: "Senza dimora da gennaio", ConsentGiven: true})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		page := c.get(link)
		wantStatus(t, "link page", page, http.StatusOK)
		for _, want := range []string{"Residenza fittizia", "Senza dimora da gennaio", `value="accepted"`, `value="declined"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("link page lacks %q", want)
			}
		}
		if page.header.Get("Referrer-Policy") != "no-referrer" {
			t.Error("the secret link may leak through Referer")
		}
		r := c.postForm(link, url.Values{"status": {"accepted"}, "note": {"Venga lunedì"}}, "")
		wantStatus(t, "answer", r, http.StatusSeeOther)
		after := c.get(r.location())
		if !strings.Contains(after.body, "Venga lunedì") || strings.Contains(after.body, `value="accepted"`) || !strings.Contains(after.body, `value="completed"`) {
			t.Errorf("after accepting:\n%s", after.body)
		}
		wantStatus(t, "wrong link", c.get(link+"x"), http.StatusNotFound)
	})
}
