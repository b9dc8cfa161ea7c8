package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

var (
	screenQRE    = regexp.MustCompile(`name="q" value="([a-z0-9_]+)"`)
	screenPageRE = regexp.MustCompile(`name="page" value="(\d+)"`)
)

// family answers the console's screener forms.
var family = map[string]url.Values{
	"age":              {"a.age": {"34"}},
	"citizenship":      {"a.citizenship": {"it"}},
	"resident":         {"a.resident": {"yes"}},
	"residence_years":  {"a.residence_years": {"34"}},
	"continuous_years": {"a.continuous_years": {"34"}},
	"household":        {"a.household.size": {"3"}, "a.household.minors": {"2"}},
	"isee":             {"a.isee": {"8000"}},
	"family_income":    {"a.family_income": {"3000"}},
	"rent":             {"a.rent": {"yes"}},
}

// screenForm fills in a page of the console's screener.
func screenForm(page string, answers map[string]url.Values) url.Values {
	form := url.Values{"page": {screenPageRE.FindStringSubmatch(page)[1]}}
	for _, m := range screenQRE.FindAllStringSubmatch(page, -1) {
		id := m[1]
		form.Add("q", id)
		switch {
		case answers[id] != nil:
			for k, v := range answers[id] {
				form[k] = v
			}
		case strings.Contains(page, `name="a.`+id+`" value="no"`):
			form.Set("a."+id, "no")
		default:
			form.Add("skip", id)
		}
	}
	return form
}

func TestOperatorRunsTheScreenerOnACase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		conv := e.inbound("visitor-1", "Amina", "مرحبا")
		c := e.client().signIn("coord@desk.example")
		base := convURL(conv) + "/screen"

		page := c.get(base)
		wantStatus(t, "start", page, http.StatusOK)
		if !strings.Contains(page.body, `name="read"`) || !strings.Contains(page.body, "العربية") {
			t.Fatalf("no choice of the language to read out:\n%s", page.body)
		}
		wantStatus(t, "start the run", c.send(base+"/start", url.Values{"read": {"ar"}}), http.StatusSeeOther)
		page = c.get(base)
		wantStatus(t, "first page", page, http.StatusOK)
		if !strings.Contains(page.body, `lang="ar" dir="rtl"`) || !strings.Contains(page.body, "كم عمرك؟") || !strings.Contains(page.body, "Quanti anni hai?") {
			t.Errorf("the questions are not in the operator's language with the Arabic to read out")
		}
		form := screenForm(page.body, map[string]url.Values{"age": {"a.age": {"-4"}}})
		form.Set("csrf", c.csrf())
		r := c.post(base, form)
		wantStatus(t, "age -4", r, http.StatusBadRequest)
		if !strings.Contains(r.body, html("Quanti anni hai?")+" — ") {
			t.Errorf("age -4: the error does not name the question:\n%s", r.body)
		}
		for i := 0; ; i++ {
			if i > 20 {
				t.Fatal("the screener never ends")
			}
			page = c.get(base)
			wantStatus(t, "page", page, http.StatusOK)
			if strings.Contains(page.body, `action="`+base+`/record"`) {
				break
			}
			form := screenForm(page.body, family)
			form.Set("csrf", c.csrf())
			if r := c.post(base, form); r.status != http.StatusSeeOther {
				t.Fatalf("page %d refused: %d\n%s", i, r.status, r.body)
			}
		}
		if !strings.Contains(page.body, "Assegno unico") {
			t.Errorf("the result before recording does not show the benefits:\n%s", page.body)
		}
		r = c.send(base+"/record", url.Values{})
		wantStatus(t, "record", r, http.StatusSeeOther)
		if !strings.HasPrefix(r.location(), convURL(conv)+"?ok=screened") {
			t.Errorf("record goes to %q", r.location())
		}
		casePage := c.get(r.location())
		wantStatus(t, "the case", casePage, http.StatusOK)
		wantContains(t, "the case", casePage.body, `id="screenings"`, "Il risultato è stato registrato", "Probabile", "it-benefici",
			`class="why"`, html("Quanti anni hai?"), "Domanda avviata")

		// Follow the application: a checklist of the benefit's documents.
		scs, err := s.Screenings(t.Context(), e.org.ID, conv)
		if err != nil || len(scs) != 1 || scs[0].Source != store.ScreenConsole || scs[0].CreatedBy != e.coord.ID || scs[0].Language != "it" {
			t.Fatalf("recorded: %+v, %v", scs, err)
		}
		r = c.send("/screenings/"+strconv.FormatInt(scs[0].ID, 10)+"/applications", url.Values{"benefit": {"assegno_unico"}})
		wantStatus(t, "start the application", r, http.StatusSeeOther)
		apps, err := s.Applications(t.Context(), e.org.ID, conv)
		if err != nil || len(apps) != 1 || len(apps[0].Checklist) < 2 {
			t.Fatalf("application: %+v, %v", apps, err)
		}
		appURL := "/applications/" + strconv.FormatInt(apps[0].ID, 10)
		r = c.send(appURL, url.Values{"done": {"1"}, "status": {"submitted"}, "add": {"Permesso di soggiorno"}})
		wantStatus(t, "update the application", r, http.StatusSeeOther)
		casePage = c.get(convURL(conv))
		wantContains(t, "the application", casePage.body, `name="done" value="1" checked`, `<option value="submitted" selected>`, "Permesso di soggiorno", "documenti: 1 su")

		// A volunteer who cannot see the case cannot run it either.
		v := e.client().signIn("vol@desk.example")
		wantStatus(t, "volunteer", v.get(base), http.StatusNotFound)
		wantMissing(t, "the volunteer's own conversation list", v.get("/inbox").body, "Assegno unico")
	})
}

func TestScreenerInTheChatFromTheCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		conv := e.inbound("visitor-1", "Amina", "ciao")
		c := e.client().signIn("coord@desk.example")
		r := c.send(convURL(conv)+"/screen/chat", url.Values{})
		wantStatus(t, "ask in the chat", r, http.StatusSeeOther)
		ms := e.messages(conv)
		last := ms[len(ms)-1]
		if last.Direction != model.DirectionOutbound || len(last.QuickReplies) == 0 {
			t.Fatalf("the first question: %+v", last)
		}
		page := c.get(convURL(conv) + "?ok=screen_chat")
		wantContains(t, "the case", page.body, "La prima domanda è stata inviata", "Il questionario è in corso nella chat")
	})
}

func TestScreenerRulesForAdministrators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user("admin@desk.example", "Ada Admin", model.RoleAdmin)
		coord := e.client().signIn("coord@desk.example")
		wantStatus(t, "a coordinator", coord.get("/admin/screener"), http.StatusForbidden)
		wantMissing(t, "a coordinator's navigation", coord.get("/inbox").body, `href="/admin/screener"`)

		c := e.client().signIn("admin@desk.example")
		page := c.get("/admin/screener")
		wantStatus(t, "rules", page, http.StatusOK)
		wantContains(t, "rules", page.body, `href="/admin/screener" aria-current="page"`, "naspi_max", "assegno_sociale_monthly", `name="document"`)
		rev := regexp.MustCompile(`name="revision" value="(\d+)"`).FindStringSubmatch(page.body)[1]

		// A broken local aid: the exact location of the problem.
		bad := strings.Replace(localAid, `"question": "rent"`, `"question": "affitto"`, 1)
		r := c.send("/admin/screener", url.Values{"action": {"check"}, "document": {bad}, "revision": {rev}})
		wantStatus(t, "check a broken aid", r, http.StatusBadRequest)
		wantContains(t, "check a broken aid", r.body, "benefits[contributo_affitto].conditions[0].question", html(bad[:40]))
		r = c.send("/admin/screener", url.Values{"action": {"save"}, "document": {bad}, "revision": {rev}})
		wantStatus(t, "save a broken aid", r, http.StatusBadRequest)

		// A good one previews on a sample person, then saves.
		sample := `{"rent": true, "isee": 9000, "resident": true}`
		r = c.send("/admin/screener", url.Values{"action": {"preview"}, "document": {localAid}, "revision": {rev}, "sample": {sample}, "date": {"2026-03-01"}})
		wantStatus(t, "preview", r, http.StatusOK)
		wantContains(t, "preview", r.body, "Contributo affitto", "Probabile", "150")
		r = c.send("/admin/screener", url.Values{"action": {"preview"}, "document": {localAid}, "revision": {rev}, "sample": {`{"age": "old"}`}, "date": {"2026-03-01"}})
		wantStatus(t, "preview of an impossible person", r, http.StatusBadRequest)
		r = c.send("/admin/screener", url.Values{"action": {"save"}, "document": {localAid}, "revision": {rev}})
		wantStatus(t, "save", r, http.StatusSeeOther)
		page = c.get("/admin/screener?ok=saved")
		wantContains(t, "after saving", page.body, "local.1", "Contributo affitto")

		// The January update, as a form: the reference is required.
		r = c.send("/admin/screener/values", url.Values{"param": {"naspi_max"}, "from": {"2027-01-01"}, "value": {"1.610,50"}, "reference": {""}, "revision": {"1"}})
		wantStatus(t, "a value without reference", r, http.StatusBadRequest)
		wantContains(t, "a value without reference", r.body, `id="v-reference-error"`, `value="1.610,50"`)
		r = c.send("/admin/screener/values", url.Values{"param": {"naspi_max"}, "from": {"2027-01-01"}, "value": {"1.610,50"},
			"reference": {"INPS, circolare n. 5/2027"}, "revision": {"1"}})
		wantStatus(t, "a value", r, http.StatusSeeOther)
		ov, err := s.EligibilityOverlay(t.Context(), e.org.ID)
		if err != nil || ov.Revision != 2 || !strings.Contains(ov.Document, "1610.5") || !strings.Contains(ov.Document, "contributo_affitto") {
			t.Errorf("overlay after the value: %+v, %v", ov, err)
		}
		// A stale form does not overwrite a newer one.
		r = c.send("/admin/screener/values", url.Values{"param": {"naspi_max"}, "from": {"2028-01-01"}, "value": {"1700"},
			"reference": {"INPS"}, "revision": {"1"}})
		wantStatus(t, "a stale form", r, http.StatusBadRequest)

		// The operator's screener now has the local aid.
		conv := e.inbound("visitor-9", "Bea", "ciao")
		op := e.client().signIn("coord@desk.example")
		op.send(convURL(conv)+"/screen/start", url.Values{"read": {"it"}})
		wantContains(t, "the run", op.get(convURL(conv)+"/screen").body, "local.2")
	})
}

const localAid = `{
 "base": "it-benefici",
 "parameters": [{"id": "affitto_isee_max", "unit": "eur", "description": {"it": "Soglia", "en": "Threshold"},
   "values": [{"from": "2025-01-01", "value": 12000, "reference": "Delibera 45/2025"}]}],
 "benefits": [{"id": "contributo_affitto", "name": {"it": "Contributo affitto", "en": "Rent support"},
   "legal": [{"reference": "Delibera 45/2025"}],
   "conditions": [
     {"question": "rent", "op": "=", "value": true, "holds": {"it": "Sei in affitto."}, "fails": {"it": "Non sei in affitto."}},
     {"question": "isee", "op": "<=", "param": "affitto_isee_max", "holds": {"it": "ISEE entro {affitto_isee_max}."}, "fails": {"it": "ISEE oltre {affitto_isee_max}."}}
   ],
   "amount": {"period": "month", "value": {"value": 150}}}]
}`
