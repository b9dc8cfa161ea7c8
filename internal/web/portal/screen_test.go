package portal_test

import (
	stdhtml "html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func (e *env) screenPath(rest string) string { return "/o/" + e.org.Slug + "/screen" + rest }

var (
	questionIDRE = regexp.MustCompile(`name="q" value="([a-z0-9_]+)"`)
	pageRE       = regexp.MustCompile(`name="page" value="(\d+)"`)
	codeRE       = regexp.MustCompile(`class="code" dir="ltr">([A-Z0-9]{4}-[A-Z0-9]{4})<`)
)

// persona is a tenant family: what they answer, as typed in a form.
var persona = map[string]url.Values{
	"age":              {"a.age": {"34"}},
	"citizenship":      {"a.citizenship": {"non_eu"}},
	"permit":           {"a.permit": {"ue_lungo_periodo"}},
	"resident":         {"a.resident": {"yes"}},
	"residence_years":  {"a.residence_years": {"8"}},
	"continuous_years": {"a.continuous_years": {"8"}},
	"household":        {"a.household.size": {"3"}, "a.household.minors": {"2"}, "a.household.over_60": {""}, "a.household.disabled": {"0"}},
	"isee":             {"a.isee": {"7.500"}}, // Italian thousands
	"family_income":    {"a.family_income": {"5000"}},
	"rent":             {"a.rent": {"yes"}},
}

// answerPage fills in the page's questions from answers (a yes/no
// question it does not know gets no, anything else "I don't know").
func answerPage(page string, answers map[string]url.Values) url.Values {
	form := url.Values{}
	form.Set("page", pageRE.FindStringSubmatch(page)[1])
	for _, m := range questionIDRE.FindAllStringSubmatch(page, -1) {
		id := m[1]
		form.Add("q", id)
		if vals, ok := answers[id]; ok {
			for k, v := range vals {
				form[k] = v
			}
			continue
		}
		if strings.Contains(page, `name="a.`+id+`" value="no"`) {
			form.Set("a."+id, "no")
		} else {
			form.Add("skip", id)
		}
	}
	return form
}

func TestScreenerWithoutJavaScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		c := e.client()
		// A patronato in the organisation's directory: the result says to
		// go there for the applications it helps with.
		set, err := hsds.ParseJSON("d.json", []byte(`{"id": "svc-patronato", "name": "Patronato Roma Centro", "status": "active",
			"organization": {"id": "org-patronato", "name": "Patronato", "description": "Domande all'INPS"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDirectory(t.Context(), e.org.ID, set, store.ImportOptions{}); err != nil {
			t.Fatal(err)
		}

		start := c.get(e.screenPath(""))
		wantStatus(t, "start page", start, http.StatusOK)
		for _, want := range []string{`action="` + e.screenPath("/start") + `"`, `action="` + e.screenPath("/resume") + `"`, "orientamento, non una decisione", "/static/portal/"} {
			if !strings.Contains(start.body, want) {
				t.Errorf("start page: missing %q", want)
			}
		}
		if strings.Contains(start.body, "chat.js") {
			t.Error("the screener's pages load the chat's script")
		}

		r := c.postForm(e.screenPath("/start"), url.Values{}, "")
		wantStatus(t, "start", r, http.StatusSeeOther)
		if r.location() != e.screenPath("/questions") {
			t.Fatalf("start goes to %q", r.location())
		}
		ck := c.cookie(e.screenPath("/questions"), "sportello_screen")
		if ck == nil || len(ck.Value) != 8 {
			t.Fatalf("screener cookie %+v", ck)
		}
		if c.cookie(e.chatPath(""), "sportello_screen") != nil {
			t.Error("the screener cookie goes beyond the screener's pages")
		}

		page := c.get(e.screenPath("/questions"))
		wantStatus(t, "first page", page, http.StatusOK)
		if !strings.Contains(page.body, `name="a.age"`) || !strings.Contains(page.body, `<progress`) {
			t.Fatalf("first page does not ask the age:\n%s", page.body)
		}
		m := codeRE.FindStringSubmatch(page.body)
		if m == nil || strings.ReplaceAll(m[1], "-", "") != ck.Value {
			t.Fatalf("the page does not show the resume code %s", ck.Value)
		}
		code := m[1]

		// Empty, then impossible: refused, the question named, nothing kept.
		form := answerPage(page.body, nil)
		form.Del("skip")
		r = c.postForm(e.screenPath("/questions"), form, "")
		wantStatus(t, "empty answers", r, http.StatusBadRequest)
		if !strings.Contains(r.body, "error-summary") || !strings.Contains(r.body, "Non lo so") {
			t.Errorf("empty answers: no error summary")
		}
		form = answerPage(page.body, map[string]url.Values{"age": {"a.age": {"200"}}})
		r = c.postForm(e.screenPath("/questions"), form, "")
		wantStatus(t, "age 200", r, http.StatusBadRequest)
		ageQuestion := "Quanti anni hai?"
		if !strings.Contains(stdhtml.UnescapeString(r.body), ageQuestion+" — ") || !strings.Contains(r.body, "130") {
			t.Errorf("age 200: the error does not name the question and the limit:\n%s", r.body)
		}
		if !strings.Contains(r.body, `value="200"`) || !strings.Contains(r.body, "Errore:") {
			t.Error("age 200: the page does not keep what was typed, or its title does not say it failed")
		}

		// Answer page after page until the result.
		seen := map[string]bool{}
		for i := 0; ; i++ {
			if i > 40 {
				t.Fatal("the screener never ends")
			}
			page = c.get(e.screenPath("/questions"))
			if page.status == http.StatusSeeOther {
				if page.location() != e.screenPath("/result") {
					t.Fatalf("questions sent to %q", page.location())
				}
				break
			}
			wantStatus(t, "questions", page, http.StatusOK)
			for _, m := range questionIDRE.FindAllStringSubmatch(page.body, -1) {
				if seen[m[1]] {
					t.Errorf("question %s asked twice", m[1])
				}
				seen[m[1]] = true
			}
			r = c.postForm(e.screenPath("/questions"), answerPage(page.body, persona), "")
			if r.status != http.StatusSeeOther {
				t.Fatalf("page %d refused (%d):\n%s", i, r.status, r.body)
			}
			if strings.Contains(r.location(), "7500") || strings.Contains(r.location(), "isee") {
				t.Errorf("an answer in an address: %s", r.location())
			}
			if i == 1 {
				// Back to the first page: the answers are there.
				back := c.get(e.screenPath("/questions?page=0"))
				if !strings.Contains(back.body, `value="34"`) {
					t.Error("going back: the age is not filled in")
				}
			}
		}
		for _, id := range []string{"age", "citizenship", "isee", "household"} {
			if !seen[id] {
				t.Errorf("never asked %s", id)
			}
		}
		if seen["job_end_date"] {
			t.Error("asked when the job ended of someone who lost no job")
		}

		// Another phone: the code brings the answers back.
		other := e.client()
		r = other.postForm(e.screenPath("/resume"), url.Values{"code": {strings.ToLower(code)}}, "")
		wantStatus(t, "resume", r, http.StatusSeeOther)
		r = other.get(r.location())
		if r.status == http.StatusSeeOther {
			r = other.get(r.location())
		}
		wantStatus(t, "after resuming", r, http.StatusOK)

		// The result, in Arabic, right to left, explained.
		other.lang = "ar"
		res := other.get(e.screenPath("/result"))
		wantStatus(t, "result", res, http.StatusOK)
		for _, want := range []string{`<html lang="ar" dir="rtl">`, "نتيجتك", "مرجّح", "لماذا", `href="` + e.chatPath("") + `"`,
			`href="/o/` + e.org.Slug + `/services/svc-patronato"`, "Patronato Roma Centro",
			"class=\"why\"", "details class=\"sources\"", "المصادر"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("Arabic result: missing %q", want)
			}
		}
		if !strings.Contains(res.body, "outcome-likely_eligible") || !strings.Contains(res.body, "€") {
			t.Errorf("a tenant family with ISEE 7500 is likely to get something with an amount:\n%s", res.body)
		}
	})
}

func TestScreenerResumeCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		c := e.client()
		c.postForm(e.screenPath("/start"), url.Values{}, "")
		code := c.cookie(e.screenPath("/questions"), "sportello_screen").Value

		// A wrong code is refused at the field; so is the code at another
		// organisation.
		r := e.client().postForm(e.screenPath("/resume"), url.Values{"code": {"AAAA-BBBB"}}, "")
		wantStatus(t, "wrong code", r, http.StatusNotFound)
		if !strings.Contains(r.body, `id="code-error"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Errorf("wrong code: no error by the field:\n%s", r.body)
		}
		other := &model.Organization{Slug: "altro-sportello", Name: "Altro"}
		if err := s.CreateOrganization(t.Context(), other); err != nil {
			t.Fatal(err)
		}
		r = e.client().postForm("/o/altro-sportello/screen/resume", url.Values{"code": {code}}, "")
		wantStatus(t, "code at another organisation", r, http.StatusNotFound)

		// Without a run, the questions send to the start page.
		r = e.client().get(e.screenPath("/questions"))
		if r.status != http.StatusSeeOther || r.location() != e.screenPath("") {
			t.Errorf("questions without a run: %d %q", r.status, r.location())
		}
		wantStatus(t, "unknown organisation", e.client().get("/o/nessuno/screen"), http.StatusNotFound)

		// Guessing is slowed down.
		g := e.client()
		var last response
		for range 12 {
			last = g.postForm(e.screenPath("/resume"), url.Values{"code": {"ZZZZ-ZZZZ"}}, "")
		}
		wantStatus(t, "the twelfth wrong code", last, http.StatusTooManyRequests)
	})
}

func TestChatShowsQuickReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		c := e.client()
		c.get(e.chatPath(""))
		r := c.postForm(e.chatPath("/messages"), url.Values{"body": {"/benefici"}, "client_id": {"cmd-00000001"}}, "")
		wantStatus(t, "command", r, http.StatusSeeOther)
		page := c.get(e.chatPath(""))
		if !strings.Contains(page.body, "anni") {
			t.Fatalf("the chat does not show the first question:\n%s", page.body)
		}
		if !strings.Contains(page.body, `data-quick hidden`) || !strings.Contains(page.body, `data-reply="Non lo so"`) {
			t.Errorf("the question's quick replies are not on the page")
		}
		// Without JavaScript the citizen answers by writing.
		c.postForm(e.chatPath("/messages"), url.Values{"body": {"34"}, "client_id": {"cmd-00000002"}}, "")
		page = c.get(e.chatPath(""))
		if !strings.Contains(page.body, `data-reply="Italiana"`) || !strings.Contains(page.body, "1. Italiana") {
			t.Errorf("the next question (citizenship) with its answers as text and buttons is missing")
		}
		if !strings.Contains(page.body, `href="/o/`+e.org.Slug+`/screen"`) {
			t.Error("the chat does not link to the screener")
		}

		// The WebSocket carries the quick replies on the message frames.
		tok := tokenIn(t, page.body)
		th := e.thread(c.visitor())
		sock := e.mustDial(tok, 0, th.ConversationID)
		var found bool
		for _, f := range onlyMessages(sock.barrier()) {
			if f.Direction == "outbound" && strings.Contains(f.Body, "1. Italiana") {
				found = len(f.QuickReplies) == 4 && f.QuickReplies[0] == "Italiana"
			}
		}
		if !found {
			t.Error("no question frame with its quick replies")
		}
	})
}
