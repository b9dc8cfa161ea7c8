package console_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// foggiaAid is the form for a municipal rent support: residents renting
// with an ISEE up to a new figure of 15,000 € from 2026, 150 € a month.
func foggiaAid() url.Values {
	return url.Values{
		"id": {"contributo_affitto_foggia"}, "name.it": {"Contributo affitto Comune di Foggia"}, "name.en": {"Foggia rent support"},
		"name.ar":   {"مساعدة الإيجار من بلدية فوجا"},
		"reference": {"Delibera G.C. Foggia n. 12/2026"}, "url": {"https://comune.foggia.it/delibere/12-2026"},
		"parameters": {"2"}, "p.0.id": {"foggia_isee_max"}, "p.0.unit": {"eur"}, "p.0.description": {"Soglia ISEE del contributo affitto"},
		"p.0.from": {"2026-01-01"}, "p.0.value": {"15.000"}, "p.0.reference": {"Delibera G.C. Foggia n. 12/2026"},
		"conditions":   {"4"},
		"c.0.question": {"resident"}, "c.0.value": {"yes"},
		"c.0.holds.it": {"Hai la residenza."}, "c.0.fails.it": {"Il contributo è per chi ha la residenza."},
		"c.1.question": {"rent"}, "c.1.value": {"yes"},
		"c.1.holds.it": {"Vivi in affitto."}, "c.1.fails.it": {"Il contributo è per chi vive in affitto."},
		"c.2.question": {"isee"}, "c.2.op": {"<="}, "c.2.param": {"foggia_isee_max"},
		"c.2.holds.it": {"Il tuo ISEE non supera {foggia_isee_max}."}, "c.2.fails.it": {"Il tuo ISEE supera {foggia_isee_max}."},
		"amount_kind": {"fixed"}, "amount_value": {"150"}, "amount_period": {"month"},
		"steps.it": {"Presenta la domanda ai Servizi sociali del Comune di Foggia."}, "directory": {"comune, caf"},
		"documents.it": {"Contratto di affitto registrato\nAttestazione ISEE"},
		"revision":     {"0"},
	}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestLocalAidByForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		coord := e.client().signIn("coord@desk.example")
		wantStatus(t, "a coordinator", coord.get("/admin/screener/aids/new"), http.StatusForbidden)
		wantStatus(t, "a coordinator posts", coord.send("/admin/screener/aids", foggiaAid()), http.StatusForbidden)

		c := e.client().signIn("admin@desk.example")
		page := c.get("/admin/screener")
		wantContains(t, "rules", page.body, `href="/admin/screener/aids/new"`, "Aggiungi un aiuto locale", "Nessun aiuto locale")
		page = c.get("/admin/screener/aids/new")
		wantStatus(t, "new aid", page, http.StatusOK)
		wantContains(t, "new aid", page.body, `name="c.0.question"`, `<label for="aid-name-it">`, `lang="ar" dir="rtl"`, `name="p.0.from"`)
		page = c.get("/admin/screener/aids/new?lang=ar")
		wantStatus(t, "new aid in Arabic", page, http.StatusOK)
		wantContains(t, "new aid in Arabic", page.body, `<html lang="ar" dir="rtl">`, "إضافة مساعدة محلية", `id="aid-name-it" name="name.it" lang="it" dir="ltr"`)
		wantStatus(t, "back to Italian", c.get("/admin/screener/aids/new?lang=it"), http.StatusOK) // ?lang= is kept in a cookie

		// Choosing a question and updating the form shows the comparisons
		// that fit it: a yes/no answer, a number against a value or a figure.
		r := c.send("/admin/screener/aids", url.Values{"action": {"more"}, "conditions": {"2"}, "c.0.question": {"isee"}, "c.1.question": {"citizenship"}})
		wantStatus(t, "update the form", r, http.StatusOK)
		wantContains(t, "update the form", r.body, `name="c.0.op"`, `<option value="adi_isee_max">`, `name="c.1.values" value="non_eu"`, `name="c.2.question"`)

		// Bad input: 400, the message next to the field, nothing saved.
		nothingSaved := func(what string) {
			t.Helper()
			if _, err := s.EligibilityOverlay(t.Context(), e.org.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("%s: something was saved (%v)", what, err)
			}
		}
		for _, tc := range []struct {
			what  string
			form  url.Values
			field string
			msg   string
		}{
			{"an unknown question", with(foggiaAid(), "c.0.question", "residenza_foggia"), "aid-c-0-question-error", "residenza_foggia"},
			{"no date", with(foggiaAid(), "p.0.from", ""), "aid-p-0-from-error", "data"},
			{"a taken id", with(foggiaAid(), "id", "naspi"), "aid-id-error", "già usato"},
			{"a threshold that is not a number", with(foggiaAid(), "p.0.value", "quindicimila"), "aid-p-0-value-error", "Scrivi un numero"},
			{"no reference for the figure", with(foggiaAid(), "p.0.reference", ""), "aid-p-0-reference-error", ""},
			{"a condition without its sentence", with(foggiaAid(), "c.1.fails.it", ""), "aid-c-1-fails-error", ""},
			{"a figure of the built-in screener", with(foggiaAid(), "p.0.id", "naspi_max"), "aid-p-0-id-error", "già usato"},
		} {
			anchor := strings.TrimSuffix(tc.field, "-error")
			if strings.HasSuffix(anchor, "-fails") {
				anchor += "-it" // the sentence in Italian, the one required
			}
			for _, action := range []string{"save", "preview"} {
				r := c.send("/admin/screener/aids", with(tc.form, "action", action))
				wantStatus(t, tc.what+" ("+action+")", r, http.StatusBadRequest)
				wantContains(t, tc.what+" ("+action+")", r.body, `id="`+tc.field+`"`, `href="#`+anchor+`"`,
					`aria-invalid="true"`, tc.msg, `value="Contributo affitto Comune di Foggia"`)
			}
			nothingSaved(tc.what)
		}

		// A preview on a sample person who qualifies, then one who does not.
		qualifies := `{"resident": true, "rent": true, "isee": 9000}`
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "preview", "sample", qualifies, "date", "2026-03-01"))
		wantStatus(t, "preview", r, http.StatusOK)
		wantContains(t, "preview", r.body, "Contributo affitto Comune di Foggia</strong> — Probabile", "150", "Il tuo ISEE non supera 15.000")
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "preview", "sample", `{"resident": true, "rent": true, "isee": 20000}`, "date", "2026-03-01"))
		wantStatus(t, "preview, ruled out", r, http.StatusOK)
		wantContains(t, "preview, ruled out", r.body, "Il tuo ISEE supera 15.000")
		nothingSaved("a preview")

		// Save: a new revision of the overlay, audited.
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "save"))
		wantStatus(t, "save", r, http.StatusSeeOther)
		if r.location() != "/admin/screener?ok=aid" {
			t.Errorf("save goes to %q", r.location())
		}
		ov, err := s.EligibilityOverlay(t.Context(), e.org.ID)
		if err != nil || ov.Revision != 1 || !strings.Contains(ov.Document, `"foggia_isee_max"`) || !strings.Contains(ov.Document, "15000") {
			t.Fatalf("overlay: %+v, %v", ov, err)
		}
		audit, err := s.AuditLog(t.Context(), e.org.ID, 10, 0)
		if err != nil || len(audit) == 0 || audit[0].Action != "screener_aid_save" || !strings.Contains(audit[0].Detail, "contributo_affitto_foggia") {
			t.Errorf("audit: %+v, %v", audit, err)
		}
		page = c.get("/admin/screener?ok=aid")
		wantContains(t, "after saving", page.body, "L&#39;aiuto locale è stato salvato", `href="/admin/screener/aids/contributo_affitto_foggia"`, "local.1")

		// The organisation's screener has it: likely for one person, ruled
		// out for another.
		q, err := e.d.Screener(t.Context(), e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		on := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			isee float64
			want eligibility.Outcome
		}{{9000, eligibility.LikelyEligible}, {15000, eligibility.LikelyEligible}, {15000.01, eligibility.NotEligible}} {
			res, err := eligibility.Evaluate(q, eligibility.Answers{"resident": true, "rent": true, "isee": tc.isee}, on, "it")
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomeOf(res, "contributo_affitto_foggia"); got != tc.want {
				t.Errorf("ISEE %v: %q, want %q", tc.isee, got, tc.want)
			}
		}

		// Adding another with the same id is refused.
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "save", "revision", "1", "p.0.id", "foggia_isee_max_2"))
		wantStatus(t, "the same id again", r, http.StatusBadRequest)
		wantContains(t, "the same id again", r.body, `id="aid-id-error"`)

		// Edit: the form comes back filled in; a changed amount saves.
		page = c.get("/admin/screener/aids/contributo_affitto_foggia")
		wantStatus(t, "edit", page, http.StatusOK)
		wantContains(t, "edit", page.body, `name="original" value="contributo_affitto_foggia"`, `value="15.000"`,
			`<option value="resident" selected>`, `Contratto di affitto registrato
Attestazione ISEE</textarea>`, `value="comune, caf"`, `value="مساعدة الإيجار من بلدية فوجا"`)
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "save", "revision", "1", "original", "contributo_affitto_foggia", "amount_value", "175"))
		wantStatus(t, "edit and save", r, http.StatusSeeOther)
		// A stale form is refused.
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "save", "revision", "1", "original", "contributo_affitto_foggia"))
		wantStatus(t, "a stale form", r, http.StatusConflict)

		// The January update works on the aid's own figure too.
		r = c.send("/admin/screener/values", url.Values{"param": {"foggia_isee_max"}, "from": {"2027-01-01"}, "value": {"16000"},
			"reference": {"Delibera G.C. Foggia n. 3/2027"}, "revision": {"2"}})
		wantStatus(t, "a new value of the aid's figure", r, http.StatusSeeOther)
		// and editing the aid again keeps that later value.
		r = c.send("/admin/screener/aids", with(foggiaAid(), "action", "save", "revision", "3", "original", "contributo_affitto_foggia", "amount_value", "175"))
		wantStatus(t, "edit after the January update", r, http.StatusSeeOther)
		ov, err = s.EligibilityOverlay(t.Context(), e.org.ID)
		if err != nil || !strings.Contains(ov.Document, "175") || !strings.Contains(ov.Document, "16000") {
			t.Fatalf("overlay after editing: %+v, %v", ov, err)
		}

		// Remove: the aid and its figure go.
		r = c.send("/admin/screener/aids/contributo_affitto_foggia/delete", url.Values{"revision": {"4"}})
		wantStatus(t, "remove", r, http.StatusSeeOther)
		ov, err = s.EligibilityOverlay(t.Context(), e.org.ID)
		if err != nil || ov.Revision != 5 || strings.Contains(ov.Document, "foggia") {
			t.Fatalf("overlay after removing: %+v, %v", ov, err)
		}
		wantStatus(t, "edit a removed aid", c.get("/admin/screener/aids/contributo_affitto_foggia"), http.StatusNotFound)
	})
}

func outcomeOf(res eligibility.Result, id string) eligibility.Outcome {
	for _, b := range res.Benefits {
		if b.ID == id {
			return b.Outcome
		}
	}
	return ""
}

// Aids written in JSON: one the form can show is edited with it (a
// choice compared with "=" becomes "is one of"); one with rules the form
// has no fields for stays in JSON.
func TestLocalAidWrittenInJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		c := e.client().signIn("admin@desk.example")
		doc := `{"benefits": [
 {"id": "buono_stranieri", "name": {"it": "Buono per chi viene da fuori"}, "legal": [{"reference": "Delibera 1/2026"}],
  "conditions": [{"question": "citizenship", "op": "=", "value": "non_eu", "holds": {"it": "Sì."}, "fails": {"it": "No."}}]},
 {"id": "buono_any", "name": {"it": "Buono con alternative"}, "legal": [{"reference": "Delibera 2/2026"}],
  "conditions": [{"any": [{"question": "rent", "op": "=", "value": true}, {"question": "isee", "op": "<", "value": 5000}],
   "holds": {"it": "Sì."}, "fails": {"it": "No."}}]}]}`
		r := c.send("/admin/screener", url.Values{"action": {"save"}, "document": {doc}, "revision": {"0"}})
		wantStatus(t, "save in JSON", r, http.StatusSeeOther)
		page := c.get("/admin/screener")
		wantContains(t, "rules", page.body, `href="/admin/screener/aids/buono_stranieri"`, "si modifica nel JSON", `action="/admin/screener/aids/buono_any/delete"`)
		wantMissing(t, "rules", page.body, `href="/admin/screener/aids/buono_any"`)
		wantStatus(t, "edit an aid with any", c.get("/admin/screener/aids/buono_any"), http.StatusConflict)
		page = c.get("/admin/screener/aids/buono_stranieri")
		wantStatus(t, "edit", page, http.StatusOK)
		wantContains(t, "edit", page.body, `name="c.0.values" value="non_eu" checked`, `<option value="in" selected>`)

		// Saved again by the form, it is the same rule.
		r = c.send("/admin/screener/aids/buono_any/delete", url.Values{"revision": {"1"}})
		wantStatus(t, "remove the other", r, http.StatusSeeOther)
		r = c.send("/admin/screener/aids", url.Values{"action": {"save"}, "revision": {"2"}, "original": {"buono_stranieri"},
			"id": {"buono_stranieri"}, "name.it": {"Buono per chi viene da fuori"}, "reference": {"Delibera 1/2026"},
			"conditions": {"1"}, "c.0.question": {"citizenship"}, "c.0.op": {"in"}, "c.0.values": {"non_eu"},
			"c.0.holds.it": {"Sì."}, "c.0.fails.it": {"No."}})
		wantStatus(t, "save by the form", r, http.StatusSeeOther)
		ov, err := s.EligibilityOverlay(t.Context(), e.org.ID)
		if err != nil || !strings.Contains(ov.Document, `"op": "in"`) || strings.Contains(ov.Document, "buono_any") {
			t.Fatalf("overlay: %+v %v", ov, err)
		}
	})
}
