package app_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/sportello/sportello/internal/app"
	"github.com/sportello/sportello/internal/browsertest"
)

// wait bounds every wait for a page or an element: generous for a loaded
// CI machine, and only spent when something is wrong.
const wait = 15 * time.Second

// arabicName is how the inbox names Arabic: the catalog's meta.name.
const arabicName = "العربية"

// startDemo runs the server with the demo desk.
func startDemo(t *testing.T) string {
	t.Helper()
	base, _, _ := startServer(t, map[string]string{"SPORTELLO_DATA_DIR": t.TempDir(), "SPORTELLO_DEMO": "1"})
	return base
}

// waitPath waits until the browser is at path.
func waitPath(b *browsertest.Browser, path string) {
	b.WaitUntil(wait, "the page "+path, func() bool { return b.CurrentURL().Path == path })
}

// submit clicks the main form's submit button, as a person would.
func submit(b *browsertest.Browser, form string) {
	b.FindElement(form + " button[type=submit]").Click()
}

func TestBrowserLoginAndReply(t *testing.T) {
	b := browsertest.Start(t)
	base := startDemo(t)
	const admin = "admin@demo.sportello.local"

	// A wrong password and an unknown address get the same message, so
	// the form does not tell which addresses have an account.
	alertFor := func(email, password string) string {
		t.Helper()
		b.Navigate(base + "/login")
		b.FindElement("#email").SendKeys(email)
		b.FindElement("#password").SendKeys(password)
		submit(b, "main form")
		return b.WaitFor("main [role=alert]", wait).Text()
	}
	unknown := alertFor("nobody@demo.sportello.local", "whatever-it-is")
	wrong := alertFor(admin, "not-the-password")
	if wrong == "" || wrong != unknown {
		t.Errorf("alerts: wrong password %q, unknown address %q; want one non-empty generic message", wrong, unknown)
	}
	if got := b.CurrentURL().Path; got != "/login" {
		t.Errorf("after a failed login: at %s, want /login", got)
	}
	if got := b.FindElement("#email").Property("value"); got != admin {
		t.Errorf("e-mail field after a failure: %v, want it kept", got)
	}
	if got, _ := b.FindElement("#password").Attribute("aria-invalid"); got != "true" {
		t.Errorf("password field aria-invalid=%q, want true", got)
	}

	// The right password, typed into the page that showed the error.
	b.FindElement("#password").SendKeys(app.DemoPassword)
	submit(b, "main form")
	waitPath(b, "/inbox")
	b.WaitFor("ul.conversations li.conv a.conv-link", wait)
	if n := len(b.FindElements("ul.conversations li.conv")); n < 2 {
		t.Errorf("inbox lists %d conversations, want the demo's", n)
	}
	checkScreenshot(t, b, "inbox")

	// Open a conversation marked Arabic in its row, not on WhatsApp: the
	// demo's WhatsApp conversations are past their 24-hour window.
	href, _ := b.ExecuteScript(`
		for (const li of document.querySelectorAll("ul.conversations li.conv")) {
			const spans = [...li.querySelectorAll(".meta span")].map(s => s.textContent.trim());
			if (spans.includes("WhatsApp")) { continue; }
			for (const s of li.querySelectorAll(".meta span")) {
				if (s.textContent.trim() === arguments[0]) {
					return li.querySelector("a.conv-link").getAttribute("href");
				}
			}
		}
		return "";`, arabicName).(string)
	if href == "" {
		t.Fatalf("no conversation marked %s in the inbox:\n%s", arabicName, b.PageSource())
	}
	b.FindElement(`a.conv-link[href="` + href + `"]`).Click()
	waitPath(b, href)
	b.WaitFor("ol.timeline li.msg-inbound .msg-body", wait)
	inbound := b.FindElements("ol.timeline li.msg-inbound .msg-body")
	if text := inbound[0].Text(); !hasArabic(text) {
		t.Errorf("first citizen message %q: want Arabic text", text)
	}
	// dir=auto turns an Arabic message right-to-left in a left-to-right page.
	if got := b.ExecuteScript(`return getComputedStyle(arguments[0]).direction`, inbound[0]); got != "rtl" {
		t.Errorf("Arabic message direction %v, want rtl", got)
	}
	before := len(b.FindElements("ol.timeline li.msg"))

	// Reply, in Arabic with a mark of this run.
	reply := "شكراً، نراك يوم الخميس. " + time.Now().Format("150405.000")
	b.FindElement("#body").SendKeys(reply)
	b.FindElement("form[data-reply-form] button.primary[type=submit]").Click() // the reply form has other buttons: insert, search articles
	b.WaitUntil(wait, "the redirect after sending", func() bool {
		return b.CurrentURL().Query().Get("ok") == "reply"
	})
	count := func() int {
		t.Helper()
		n, _ := b.ExecuteScript(`return [...document.querySelectorAll("ol.timeline li.msg-outbound .msg-body")]
			.filter(e => e.textContent.trim() === arguments[0]).length`, reply).(float64)
		return int(n)
	}
	b.WaitUntil(wait, "the reply in the timeline", func() bool { return count() > 0 })
	if n := count(); n != 1 {
		t.Errorf("after sending: the reply is shown %d times, want once", n)
	}
	if len(b.FindElements("main [role=status]")) == 0 {
		t.Error("no confirmation (role=status) after sending")
	}

	b.Refresh()
	b.WaitFor("ol.timeline li.msg", wait)
	if n := count(); n != 1 {
		t.Errorf("after reloading: the reply is shown %d times, want once", n)
	}
	if after := len(b.FindElements("ol.timeline li.msg")); after != before+1 {
		t.Errorf("after reloading: %d timeline items, want %d (one reply added)", after, before+1)
	}
}

func TestBrowserArabicIsRightToLeft(t *testing.T) {
	b := browsertest.Start(t)
	base := startDemo(t)
	for _, tt := range []struct{ lang, dir string }{{"ar", "rtl"}, {"it", "ltr"}} {
		b.Navigate(base + "/login?lang=" + tt.lang)
		html := b.FindElement("html")
		if got, _ := html.Attribute("lang"); got != tt.lang {
			t.Errorf("?lang=%s: <html lang=%q>", tt.lang, got)
		}
		if got, _ := html.Attribute("dir"); got != tt.dir {
			t.Errorf("?lang=%s: <html dir=%q>, want %s", tt.lang, got, tt.dir)
		}
		for _, sel := range []string{"body", "main", "main form"} {
			if got := b.ExecuteScript(`return getComputedStyle(document.querySelector(arguments[0])).direction`, sel); got != tt.dir {
				t.Errorf("?lang=%s: %s direction %v, want %s", tt.lang, sel, got, tt.dir)
			}
		}
		// The layout mirrors: the brand starts the header on the reading
		// side, and so does the e-mail field's label.
		for _, sel := range []string{".top .brand", "label[for=email]"} {
			side, _ := b.ExecuteScript(`const r = document.querySelector(arguments[0]).getBoundingClientRect();
				return r.left + r.width / 2 > document.documentElement.clientWidth / 2 ? "right" : "left"`, sel).(string)
			want := map[string]string{"rtl": "right", "ltr": "left"}[tt.dir]
			if side != want {
				t.Errorf("?lang=%s: %s on the %s, want the %s", tt.lang, sel, side, want)
			}
		}
		if tt.lang == "ar" {
			if title := b.FindElement("main h1").Text(); !hasArabic(title) {
				t.Errorf("?lang=ar: title %q is not in Arabic", title)
			}
			checkScreenshot(t, b, "login-ar")
		}
	}
}

// checkScreenshot takes a screenshot, checks it is a PNG of the window
// with something drawn, and keeps it in the test's temporary directory,
// and in /tmp/sportello-NAME.png when SPORTELLO_SCREENSHOTS=1, for a
// person to look at.
func checkScreenshot(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	// Wait for web fonts, so that the picture shows the final text.
	b.WaitUntil(wait, "fonts loaded", func() bool {
		return b.ExecuteScript(`return document.readyState === "complete" && document.fonts.status === "loaded"`) == true
	})
	shot := b.Screenshot()
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
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot %s (%d bytes): %v", name, len(shot), err)
	}
	size := img.Bounds().Size()
	w, h := browsertest.WindowWidth/2, browsertest.WindowHeight/2
	if size.X < w || size.Y < h || size.X > 4*browsertest.WindowWidth || size.Y > 4*browsertest.WindowHeight {
		t.Errorf("screenshot %s is %v, want about the %dx%d window", name, size, browsertest.WindowWidth, browsertest.WindowHeight)
	}
	if colors := distinctColors(img, 3); colors < 3 {
		t.Errorf("screenshot %s has %d colours: a blank page?", name, colors)
	}
}

// distinctColors counts the image's colours, up to limit.
func distinctColors(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			c0, c1, c2, c3 := img.At(x, y).RGBA()
			seen[[4]uint32{c0, c1, c2, c3}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// hasArabic reports whether s has a letter of the Arabic script.
func hasArabic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) >= 0
}
