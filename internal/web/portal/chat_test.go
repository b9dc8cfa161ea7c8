package portal_test

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web"
	"github.com/sportello/sportello/internal/web/portal"
)

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%.3000s", what, r.status, status, r.body)
	}
}

func TestUnknownOrganisationIsNotFound(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	c := e.client()
	c.lang = "fr"
	for _, path := range []string{"/o/nobody/chat", "/o/nobody/widget.js", "/o/NOT_A_SLUG/chat", "/o/", "/o/" + e.org.Slug + "/nothing-here"} {
		r := c.get(path)
		wantStatus(t, path, r, http.StatusNotFound)
		if !strings.Contains(r.body, `<html lang="fr" dir="ltr">`) || !strings.Contains(r.body, html(e.b.Printer("fr").T("portal.not_found", nil))) {
			t.Errorf("%s: not the portal's not-found page in French:\n%.1500s", path, r.body)
		}
	}
	if r := c.get("/o/" + e.org.Slug); r.status != http.StatusSeeOther || r.location() != e.chatPath("") {
		t.Errorf("the organisation's address: %d to %q, want its chat", r.status, r.location())
	}
}

func TestLanguageAndDirection(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	for _, lang := range e.b.Languages() {
		c := e.client()
		r := c.get(e.chatPath("?lang=" + lang))
		wantStatus(t, lang, r, http.StatusOK)
		dir := e.b.Printer(lang).Dir()
		if !strings.Contains(r.body, `<html lang="`+lang+`" dir="`+dir+`">`) {
			t.Errorf("?lang=%s: want <html lang=%q dir=%q>", lang, lang, dir)
		}
		// Every text is translated: a key left as is would show here.
		for _, m := range regexp.MustCompile(`\b(?:chat|portal|error)\.[a-z_.]+`).FindAllString(r.body, -1) {
			if m != "portal.css" && m != "chat.js" {
				t.Errorf("?lang=%s: untranslated key %q in the page", lang, m)
			}
		}
		if ck := c.cookie("/", web.LangCookie); ck == nil || ck.Value != lang {
			t.Errorf("?lang=%s: language not remembered (cookie %v)", lang, ck)
		}
		if again := c.get(e.chatPath("")); !strings.Contains(again.body, `<html lang="`+lang+`"`) {
			t.Errorf("?lang=%s: the next page without ?lang= is not in %s", lang, lang)
		}
	}
	// Without a choice, the browser's language; without one we have, the desk's.
	c := e.client()
	c.lang = "ar-MA,ar;q=0.9,fr;q=0.5"
	if r := c.get(e.chatPath("")); !strings.Contains(r.body, `<html lang="ar" dir="rtl">`) {
		t.Error("Accept-Language ar: page not in Arabic, right to left")
	}
	c = e.client()
	c.lang = "de"
	if r := c.get(e.chatPath("")); !strings.Contains(r.body, `<html lang="it" dir="ltr">`) {
		t.Error("Accept-Language de: page not in the desk's Italian")
	}
}

// html is text as html/template writes it in a page's text.
func html(s string) string {
	var b strings.Builder
	template.Must(template.New("").Parse("{{.}}")).Execute(&b, s)
	return b.String()
}

func TestNoScriptChat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		c := e.client()
		page := c.get(e.chatPath("?lang=it"))
		wantStatus(t, "first visit", page, http.StatusOK)
		visitor := c.visitor()
		clientID := regexp.MustCompile(`name="client_id" value="([0-9a-f]+)"`).FindStringSubmatch(page.body)
		if clientID == nil {
			t.Fatal("no client_id in the form")
		}
		form := url.Values{"client_id": {clientID[1]}, "body": {"Buongiorno, ho bisogno di aiuto per il permesso di soggiorno"}}
		r := c.postForm(e.chatPath("/messages"), form, "")
		wantStatus(t, "post", r, http.StatusSeeOther)
		th := e.thread(visitor)
		if th.ConversationID == 0 {
			t.Fatal("no conversation after posting")
		}
		if !strings.HasPrefix(r.location(), e.chatPath("?sent=1#m-")) {
			t.Errorf("redirect to %q, want the chat with the message", r.location())
		}
		// A browser resending the form (back, reload) stores nothing new.
		wantStatus(t, "post again", c.postForm(e.chatPath("/messages"), form, ""), http.StatusSeeOther)
		ms := e.messages(th.ConversationID)
		if len(ms) != 1 || ms[0].Body != form.Get("body") || ms[0].Direction != model.DirectionInbound {
			t.Fatalf("stored %d messages %+v, want the one", len(ms), ms)
		}
		conv, err := s.Conversation(t.Context(), e.org.ID, th.ConversationID)
		if err != nil || conv.Channel != model.ChannelWeb || conv.Language != "it" {
			t.Errorf("conversation %+v, %v; want a web chat in Italian", conv, err)
		}

		// The desk answers, writes a note; refreshing shows the answer, not the note.
		e.reply(th.ConversationID, model.DirectionOutbound, "Certo, mi dica pure.")
		e.reply(th.ConversationID, model.DirectionNote, "nota interna riservata")
		page = c.get(e.chatPath("?sent=1"))
		for _, want := range []string{html(form.Get("body")), "Certo, mi dica pure.", html(e.b.Printer("it").T("chat.sent_notice", nil)), `data-nojs><a href="/o/sportello-roma/chat">`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("page after refresh lacks %q", want)
			}
		}
		if strings.Contains(page.body, "nota interna") {
			t.Error("an internal note is on the citizen's page")
		}
		// An empty message is refused with the reason by the field.
		r = c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"abcdefgh1"}, "body": {"   "}}, "")
		wantStatus(t, "empty", r, http.StatusBadRequest)
		if !strings.Contains(r.body, `id="body-error"`) || !strings.Contains(r.body, html(e.b.Printer("it").T("chat.body_required", nil))) {
			t.Error("empty message: no error by the field")
		}
	})
}

func TestEscaping(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{})
	c := e.client()
	c.get(e.chatPath(""))
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)> & "quoted"`
	wantStatus(t, "post", c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"evil-0001"}, "body": {evil}}, ""), http.StatusSeeOther)
	th := e.thread(c.visitor())
	e.reply(th.ConversationID, model.DirectionOutbound, `<b>bold</b><a href="javascript:alert(1)">x</a>`)
	page := c.get(e.chatPath("")).body
	for _, raw := range []string{"<script>alert", "<img src=x", "<b>bold</b>", `href="javascript:`} {
		if strings.Contains(page, raw) {
			t.Errorf("the page has %q unescaped", raw)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") || !strings.Contains(page, "&lt;b&gt;bold&lt;/b&gt;") {
		t.Error("the messages are not shown escaped")
	}
	// chat.js only ever puts people's text in textContent.
	js := readStatic(t, "chat.js")
	if strings.Contains(js, "innerHTML") || strings.Contains(js, "insertAdjacentHTML") || strings.Contains(js, "document.write") {
		t.Error("chat.js writes HTML; use textContent")
	}
}

func TestForgedAndExpiredTokens(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := &now
	e := newEnv(t, storetest.Open(t, store.SQLite), options{portal: portal.Options{Now: func() time.Time { return *clock }, TokenTTL: 30 * 24 * time.Hour}})
	c := e.client()
	c.get(e.chatPath(""))
	good := c.cookie(e.chatPath(""), "sportello_visitor").Value
	visitor := visitorID(t, good)
	parts := strings.Split(good, ".")
	forgeries := map[string]string{
		"another visitor's id": parts[0] + "." + strings.Repeat("a", 32) + "." + parts[2] + "." + parts[3],
		"a later issue time":   parts[0] + "." + parts[1] + "." + "zzzzzz" + "." + parts[3],
		"a made-up mac":        parts[0] + "." + parts[1] + "." + parts[2] + "." + strings.Repeat("A", 43),
		"garbage":              "hello",
	}
	it := e.b.Printer("it")
	for name, tok := range forgeries {
		f := e.client()
		f.http.Jar.SetCookies(mustURL(e.url(e.chatPath(""))), []*http.Cookie{{Name: "sportello_visitor", Value: tok, Path: "/o/" + e.org.Slug + "/"}})
		r := f.get(e.chatPath(""))
		wantStatus(t, name+": page", r, http.StatusUnauthorized)
		if !strings.Contains(r.body, html(it.T("chat.session_expired", nil))) {
			t.Errorf("%s: no clear message", name)
		}
		if fresh := f.cookie(e.chatPath(""), "sportello_visitor"); fresh == nil || fresh.Value == tok {
			t.Errorf("%s: no fresh start (cookie %v)", name, fresh)
		}
		f.http.Jar.SetCookies(mustURL(e.url(e.chatPath(""))), []*http.Cookie{{Name: "sportello_visitor", Value: tok, Path: "/o/" + e.org.Slug + "/"}})
		wantStatus(t, name+": post", f.postForm(e.chatPath("/messages"), url.Values{"client_id": {"forged-01"}, "body": {"x"}}, ""), http.StatusUnauthorized)
		r = f.postFile(e.chatPath("/uploads?token="+url.QueryEscape(tok)), nil, "a.png", "image/png", pngBytes(), "application/json")
		wantStatus(t, name+": upload", r, http.StatusUnauthorized)
		var body struct {
			Error struct{ Code, Message string }
			Token string
		}
		if json.Unmarshal([]byte(r.body), &body) != nil || body.Error.Code != "unauthorized" || body.Error.Message == "" || body.Token == "" {
			t.Errorf("%s: upload answer %s, want a clear error and a fresh token", name, r.body)
		}
	}
	if th := e.thread(visitor); th.ContactID != 0 {
		t.Error("a forged token wrote as the visitor")
	}

	// A day later the token is renewed, same visitor; past its life it is refused.
	*clock = now.Add(2 * 24 * time.Hour)
	c.get(e.chatPath(""))
	renewed := c.cookie(e.chatPath(""), "sportello_visitor").Value
	if renewed == good || visitorID(t, renewed) != visitor {
		t.Errorf("after two days: token %q, want a renewed one for the same visitor", renewed)
	}
	stale := e.client()
	stale.http.Jar.SetCookies(mustURL(e.url(e.chatPath(""))), []*http.Cookie{{Name: "sportello_visitor", Value: good, Path: "/o/" + e.org.Slug + "/"}})
	*clock = now.Add(31 * 24 * time.Hour)
	wantStatus(t, "expired", stale.get(e.chatPath("")), http.StatusUnauthorized)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

const prechatSettings = `{"webchat": {"privacy_url": "https://caritas.example/privacy", "prechat": {
	"name": "required", "contact": "optional", "consent_version": "privacy-2026-01",
	"topics": [{"id": "permit", "label": {"it": "Permesso di soggiorno", "en": "Residence permit", "ar": "تصريح الإقامة"}},
	           {"id": "work", "label": {"it": "Lavoro"}}]}}}`

func TestPrechatRecordsConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		e := newEnv(t, s, options{settings: prechatSettings})
		c := e.client()
		page := c.get(e.chatPath("?lang=ar"))
		wantStatus(t, "page", page, http.StatusOK)
		for _, want := range []string{`action="/o/sportello-roma/chat/start"`, `name="consent"`, "https://caritas.example/privacy", "تصريح الإقامة", `<option value="work">Lavoro</option>`, `id="conversation" aria-labelledby="log-title" hidden`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("pre-chat page lacks %q", want)
			}
		}
		visitor := c.visitor()
		// Writing before the form is refused.
		r := c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"early-0001"}, "body": {"ciao"}}, "")
		wantStatus(t, "message before the form", r, http.StatusForbidden)

		ar := e.b.Printer("ar")
		bad := url.Values{"name": {""}, "reply_to": {"not a phone"}, "topic": {"nope"}}
		r = c.postForm(e.chatPath("/start"), bad, "")
		wantStatus(t, "bad form", r, http.StatusBadRequest)
		for _, key := range []string{"chat.name_required", "chat.reply_to_invalid", "chat.topic_invalid", "chat.consent_required"} {
			if !strings.Contains(r.body, html(ar.T(key, nil))) {
				t.Errorf("bad form: no %s", key)
			}
		}
		if !strings.Contains(r.body, `value="not a phone"`) {
			t.Error("bad form: the answers were not kept")
		}
		good := url.Values{"name": {"Amina"}, "reply_to": {"+39 333 123 4567"}, "topic": {"permit"}, "consent": {"yes"}}
		r = c.postForm(e.chatPath("/start"), good, "")
		wantStatus(t, "form", r, http.StatusSeeOther)
		wv, err := s.WebVisitor(ctx, e.org.ID, visitor)
		if err != nil {
			t.Fatal(err)
		}
		if wv.Name != "Amina" || wv.ReplyTo != "+393331234567" || wv.Topic != "permit" || wv.ConsentVersion != "privacy-2026-01" || wv.Language != "ar" {
			t.Errorf("answers kept: %+v", wv)
		}
		consents, err := s.Consents(ctx, e.org.ID, wv.ContactID)
		if err != nil || len(consents) != 1 || consents[0].Purpose != "data_processing" || consents[0].TextVersion != "privacy-2026-01" || consents[0].Source != "web" {
			t.Fatalf("consents %+v, %v; want data processing, version privacy-2026-01, from the web", consents, err)
		}
		contact, err := s.Contact(ctx, e.org.ID, wv.ContactID)
		if err != nil || contact.DisplayName != "Amina" || !strings.Contains(contact.Notes, "+393331234567") {
			t.Errorf("contact %+v, %v; want the name, and the number in the notes for the desk", contact, err)
		}
		for _, id := range contact.Identities {
			if id.Kind != model.IdentityWeb {
				t.Errorf("an unverified %s became an identity of the contact", id.Kind)
			}
		}
		page = c.get(e.chatPath(""))
		if strings.Contains(page.body, `id="prechat"`) || strings.Contains(page.body, `aria-labelledby="log-title" hidden`) {
			t.Error("after the form: the page still asks for it")
		}
		// The first message opens a conversation whose subject is the topic,
		// in the desk's language.
		wantStatus(t, "message", c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"first-0001"}, "body": {"مرحبا"}}, ""), http.StatusSeeOther)
		conv, err := s.Conversation(ctx, e.org.ID, e.thread(visitor).ConversationID)
		if err != nil || conv.Subject != "Permesso di soggiorno" || conv.ContactName != "Amina" {
			t.Errorf("conversation %+v, %v; want the topic as subject and the name", conv, err)
		}

		// The embedded page sends the form with fetch and keeps the token.
		other := e.client()
		token := tokenIn(t, other.get(e.chatPath("?embed=1")).body)
		form := url.Values{"token": {token}, "name": {"Omar"}, "consent": {"yes"}}
		r = other.postForm(e.chatPath("/start"), form, "application/json")
		wantStatus(t, "embedded form", r, http.StatusOK)
		var got struct{ Token string }
		if json.Unmarshal([]byte(r.body), &got) != nil || visitorID(t, got.Token) != visitorID(t, token) {
			t.Errorf("embedded form answered %s, want the visitor's token", r.body)
		}
		r = other.postForm(e.chatPath("/start"), url.Values{"token": {token}, "name": {"Omar"}}, "application/json")
		wantStatus(t, "embedded form without consent", r, http.StatusBadRequest)
		if !strings.Contains(r.body, `"field":"consent"`) {
			t.Errorf("embedded form without consent: %s", r.body)
		}
	})
}

func TestFramingOnlyByAllowedSites(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{settings: `{"webchat": {"allowed_origins": ["https://www.caritas.example", "HTTPS://Comune.Example:8443/", "javascript:alert(1)", "https://x.example/path"]}}`})
	c := e.client()
	embedded := c.get(e.chatPath("?embed=1"))
	wantStatus(t, "embedded", embedded, http.StatusOK)
	csp := embedded.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://www.caritas.example https://comune.example:8443;") && !strings.HasSuffix(csp, "frame-ancestors https://www.caritas.example https://comune.example:8443") {
		t.Errorf("embedded page CSP %q, want frame-ancestors of the two allowed sites only", csp)
	}
	if embedded.header.Get("X-Frame-Options") != "" {
		t.Error("embedded page still says X-Frame-Options")
	}
	if !strings.Contains(csp, "connect-src 'self' ws://") {
		t.Errorf("CSP %q: the socket's origin is not allowed", csp)
	}
	hosted := c.get(e.chatPath(""))
	if csp := hosted.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || hosted.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("hosted page may be framed: CSP %q", csp)
	}
	none := newEnv(t, storetest.Open(t, store.SQLite), options{})
	if csp := none.client().get(none.chatPath("?embed=1")).header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("an organisation without allowed sites may be framed: %q", csp)
	}

	js := c.get("/o/" + e.org.Slug + "/widget.js")
	wantStatus(t, "widget.js", js, http.StatusOK)
	if !strings.Contains(js.body, `"o":["https://www.caritas.example","https://comune.example:8443"]`) || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") {
		t.Errorf("widget.js lacks the allowed sites:\n%s", js.body)
	}
	if !strings.Contains(js.body, "Scrivici in chat") || !strings.Contains(js.body, "تحدّث معنا") {
		t.Error("widget.js lacks the launcher's words")
	}
}

func TestUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{portal: portal.Options{MaxUpload: 4 << 10}})
		c := e.client()
		token := tokenIn(t, c.get(e.chatPath("?lang=it")).body)
		up := e.chatPath("/uploads?token=" + url.QueryEscape(token))
		it := e.b.Printer("it")

		r := c.postFile(up, nil, "big.png", "image/png", append(pngBytes(), make([]byte, 5<<10)...), "application/json")
		wantStatus(t, "oversize", r, http.StatusRequestEntityTooLarge)
		if !strings.Contains(r.body, it.T("error.attachment.too_large", map[string]any{"Limit": "4 KB"})) {
			t.Errorf("oversize: %s, want the limit in Italian", r.body)
		}
		for name, data := range map[string][]byte{"a script": []byte("#!/bin/sh\nrm -rf /\n"), "a page": []byte("<html><script>alert(1)</script>"), "a voice note": oggBytes()} {
			r = c.postFile(up, nil, "x.png", "image/png", data, "application/json")
			wantStatus(t, name, r, http.StatusBadRequest)
			if !strings.Contains(r.body, it.T("chat.file_type", nil)) {
				t.Errorf("%s: %s, want the chat's type error", name, r.body)
			}
		}
		r = c.postFile(up, nil, "ricevuta <b>.png", "image/png", pngBytes(), "application/json")
		wantStatus(t, "photo", r, http.StatusCreated)
		var got struct {
			Ref      string
			ID       int64
			Filename string
		}
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.Ref == "" {
			t.Fatalf("upload answer %s: %v", r.body, err)
		}

		// The socket sends it; another visitor can neither send nor fetch it.
		ws := e.mustDial(token, 0, 0)
		ws.message("with-file-1", "", got.Ref)
		var ack, msg frame
		for _, f := range ws.barrier() {
			switch f.Type {
			case "ack":
				ack = f
			case "message":
				msg = f
			}
		}
		if len(msg.Attachments) != 1 || msg.Attachments[0].ID != got.ID || msg.Attachments[0].Filename != "ricevuta <b>.png" || ack.Seq != msg.Seq {
			t.Fatalf("message frame %+v, want the photo", msg)
		}
		file := c.get(msg.Attachments[0].URL)
		wantStatus(t, "own file", file, http.StatusOK)
		if file.body != string(pngBytes()) || file.header.Get("Content-Type") != "image/png" || file.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("own file: %q %v", file.header.Get("Content-Type"), file.header)
		}
		stranger := e.client()
		strangerToken := tokenIn(t, stranger.get(e.chatPath("")).body)
		wantStatus(t, "another's file", stranger.get(e.chatPath("/files/"+itoa(got.ID))), http.StatusNotFound)
		wantStatus(t, "no token", e.client().get(e.chatPath("/files/"+itoa(got.ID))), http.StatusUnauthorized)
		sws := e.mustDial(strangerToken, 0, 0)
		sws.message("stolen-01", "", got.Ref)
		if f := sws.nextOf("error"); f.Code != "invalid" || f.ClientID != "stolen-01" {
			t.Errorf("another visitor sending the upload: %+v", f)
		}
		// A note's file stays with the desk.
		note := &model.Message{Direction: model.DirectionNote, Body: "scan", Attachments: []model.Attachment{storeFile(t, e)}}
		if err := e.d.Post(t.Context(), e.actor(), ack.ConversationID, note); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "a note's file", c.get(e.chatPath("/files/"+itoa(note.Attachments[0].ID))), http.StatusNotFound)
		if page := c.get(e.chatPath("")).body; !strings.Contains(page, `alt="ricevuta &lt;b&gt;.png"`) {
			t.Error("the photo is not on the page with its name escaped")
		}

		// Without JavaScript the form carries the file.
		r = c.postFile(e.chatPath("/messages"), [][2]string{{"client_id", "nojs-file-1"}, {"body", "ecco il PDF"}}, "modulo.pdf", "application/pdf", pdfBytes(), "")
		wantStatus(t, "form with a file", r, http.StatusSeeOther)
		r = c.postFile(e.chatPath("/messages"), [][2]string{{"client_id", "nojs-file-2"}, {"body", "troppo"}}, "big.pdf", "application/pdf", append(pdfBytes(), make([]byte, 8<<10)...), "")
		wantStatus(t, "form with a big file", r, http.StatusRequestEntityTooLarge)
		if !strings.Contains(r.body, html(it.T("error.attachment.too_large", map[string]any{"Limit": "4 KB"}))) || !strings.Contains(r.body, ">troppo</textarea>") {
			t.Error("form with a big file: no clear error, or the draft was lost")
		}
		ms := e.messages(ack.ConversationID)
		last := ms[len(ms)-1]
		if last.Body != "ecco il PDF" || len(last.Attachments) != 1 || last.Attachments[0].ContentType != "application/pdf" {
			t.Errorf("last message %+v, want the PDF", last)
		}
	})
}

// storeFile keeps a small PNG as the desk would for a note.
func storeFile(t *testing.T, e *env) model.Attachment {
	t.Helper()
	a, err := e.fs.Put(t.Context(), e.org.ID, "scan.png", "image/png", strings.NewReader(string(pngBytes())))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.CreateAttachment(t.Context(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func pngBytes() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
}

func pdfBytes() []byte { return []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n") }

func oggBytes() []byte { return append([]byte("OggS\x00\x02"), make([]byte, 40)...) }

func TestRateLimitWithoutJavaScript(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{portal: portal.Options{RateLimit: 3, RateWindow: time.Hour}})
	c := e.client()
	c.get(e.chatPath("?lang=en"))
	for i := range 3 {
		wantStatus(t, "message", c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"flood-000" + itoa(int64(i))}, "body": {"x"}}, ""), http.StatusSeeOther)
	}
	r := c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"flood-0009"}, "body": {"again"}}, "")
	wantStatus(t, "over the limit", r, http.StatusTooManyRequests)
	if !strings.Contains(r.body, html(e.b.Printer("en").T("chat.rate_limited", nil))) || !strings.Contains(r.body, ">again</textarea>") {
		t.Error("over the limit: no clear message, or the draft was lost")
	}
	// The same address with another visitor is limited too.
	other := e.client()
	other.get(e.chatPath(""))
	wantStatus(t, "another visitor, same address", other.postForm(e.chatPath("/messages"), url.Values{"client_id": {"other-0001"}, "body": {"x"}}, ""), http.StatusTooManyRequests)
}

func TestClosedDeskSaysWhenItOpens(t *testing.T) {
	// Friday 19:00 in Rome: the desk (Monday to Friday, 9:30-18:00) opens
	// again on Monday at 9:30.
	rome, _ := time.LoadLocation("Europe/Rome")
	friday := time.Date(2026, 3, 6, 19, 0, 0, 0, rome)
	e := newEnv(t, storetest.Open(t, store.SQLite), options{
		portal:   portal.Options{Now: func() time.Time { return friday }},
		settings: `{"hours": {"time_zone": "Europe/Rome", "weekly": {"mon": [{"start": "09:30", "end": "18:00"}], "fri": [{"start": "09:30", "end": "18:00"}]}}}`,
	})
	for lang, want := range map[string]string{
		"en": "The desk is closed now; it opens again Monday at 9:30. Write your message: we will answer when we reopen.",
		"it": "Lo sportello ora è chiuso; riapre lunedì alle 9:30.",
		"ar": "ويفتح من جديد يوم الاثنين الساعة 9:30",
	} {
		page := e.client().get(e.chatPath("?lang=" + lang)).body
		if !strings.Contains(page, html(want)) || !strings.Contains(page, `class="desk-status closed"`) {
			t.Errorf("%s: the page does not say %q", lang, want)
		}
		// And the form still takes the message.
		if !strings.Contains(page, `id="composer"`) {
			t.Errorf("%s: no message form while closed", lang)
		}
	}
}
