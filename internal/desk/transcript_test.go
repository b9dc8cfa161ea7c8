package desk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// sentMail is one message the test SMTP server took, read back.
type sentMail struct {
	header     mail.Header
	text, html string
}

func readMail(t *testing.T, raw []byte) sentMail {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	m := sentMail{header: mr.Header}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		h, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			continue
		}
		b, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := h.ContentType(); ct {
		case "text/plain":
			m.text = string(b)
		case "text/html":
			m.html = string(b)
		}
	}
	return m
}

func subjectOf(m sentMail) string {
	s, _ := m.header.Subject()
	return s
}

// mailTo finds the one message sent to addr.
func (w *emailWorld) mailTo(t *testing.T, addr string) sentMail {
	t.Helper()
	var found []sentMail
	for _, raw := range w.ms.outbox() {
		if strings.Contains(header(t, raw, "To"), addr) {
			found = append(found, readMail(t, raw))
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages to %s, want 1 (outbox: %d)", len(found), addr, len(w.ms.outbox()))
	}
	return found[0]
}

func lastMessage(t *testing.T, s *store.Store, orgID, conv int64) *model.Message {
	t.Helper()
	ms, err := s.Messages(context.Background(), orgID, conv, 0, 0)
	if err != nil || len(ms) == 0 {
		t.Fatalf("messages: %v, %d", err, len(ms))
	}
	return ms[len(ms)-1]
}

// TestTranscriptByEmail follows a citizen's transcript from the request
// to the mail the SMTP server receives: in their language (Arabic), their
// messages and the desk's replies, notes left out, HTML escaped, files
// by name, marked auto-generated; then the event operators see, the
// limit per hour, and an operator sending it to the contact's address.
func TestTranscriptByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		if !w.d.CanSendTranscripts(ctx, w.org.ID) {
			t.Fatal("an organisation with an e-mail channel cannot send transcripts")
		}
		conv := w.conversation(t, "visitor-amina", store.ConversationPatch{})
		res, err := s.RecordInbound(ctx, store.Inbound{OrgID: w.org.ID, ChannelID: w.ch.ID, Channel: model.ChannelWeb,
			From: model.Identity{Kind: model.IdentityWeb, Value: "visitor-amina"}, ProviderMessageID: "visitor-amina:2",
			Body: `<script>alert("x")</script> & il mio permesso`})
		if err != nil || res.ConversationID != conv {
			t.Fatalf("second message: %v, conversation %d, want %d", err, res.ConversationID, conv)
		}
		att := &model.Attachment{OrgID: w.org.ID, Filename: "permesso-di-soggiorno.pdf", ContentType: "application/pdf", Size: 1234,
			SHA256: strings.Repeat("ab", 32), StorageKey: "aa/permesso.pdf"}
		if err := s.CreateAttachment(ctx, att); err != nil {
			t.Fatal(err)
		}
		if err := s.LinkAttachments(ctx, w.org.ID, lastMessage(t, s, w.org.ID, conv).ID, []int64{att.ID}); err != nil {
			t.Fatal(err)
		}
		admin := w.actor(t, model.RoleAdmin)
		if err := w.d.Post(ctx, admin, conv, &model.Message{Direction: model.DirectionOutbound, Body: "Buongiorno, portate il permesso."}); err != nil {
			t.Fatal(err)
		}
		if err := w.d.Post(ctx, admin, conv, &model.Message{Direction: model.DirectionNote, Body: "NOTA-INTERNA: situazione delicata"}); err != nil {
			t.Fatal(err)
		}

		if _, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "not-an-address", "ar"); !model.ErrorIs(err, model.CodeInvalid) || fieldOf(err) != "email" {
			t.Errorf("a bad address: %v (field %q), want invalid email", err, fieldOf(err))
		}
		if _, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "  ", "ar"); !model.ErrorIs(err, model.CodeInvalid) || fieldOf(err) != "email" {
			t.Errorf("no address: %v, want invalid email", err)
		}
		tr, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "Amina@Example.org", "ar")
		if err != nil {
			t.Fatal(err)
		}
		if len(w.ms.outbox()) != 0 {
			t.Fatal("the request sent mail itself: it should only queue the job")
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		m := w.mailTo(t, "amina@example.org")
		if got := m.header.Get("Auto-Submitted"); got != "auto-generated" {
			t.Errorf("Auto-Submitted: %q", got)
		}
		if got := m.header.Get("Content-Language"); got != "ar" {
			t.Errorf("Content-Language: %q", got)
		}
		if subj := subjectOf(m); subj != "محادثتك مع Desk" {
			t.Errorf("subject %q", subj)
		}
		for _, part := range []struct{ name, body string }{{"text", m.text}, {"html", m.html}} {
			for _, want := range []string{"أنت", "المكتب", "Buongiorno, portate il permesso.", "permesso-di-soggiorno.pdf", "help"} {
				if !strings.Contains(part.body, want) {
					t.Errorf("the %s part lacks %q:\n%s", part.name, want, part.body)
				}
			}
			if strings.Contains(part.body, "NOTA-INTERNA") {
				t.Errorf("the %s part shows an internal note:\n%s", part.name, part.body)
			}
			if strings.Contains(part.body, "admin") {
				t.Errorf("the %s part names the operator:\n%s", part.name, part.body)
			}
		}
		if !strings.Contains(m.text, `<script>alert("x")</script> & il mio permesso`) {
			t.Errorf("the text part changed the citizen's words:\n%s", m.text)
		}
		if strings.Contains(m.html, "<script>") || !strings.Contains(m.html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; il mio permesso") {
			t.Errorf("the html part does not escape the citizen's words:\n%s", m.html)
		}
		if !strings.Contains(m.html, `<html lang="ar" dir="rtl">`) {
			t.Errorf("the html part is not marked Arabic, right to left:\n%.200s", m.html)
		}
		if !strings.Contains(m.text, "\u200f") {
			t.Error("the Arabic text part has no right-to-left marks")
		}

		// Operators see that it went, to whom; the citizen does not.
		ev := lastMessage(t, s, w.org.ID, conv)
		if ev.Direction != model.DirectionEvent || ev.Body != "transcript_sent:amina@example.org" {
			t.Errorf("the conversation's last message: %s %q", ev.Direction, ev.Body)
		}
		got, err := s.Transcript(ctx, w.org.ID, tr.ID)
		if err != nil || got.State != store.TranscriptSent || got.SentAt == nil || got.Language != "ar" {
			t.Errorf("the transcript after sending: %+v, %v", got, err)
		}

		// Three an hour per conversation, whoever asks.
		for i := 0; i < desk.TranscriptLimit-1; i++ {
			if _, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "amina@example.org", "it"); err != nil {
				t.Fatalf("transcript %d: %v", i+2, err)
			}
		}
		if _, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "amina@example.org", "it"); !model.ErrorIs(err, model.CodeRateLimited) {
			t.Errorf("transcript %d within the hour: %v, want rate limited", desk.TranscriptLimit+1, err)
		}
		c1, err := s.Conversation(ctx, w.org.ID, conv)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddIdentity(ctx, w.org.ID, c1.ContactID, model.Identity{Kind: model.IdentityEmail, Value: "amina@example.org"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.SendTranscript(ctx, admin, conv); !model.ErrorIs(err, model.CodeRateLimited) {
			t.Errorf("an operator's over the limit: %v, want rate limited", err)
		}
		if n, err := w.d.RunDueJobs(ctx); err != nil || n != desk.TranscriptLimit-1 {
			t.Errorf("ran %d jobs (%v), want %d", n, err, desk.TranscriptLimit-1)
		}

		// An operator sends it to the contact's e-mail address once the
		// contact has one, and that is audited.
		conv2 := w.conversation(t, "visitor-omar", store.ConversationPatch{})
		if _, err := w.d.SendTranscript(ctx, admin, conv2); !model.ErrorIs(err, model.CodeInvalid) || fieldOf(err) != "email" {
			t.Errorf("to a contact without e-mail: %v, want invalid email", err)
		}
		c2, err := s.Conversation(ctx, w.org.ID, conv2)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddIdentity(ctx, w.org.ID, c2.ContactID, model.Identity{Kind: model.IdentityEmail, Value: "omar@example.org"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.SendTranscript(ctx, w.actor(t, model.RoleVolunteer), conv2); !model.ErrorIs(err, model.CodeNotFound) {
			t.Errorf("a volunteer on a conversation not theirs: %v, want not found", err)
		}
		if _, err := w.d.SendTranscript(ctx, admin, conv2); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		if subj := subjectOf(w.mailTo(t, "omar@example.org")); subj != "La tua conversazione con Desk" {
			t.Errorf("the operator's transcript: subject %q, want the organisation's language (the conversation has none)", subj)
		}
		if ev := lastMessage(t, s, w.org.ID, conv2); ev.Body != "transcript_sent:omar@example.org" || ev.AuthorUserID != admin.User.ID {
			t.Errorf("the event of an operator's transcript: %q by %d", ev.Body, ev.AuthorUserID)
		}
		log, err := s.AuditLog(ctx, w.org.ID, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "transcript_email" || log[0].TargetID != conv2 || log[0].Detail != "omar@example.org" {
			t.Errorf("audit log head: %+v", log[0])
		}

		// An hour later the citizen may ask again.
		w.clock.add(time.Hour + time.Minute)
		if _, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "amina@example.org", "fr"); err != nil {
			t.Errorf("an hour later: %v", err)
		}
	})
}

// TestTranscriptWithoutEmailChannel: no e-mail channel, no transcript —
// refused when asked, and failed with an event when the channel goes
// away while the job waits.
func TestTranscriptWithoutEmailChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, nil)
		conv := w.conversation(t, "visitor-2", store.ConversationPatch{})
		tr, err := w.d.RequestTranscript(ctx, w.org.ID, conv, "b@example.org", "es")
		if err != nil {
			t.Fatal(err)
		}
		w.em.Active = false
		if err := s.UpdateChannel(ctx, w.em); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := s.Transcript(ctx, w.org.ID, tr.ID)
		if err != nil || got.State != store.TranscriptFailed || got.Error == "" {
			t.Errorf("the transcript without a channel: %+v, %v", got, err)
		}
		if ev := lastMessage(t, s, w.org.ID, conv); ev.Direction != model.DirectionEvent || ev.Body != "transcript_failed:b@example.org" {
			t.Errorf("the conversation's last message: %s %q", ev.Direction, ev.Body)
		}
		if len(w.ms.outbox()) != 0 {
			t.Error("mail went out through a channel turned off")
		}

		if w.d.CanSendTranscripts(ctx, w.org.ID) {
			t.Error("an organisation without e-mail channel can send transcripts")
		}
		_, err = w.d.RequestTranscript(ctx, w.org.ID, conv, "a@example.org", "it")
		if e, ok := model.AsError(err); !ok || e.Code != model.CodeConflict || e.Key != "transcript.no_email_channel" {
			t.Errorf("without e-mail channel: %v", err)
		}
	})
}
