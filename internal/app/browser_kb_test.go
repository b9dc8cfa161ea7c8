package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/browsertest"
)

// TestBrowserHelpCentre: on the demo desk a citizen finds "come ottenere
// lo SPID" in the Italian help centre and "how to get SPID" in the
// English one; the Arabic help centre is right to left; an operator
// searches the articles from a conversation's reply box, inserts the
// link and sends it.
func TestBrowserHelpCentre(t *testing.T) {
	b := browsertest.Start(t)
	base := startDemo(t)

	search := func(lang, query, wantTitle string) {
		t.Helper()
		b.Navigate(base + "/o/demo/help?lang=" + lang)
		b.WaitFor("form.help-search #q", wait).SendKeys(query)
		submit(b, "form.help-search")
		waitPath(b, "/o/demo/help/search")
		first := b.WaitFor("#results li a", wait)
		if got := first.Text(); got != wantTitle {
			t.Errorf("%s: first result %q, want %q", query, got, wantTitle)
		}
		first.Click()
		waitPath(b, "/o/demo/help/spid")
		if got := b.WaitFor("article.help-article h1", wait).Text(); got != wantTitle {
			t.Errorf("%s: article titled %q", query, got)
		}
	}
	search("it", "come ottenere lo SPID", "Come ottenere lo SPID")
	if n := len(b.FindElements(".help-sources a[href^='https://www.spid.gov.it/']")); n == 0 {
		t.Error("the Italian article cites no source on spid.gov.it")
	}
	search("en", "how to get SPID", "How to get SPID")

	// Arabic: the page and its text run right to left.
	b.Navigate(base + "/o/demo/help?lang=ar")
	b.WaitFor("form.help-search", wait)
	if got := b.ExecuteScript(`return [document.documentElement.dir, getComputedStyle(document.body).direction].join()`); got != "rtl,rtl" {
		t.Errorf("Arabic help centre: dir, direction = %v, want rtl,rtl", got)
	}
	b.Navigate(base + "/o/demo/help/spid?lang=ar")
	if got := b.WaitFor("article.help-article", wait).Text(); !hasArabic(got) {
		t.Errorf("Arabic SPID article: %q", got)
	}
	// An article not yet in Arabic is shown in another language, saying so.
	b.Navigate(base + "/o/demo/help/cie?lang=ar")
	if got := b.WaitFor("p.help-fallback", wait).Text(); !hasArabic(got) {
		t.Errorf("fallback notice %q: want it in Arabic", got)
	}

	// The operator links the article in a reply to an Italian conversation.
	loginOperator(t, b, base)
	b.WaitFor("ul.conversations li.conv a.conv-link", wait)
	href, _ := b.ExecuteScript(`
		for (const li of document.querySelectorAll("ul.conversations li.conv")) {
			for (const s of li.querySelectorAll(".meta span")) {
				if (s.textContent.trim() === "Italiano") {
					return li.querySelector("a.conv-link").getAttribute("href");
				}
			}
		}
		return "";`).(string)
	if href == "" {
		t.Fatalf("no Italian conversation in the inbox:\n%s", b.PageSource())
	}
	b.Navigate(base + href)
	b.WaitFor("[data-kb-pick] #kbq", wait).SendKeys("come ottenere lo SPID")
	b.FindElement("[data-kb-search]").Click()
	b.WaitFor("[data-kb-results] [data-kb-insert]", wait).Click()
	draft, _ := b.FindElement("#body").Property("value").(string)
	if !strings.Contains(draft, "Come ottenere lo SPID: ") || !strings.Contains(draft, "/o/demo/help/spid?lang=it") {
		t.Fatalf("draft after inserting the article: %q", draft)
	}
	if got := b.CurrentURL().Path; got != href {
		t.Errorf("inserting left the page for %s", got)
	}
	b.FindElement("form.reply button.primary[type=submit]").Click()
	b.WaitUntil(wait, "the reply with the link in the timeline", func() bool {
		return b.ExecuteScript(`return [...document.querySelectorAll("ol.timeline li.msg .msg-body")].some(e => e.textContent.includes("/o/demo/help/spid?lang=it"))`) == true
	})
	link := draft[strings.Index(draft, "http"):]
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Path != "/o/demo/help/spid" {
		t.Errorf("inserted link %q", link)
	}
}
