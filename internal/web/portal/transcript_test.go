package portal_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// smtpInbox is a real SMTP server (go-smtp, TLS from the first byte with
// a test certificate) that keeps what it is given.
type smtpInbox struct {
	addr   string
	client *http.Client // trusts the certificate
	mu     sync.Mutex
	mails  map[string][][]byte // by recipient
}

func newSMTPInbox(t *testing.T) *smtpInbox {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	in := &smtpInbox{client: ts.Client(), mails: map[string][][]byte{}}
	ts.Close()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &inboxSession{in: in}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	in.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return in
}

func (in *smtpInbox) to(addr string) [][]byte {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.mails[addr]
}

type inboxSession struct {
	in  *smtpInbox
	rcp []string
}

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcp = append(s.rcp, to)
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	for _, to := range s.rcp {
		s.in.mails[to] = append(s.in.mails[to], b)
	}
	return nil
}
func (s *inboxSession) Reset()        { s.rcp = nil }
func (s *inboxSession) Logout() error { return nil }

const transcriptSettings = `{"webchat": {"prechat": {"name": "optional", "contact": "optional", "consent_version": "v1"}}}`

// TestTranscriptFromTheChat: a citizen who gave their e-mail on the
// pre-chat form asks for the transcript with the page's plain form (no
// JavaScript), sees the confirmation, and the mail reaches the SMTP server
// in their language once the job runs; a bad address, a forged token,
// the fourth request of the hour are refused with translated reasons, as
// JSON for chat.js too.
func TestTranscriptFromTheChat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		in := newSMTPInbox(t)
		e := newEnv(t, s, options{settings: transcriptSettings, httpClient: in.client})
		c := e.client()

		// Without an e-mail channel the chat offers no transcript.
		wantStatus(t, "pre-chat form", c.postForm(e.chatPath("/start")+"?lang=fr", url.Values{"name": {"Amina"},
			"reply_to": {"Amina@Example.org"}, "consent": {"yes"}}, ""), http.StatusSeeOther)
		wantStatus(t, "message", c.postForm(e.chatPath("/messages"), url.Values{"client_id": {"first-0001"},
			"body": {"Bonjour <b>merci</b>"}}, ""), http.StatusSeeOther)
		page := c.get(e.chatPath(""))
		if strings.Contains(page.body, `id="transcript"`) {
			t.Error("the transcript is offered without an e-mail channel")
		}
		r := c.postForm(e.chatPath("/transcript"), url.Values{"email": {"amina@example.org"}}, "")
		wantStatus(t, "transcript without e-mail channel", r, http.StatusConflict)
		fr := e.b.Printer("fr")
		if !strings.Contains(r.body, html(fr.T("transcript.no_email_channel", nil))) {
			t.Errorf("the refusal does not say why:\n%.2000s", r.body)
		}

		if _, err := e.d.AddChannel(ctx, e.org.ID, model.ChannelEmail, "Posta", channel.Settings{"address": "sportello@roma.example",
			"imap_url": "imaps://" + in.addr, "smtp_url": "smtps://" + in.addr}); err != nil {
			t.Fatal(err)
		}
		conv := e.thread(c.visitor()).ConversationID
		e.reply(conv, model.DirectionOutbound, "Bonjour, apportez le permis.")
		e.reply(conv, model.DirectionNote, "NOTE-INTERNE à ne pas montrer")

		page = c.get(e.chatPath(""))
		for _, want := range []string{`action="/o/sportello-roma/chat/transcript"`, `name="email" value="amina@example.org"`,
			html(fr.T("chat.transcript_send", nil))} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the chat page lacks %q", want)
			}
		}

		// A bad address comes back with the form open and the reason.
		r = c.postForm(e.chatPath("/transcript"), url.Values{"email": {"amina at example"}}, "")
		wantStatus(t, "bad address", r, http.StatusBadRequest)
		for _, want := range []string{html(fr.T("error.validation.email", nil)), `value="amina at example"`, `aria-invalid="true"`, `<details class="transcript" id="transcript" open>`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("bad address: the page lacks %q", want)
			}
		}

		// The plain form: queued, confirmed, sent by the job.
		r = c.postForm(e.chatPath("/transcript"), url.Values{"email": {"amina@example.org"}}, "")
		wantStatus(t, "transcript", r, http.StatusSeeOther)
		if loc := r.location(); loc != "/o/sportello-roma/chat?transcript=1#transcript" {
			t.Errorf("redirect to %q", loc)
		}
		page = c.get(e.chatPath("?transcript=1"))
		if want := html(fr.T("chat.transcript_queued", map[string]any{"Email": "amina@example.org"})); !strings.Contains(page.body, want) {
			t.Errorf("the page does not confirm %q", want)
		}
		if len(in.to("amina@example.org")) != 0 {
			t.Fatal("the request sent the mail itself")
		}
		if _, err := e.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		got := in.to("amina@example.org")
		if len(got) != 1 {
			t.Fatalf("%d mails to the citizen, want 1", len(got))
		}
		mr, err := mail.CreateReader(bytes.NewReader(got[0]))
		if err != nil {
			t.Fatal(err)
		}
		if subj, _ := mr.Header.Subject(); subj != "Votre conversation avec Sportello Roma" {
			t.Errorf("subject %q, want French", subj)
		}
		if v := mr.Header.Get("Auto-Submitted"); v != "auto-generated" {
			t.Errorf("Auto-Submitted %q", v)
		}
		var text, htmlPart string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p.Body)
			if h, ok := p.Header.(*mail.InlineHeader); ok {
				if ct, _, _ := h.ContentType(); ct == "text/html" {
					htmlPart = string(b)
				} else {
					text = string(b)
				}
			}
		}
		for _, want := range []string{"Vous", "Le guichet", "Bonjour, apportez le permis.", "Bonjour <b>merci</b>"} {
			if !strings.Contains(text, want) {
				t.Errorf("the text lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(htmlPart, "Bonjour &lt;b&gt;merci&lt;/b&gt;") || strings.Contains(htmlPart, "<b>merci") {
			t.Errorf("the html part does not escape the citizen's words:\n%s", htmlPart)
		}
		if strings.Contains(text+htmlPart, "NOTE-INTERNE") {
			t.Error("an internal note went out in the transcript")
		}
		msgs := e.messages(conv)
		if last := msgs[len(msgs)-1]; last.Direction != model.DirectionEvent || last.Body != "transcript_sent:amina@example.org" {
			t.Errorf("the operators' record: %s %q", last.Direction, last.Body)
		}

		// chat.js: the same endpoint, JSON, the token as a field.
		token := c.cookie(e.chatPath(""), "sportello_visitor").Value
		js := e.client()
		js.lang = "ar"
		r = js.postForm(e.chatPath("/transcript"), url.Values{"token": {token}, "email": {"nope"}}, "application/json")
		wantStatus(t, "bad address, JSON", r, http.StatusBadRequest)
		var body struct {
			Email, Message string
			Error          struct{ Code, Message, Field string }
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error.Field != "email" || body.Error.Message != e.b.Printer("ar").T("error.validation.email", nil) {
			t.Errorf("bad address as JSON: %s (%v)", r.body, err)
		}
		r = js.postForm(e.chatPath("/transcript"), url.Values{"token": {token}, "email": {"amina@example.org"}}, "application/json")
		wantStatus(t, "transcript, JSON", r, http.StatusAccepted)
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Email != "amina@example.org" || !strings.Contains(body.Message, "amina@example.org") {
			t.Errorf("JSON answer %s (%v)", r.body, err)
		}
		r = js.postForm(e.chatPath("/transcript"), url.Values{"token": {token}, "email": {"amina@example.org"}}, "application/json")
		wantStatus(t, "third transcript", r, http.StatusAccepted)
		r = js.postForm(e.chatPath("/transcript"), url.Values{"token": {token}, "email": {"amina@example.org"}}, "application/json")
		wantStatus(t, "fourth transcript within the hour", r, http.StatusTooManyRequests)
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error.Message != e.b.Printer("ar").T("transcript.rate_limited", nil) {
			t.Errorf("rate limited: %s", r.body)
		}

		// A forged token is refused, with a fresh one for chat.js.
		forged := token[:len(token)-4] + "AAAA"
		r = js.postForm(e.chatPath("/transcript"), url.Values{"token": {forged}, "email": {"amina@example.org"}}, "application/json")
		wantStatus(t, "forged token", r, http.StatusUnauthorized)
		r = e.client().postForm(e.chatPath("/transcript"), url.Values{"email": {"amina@example.org"}}, "")
		wantStatus(t, "no token", r, http.StatusUnauthorized)

		// A visitor with no conversation yet has nothing to send.
		fresh := e.client()
		wantStatus(t, "another pre-chat form", fresh.postForm(e.chatPath("/start"), url.Values{"consent": {"yes"}}, ""), http.StatusSeeOther)
		r = fresh.postForm(e.chatPath("/transcript"), url.Values{"email": {"omar@example.org"}}, "application/json")
		wantStatus(t, "no conversation", r, http.StatusBadRequest)
		if !strings.Contains(fresh.get(e.chatPath("")).body, `<details class="transcript" id="transcript" hidden>`) {
			t.Error("the transcript is shown before there is a conversation")
		}
	})
}
