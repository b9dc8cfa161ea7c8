package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// TestTranscriptFromTheConsole: an operator e-mails a conversation's
// transcript to the contact's address from its page; the page says where
// it goes and lists it; a contact without address, the fourth of the
// hour, a conversation not visible are refused; the timeline tells
// operators how it went.
func TestTranscriptFromTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		e := newEnv(t, s)
		it := e.it()
		coord := e.client().signIn("coord@desk.example")
		conv := e.inbound("visitor-amina", "Amina", "Buongiorno")

		// No e-mail channel: no transcript section, and the POST is refused.
		wantMissing(t, "without e-mail channel", coord.get(convURL(conv)).body, `id="transcript"`)
		r := coord.send(convURL(conv)+"/transcript", url.Values{})
		wantStatus(t, "without e-mail channel", r, http.StatusConflict)
		wantContains(t, "without e-mail channel", r.body, html(it.T("transcript.no_email_channel", nil)))

		if _, err := e.d.AddChannel(ctx, e.org.ID, model.ChannelEmail, "Posta", channel.Settings{"address": "sportello@roma.example",
			"imap_url": "imaps://127.0.0.1:1", "smtp_url": "smtps://127.0.0.1:1"}); err != nil {
			t.Fatal(err)
		}
		// The contact left no address: said, no button.
		page := coord.get(convURL(conv)).body
		wantContains(t, "no address", page, `id="transcript"`, html(it.T("transcript.no_contact_email", nil)))
		wantMissing(t, "no address", page, `action="`+convURL(conv)+`/transcript"`)
		r = coord.send(convURL(conv)+"/transcript", url.Values{})
		wantStatus(t, "no address", r, http.StatusBadRequest)

		c, err := s.Conversation(ctx, e.org.ID, conv)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddIdentity(ctx, e.org.ID, c.ContactID, model.Identity{Kind: model.IdentityEmail, Value: "amina@example.org"}); err != nil {
			t.Fatal(err)
		}
		page = coord.get(convURL(conv)).body
		wantContains(t, "with address", page, `action="`+convURL(conv)+`/transcript"`, html(it.T("conversation.transcript_send", nil)))

		r = coord.send(convURL(conv)+"/transcript", url.Values{})
		wantStatus(t, "send", r, http.StatusSeeOther)
		page = coord.get(r.location()).body
		wantContains(t, "after sending", page, html(it.T("conversation.transcript_queued", map[string]any{"Email": "amina@example.org"})),
			html(it.T("conversation.transcript_state_queued", nil)))

		// Without the CSRF field: refused.
		wantStatus(t, "no csrf", coord.post(convURL(conv)+"/transcript", url.Values{}), http.StatusForbidden)

		// A volunteer does not see the conversation: not found.
		vol := e.client().signIn("vol@desk.example")
		wantStatus(t, "volunteer", vol.send(convURL(conv)+"/transcript", url.Values{}), http.StatusNotFound)

		wantStatus(t, "second", coord.send(convURL(conv)+"/transcript", url.Values{}), http.StatusSeeOther)
		wantStatus(t, "third", coord.send(convURL(conv)+"/transcript", url.Values{}), http.StatusSeeOther)
		r = coord.send(convURL(conv)+"/transcript", url.Values{})
		wantStatus(t, "fourth within the hour", r, http.StatusTooManyRequests)
		wantContains(t, "fourth within the hour", r.body, html(it.T("transcript.rate_limited", nil)))

		// How it went shows in the timeline and in the list.
		list, err := s.Transcripts(ctx, e.org.ID, conv)
		if err != nil || len(list) != 3 {
			t.Fatalf("transcripts %d, %v", len(list), err)
		}
		if _, err := s.FinishTranscript(ctx, e.org.ID, list[0].ID, store.TranscriptFailed, "550 mailbox unavailable"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FinishTranscript(ctx, e.org.ID, list[1].ID, store.TranscriptSent, ""); err != nil {
			t.Fatal(err)
		}
		page = coord.get(convURL(conv)).body
		wantContains(t, "timeline", page, html(it.T("event.transcript_failed", nil)), html(it.T("event.transcript_sent", nil)),
			"550 mailbox unavailable", html(it.T("conversation.transcript_state_failed", nil)), html(it.T("conversation.transcript_state_sent", nil)))
	})
}
