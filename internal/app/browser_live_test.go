package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/app"
	"github.com/sportello/sportello/internal/browsertest"
)

// signIn opens the login page and signs in with the demo password.
func signIn(t *testing.T, b *browsertest.Browser, base, email string) {
	t.Helper()
	b.Navigate(base + "/login")
	b.FindElement("#email").SendKeys(email)
	b.FindElement("#password").SendKeys(app.DemoPassword)
	submit(b, "main form")
	waitPath(b, "/inbox")
}

// waitLive waits until the page's live connection is open.
func waitLive(b *browsertest.Browser) {
	b.WaitUntil(wait, "the live connection", func() bool {
		return b.ExecuteScript(`return document.body.dataset.connected === "1"`) == true
	})
}

// text is the trimmed text of the first element matching css, "" if none.
func text(b *browsertest.Browser, css string) string {
	s, _ := b.ExecuteScript(`const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : ""`, css).(string)
	return s
}

// TestBrowserLiveConsole: two operators in two browsers. What one does
// reaches the other's open page without a reload: the inbox row moves to
// the top with its new preview, each sees the other looking at the same
// conversation and typing, and a note appears in the timeline.
func TestBrowserLiveConsole(t *testing.T) {
	giulia := browsertest.Start(t) // admin
	marco := browsertest.Start(t)  // coordinator
	base := startDemo(t)
	signIn(t, giulia, base, "admin@demo.sportello.local")
	signIn(t, marco, base, "marco.bellini@demo.sportello.local")

	giulia.Navigate(base + "/inbox?view=all")
	giulia.WaitFor("ul.conversations li.conv a.conv-link", wait)
	waitLive(giulia)
	giulia.ExecuteScript(`window.sportelloNoReload = true`)
	// The last conversation of the page, which new activity brings to the
	// top; not on WhatsApp, whose demo conversations are past their window.
	href, _ := giulia.ExecuteScript(`const l = [...document.querySelectorAll("ul.conversations li.conv")]
			.filter(li => ![...li.querySelectorAll(".meta span")].some(s => s.textContent.trim() === "WhatsApp"))
			.map(li => li.querySelector("a.conv-link"));
		return l.length ? l[l.length - 1].getAttribute("href") : ""`).(string)
	if href == "" || len(giulia.FindElements("ul.conversations li.conv")) < 2 {
		t.Fatalf("inbox: no conversations to work with:\n%s", giulia.PageSource())
	}

	marco.Navigate(base + href)
	marco.WaitFor("form[data-reply-form] #body", wait)
	reply := "Risposta dal vivo " + time.Now().Format("150405.000")
	marco.FindElement("#body").SendKeys(reply)
	marco.FindElement("form[data-reply-form] button.primary[type=submit]").Click() // the reply form has other buttons: insert, search articles
	marco.WaitUntil(wait, "the redirect after sending", func() bool { return marco.CurrentURL().Query().Get("ok") == "reply" })

	giulia.WaitUntil(wait, "the row on top with the reply as preview", func() bool {
		return text(giulia, "ul.conversations li.conv .preview") == reply &&
			giulia.ExecuteScript(`return document.querySelector("ul.conversations li.conv a.conv-link").getAttribute("href")`) == href
	})
	if n, _ := giulia.ExecuteScript(`return document.querySelectorAll('ul.conversations a.conv-link[href="` + href + `"]').length`).(float64); n != 1 {
		t.Errorf("the conversation is listed %v times, want once", n)
	}
	if giulia.ExecuteScript(`return window.sportelloNoReload === true`) != true {
		t.Error("the inbox reloaded; it should have updated in place")
	}

	// Both on the same conversation: each sees the other.
	giulia.Navigate(base + href)
	giulia.WaitFor("ol.timeline li.msg", wait)
	waitLive(giulia)
	giulia.ExecuteScript(`window.sportelloNoReload = true`)
	giulia.WaitUntil(wait, "Marco among the viewers", func() bool { return strings.Contains(text(giulia, "[data-viewers]"), "Marco Bellini") })
	marco.WaitUntil(wait, "Giulia among the viewers", func() bool { return strings.Contains(text(marco, "[data-viewers]"), "Giulia Ferretti") })

	// Marco types: Giulia sees it. Then he adds a note, which appears in
	// her timeline.
	marco.FindElement("#body").SendKeys("Un attimo")
	giulia.WaitUntil(wait, "Marco typing", func() bool { return strings.Contains(text(giulia, "[data-typing]"), "Marco Bellini") })
	note := "Nota dal vivo " + time.Now().Format("150405.000")
	marco.ExecuteScript(`document.querySelector("#body").value = ""; document.querySelector("input[name=direction][value=note]").click()`)
	marco.FindElement("#body").SendKeys(note)
	marco.FindElement("form[data-reply-form] button.primary[type=submit]").Click() // the reply form has other buttons: insert, search articles
	giulia.WaitUntil(wait, "the note in the timeline", func() bool {
		n, _ := giulia.ExecuteScript(`return [...document.querySelectorAll("ol.timeline li.msg-note .msg-body")].filter(e => e.textContent.trim() === arguments[0]).length`, note).(float64)
		return n == 1
	})
	if giulia.ExecuteScript(`return window.sportelloNoReload === true`) != true {
		t.Error("the conversation reloaded; it should have updated in place")
	}

	// Marco leaves: Giulia is alone again.
	marco.Navigate(base + "/inbox")
	giulia.WaitUntil(wait, "nobody else viewing", func() bool { return text(giulia, "[data-viewers]") == "" })
	checkScreenshot(t, giulia, "live-conversation")
}
