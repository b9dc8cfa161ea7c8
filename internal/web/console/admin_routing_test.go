package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// routingKeyRE finds a catalog key of the routing pages left untranslated.
var routingKeyRE = regexp.MustCompile(`\b(?:routing|hours|sla|translation|inbox|live|event|error|conversation)\.[a-z][a-z0-9_]*[a-z0-9]\b`)

func TestRoutingPagesInEveryLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := t.Context()
		admin := e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		a := &desk.Actor{User: admin}
		rule := &routing.Rule{Name: "Arabo", Language: "ar", Keywords: []string{"sfratto"}, TeamID: e.team.ID}
		if err := e.d.SaveRoutingRule(ctx, a, rule); err != nil {
			t.Fatal(err)
		}
		if err := e.d.SaveSLAPolicy(ctx, a, &store.SLAPolicy{Priority: store.AnyPriority, FirstResponse: time.Minute, Resolution: time.Hour}); err != nil {
			t.Fatal(err)
		}
		id := e.inbound("v1", "Amina Diallo", "مرحبا")
		c, _ := s.Conversation(ctx, e.org.ID, id)
		if _, err := s.Place(ctx, e.org.ID, id, store.Placement{NeedsMediator: ptr("ar")}); err != nil {
			t.Fatal(err)
		}
		due := c.CreatedAt.Add(-time.Hour) // overdue
		if err := s.SetSLADue(ctx, e.org.ID, id, store.SLADue{FirstResponse: &due, FirstResponseWarn: &due}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkArrivedClosed(ctx, e.org.ID, id, c.CreatedAt); err != nil {
			t.Fatal(err)
		}
		if err := s.SetLanguageHint(ctx, e.org.ID, id, "ar", store.LanguageDetected); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkSLA(ctx, e.org.ID, id, store.SLAFirstResponseBreached, time.Now()); err != nil {
			t.Fatal(err)
		}
		ac := e.client().signIn("admin@desk.example")
		for _, lang := range e.b.Languages() {
			for _, pg := range []struct {
				path   string
				status int
				form   url.Values
			}{
				{"/admin/routing", http.StatusOK, nil},
				{"/admin/routing/rules/new", http.StatusOK, nil},
				{"/admin/routing/rules/" + strconv.FormatInt(rule.ID, 10), http.StatusOK, nil},
				{"/admin/routing/rules", http.StatusBadRequest, url.Values{"name": {""}, "team_id": {strconv.FormatInt(e.team.ID, 10)}}},
				{"/admin/hours", http.StatusOK, nil},
				{"/admin/hours/edit", http.StatusOK, nil},
				{"/admin/hours/edit?team=" + strconv.FormatInt(e.team.ID, 10), http.StatusOK, nil},
				{"/admin/hours/edit", http.StatusBadRequest, url.Values{"mon": {"09:00-13:00, 12:00-14:00"}, "time_zone": {"Europe/Rome"}}},
				{"/admin/sla", http.StatusOK, nil},
				{"/admin/sla", http.StatusBadRequest, url.Values{"team_id": {"0"}, "priority": {"-1"}, "first_response_minutes": {"30"}}},
				{"/admin/translation", http.StatusOK, nil},
				{"/inbox?view=closed", http.StatusOK, nil},
				{convURL(id), http.StatusOK, nil},
			} {
				name := lang + " " + pg.path
				u := pg.path + map[bool]string{true: "&", false: "?"}[strings.Contains(pg.path, "?")] + "lang=" + lang
				var r response
				if pg.form != nil {
					name = lang + " POST " + pg.path
					pg.form.Set("csrf", ac.csrf())
					r = ac.post(u, pg.form)
				} else {
					r = ac.get(u)
				}
				wantStatus(t, name, r, pg.status)
				if key := routingKeyRE.FindString(strings.NewReplacer("console.css", "", "console.js", "", "routing.css", "").Replace(r.body)); key != "" {
					t.Errorf("%s: untranslated key %q", name, key)
				}
				wantMissing(t, name, r.body, "<no value>", "%!", "{{")
			}
		}
		it := e.it()
		r := ac.get(convURL(id) + "?lang=it")
		wantContains(t, "conversation", r.body, html(it.T("routing.needs_mediator", map[string]any{"Name": "العربية"})),
			`class="sla-breached"`, html(it.T("sla.overdue", nil)), html(it.T("routing.language_guessed", nil)))
		r = ac.get("/inbox?view=closed&lang=it")
		wantContains(t, "closed queue", r.body, "Amina Diallo", `badge sla-breached`, `badge mediator`)
		op := e.client().signIn("op@desk.example")
		for _, path := range []string{"/admin/routing", "/admin/hours", "/admin/sla", "/admin/translation"} {
			wantStatus(t, "operator "+path, op.get(path), http.StatusForbidden)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestRoutingRuleForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		ac := e.client().signIn("admin@desk.example")
		team := strconv.FormatInt(e.team.ID, 10)
		for _, name := range []string{"Prima", "Seconda"} {
			r := ac.send("/admin/routing/rules", url.Values{"name": {name}, "channel": {"web"}, "language": {"AR"},
				"keywords": {"Sfratto\naffitto, casa"}, "team_id": {team}})
			wantStatus(t, "create "+name, r, http.StatusSeeOther)
		}
		rules, err := s.RoutingRules(t.Context(), e.org.ID)
		if err != nil || len(rules) != 2 {
			t.Fatalf("rules %v, %v", rules, err)
		}
		if r := rules[0]; r.Language != "ar" || strings.Join(r.Keywords, "|") != "sfratto|affitto|casa" || r.Channel != model.ChannelWeb {
			t.Errorf("stored %+v", r)
		}
		second := strconv.FormatInt(rules[1].ID, 10)
		wantStatus(t, "move", ac.send("/admin/routing/rules/"+second+"/move", url.Values{"position": {"1"}}), http.StatusSeeOther)
		if rules, _ := s.RoutingRules(t.Context(), e.org.ID); rules[0].Name != "Seconda" {
			t.Errorf("after moving up: %s first", rules[0].Name)
		}
		r := ac.send("/admin/routing/rules", url.Values{"name": {"X"}, "language": {"not a language"}, "team_id": {team}})
		wantStatus(t, "bad language", r, http.StatusBadRequest)
		wantContains(t, "bad language", r.body, `id="r-language-error"`, `value="not a language"`)
		wantStatus(t, "team strategy", ac.send("/admin/routing/teams/"+team, url.Values{"strategy": {"round_robin"}}), http.StatusSeeOther)
		if trs, _ := s.TeamRoutings(t.Context(), e.org.ID); trs[e.team.ID].Strategy != routing.RoundRobin || trs[e.team.ID].ReassignOffline {
			t.Errorf("team routing %+v", trs[e.team.ID])
		}
		wantStatus(t, "delete", ac.send("/admin/routing/rules/"+second+"/delete", url.Values{}), http.StatusSeeOther)
		if rules, _ := s.RoutingRules(t.Context(), e.org.ID); len(rules) != 1 {
			t.Errorf("%d rules after deleting one", len(rules))
		}
	})
}

func TestHoursForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		ac := e.client().signIn("admin@desk.example")
		it := e.it()
		form := func(kv ...string) url.Values {
			v := url.Values{"time_zone": {"Europe/Rome"}, "national_holidays": {"1"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		for _, tt := range []struct {
			name   string
			form   url.Values
			id     string
			errKey string
		}{
			{"overlap", form("mon", "09:00-13:00, 12:00-14:00"), "h-mon-error", "error.hours.shift_overlap"},
			{"inverted", form("tue", "18:00-09:30"), "h-tue-error", "error.hours.shift_inverted"},
			{"malformed", form("wed", "9-18"), "h-wed-error", "error.hours.time_malformed"},
			{"zone", form("mon", "09:00-13:00", "time_zone", "Europe/Atlantis"), "h-zone-error", "error.hours.time_zone_unknown"},
			{"closure date", form("closures", "2026-08-10 Ferie\n2026-02-30 Sbagliata"), "h-closures-error", "error.hours.date_malformed"},
			{"closure inverted", form("closures", "2026-08-21 2026-08-10 Ferie"), "h-closures-error", "error.hours.closure_inverted"},
			{"holiday", form("local_holidays", "13-01 Nessuno"), "h-holidays-error", "error.hours.month_invalid"},
		} {
			r := ac.send("/admin/hours/edit?lang=it", tt.form)
			wantStatus(t, tt.name, r, http.StatusBadRequest)
			wantContains(t, tt.name, r.body, `id="`+tt.id+`"`)
			if !strings.Contains(r.body, html(strings.SplitN(it.T(tt.errKey, map[string]any{"Value": "x", "From": "x", "To": "x", "Start": "x", "End": "x", "Other": "x"}), "x", 2)[0])) {
				t.Errorf("%s: the page does not say %q", tt.name, it.T(tt.errKey, nil))
			}
		}
		r := ac.send("/admin/hours/edit?lang=it", form("closures", "2026-08-10 2026-08-21 Ferie\n2026-02-30 Sbagliata"))
		wantContains(t, "closure line", r.body, html(it.T("hours.line", map[string]any{"Value": 2})))

		ok := form("mon", "09:30 - 18:00", "tue", "09:30-18:00", "fri", "09:30–13:00, 14:00-18:00",
			"local_holidays", "06-24 San Giovanni", "closures", "2026-08-10 2026-08-21 Ferie estive", "extra_openings", "2026-12-20 09:00-12:00 Apertura di Natale")
		wantStatus(t, "save", ac.send("/admin/hours/edit", ok), http.StatusSeeOther)
		st, err := e.d.HoursAt(t.Context(), e.org.ID, 0, 0, time.Date(2026, 8, 11, 10, 0, 0, 0, time.UTC))
		if err != nil || st.Open {
			t.Errorf("open during the summer closure: %+v, %v", st, err)
		}
		page := ac.get("/admin/hours/edit?lang=it")
		wantContains(t, "saved form", page.body, `value="09:30-18:00"`, "06-24 San Giovanni", "2026-08-10 2026-08-21 Ferie estive", "2026-12-20 09:00-12:00 Apertura di Natale",
			`value="09:30-13:00, 14:00-18:00"`)
		list := ac.get("/admin/hours?lang=it")
		wantContains(t, "summary", list.body, html(it.T("chat.day_mon", nil)+"–"+it.T("chat.day_tue", nil)+" 09:30-18:00"))

		team := strconv.FormatInt(e.team.ID, 10)
		wantStatus(t, "team hours", ac.send("/admin/hours/edit?team="+team, form("sat", "09:00-12:00")), http.StatusSeeOther)
		if st, _ := e.d.HoursAt(t.Context(), e.org.ID, e.team.ID, 0, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)); !st.Open {
			t.Error("the team's own Saturday hours do not apply")
		}
		wantStatus(t, "clear", ac.send("/admin/hours/clear?team="+team, url.Values{}), http.StatusSeeOther)
		if st, _ := e.d.HoursAt(t.Context(), e.org.ID, e.team.ID, 0, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)); st.Open {
			t.Error("the team's hours still apply after clearing")
		}
		wantStatus(t, "out of hours", ac.send("/admin/hours/out-of-hours", url.Values{"auto_reply": {"1"}, "emergency_it": {"112"}}), http.StatusSeeOther)
		o, _ := e.d.OutOfHours(t.Context(), &desk.Actor{User: &model.User{OrgID: e.org.ID, Role: model.RoleAdmin, Active: true}})
		if !o.On() || o.Emergency["it"] != "112" {
			t.Errorf("out of hours %+v", o)
		}
	})
}

func TestSLAForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		ac := e.client().signIn("admin@desk.example")
		add := url.Values{"team_id": {strconv.FormatInt(e.team.ID, 10)}, "priority": {"3"}, "first_response_minutes": {"30"}, "resolution_minutes": {"480"}, "warn_percent": {"75"}}
		wantStatus(t, "add", ac.send("/admin/sla", add), http.StatusSeeOther)
		r := ac.send("/admin/sla?lang=it", add)
		wantStatus(t, "duplicate", r, http.StatusBadRequest)
		wantContains(t, "duplicate", r.body, html(e.it().T("sla.duplicate", nil)))
		r = ac.send("/admin/sla?lang=it", url.Values{"team_id": {"0"}, "priority": {"-1"}, "first_response_minutes": {"tanti"}})
		wantStatus(t, "not a number", r, http.StatusBadRequest)
		wantContains(t, "not a number", r.body, `id="sla0-first-error"`)
		pols, err := s.SLAPolicies(t.Context(), e.org.ID)
		if err != nil || len(pols) != 1 || pols[0].FirstResponse != 30*time.Minute || pols[0].WarnPercent != 75 {
			t.Fatalf("policies %+v, %v", pols, err)
		}
		id := strconv.FormatInt(pols[0].ID, 10)
		add.Set("first_response_minutes", "45")
		wantStatus(t, "edit", ac.send("/admin/sla/"+id, add), http.StatusSeeOther)
		wantStatus(t, "delete", ac.send("/admin/sla/"+id+"/delete", url.Values{}), http.StatusSeeOther)
		if pols, _ := s.SLAPolicies(t.Context(), e.org.ID); len(pols) != 0 {
			t.Errorf("%d policies after deleting", len(pols))
		}
	})
}

func TestTranslatedConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct{ Q, Source, Target string }
			_ = json.NewDecoder(r.Body).Decode(&req)
			out := map[string]string{"ar>it:أحتاج مساعدة": "Ho bisogno di aiuto", "it>ar:Arrivo subito": "قادم حالًا"}[req.Source+">"+req.Target+":"+req.Q]
			fmt.Fprintf(w, `{"translatedText": %q}`, out)
		}))
		defer srv.Close()
		ac := e.client().signIn("admin@desk.example")
		wantStatus(t, "settings", ac.send("/admin/translation", url.Values{"enabled": {"1"}, "url": {srv.URL}, "api_key": {"k"}}), http.StatusSeeOther)
		r := ac.send("/admin/translation?lang=it", url.Values{"enabled": {"1"}, "url": {"ftp://x"}})
		wantStatus(t, "bad url", r, http.StatusBadRequest)
		wantContains(t, "bad url", r.body, `id="tr-url-error"`)

		res, err := s.RecordInbound(t.Context(), store.Inbound{OrgID: e.org.ID, ChannelID: e.channel.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "fatima"}, DisplayName: "Fatima", Language: "ar", Body: "أحتاج مساعدة"})
		if err != nil {
			t.Fatal(err)
		}
		op := e.client().signIn("op@desk.example") // reads Italian only
		page := op.get(convURL(res.ConversationID) + "?lang=it")
		wantContains(t, "translated timeline", page.body, "Ho bisogno di aiuto", html(e.it().T("translation.show_original", nil)), "أحتاج مساعدة",
			html(e.it().T("translation.reply_into", map[string]any{"Name": "العربية"})))
		r = op.send(convURL(res.ConversationID)+"/messages?lang=it", url.Values{"body": {"Arrivo subito"}, "direction": {"reply"}, "translate": {"1"}})
		wantStatus(t, "translated reply", r, http.StatusSeeOther)
		msgs := e.messages(res.ConversationID)
		last := msgs[len(msgs)-1]
		if last.Body != "قادم حالًا" || last.Original == nil || last.Original.Body != "Arrivo subito" {
			t.Errorf("reply stored as %q, original %+v", last.Body, last.Original)
		}
	})
}
