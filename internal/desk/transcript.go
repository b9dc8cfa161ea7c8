package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// A conversation's transcript may be e-mailed TranscriptLimit times
// within TranscriptWindow, whoever asks: enough for a citizen who lost
// it, too few to make the desk a way to flood someone's mailbox.
const (
	TranscriptLimit  = 3
	TranscriptWindow = time.Hour
)

var (
	// ErrNoEmailChannel: the organisation has no active e-mail channel
	// to send transcripts from.
	ErrNoEmailChannel = &model.Error{Code: model.CodeConflict, Key: "transcript.no_email_channel",
		Message: "this desk has no e-mail channel to send transcripts from"}
	errTranscriptEmpty = &model.Error{Code: model.CodeInvalid, Key: "transcript.empty",
		Message: "there is no conversation to send yet"}
	errNoContactEmail = &model.Error{Code: model.CodeInvalid, Key: "transcript.no_contact_email", Field: "email",
		Message: "the contact left no e-mail address"}
)

// transcriptChannel is the e-mail channel transcripts go out from: the
// contact form's reply channel when that is an active e-mail channel
// (the mailbox the organisation answers citizens from), else its first
// active e-mail channel.
func (d *Service) transcriptChannel(ctx context.Context, orgID int64) (*model.Channel, error) {
	if form, err := d.st.FirstChannel(ctx, orgID, model.ChannelForm); err == nil {
		if rc, err := d.formReplyChannel(ctx, form); err == nil && rc.Kind == model.ChannelEmail && rc.Active {
			return rc, nil
		}
	}
	ch, err := d.st.FirstChannel(ctx, orgID, model.ChannelEmail)
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil, ErrNoEmailChannel
	}
	return ch, err
}

// CanSendTranscripts reports whether the organisation has an e-mail
// channel to send transcripts from: the chat offers them only then.
func (d *Service) CanSendTranscripts(ctx context.Context, orgID int64) bool {
	_, err := d.transcriptChannel(ctx, orgID)
	return err == nil
}

// RequestTranscript queues the transcript of a citizen's conversation to
// the address they gave, in their language. The caller has checked that
// the conversation is theirs (the web chat's visitor token).
func (d *Service) RequestTranscript(ctx context.Context, orgID, conversationID int64, address, lang string) (*store.Transcript, error) {
	if conversationID == 0 {
		return nil, errTranscriptEmpty
	}
	if strings.TrimSpace(address) == "" {
		return nil, model.Invalid("email", "transcript.email_required", "an e-mail address is needed", nil)
	}
	to, err := model.NormalizeEmail("email", address)
	if err != nil {
		return nil, err
	}
	t := &store.Transcript{OrgID: orgID, ConversationID: conversationID, Recipient: to, Language: lang}
	if err := d.queueTranscript(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// SendTranscript queues the transcript of a conversation the operator
// sees to its contact's e-mail address, in the conversation's language.
// Sending a case's content out of the desk is audited.
func (d *Service) SendTranscript(ctx context.Context, a *Actor, conversationID int64) (*store.Transcript, error) {
	if !a.Can(model.PermConversationsReply) {
		return nil, errForbidden
	}
	c, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	if _, err := d.transcriptChannel(ctx, a.OrgID()); err != nil {
		return nil, err
	}
	to, err := d.st.ContactEmail(ctx, a.OrgID(), c.ContactID)
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil, errNoContactEmail
	}
	if err != nil {
		return nil, err
	}
	lang := c.Language
	if lang == "" {
		if org, err := d.st.Organization(ctx, a.OrgID()); err == nil {
			lang = org.Language
		}
	}
	t := &store.Transcript{OrgID: a.OrgID(), ConversationID: c.ID, Recipient: to, Language: lang, RequestedBy: a.User.ID}
	if err := d.queueTranscript(ctx, t); err != nil {
		return nil, err
	}
	d.Audit(ctx, a, "transcript_email", "conversation", c.ID, to)
	return t, nil
}

// Transcripts lists the transcripts of a conversation the actor sees.
func (d *Service) Transcripts(ctx context.Context, a *Actor, conversationID int64) ([]*store.Transcript, error) {
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, err
	}
	return d.st.Transcripts(ctx, a.OrgID(), conversationID)
}

// queueTranscript checks there is a channel to send from, then records
// the transcript with its job (under the conversation's limit).
func (d *Service) queueTranscript(ctx context.Context, t *store.Transcript) error {
	if _, err := d.transcriptChannel(ctx, t.OrgID); err != nil {
		return err
	}
	pr, err := d.printer(t.Language)
	if err != nil {
		return err
	}
	t.Language = pr.Lang() // one the desk speaks
	if err := d.st.QueueTranscript(ctx, t, TranscriptLimit, d.now().Add(-TranscriptWindow)); err != nil {
		return err
	}
	d.kickJobs()
	return nil
}

// transcriptEmail is a transcript job: it renders the conversation up to
// the transcript's last message and e-mails it through the
// organisation's e-mail channel. When it ends — sent, refused, out of
// attempts — an event on the conversation tells the operators.
func (d *Service) transcriptEmail(ctx context.Context, j *store.Job) error {
	var p struct {
		TranscriptID int64 `json:"transcript_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	t, err := d.st.Transcript(ctx, j.OrgID, p.TranscriptID)
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil // deleted with its conversation
	}
	if err != nil {
		return err
	}
	if t.State != store.TranscriptQueued {
		return nil // sent already: a worker died after sending
	}
	fail := func(err error) error {
		if channel.IsPermanent(err) || j.Attempts >= j.MaxAttempts {
			d.endTranscript(ctx, t, store.TranscriptFailed, err.Error())
		}
		return err
	}
	ch, err := d.transcriptChannel(ctx, j.OrgID)
	if err != nil {
		if model.ErrorIs(err, model.CodeConflict) {
			err = channel.Permanent(err)
		}
		return fail(err)
	}
	out, err := d.renderTranscript(ctx, t)
	if err != nil {
		return fail(err)
	}
	s, err := d.sender(ch)
	if err != nil {
		return fail(err)
	}
	if _, err := s.Send(ctx, out); err != nil {
		if nerr := d.st.NoteChannelError(ctx, ch.ID, err.Error()); nerr != nil {
			d.log.Warn("channel health", "channel", ch.ID, "err", nerr)
		}
		return fail(err)
	}
	if err := d.st.NoteChannelOutbound(ctx, ch.ID, d.now()); err != nil {
		d.log.Warn("channel health", "channel", ch.ID, "err", err)
	}
	d.endTranscript(ctx, t, store.TranscriptSent, "")
	return nil
}

// endTranscript records how a transcript ended and shows the event to
// the conversation's viewers.
func (d *Service) endTranscript(ctx context.Context, t *store.Transcript, state, errText string) {
	m, err := d.st.FinishTranscript(ctx, t.OrgID, t.ID, state, errText)
	if err != nil {
		d.log.Warn("transcript: finish", "transcript", t.ID, "state", state, "err", err)
		return
	}
	d.publishMessage(m, false)
}

// renderTranscript writes the e-mail of transcript t.
func (d *Service) renderTranscript(ctx context.Context, t *store.Transcript) (channel.Outbound, error) {
	org, err := d.st.Organization(ctx, t.OrgID)
	if err != nil {
		return channel.Outbound{}, err
	}
	conv, err := d.st.Conversation(ctx, t.OrgID, t.ConversationID)
	if err != nil {
		return channel.Outbound{}, err
	}
	var msgs []*model.Message
	for after := int64(0); after < t.UntilSeq; {
		page, err := d.st.Messages(ctx, t.OrgID, t.ConversationID, after, 1000)
		if err != nil {
			return channel.Outbound{}, err
		}
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			if m.Seq <= t.UntilSeq {
				msgs = append(msgs, m)
			}
		}
		after = page[len(page)-1].Seq
	}
	pr, err := d.printer(t.Language)
	if err != nil {
		return channel.Outbound{}, err
	}
	loc, err := time.LoadLocation(org.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	doc := buildTranscript(pr, org, conv, msgs, loc)
	html, err := doc.html()
	if err != nil {
		return channel.Outbound{}, fmt.Errorf("transcript %d: %w", t.ID, err)
	}
	return channel.Outbound{To: model.Identity{Kind: model.IdentityEmail, Value: t.Recipient}, Subject: doc.Subject,
		Text: doc.text(), HTML: html, Language: doc.Lang, Generated: true}, nil
}
