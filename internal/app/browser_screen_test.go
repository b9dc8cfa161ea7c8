package app_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/browsertest"
)

// screenPersona is a tenant family with two children and a low ISEE, as
// a person would type and pick it. A yes/no question it does not name is
// answered no; anything else "I don't know".
var screenPersona = map[string]any{
	"age": "34", "citizenship": "non_eu", "permit": "ue_lungo_periodo", "resident": "yes",
	"residence_years": "8", "continuous_years": "8", "isee": "7500", "family_income": "5000", "rent": "yes",
	"household": map[string]string{"size": "3", "minors": "2", "over_60": "0", "disabled": "0"},
}

// fillScreenPage answers the questions of the screener page in b, the
// citizens' or the operators' (they share the fields' names), by clicking
// and typing.
func fillScreenPage(t *testing.T, b *browsertest.Browser, answers map[string]any) {
	t.Helper()
	ids, _ := b.ExecuteScript(`return [...document.querySelectorAll('input[name="q"]')].map(e => e.value)`).([]any)
	if len(ids) == 0 {
		t.Fatalf("a screener page without questions:\n%s", b.PageSource())
	}
	for _, x := range ids {
		id := x.(string)
		name := "a." + id
		kind := b.ExecuteScript(`const n = arguments[0];
			if (document.getElementsByName(n + ".size").length) return "household";
			if (document.getElementsByName(n + ".day").length) return "date";
			const f = document.getElementsByName(n);
			return f.length && f[0].type === "radio" ? "radio" : "text"`, name)
		v, known := answers[id]
		skip := func() { b.FindElement(`input[name="skip"][value="` + id + `"]`).Click() }
		switch kind {
		case "radio":
			value := "_skip"
			switch {
			case known:
				value = v.(string)
			case len(b.FindElements(`input[name="`+name+`"][value="no"]`)) > 0:
				value = "no"
			}
			b.FindElement(`input[name="` + name + `"][value="` + value + `"]`).Click()
		case "household":
			if !known {
				skip()
				continue
			}
			for part, n := range v.(map[string]string) {
				el := b.FindElement(`input[name="` + name + "." + part + `"]`)
				b.ExecuteScript(`arguments[0].value = ""`, el)
				el.SendKeys(n)
			}
		case "text":
			if !known {
				skip()
				continue
			}
			el := b.FindElement(`input[name="` + name + `"]`)
			b.ExecuteScript(`arguments[0].value = ""`, el)
			el.SendKeys(v.(string))
		default:
			skip()
		}
	}
}

// submitScreenPage sends the page and waits for the next one.
func submitScreenPage(b *browsertest.Browser) {
	prev := b.ExecuteScript(`const p = document.querySelector('input[name="page"]'); return p ? p.value : ""`)
	b.FindElement("form.screen-form button.primary[type=submit]").Click()
	b.WaitUntil(wait, "the next page of the screener", func() bool {
		return b.ExecuteScript(`const p = document.querySelector('input[name="page"]');
			return document.readyState === "complete" && !document.querySelector(".error-summary, main .alert:not([hidden])") && (!p || p.value !== arguments[0])`, prev) == true
	})
}

// A citizen on a phone fills in the screener in Arabic, is stopped by an
// impossible answer that names the question, and reads an explained
// result; an operator runs it from a case in the console and finds the
// result recorded on the case.
func TestBrowserScreener(t *testing.T) {
	citizen := browsertest.Start(t)
	base := startDemo(t)
	citizen.SetWindowSize(390, 844)
	if w := citizen.ExecuteScript(`return window.innerWidth`); w.(float64) > 400 {
		t.Fatalf("the window is %v wide, want a phone's 390", w)
	}

	citizen.Navigate(base + "/o/demo/screen?lang=ar")
	if got := citizen.ExecuteScript(`return document.documentElement.lang + " " + document.documentElement.dir`); got != "ar rtl" {
		t.Fatalf("the start page is %v, want ar rtl", got)
	}
	citizen.FindElement("form.screen-start button[type=submit]").Click()
	waitPath(citizen, "/o/demo/screen/questions")
	code := citizen.WaitFor(".code-note .code", wait).Text()
	if len(strings.ReplaceAll(code, "-", "")) != 8 {
		t.Errorf("resume code %q", code)
	}

	// An impossible age: refused, and the message names the question.
	fillScreenPage(t, citizen, map[string]any{"age": "200", "citizenship": "non_eu", "resident": "yes"})
	citizen.FindElement("form.screen-form button.primary[type=submit]").Click()
	summary := citizen.WaitFor(".error-summary", wait)
	if text := summary.Text(); !strings.Contains(text, "كم عمرك؟") || !strings.Contains(text, "130") {
		t.Errorf("the error %q does not name the question and the limit", text)
	}
	if inv, _ := citizen.FindElement(`input[name="a.age"]`).Attribute("aria-invalid"); inv != "true" {
		t.Error("the age field is not marked invalid")
	}

	for i := 0; citizen.CurrentURL().Path != "/o/demo/screen/result"; i++ {
		if i > 25 {
			t.Fatal("the screener never ends")
		}
		fillScreenPage(t, citizen, screenPersona)
		submitScreenPage(citizen)
	}
	if got := citizen.ExecuteScript(`return document.documentElement.dir + " " + getComputedStyle(document.querySelector("main")).direction`); got != "rtl rtl" {
		t.Errorf("the result is %v, want rtl", got)
	}
	if title := citizen.FindElement("main h1").Text(); !hasArabic(title) {
		t.Errorf("result title %q is not Arabic", title)
	}
	likely := citizen.FindElements("article.benefit.outcome-likely_eligible")
	if len(likely) == 0 {
		t.Fatalf("nothing likely for a tenant family with ISEE 7500:\n%s", citizen.PageSource())
	}
	first := likely[0]
	reasons := citizen.ExecuteScript(`return [...arguments[0].querySelectorAll("ul.why > li")].map(li => li.textContent.trim())`, first).([]any)
	if len(reasons) == 0 || !hasArabic(reasons[0].(string)) {
		t.Errorf("the first benefit's reasons %v are not explained in Arabic", reasons)
	}
	if amount := citizen.ExecuteScript(`const a = arguments[0].querySelector(".amount"); return a ? a.textContent : ""`, first).(string); !strings.Contains(amount, "€") {
		t.Errorf("no amount: %q", amount)
	}
	if n := len(citizen.FindElements(`main a[href="/o/demo/chat"]`)); n == 0 {
		t.Error("no link to talk to the desk")
	}
	if notice := citizen.FindElement("main .orientation").Text(); !hasArabic(notice) {
		t.Errorf("orientation notice %q", notice)
	}
	// The phone's width: nothing to scroll sideways.
	if got := citizen.ExecuteScript(`return document.documentElement.scrollWidth <= window.innerWidth`); got != true {
		t.Errorf("the result page scrolls sideways on a phone: %v", citizen.ExecuteScript(`return [document.documentElement.scrollWidth, window.innerWidth]`))
	}
	phoneScreenshot(t, citizen, "screen-result-ar")

	// Talk to the desk: in the chat the screener asks with buttons.
	citizen.FindElement(`main a.button[href="/o/demo/chat"]`).Click()
	waitPath(citizen, "/o/demo/chat")
	citizen.WaitFor("#body", wait).SendKeys("/benefici\ue007")
	quick := `#msgs li.msg.desk [data-quick]:not([hidden]) button`
	citizen.WaitUntil(wait, "the first question with its buttons", func() bool { return len(citizen.FindElements(quick)) > 0 })
	citizen.FindElements(quick)[0].Click() // "I don't know" the age
	citizen.WaitUntil(wait, "the next question with its buttons", func() bool {
		return citizen.ExecuteScript(`return [...document.querySelectorAll(arguments[0])].map(b => b.textContent).join("|")`, quick) != nil &&
			len(citizen.FindElements(quick)) > 2
	})
	labels := citizen.ExecuteScript(`return [...document.querySelectorAll(arguments[0])].map(b => b.textContent)`, quick).([]any)
	if len(labels) == 0 || !hasArabic(labels[0].(string)) {
		t.Errorf("the chat's buttons %v are not in Arabic", labels)
	}
	if n := citizen.ExecuteScript(`return document.querySelectorAll("#msgs [data-quick]:not([hidden])").length`); n != 1.0 {
		t.Errorf("%v messages show buttons, want only the newest question", n)
	}

	// The operator, on a tablet or at the desk.
	operator := browsertest.Start(t)
	loginOperator(t, operator, base)
	href := operator.WaitFor("ul.conversations li.conv a.conv-link", wait)
	target, _ := href.Attribute("href")
	operator.Navigate(base + target)
	operator.FindElement(`#screenings a[href="` + target + `/screen"]`).Click()
	waitPath(operator, target+"/screen")
	operator.FindElement(`form[action$="/screen/start"] button[type=submit]`).Click()
	operator.WaitFor("form.screen-form", wait)
	for i := 0; len(operator.FindElements(`form[action$="/screen/record"]`)) == 0; i++ {
		if i > 15 {
			t.Fatal("the operator's screener never ends")
		}
		fillScreenPage(t, operator, screenPersona)
		submitScreenPage(operator)
	}
	operator.FindElement(`form[action$="/screen/record"] button[type=submit]`).Click()
	operator.WaitUntil(wait, "the case with the result", func() bool {
		return operator.CurrentURL().Query().Get("ok") == "screened"
	})
	rec := operator.WaitFor("#screenings article.screening", wait)
	if text := rec.Text(); !strings.Contains(text, "it-benefici") {
		t.Errorf("the recorded result %q does not name the questionnaire", text)
	}
	if n := len(operator.FindElements("#screenings article.screening ul.why li")); n == 0 {
		t.Error("the recorded result has no explanation")
	}
	if n := len(operator.FindElements("#screenings .screen-benefits li.outcome-likely_eligible")); n == 0 {
		t.Error("the recorded result has no likely benefit")
	}
	checkScreenshot(t, operator, "screen-case")
}

// phoneScreenshot keeps a screenshot of the phone-sized window, like
// checkScreenshot does of the desktop one.
func phoneScreenshot(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	shot := b.Screenshot()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if size := img.Bounds().Size(); size.X < 300 || size.X > 4*390 {
		t.Errorf("screenshot %s is %v, want a phone's width", name, size)
	}
	if colors := distinctColors(img, 3); colors < 3 {
		t.Errorf("screenshot %s has %d colours: a blank page?", name, colors)
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SPORTELLO_SCREENSHOTS") == "1" {
		path := filepath.Join(os.TempDir(), "sportello-"+name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}
