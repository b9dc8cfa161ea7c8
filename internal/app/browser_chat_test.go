package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/app"
	"github.com/sportello/sportello/internal/browsertest"
	"github.com/sportello/sportello/internal/store"
)

// The web chat end to end: an organisation's own site (served here) embeds
// the chat with one script tag; a citizen opens it, picks Arabic and
// writes; an operator in another browser sees it arrive in the open
// console and replies; the citizen sees the reply without reloading and
// asks for the transcript by e-mail. Reloading the
// citizen's page, and the server going away and coming back, lose and
// double nothing.
func TestBrowserWebChat(t *testing.T) {
	citizen := browsertest.Start(t)
	operator := browsertest.Start(t)

	data := t.TempDir()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	env := map[string]string{"SPORTELLO_DATA_DIR": data, "SPORTELLO_DEMO": "1"}
	base, _, stop := startServer(t, env, "--addr", addr)

	sitePage := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Caritas</title></head>
<body><h1>Caritas diocesana</h1><p>Orari e servizi.</p>
<script src="%s/o/demo/widget.js" async></script></body></html>`, base)
	}
	site := httptest.NewServer(http.HandlerFunc(sitePage))
	defer site.Close()
	elsewhere := httptest.NewServer(http.HandlerFunc(sitePage))
	defer elsewhere.Close()
	allowSite(t, filepath.Join(data, "sportello.db"), site.URL)

	// A site the desk did not allow gets no launcher.
	citizen.Navigate(elsewhere.URL)
	citizen.WaitUntil(wait, "the page", func() bool { return citizen.ExecuteScript(`return document.readyState`) == "complete" })
	time.Sleep(300 * time.Millisecond) // the async script has run by now; nothing to wait for if it refuses
	if n := len(citizen.FindElements("body > button")); n != 0 {
		t.Errorf("a site not allowed shows %d launchers", n)
	}

	// The allowed site: a launcher; the chat loads when it is opened.
	citizen.Navigate(site.URL)
	launcher := citizen.WaitFor("body > button[aria-expanded]", wait)
	if len(citizen.FindElements("iframe")) != 0 {
		t.Error("the chat loaded before the visitor opened it")
	}
	launcher.Click()
	openChat(t, citizen)

	// Pick Arabic in the chat: it mirrors, and it is remembered.
	citizen.FindElement(`nav.langs a[data-lang="ar"]`).Click()
	citizen.WaitUntil(wait, "the chat in Arabic", func() bool {
		return citizen.ExecuteScript(`return document.documentElement.lang + " " + document.documentElement.dir`) == "ar rtl"
	})
	body := citizen.WaitFor("#body", wait)
	if got := citizen.ExecuteScript(`return getComputedStyle(document.querySelector("#composer")).direction`); got != "rtl" {
		t.Errorf("composer direction %v, want rtl", got)
	}
	if role, _ := citizen.FindElement("#log").Attribute("role"); role != "log" {
		t.Errorf("the messages are not a log (role %q)", role)
	}

	// The operator is at the console before the citizen writes.
	loginOperator(t, operator, base)
	operator.Navigate(base + "/inbox")
	waitLive(operator)

	mark := time.Now().Format("150405.000")
	first := "السلام عليكم، أحتاج مساعدة في تجديد تصريح الإقامة " + mark
	body.SendKeys(first + "\ue007") // Enter sends
	mine := `#msgs li.msg.mine`
	citizen.WaitUntil(wait, "the message acknowledged", func() bool {
		return citizen.ExecuteScript(`const li = document.querySelector(arguments[0] + ":last-child");
			return !!li && !!li.id && li.querySelector(".state").getAttribute("data-state") === "sent"`, mine) == true
	})
	if got := body.Property("value"); got != "" {
		t.Errorf("the box still holds %q after sending", got)
	}
	conv := strings.Split(citizen.ExecuteScript(`return document.querySelector(arguments[0] + ":last-child").id`, mine).(string), "-")[1]

	// The operator sees it arrive in the open inbox, live, and replies.
	link := operator.WaitFor(`a.conv-link[href="/conversations/`+conv+`"]`, wait)
	link.Click()
	waitPath(operator, "/conversations/"+conv)
	operator.WaitUntil(wait, "the citizen's message in the console", func() bool {
		return operator.ExecuteScript(`return [...document.querySelectorAll("ol.timeline li.msg-inbound .msg-body")].some(e => e.textContent.trim() === arguments[0])`, first) == true
	})
	reply := "وعليكم السلام، يمكننا مساعدتك. أرسل لنا صورة التصريح من فضلك. " + mark
	operator.FindElement("#body").SendKeys(reply)
	operator.FindElement("form[data-reply-form] button.primary[type=submit]").Click() // the reply form has other buttons: insert, search articles

	// The citizen sees the reply live, once, without reloading.
	waitText(t, citizen, "#msgs li.msg.desk .body", reply, 1)
	if got := citizen.ExecuteScript(`return document.querySelector("#msgs li.msg.desk .body").dir`); got != "auto" {
		t.Errorf("reply dir %v, want auto", got)
	}

	// The citizen asks for the transcript by e-mail (the demo has an
	// e-mail channel): the widget says where it goes.
	citizen.FindElement("#transcript summary").Click()
	citizen.WaitFor("#transcript-email", wait).SendKeys("amina@example.org")
	citizen.FindElement("#transcript-form button[type=submit]").Click()
	citizen.WaitUntil(wait, "the transcript confirmed", func() bool {
		return citizen.ExecuteScript(`return document.querySelector("#transcript-status").textContent.includes("amina@example.org")`) == true
	})

	// Escape closes the panel and gives the focus back to the launcher.
	citizen.FindElement("#body").SendKeys("\ue00c")
	inTop(t, citizen)
	citizen.WaitUntil(wait, "the panel closed", func() bool {
		return citizen.ExecuteScript(`return document.activeElement === document.querySelector("body > button") &&
			document.querySelector("body > button").getAttribute("aria-expanded") === "false"`) == true
	})

	// A reload of the citizen's page: the same conversation, each message once.
	citizen.Refresh()
	citizen.WaitFor("body > button[aria-expanded]", wait).Click()
	openChat(t, citizen)
	citizen.WaitUntil(wait, "the chat still in Arabic", func() bool { return citizen.ExecuteScript(`return document.documentElement.lang`) == "ar" })
	waitText(t, citizen, "#msgs li.msg.mine .body", first, 1)
	waitText(t, citizen, "#msgs li.msg.desk .body", reply, 1)

	// The server goes away; the citizen writes meanwhile; it comes back.
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	citizen.WaitUntil(wait, "the page noticing", func() bool {
		return citizen.ExecuteScript(`return document.querySelector("#conn").textContent !== ""`) == true
	})
	offline := "كتبت هذه الرسالة والاتصال مقطوع " + mark
	citizen.FindElement("#body").SendKeys(offline + "\ue007")
	waitState(t, citizen, offline, "sending")
	startServer(t, env, "--addr", addr)
	citizen.WaitUntil(40*time.Second, "the message sent after reconnecting", func() bool { return state(citizen, offline) == "sent" })
	if got := citizen.ExecuteScript(`return document.querySelector("#conn").textContent`); got != "" {
		t.Errorf("connection notice %q after reconnecting", got)
	}

	operator.Refresh()
	operator.WaitUntil(wait, "the message written offline in the console", func() bool {
		return operator.ExecuteScript(`return [...document.querySelectorAll("ol.timeline li.msg-inbound .msg-body")].filter(e => e.textContent.trim() === arguments[0]).length`, offline) == float64(1)
	})
	second := "وصلت رسالتك. " + mark
	operator.FindElement("#body").SendKeys(second)
	operator.FindElement("form[data-reply-form] button.primary[type=submit]").Click() // the reply form has other buttons: insert, search articles
	waitText(t, citizen, "#msgs li.msg.desk .body", second, 1)
	for _, text := range []string{first, offline} {
		waitText(t, citizen, "#msgs li.msg.mine .body", text, 1)
	}
	waitText(t, citizen, "#msgs li.msg.desk .body", reply, 1)
	if n, _ := citizen.ExecuteScript(`return document.querySelectorAll("#msgs li.msg").length`).(float64); n != 4 {
		t.Errorf("the citizen's page shows %v messages, want 4", n)
	}
	checkScreenshot(t, citizen, "webchat-ar")

	// The reply the citizen saw is marked read for the desk.
	operator.Refresh()
	operator.WaitUntil(wait, "the reply marked read", func() bool {
		return operator.ExecuteScript(`const last = [...document.querySelectorAll("ol.timeline li.msg-outbound")].pop();
			return !!last && last.textContent.includes(arguments[0]) && /Read|Letto/.test(last.textContent)`, second) == true
	})
}

// openChat waits for the panel, checks it has the focus, and moves the
// browser's commands into the chat's frame.
func openChat(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	frame := b.WaitFor(`div[role="dialog"] iframe`, wait)
	if got, _ := b.FindElement("body > button").Attribute("aria-expanded"); got != "true" {
		t.Errorf("launcher aria-expanded=%q once open", got)
	}
	if title, _ := frame.Attribute("title"); title == "" {
		t.Error("the chat's frame has no title")
	}
	b.WaitUntil(wait, "the focus in the chat", func() bool {
		return b.ExecuteScript(`return document.activeElement && document.activeElement.tagName`) == "IFRAME"
	})
	switchFrame(t, b, frame)
	b.WaitUntil(wait, "the chat's page", func() bool {
		return b.ExecuteScript(`return document.readyState === "complete" && !!document.querySelector("#body")`) == true
	})
	b.WaitUntil(wait, "the focus on the message box", func() bool {
		return b.ExecuteScript(`return document.activeElement && document.activeElement.id`) == "body"
	})
}

// inTop moves the browser's commands back to the page of the site.
func inTop(t *testing.T, b *browsertest.Browser) { switchFrame(t, b, nil) }

// switchFrame sends WebDriver's "switch to frame" (el nil: to the top
// page). The chat's frame is another origin, out of reach of the site's
// scripts, so the browser itself must go in. browsertest has no such
// command yet, so this speaks to the driver with the session address it
// keeps; moving this into browsertest is a small change.
func switchFrame(t *testing.T, b *browsertest.Browser, el *browsertest.Element) {
	t.Helper()
	session := reflect.ValueOf(b).Elem().FieldByName("session").String()
	if session == "" {
		t.Fatal("switchFrame: browsertest keeps no session address")
	}
	var id any
	if el != nil {
		id = el
	}
	payload, err := json.Marshal(map[string]any{"id": id})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, session+"/frame", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("switch frame: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("switch frame: status %d", resp.StatusCode)
	}
}

// waitText waits until exactly n elements matching css hold text.
func waitText(t *testing.T, b *browsertest.Browser, css, text string, n int) {
	t.Helper()
	count := func() int {
		v, _ := b.ExecuteScript(`return [...document.querySelectorAll(arguments[0])].filter(e => e.textContent === arguments[1]).length`, css, text).(float64)
		return int(v)
	}
	b.WaitUntil(wait, fmt.Sprintf("%q in %s", text, css), func() bool { return count() >= n })
	time.Sleep(200 * time.Millisecond) // a duplicate would come right behind
	if got := count(); got != n {
		t.Errorf("%q is shown %d times in %s, want %d", text, got, css, n)
	}
}

// state is the delivery state the citizen's page shows on their message.
func state(b *browsertest.Browser, text string) string {
	s, _ := b.ExecuteScript(`const li = [...document.querySelectorAll("#msgs li.msg.mine")].find(li => li.querySelector(".body") && li.querySelector(".body").textContent === arguments[0]);
		return li ? li.querySelector(".state").getAttribute("data-state") : ""`, text).(string)
	return s
}

func waitState(t *testing.T, b *browsertest.Browser, text, want string) {
	t.Helper()
	b.WaitUntil(wait, fmt.Sprintf("%q %s", text, want), func() bool { return state(b, text) == want })
}

func loginOperator(t *testing.T, b *browsertest.Browser, base string) {
	t.Helper()
	b.Navigate(base + "/login")
	b.FindElement("#email").SendKeys("admin@demo.sportello.local")
	b.FindElement("#password").SendKeys(app.DemoPassword)
	submit(b, "main form")
	waitPath(b, "/inbox")
}

// allowSite adds origin to the demo organisation's allowed sites, in the
// database the running server reads its settings from, and turns its
// automatic out-of-hours reply off.
func allowSite(t *testing.T, dbPath, origin string) {
	t.Helper()
	ctx := t.Context()
	s, err := store.Open(ctx, dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	org, err := s.OrganizationBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := s.OrganizationSettings(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var settings map[string]any
	if err := json.Unmarshal([]byte(doc), &settings); err != nil {
		t.Fatal(err)
	}
	settings["webchat"] = map[string]any{"allowed_origins": []string{origin}}
	// No automatic out-of-hours reply: the page shows the same messages
	// whatever the hour the test runs at.
	settings["out_of_hours"] = map[string]any{"auto_reply": false}
	out, _ := json.Marshal(settings)
	if err := s.SetOrganizationSettings(ctx, org.ID, string(out)); err != nil {
		t.Fatal(err)
	}
}

// freePort asks the kernel for a free port, so the server can be started
// again at the same address.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
