package app_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/browsertest"
)

// An administrator adds a municipal rent support with the form, never
// seeing JSON: a new ISEE threshold with its date and resolution, two
// conditions over the screener's questions, an amount; tries it on a
// sample person and saves it. A citizen on the portal then finds it in
// their result.
func TestBrowserLocalAidForm(t *testing.T) {
	admin := browsertest.Start(t)
	base := startDemo(t)
	loginOperator(t, admin, base)
	admin.Navigate(base + "/admin/screener")
	admin.FindElement(`a[href="/admin/screener/aids/new"]`).Click()
	waitPath(admin, "/admin/screener/aids/new")

	typeIn := func(css, text string) {
		el := admin.FindElement(css)
		admin.ExecuteScript(`arguments[0].value = ""`, el)
		el.SendKeys(text)
	}
	setValue := func(css, value string) { // a date or a long sample, as a picker or a paste would
		admin.ExecuteScript(`document.querySelector(arguments[0]).value = arguments[1]`, css, value)
	}
	pick := func(css, value string) {
		admin.FindElement(css + ` option[value="` + value + `"]`).Click()
	}
	more := func() {
		admin.FindElement(`button[name="action"][value="more"]`).Click()
		admin.WaitUntil(wait, "the form drawn again", func() bool {
			return admin.CurrentURL().Path == "/admin/screener/aids" && admin.ExecuteScript(`return document.readyState`) == "complete"
		})
	}

	typeIn("#aid-id", "contributo_affitto_foggia")
	typeIn("#aid-name-it", "Contributo affitto Comune di Foggia")
	typeIn("#aid-reference", "Delibera G.C. Foggia n. 12/2026")
	typeIn("#aid-p-0-id", "foggia_isee_max")
	typeIn("#aid-p-0-description", "Soglia ISEE del contributo affitto")
	setValue("#aid-p-0-from", "2026-01-01")
	typeIn("#aid-p-0-value", "15000")
	typeIn("#aid-p-0-reference", "Delibera G.C. Foggia n. 12/2026")
	pick("#aid-c-0-question", "isee")
	more()

	// The ISEE is a number: compared with the new figure.
	pick("#aid-c-0-op", "<=")
	pick("#aid-c-0-param", "foggia_isee_max")
	typeIn("#aid-c-0-holds-it", "Il tuo ISEE non supera {foggia_isee_max}.")
	typeIn("#aid-c-0-fails-it", "Il tuo ISEE supera {foggia_isee_max}.")
	pick("#aid-c-1-question", "resident")
	more()
	if got := admin.FindElement("#aid-p-0-value").Property("value"); got != "15000" {
		t.Fatalf("the figure's value did not survive updating the form: %v", got)
	}
	pick("#aid-c-1-value", "yes")
	typeIn("#aid-c-1-holds-it", "Hai la residenza.")
	typeIn("#aid-c-1-fails-it", "Il contributo è per chi ha la residenza.")
	pick("#aid-amount-kind", "fixed")
	typeIn("#aid-amount-value", "150")
	typeIn("#aid-steps-it", "Presenta la domanda ai Servizi sociali del Comune.")

	// A mistake first: the message is next to the field, and linked.
	typeIn("#aid-p-0-value", "quindicimila")
	admin.FindElement(`button[name="action"][value="preview"]`).Click()
	msg := admin.WaitFor("#aid-p-0-value-error", wait)
	if !strings.Contains(msg.Text(), "number") { // the console speaks the browser's English
		t.Errorf("the error next to the threshold says %q", msg.Text())
	}
	if inv, _ := admin.FindElement("#aid-p-0-value").Attribute("aria-invalid"); inv != "true" {
		t.Error("the threshold is not marked invalid")
	}
	if n := len(admin.FindElements(`#aid-problems a[href="#aid-p-0-value"]`)); n != 1 {
		t.Errorf("the error summary links %d times to the threshold", n)
	}
	typeIn("#aid-p-0-value", "15000")

	setValue("#aid-sample", `{"resident": true, "rent": true, "isee": 9000}`)
	setValue("#aid-date", "2026-03-01")
	admin.FindElement(`button[name="action"][value="preview"]`).Click()
	preview := admin.WaitFor("section.preview", wait)
	if text := preview.Text(); !strings.Contains(text, "Contributo affitto Comune di Foggia") {
		t.Fatalf("the preview does not show the aid:\n%s", text)
	}
	if n := len(admin.FindElements("section.preview li.outcome-likely_eligible strong")); n == 0 {
		t.Errorf("the sample person is not likely eligible:\n%s", admin.PageSource())
	}
	checkScreenshot(t, admin, "screen-aid-form")
	admin.FindElement(`button[name="action"][value="save"]`).Click()
	admin.WaitUntil(wait, "the rules page after saving", func() bool { return admin.CurrentURL().Query().Get("ok") == "aid" })
	if n := len(admin.FindElements(`a[href="/admin/screener/aids/contributo_affitto_foggia"]`)); n != 1 {
		t.Errorf("the saved aid has %d edit links", n)
	}

	// A citizen with a low ISEE who rents finds it.
	citizen := browsertest.Start(t)
	citizen.Navigate(base + "/o/demo/screen?lang=it")
	citizen.FindElement("form.screen-start button[type=submit]").Click()
	waitPath(citizen, "/o/demo/screen/questions")
	for i := 0; citizen.CurrentURL().Path != "/o/demo/screen/result"; i++ {
		if i > 25 {
			t.Fatal("the screener never ends")
		}
		fillScreenPage(t, citizen, screenPersona)
		submitScreenPage(citizen)
	}
	found := false
	for _, a := range citizen.FindElements("article.benefit.outcome-likely_eligible") {
		if strings.Contains(a.Text(), "Contributo affitto Comune di Foggia") {
			found = true
			if !strings.Contains(a.Text(), "15.000") {
				t.Errorf("the aid's reason does not cite the threshold:\n%s", a.Text())
			}
		}
	}
	if !found {
		t.Errorf("the citizen's result has no likely local aid:\n%s", citizen.FindElement("main").Text())
	}
}
