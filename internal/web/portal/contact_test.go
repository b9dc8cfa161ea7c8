package portal_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/portal"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var stampRE = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

// contactForm loads the form and returns its stamp.
func (e *env) contactForm(lang string) string {
	e.t.Helper()
	resp, err := http.Get(e.url("/o/" + e.org.Slug + "/contact?lang=" + lang))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET contact: %d", resp.StatusCode)
	}
	m := stampRE.FindSubmatch(body)
	if m == nil {
		e.t.Fatalf("no stamp in the form:\n%s", body)
	}
	return string(m[1])
}

func (e *env) sendContact(lang string, form url.Values) (int, string, string) {
	e.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, e.url("/o/"+e.org.Slug+"/contact?lang="+lang), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func TestContactForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := &fakeClock{t: time.Now()}
		e := newEnv(t, s, options{portal: portal.Options{Now: clock.Now}})
		ctx := t.Context()

		stamp := e.contactForm("it")
		valid := url.Values{"stamp": {stamp}, "name": {"Amina <b>"}, "phone": {"+39 333 123 4567"}, "email": {"Amina@Example.org"},
			"body": {"Buongiorno, <script>alert(1)</script> ho bisogno di aiuto per il permesso di soggiorno."}, "consent": {"yes"}}

		// Sent back sooner than a person types: refused, nothing stored.
		if code, _, body := e.sendContact("it", valid); code != http.StatusBadRequest || !strings.Contains(body, "troppo in fretta") {
			t.Errorf("too fast: %d", code)
		}
		clock.Add(10 * time.Second)
		// The honeypot filled in: refused.
		bot := url.Values{}
		for k, v := range valid {
			bot[k] = v
		}
		bot.Set("website", "http://spam.example")
		if code, _, _ := e.sendContact("it", bot); code != http.StatusBadRequest {
			t.Errorf("honeypot: %d", code)
		}
		// A forged stamp: refused.
		forged := url.Values{}
		for k, v := range valid {
			forged[k] = v
		}
		forged.Set("stamp", strings.Repeat("a", 24)+".x.y")
		if code, _, _ := e.sendContact("it", forged); code != http.StatusBadRequest {
			t.Errorf("forged stamp: %d", code)
		}
		// No way to answer: refused with the reason, in the citizen's language.
		noReply := url.Values{"stamp": {stamp}, "body": {"Hello"}, "consent": {"yes"}}
		if code, _, body := e.sendContact("en", noReply); code != http.StatusBadRequest || !strings.Contains(body, "phone number or an e-mail address") {
			t.Errorf("no reply address: %d", code)
		}
		noConsent := url.Values{"stamp": {stamp}, "body": {"Hello"}, "phone": {"+393331234567"}}
		if code, _, _ := e.sendContact("fr", noConsent); code != http.StatusBadRequest {
			t.Errorf("no consent: %d", code)
		}
		if convs, _, _ := s.Conversations(ctx, e.org.ID, store.ConversationFilter{Channel: model.ChannelForm}); len(convs) != 0 {
			t.Fatalf("refused forms stored %d conversations", len(convs))
		}

		code, loc, _ := e.sendContact("it", valid)
		if code != http.StatusSeeOther || !strings.Contains(loc, "/contact/sent") {
			t.Fatalf("valid form: %d %q", code, loc)
		}
		// A double click sends the same stamp: one message.
		if code, _, _ := e.sendContact("it", valid); code != http.StatusSeeOther {
			t.Errorf("resent form: %d", code)
		}
		convs, _, err := s.Conversations(ctx, e.org.ID, store.ConversationFilter{Channel: model.ChannelForm})
		if err != nil || len(convs) != 1 || convs[0].LastSeq != 1 || convs[0].Language != "it" {
			t.Fatalf("conversations %+v, %v: want one, with one message, in Italian", convs, err)
		}
		ct, err := s.Contact(ctx, e.org.ID, convs[0].ContactID)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[model.IdentityKind]string{}
		for _, id := range ct.Identities {
			ids[id.Kind] = id.Value
		}
		if ids[model.IdentityPhone] != "+393331234567" || ids[model.IdentityEmail] != "amina@example.org" || ct.DisplayName != "Amina <b>" {
			t.Errorf("contact %+v: want the phone in E.164 and the e-mail", ct)
		}
		consents, err := s.Consents(ctx, e.org.ID, ct.ID)
		if err != nil || len(consents) != 1 || consents[0].Source != "form" {
			t.Errorf("consents %+v, %v", consents, err)
		}

		resp, err := http.Get(e.url(loc))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Messaggio ricevuto") {
			t.Errorf("confirmation: %d", resp.StatusCode)
		}
		// Arabic pages are right to left.
		resp, _ = http.Get(e.url("/o/" + e.org.Slug + "/contact?lang=ar"))
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `dir="rtl"`) {
			t.Errorf("the Arabic form is not right to left")
		}
		if resp, _ := http.Get(e.url("/o/nobody/contact")); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown organisation: %d", resp.StatusCode)
		}
	})
}

// TestChatSaysWhenNobodyIsOnline: the desk is open (no opening hours set)
// but the page says so when no operator is online, and stops saying it
// when one comes.
func TestChatSaysWhenNobodyIsOnline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		nobody := e.b.Printer("en").T("chat.nobody_online", nil)
		page := func() string {
			resp, err := http.Get(e.url(e.chatPath("?lang=en")))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		presence := e.d.NewPresence()
		if !strings.Contains(page(), nobody) {
			t.Errorf("with nobody online the page does not say so")
		}
		tab := presence.Join(e.actor())
		if strings.Contains(page(), nobody) {
			t.Errorf("with an operator online the page says nobody is")
		}
		tab.SetAway(true)
		if !strings.Contains(page(), nobody) {
			t.Errorf("with the only operator away the page does not say nobody is online")
		}
		tab.Leave()
	})
}

// TestChatFollowsTheWebChannelsCalendar: the organisation is open on
// weekdays, but its web chat only on Saturday mornings; on a Tuesday the
// chat page says it is closed until Saturday, and the contact form, which
// has no calendar of its own, that the desk is open.
func TestChatFollowsTheWebChannelsCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rome, _ := time.LoadLocation("Europe/Rome")
		tuesday := time.Date(2026, time.March, 10, 10, 0, 0, 0, rome)
		e := newEnv(t, s, options{portal: portal.Options{Now: func() time.Time { return tuesday }}})
		ctx := t.Context()
		day := []hours.Shift{{Start: "09:30", End: "18:00"}}
		if err := e.d.SetCalendar(ctx, e.actor(), store.CalendarRef{}, hours.Calendar{TimeZone: "Europe/Rome",
			Weekly: hours.Weekly{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day}}); err != nil {
			t.Fatal(err)
		}
		web, err := s.DefaultChannel(ctx, e.org.ID, model.ChannelWeb)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.d.SetCalendar(ctx, e.actor(), store.CalendarRef{ChannelID: web.ID}, hours.Calendar{TimeZone: "Europe/Rome",
			Weekly: hours.Weekly{Sat: []hours.Shift{{Start: "10:00", End: "12:00"}}}}); err != nil {
			t.Fatal(err)
		}
		get := func(path string) string {
			resp, err := http.Get(e.url(path))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		en := e.b.Printer("en")
		if chat := get(e.chatPath("?lang=en")); !strings.Contains(chat, `class="desk-status closed"`) || !strings.Contains(chat, en.T("chat.day_sat", nil)) {
			t.Errorf("the chat page does not say it is closed until Saturday")
		}
		if form := get("/o/" + e.org.Slug + "/contact?lang=en"); !strings.Contains(form, en.T("chat.open_now", nil)) {
			t.Errorf("the contact form does not say the desk is open")
		}
	})
}
