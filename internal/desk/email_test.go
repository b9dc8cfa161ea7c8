package desk_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/email"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/files"
	"github.com/sportello/sportello/internal/hours"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// mailServers are a real SMTP server (go-smtp) and a real IMAP server
// (go-imap's in-memory one), both over TLS with a test certificate.
type mailServers struct {
	smtpAddr, imapAddr string
	client             *http.Client // trusts the test certificate
	inbox              *imapmemserver.User

	mu          sync.Mutex
	sent        [][]byte
	rcpts       []string
	refuse      error // the SMTP server answers this to DATA, while set
	logins      int
	badAuth     int
	oauthLogins int
}

// errBadToken and errBadPassword are what Gmail answers to a refused login.
var (
	errBadToken    = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"}
	errBadPassword = errBadToken
)

const (
	deskAddress = "sportello@sportello.example.it"
	mailUser    = "sportello"
	mailPass    = "s3cret-pass"
)

func newMailServers(t *testing.T) *mailServers {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	ms := &mailServers{client: ts.Client()}
	ts.Close()
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}

	// SMTP, TLS from the first byte (smtps://).
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{ms: ms}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	ms.smtpAddr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })

	// IMAP, TLS from the first byte (imaps://), with IDLE.
	mem := imapmemserver.New()
	ms.inbox = imapmemserver.NewUser(mailUser, mailPass)
	if err := ms.inbox.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(ms.inbox)
	is := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: slog.NewLogLogger(slog.NewTextHandler(io.Discard, nil), slog.LevelError),
	})
	il, err := tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	ms.imapAddr = il.Addr().String()
	go func() { _ = is.Serve(il) }()
	t.Cleanup(func() { is.Close() })
	return ms
}

// deliver puts a raw message in the mailbox, as the mail system would.
func (ms *mailServers) deliver(t *testing.T, raw []byte) {
	t.Helper()
	if _, err := ms.inbox.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (ms *mailServers) outbox() [][]byte {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([][]byte(nil), ms.sent...)
}

func (ms *mailServers) setRefuse(err error) { ms.mu.Lock(); ms.refuse = err; ms.mu.Unlock() }

type smtpSession struct {
	ms     *mailServers
	authed bool
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain, "XOAUTH2"} }
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech == "XOAUTH2" {
		return &xoauth2Server{ms: s.ms, s: s}, nil
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.ms.mu.Lock()
		defer s.ms.mu.Unlock()
		if username != mailUser || password != mailPass {
			s.ms.badAuth++
			return errBadPassword
		}
		s.ms.logins++
		s.authed = true
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ms.mu.Lock()
	s.ms.rcpts = append(s.ms.rcpts, to)
	s.ms.mu.Unlock()
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.refuse != nil {
		return s.ms.refuse
	}
	s.ms.sent = append(s.ms.sent, b)
	return nil
}
func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// emailWorld is newWorld with attachment storage, an e-mail channel on
// the test servers, and a desk that trusts their certificate.
type emailWorld struct {
	*world
	ms *mailServers
	em *model.Channel
}

func newEmailWorld(t *testing.T, s *store.Store, settings channel.Settings) *emailWorld {
	t.Helper()
	w := newWorld(t, s)
	ms := newMailServers(t)
	fs, err := files.New(t.TempDir(), files.Limits{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	d, err := desk.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams(), Now: w.clock.now,
		Files: fs, HTTPClient: ms.client})
	if err != nil {
		t.Fatal(err)
	}
	w.d = d
	set := channel.Settings{"address": deskAddress, "imap_url": "imaps://" + ms.imapAddr, "smtp_url": "smtps://" + ms.smtpAddr,
		"username": mailUser, "password": mailPass}
	for k, v := range settings {
		set[k] = v
	}
	em, err := d.AddChannel(context.Background(), w.org.ID, model.ChannelEmail, "Sportello e-mail", set)
	if err != nil {
		t.Fatal(err)
	}
	return &emailWorld{world: w, ms: ms, em: em}
}

func mailSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "channel", "email", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *emailWorld) receive(t *testing.T, raw []byte) desk.EmailResult {
	t.Helper()
	res, err := w.d.ReceiveEmail(context.Background(), w.em, raw)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (w *emailWorld) messages(t *testing.T, conv int64) []*model.Message {
	t.Helper()
	ms, err := w.s.Messages(context.Background(), w.org.ID, conv, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (w *emailWorld) reply(t *testing.T, conv int64, body string) *model.Message {
	t.Helper()
	m := &model.Message{Direction: model.DirectionOutbound, Body: body}
	if err := w.d.Post(context.Background(), w.actor(t, model.RoleAdmin), conv, m); err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.RunDueJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := w.s.Message(context.Background(), w.org.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// citizenReply writes what a citizen's mail client sends when they
// answer our message: threaded under its Message-ID.
func citizenReply(from, msgID, subject, text string) []byte {
	return []byte("From: " + from + "\r\nTo: " + deskAddress + "\r\nSubject: " + subject + "\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n" +
		"Message-ID: <reply." + strings.ReplaceAll(text, " ", ".") + "@mail.example.com>\r\n" +
		"In-Reply-To: <" + msgID + ">\r\nReferences: <" + msgID + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		text + "\r\n\r\nOn Mon, 2 Mar 2026 at 09:40, Sportello <" + deskAddress + "> wrote:\r\n> earlier\r\n")
}

func header(t *testing.T, raw []byte, name string) string {
	t.Helper()
	for _, line := range strings.Split(strings.SplitN(string(raw), "\r\n\r\n", 2)[0], "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestEmailRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		// The password is sealed at rest; the view masks it.
		stored, err := s.Channel(ctx, w.org.ID, w.em.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored.Settings, mailPass) || !strings.Contains(stored.Settings, "sealed:v1:") {
			t.Errorf("stored settings: %s", stored.Settings)
		}
		if v := w.d.ViewChannel(stored); v.Settings["password"] != channel.Masked || v.Settings["address"] != deskAddress {
			t.Errorf("view: %v", v.Settings)
		}

		// A citizen writes, with a photo inline and a PDF: a new
		// conversation named by the subject, the files stored.
		first := w.receive(t, mailSample(t, "attachments.eml"))
		if !first.NewConversation || first.Duplicate || first.Kind != "message" {
			t.Fatalf("first e-mail: %+v", first)
		}
		conv, err := s.Conversation(ctx, w.org.ID, first.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if conv.Subject != "Documenti" || conv.Address.Value != "amina.diallo@gmail.com" || conv.Address.Kind != model.IdentityEmail {
			t.Errorf("conversation subject %q address %+v", conv.Subject, conv.Address)
		}
		msgs := w.messages(t, conv.ID)
		if len(msgs) != 1 || msgs[0].Body != "Ecco il permesso e la foto." || len(msgs[0].Attachments) != 2 ||
			msgs[0].Attachments[0].Filename != "foto.png" || msgs[0].Attachments[1].ContentType != "application/pdf" {
			t.Fatalf("first message: %+v", msgs)
		}
		// Fetched again (a restart before the UID was saved): nothing new.
		if again := w.receive(t, mailSample(t, "attachments.eml")); !again.Duplicate || again.MessageID != first.MessageID {
			t.Errorf("redelivery: %+v", again)
		}

		// The operator answers: out by SMTP through the queue, threaded.
		out := w.reply(t, conv.ID, "Grazie, li abbiamo ricevuti. Può venire giovedì?")
		if out.DeliveryStatus != model.DeliverySent || !strings.HasPrefix(out.ProviderMessageID, "sportello.") {
			t.Fatalf("reply: %s %q %q", out.DeliveryStatus, out.ProviderMessageID, out.Error)
		}
		sent := w.ms.outbox()
		if len(sent) != 1 {
			t.Fatalf("%d messages sent", len(sent))
		}
		got := email.Parse(sent[0], email.Options{})
		token := email.Token(conv.ID)
		if got.Subject != "Re: Documenti "+token || got.MessageID != out.ProviderMessageID ||
			strings.Join(got.InReplyTo, " ") != "attach-1@mail.gmail.com" || strings.Join(got.References, " ") != "attach-1@mail.gmail.com" ||
			got.Text != "Grazie, li abbiamo ricevuti. Può venire giovedì?" || got.From != deskAddress {
			t.Errorf("sent: subject %q id %q in-reply-to %q refs %q text %q from %q", got.Subject, got.MessageID, got.InReplyTo, got.References, got.Text, got.From)
		}
		if v := header(t, sent[0], "Auto-Submitted"); v != "" {
			t.Errorf("an operator's reply is marked Auto-Submitted: %q", v)
		}
		if w.ms.rcpts[0] != "amina.diallo@gmail.com" {
			t.Errorf("sent to %v", w.ms.rcpts)
		}

		// The citizen answers from her mail client: the reply joins the
		// conversation, quoted history left out.
		r := w.receive(t, citizenReply("Amina Diallo <amina.diallo@gmail.com>", out.ProviderMessageID, "Re: Documenti "+token, "Sì, giovedì va bene"))
		if r.ConversationID != conv.ID || r.NewConversation {
			t.Errorf("reply went to %d (new %v), want %d", r.ConversationID, r.NewConversation, conv.ID)
		}
		msgs = w.messages(t, conv.ID)
		last := msgs[len(msgs)-1]
		if last.Body != "Sì, giovedì va bene" || last.Quoted != "On Mon, 2 Mar 2026 at 09:40, Sportello <"+deskAddress+"> wrote:\n> earlier" {
			t.Errorf("reply stored as %q, quoted %q", last.Body, last.Quoted)
		}

		// A second reply threads under the whole conversation.
		w.reply(t, conv.ID, "Perfetto, a giovedì.")
		got = email.Parse(w.ms.outbox()[1], email.Options{})
		if len(got.References) != 3 || got.References[0] != "attach-1@mail.gmail.com" || got.References[1] != out.ProviderMessageID ||
			got.InReplyTo[0] != got.References[2] {
			t.Errorf("second reply: in-reply-to %v references %v", got.InReplyTo, got.References)
		}

		// A client that dropped the headers: the subject token threads it.
		bare := []byte("From: amina.diallo@gmail.com\r\nTo: " + deskAddress + "\r\nSubject: Re: Documenti " + token +
			"\r\nMessage-ID: <bare-1@example.com>\r\n\r\nHo un'altra domanda.\r\n")
		if r := w.receive(t, bare); r.ConversationID != conv.ID {
			t.Errorf("token reply went to %d, want %d", r.ConversationID, conv.ID)
		}
		// Someone else cannot join a conversation by its token.
		intruder := []byte("From: other@example.com\r\nTo: " + deskAddress + "\r\nSubject: Re: " + token +
			"\r\nMessage-ID: <intruder-1@example.com>\r\n\r\nCiao\r\n")
		if r := w.receive(t, intruder); r.ConversationID == conv.ID || !r.NewConversation {
			t.Errorf("another sender joined conversation %d by its token", conv.ID)
		}

		// A new e-mail from the same citizen opens a new conversation.
		fresh := w.receive(t, []byte("From: amina.diallo@gmail.com\r\nTo: "+deskAddress+"\r\nSubject: Altra pratica\r\nMessage-ID: <new-1@example.com>\r\n\r\nNuova domanda.\r\n"))
		if !fresh.NewConversation || fresh.ConversationID == conv.ID {
			t.Errorf("a new e-mail joined %d", fresh.ConversationID)
		}

		// A bounce marks the reply it concerns failed, with the reason.
		w.receive(t, bytes.ReplaceAll(mailSample(t, "dsn.eml"), []byte("REFERENCED-ID"), []byte(out.ProviderMessageID)))
		failed, err := s.Message(ctx, w.org.ID, out.ID)
		if err != nil {
			t.Fatal(err)
		}
		if failed.DeliveryStatus != model.DeliveryFailed || !strings.Contains(failed.Error, "User unknown") {
			t.Errorf("after the bounce: %s %q", failed.DeliveryStatus, failed.Error)
		}
		for _, m := range w.messages(t, conv.ID) {
			if strings.Contains(m.Body, "could not") {
				t.Errorf("the bounce joined the conversation: %q", m.Body)
			}
		}
	})
}

func TestEmailNoLoops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		// A desk that is always closed answers every new conversation
		// once, automatically.
		admin := w.actor(t, model.RoleAdmin)
		if err := w.d.SetCalendar(ctx, admin, store.CalendarRef{}, hours.Calendar{TimeZone: "Europe/Rome"}); err != nil {
			t.Fatal(err)
		}
		autoAnswered := func(conv int64) int {
			n := 0
			for _, m := range w.messages(t, conv) {
				if m.Direction == model.DirectionOutbound && m.AuthorUserID == 0 {
					n++
				}
			}
			return n
		}
		res := w.receive(t, mailSample(t, "windows1252.eml"))
		if n := autoAnswered(res.ConversationID); n != 1 {
			t.Fatalf("%d automatic replies to a citizen's e-mail, want 1", n)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		sent := w.ms.outbox()
		if len(sent) != 1 || header(t, sent[0], "Auto-Submitted") != "auto-replied" {
			t.Fatalf("the automatic reply: %d sent, Auto-Submitted %q", len(sent), header(t, sent[0], "Auto-Submitted"))
		}
		// Machines get no answer: an auto-reply, a list, a bounce with
		// nothing of ours in it, a message with an empty return path.
		for _, raw := range [][]byte{
			mailSample(t, "autoreply.eml"),
			mailSample(t, "list.eml"),
			[]byte("Return-Path: <>\r\nFrom: robot@example.com\r\nSubject: x\r\nMessage-ID: <rp-1@example.com>\r\n\r\nbeep\r\n"),
			[]byte("From: robot@example.com\r\nPrecedence: bulk\r\nSubject: y\r\nMessage-ID: <bulk-1@example.com>\r\n\r\nbeep\r\n"),
		} {
			r := w.receive(t, raw)
			if r.Kind != "message" || r.ConversationID == 0 {
				t.Fatalf("a machine's mail was not kept: %+v", r)
			}
			if n := autoAnswered(r.ConversationID); n != 0 {
				t.Errorf("%d automatic replies to %q", n, strings.SplitN(string(raw), "\r\n", 2)[0])
			}
		}
		// A sender writing over and over gets at most five automatic
		// replies in an hour.
		total := 0
		for i := range 8 {
			raw := []byte("From: loop@example.com\r\nSubject: n" + string(rune('a'+i)) + "\r\nMessage-ID: <loop-" + string(rune('a'+i)) + "@example.com>\r\n\r\nciao\r\n")
			total += autoAnswered(w.receive(t, raw).ConversationID)
		}
		if total != 5 {
			t.Errorf("%d automatic replies to one sender in an hour, want 5", total)
		}
	})
}

func TestEmailPEC(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, channel.Settings{"pec": "true", "address": "sportello@pec.sportello.example.it"})
		env := mailSample(t, "pec_envelope.eml")
		res := w.receive(t, env)
		if !res.NewConversation {
			t.Fatalf("envelope: %+v", res)
		}
		msgs := w.messages(t, res.ConversationID)
		m := msgs[0]
		if m.Body != "Si trasmette l'istanza. Cordiali saluti, avv. Neri. Città: Perugia." || m.Certificate == nil || !m.Certificate.Legal() ||
			m.Certificate.Provider != "FAKEPEC S.p.A." || len(m.Attachments) != 1 || m.Attachments[0].Filename != "envelope.eml" || m.Attachments[0].Size != int64(len(env)) {
			t.Fatalf("certified message: %q %+v %+v", m.Body, m.Certificate, m.Attachments)
		}
		conv, _ := s.Conversation(ctx, w.org.ID, res.ConversationID)
		if conv.Address.Value != "laura.neri@pec.avvocati.example.it" || conv.Subject != "Istanza per conto della sig.ra Diallo" {
			t.Errorf("conversation with %q about %q", conv.Address.Value, conv.Subject)
		}

		out := w.reply(t, res.ConversationID, "Ricevuta l'istanza.")
		id := []byte(out.ProviderMessageID)
		before := len(w.messages(t, res.ConversationID))
		steps := []struct {
			file   string
			status model.DeliveryStatus
		}{
			{"pec_accettazione.eml", model.DeliverySent},
			{"pec_presa_in_carico.eml", model.DeliverySent},
			{"pec_preavviso_errore_consegna.eml", model.DeliverySent},
			{"pec_avvenuta_consegna.eml", model.DeliveryDelivered},
		}
		for i, st := range steps {
			r := w.receive(t, bytes.ReplaceAll(mailSample(t, st.file), []byte("REFERENCED-ID"), id))
			if r.Kind != "receipt" || r.ConversationID != 0 {
				t.Errorf("%s: %+v", st.file, r)
			}
			m, err := s.Message(ctx, w.org.ID, out.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.DeliveryStatus != st.status || len(m.Receipts) != i+1 || len(m.Attachments) != i+1 {
				t.Errorf("%s: status %s, %d receipts, %d files", st.file, m.DeliveryStatus, len(m.Receipts), len(m.Attachments))
			}
		}
		m, _ = s.Message(ctx, w.org.ID, out.ID)
		last := m.Receipts[len(m.Receipts)-1]
		if last.Kind != "avvenuta-consegna" || last.Recipient != "laura.neri@pec.avvocati.example.it" || last.At.IsZero() {
			t.Errorf("delivery receipt %+v", last)
		}
		if n := len(w.messages(t, res.ConversationID)); n != before {
			t.Errorf("receipts joined the conversation: %d messages, want %d", n, before)
		}

		// Another reply, not delivered: failed with the provider's reason.
		out2 := w.reply(t, res.ConversationID, "Secondo messaggio")
		w.receive(t, bytes.ReplaceAll(mailSample(t, "pec_errore_consegna.eml"), []byte("REFERENCED-ID"), []byte(out2.ProviderMessageID)))
		m, _ = s.Message(ctx, w.org.ID, out2.ID)
		if m.DeliveryStatus != model.DeliveryFailed || !strings.Contains(m.Error, "indirizzo non valido") {
			t.Errorf("mancata consegna: %s %q", m.DeliveryStatus, m.Error)
		}
		// Ordinary mail that reached the PEC mailbox: kept, not certified.
		an := w.receive(t, mailSample(t, "pec_anomalia.eml"))
		if msgs := w.messages(t, an.ConversationID); msgs[0].Certificate == nil || msgs[0].Certificate.Legal() || msgs[0].Body != "Scrivo da una casella normale." {
			t.Errorf("anomaly envelope: %q %+v", msgs[0].Body, msgs[0].Certificate)
		}
		// A receipt about a message we never sent changes nothing.
		if r := w.receive(t, mailSample(t, "pec_accettazione.eml")); r.Kind != "receipt" {
			t.Errorf("unknown receipt: %+v", r)
		}
	})
}

func TestEmailBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		// Malformed MIME: kept with what could be read, and a note.
		r := w.receive(t, mailSample(t, "malformed.eml"))
		msgs := w.messages(t, r.ConversationID)
		if len(msgs) != 2 || !strings.Contains(msgs[0].Body, "Testo leggibile.") || msgs[1].Direction != model.DirectionNote {
			for _, m := range msgs {
				t.Logf("%s %q %v", m.Direction, m.Body, m.Attachments)
			}
			t.Fatalf("malformed: %d messages", len(msgs))
		}
		// A file over the limit (1 MiB here): not kept, a note says so.
		big := bytes.Repeat([]byte("A"), 2<<20)
		raw := []byte("From: amina.diallo@gmail.com\r\nSubject: grande\r\nMessage-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nEcco\r\n--b\r\n" +
			"Content-Type: application/pdf; name=big.pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\n\r\n")
		raw = append(append(raw, big...), []byte("\r\n--b--\r\n")...)
		r = w.receive(t, raw)
		msgs = w.messages(t, r.ConversationID)
		if len(msgs) != 2 || msgs[0].Body != "Ecco" || len(msgs[0].Attachments) != 0 || msgs[1].Direction != model.DirectionNote ||
			!strings.Contains(msgs[1].Body, "big.pdf") {
			t.Fatalf("oversized: %+v", msgs)
		}

		// SMTP refusing for a while: the reply stays queued, then goes.
		w.ms.setRefuse(&smtp.SMTPError{Code: 451, Message: "try again later"})
		out := w.reply(t, r.ConversationID, "Ricevuto")
		if out.DeliveryStatus != model.DeliveryQueued {
			t.Fatalf("with the server refusing: %s", out.DeliveryStatus)
		}
		health, _ := w.d.ChannelsOf(ctx, w.org.ID)
		for _, h := range health {
			if h.ID == w.em.ID && (h.Queued != 1 || !strings.Contains(h.LastError, "try again later")) {
				t.Errorf("health %+v: want one queued and the server's answer", h)
			}
		}
		w.ms.setRefuse(nil)
		// The retry comes due.
		if err := s.Enqueue(ctx, &store.Job{OrgID: w.org.ID, Kind: store.JobDeliver, MessageID: out.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Message(ctx, w.org.ID, out.ID); m.DeliveryStatus != model.DeliverySent {
			t.Errorf("after the server came back: %s %q", m.DeliveryStatus, m.Error)
		}

		// Wrong settings are refused when the channel is added.
		for _, bad := range []channel.Settings{
			{"address": "not an address", "imap_url": "imaps://h:993", "smtp_url": "smtps://h:465"},
			{"address": "a@b.it", "imap_url": "http://h", "smtp_url": "smtps://h:465"},
			{"address": "a@b.it", "imap_url": "imaps://h:993", "smtp_url": "smtps://h:465", "pec": "yes"},
		} {
			if _, err := w.d.AddChannel(ctx, w.org.ID, model.ChannelEmail, "bad", bad); !model.ErrorIs(err, model.CodeInvalid) {
				t.Errorf("settings %v: %v, want invalid", bad, err)
			}
		}
	})
}

// TestMailboxReader reads a real IMAP mailbox: what is there and what
// arrives later (IDLE), each once, across a restart; a wrong password
// shows on the channel's health.
func TestMailboxReader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		w.ms.deliver(t, mailSample(t, "gmail_reply.eml"))
		w.ms.deliver(t, mailSample(t, "outlook_reply.eml"))

		start := func(poll time.Duration, maxMessage ...int64) func() {
			rctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				o := desk.MailOptions{Owner: "test", Lease: time.Minute, Rescan: 50 * time.Millisecond, Poll: poll}
				if len(maxMessage) > 0 {
					o.MaxMessage = maxMessage[0]
				}
				w.d.RunMailboxes(rctx, o)
			}()
			return func() { cancel(); <-done }
		}
		waitFor := func(want int) {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for {
				convs, _, err := s.Conversations(ctx, w.org.ID, store.ConversationFilter{Channel: model.ChannelEmail})
				if err != nil {
					t.Fatal(err)
				}
				// Done once the last message is stored and its UID saved.
				mb, _, err := s.ClaimMailbox(ctx, w.org.ID, w.em.ID, "test", time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if len(convs) > want {
					t.Fatalf("%d conversations, want %d", len(convs), want)
				}
				if len(convs) == want && mb.LastUID == uint32(want) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d conversations and UID %d after 20 s, want %d", len(convs), mb.LastUID, want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		// What is in the mailbox, then what arrives while the reader
		// waits: IDLE tells it (polling is set to half a minute here).
		stop := start(30 * time.Second)
		waitFor(2)
		w.ms.deliver(t, mailSample(t, "apple_reply.eml"))
		waitFor(3)
		stop()
		// A restart reads nothing twice.
		stop = start(100 * time.Millisecond)
		time.Sleep(300 * time.Millisecond)
		waitFor(3)
		stop()
		// A message over the reader's limit: kept as far as it was read,
		// with a note.
		big := []byte("From: kofi@example.com\r\nTo: " + deskAddress + "\r\nSubject: Documenti grandi\r\nMessage-ID: <big-imap@example.com>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nEcco il documento.\r\n--b\r\n" +
			"Content-Type: application/pdf; name=doc.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("JVBERi0xLjQK\r\n", 2000) + "--b--\r\n")
		w.ms.deliver(t, big)
		stop = start(100*time.Millisecond, 1024)
		waitFor(4)
		stop()
		convs, _, err := s.Conversations(ctx, w.org.ID, store.ConversationFilter{Channel: model.ChannelEmail})
		if err != nil {
			t.Fatal(err)
		}
		var bigConv int64
		for _, c := range convs {
			if c.Subject == "Documenti grandi" {
				bigConv = c.ID
			}
		}
		if msgs := w.messages(t, bigConv); len(msgs) < 2 || msgs[0].Body != "Ecco il documento." || msgs[len(msgs)-1].Direction != model.DirectionNote ||
			!strings.Contains(msgs[len(msgs)-1].Body, "Documenti grandi.eml") {
			for _, m := range msgs {
				t.Logf("%s %q", m.Direction, m.Body)
			}
			t.Errorf("a message over the limit, in conversation %d", bigConv)
		}

		// Saved state: the next run would start after UID 4.
		mb, ok, err := s.ClaimMailbox(ctx, w.org.ID, w.em.ID, "test", time.Minute)
		if err != nil || !ok || mb.LastUID != 4 || mb.UIDValidity == 0 {
			t.Errorf("mailbox state %+v %v %v", mb, ok, err)
		}
		// Another instance cannot take the mailbox while the lease runs.
		if _, ok, _ := s.ClaimMailbox(ctx, w.org.ID, w.em.ID, "other", time.Minute); ok {
			t.Error("two instances read one mailbox")
		}
		if err := s.ReleaseMailbox(ctx, w.em.ID, "test"); err != nil {
			t.Fatal(err)
		}

		// The folder disappears: the channel's health says so.
		if err := w.ms.inbox.Delete("INBOX"); err != nil {
			t.Fatal(err)
		}
		stop = start(100 * time.Millisecond)
		waitHealth(t, s, w.org.ID, w.em.ID, "folder INBOX")
		stop()
		if err := w.ms.inbox.Create("INBOX", nil); err != nil {
			t.Fatal(err)
		}

		// A wrong password: the channel's health shows the error.
		bad := w.em.Settings
		set, _ := channel.ParseSettings(bad)
		set["password"] = "wrong"
		if _, err := w.d.UpdateChannel(ctx, w.actor(t, model.RoleAdmin), w.em.ID, w.em.Name, set, true); err != nil {
			t.Fatal(err)
		}
		stop = start(100 * time.Millisecond)
		waitHealth(t, s, w.org.ID, w.em.ID, "login refused")
		stop()
	})
}

// waitHealth waits for channel id's health to show an error containing want.
func waitHealth(t *testing.T, s *store.Store, orgID, id int64, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		cs, err := s.ChannelsHealth(context.Background(), orgID)
		if err != nil {
			t.Fatal(err)
		}
		var health *model.Channel
		for _, c := range cs {
			if c.ID == id {
				health = c
			}
		}
		if health != nil && strings.Contains(health.LastError, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("health: %+v, want an error with %q", health, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkReceiveEmail: a citizen's new e-mail, parsed, stored and
// routed (SQLite), per message.
func BenchmarkReceiveEmail(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URL(b, store.SQLite), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	d, err := desk.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), desk.Options{PasswordParams: auth.TestPasswordParams()})
	if err != nil {
		b.Fatal(err)
	}
	org := &model.Organization{Slug: "bench", Name: "Bench"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		b.Fatal(err)
	}
	ch, err := d.AddChannel(ctx, org.ID, model.ChannelEmail, "e-mail", channel.Settings{"address": deskAddress,
		"imap_url": "imaps://127.0.0.1:993", "smtp_url": "smtps://127.0.0.1:465", "password": "x"})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		raw := fmt.Appendf(nil, "From: Citizen %d <c%d@example.com>\r\nTo: %s\r\nSubject: Domanda %d\r\nMessage-ID: <bench-%d@example.com>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, vorrei sapere come rinnovare il permesso di soggiorno.\r\n\r\n-- \r\nCitizen\r\n",
			n%50, n%50, deskAddress, n, n)
		if _, err := d.ReceiveEmail(ctx, ch, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReferralEmailedToAnOutsidePartner: a referral to a partner outside
// the desk is e-mailed through the organisation's e-mail channel, by a job
// queued with it, and the case says so. Without an e-mail channel the case
// says to pass the link on another way.
func TestReferralEmailedToAnOutsidePartner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		conv := w.conversation(t, "visitor-9", store.ConversationPatch{})
		op := w.actor(t, model.RoleOperator)
		_, link, err := w.d.Refer(ctx, op, desk.ReferralRequest{ConversationID: conv, PartnerEmail: "sportello@comune.example",
			Reason: "Residenza fittizia", ConsentGiven: true, DueDays: 3, LinkBase: "https://desk.example.org", Share: []string{"name"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		var sent []byte
		for _, raw := range w.ms.outbox() {
			if strings.Contains(string(raw), "sportello@comune.example") {
				sent = raw
			}
		}
		if sent == nil || !strings.Contains(strings.ReplaceAll(string(sent), "=\r\n", ""), "referral/ref_") {
			t.Fatalf("the partner got no e-mail with the link %s; outbox %d messages", link, len(w.ms.outbox()))
		}
		notes := w.messages(t, conv)
		if last := notes[len(notes)-1]; last.Direction != model.DirectionNote || !strings.Contains(last.Body, "sportello@comune.example") {
			t.Errorf("the case's last note %+v", last)
		}

		// With its e-mail channel turned off, the note says to send the link.
		w.em.Active = false
		if err := s.UpdateChannel(ctx, w.em); err != nil {
			t.Fatal(err)
		}
		conv2 := w.conversation(t, "visitor-10", store.ConversationPatch{})
		if _, _, err := w.d.Refer(ctx, op, desk.ReferralRequest{ConversationID: conv2,
			PartnerEmail: "altro@comune.example", Reason: "r", ConsentGiven: true, LinkBase: "https://desk.example.org", Share: []string{"name"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		ms, _ := s.Messages(ctx, w.org.ID, conv2, 0, 0)
		if last := ms[len(ms)-1]; !strings.Contains(last.Body, "altro@comune.example") || !strings.Contains(last.Body, "e-mail") {
			t.Errorf("without an e-mail channel, the last note: %q", last.Body)
		}
	})
}
