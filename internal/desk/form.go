package desk

import (
	"context"
	"strings"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// FormSubmission is a message left on the web contact form.
type FormSubmission struct {
	OrgID          int64
	ID             string // the form's one-time id: sending it again stores nothing new
	Name           string
	Phone          string // either or both: how the desk answers
	Email          string
	Topic          string // the form's topic id, for routing
	Subject        string // the topic in the desk's language
	Language       string
	Body           string
	ConsentVersion string // the version of the privacy notice the citizen accepted
}

// ReceiveForm records a contact-form message as a conversation of the
// organisation's form channel. The contact is found or created by the
// phone number (the one a later SMS or WhatsApp message comes from),
// else the e-mail address, and gets both; the consent is recorded with
// the notice's version. Like every inbound message it is routed, and
// stored before this returns.
func (d *Service) ReceiveForm(ctx context.Context, f FormSubmission) (store.InboundResult, error) {
	var ids []model.Identity
	if f.Phone != "" {
		id, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityPhone, Value: f.Phone})
		if err != nil {
			return store.InboundResult{}, err
		}
		ids = append(ids, id)
	}
	if f.Email != "" {
		id, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityEmail, Value: f.Email})
		if err != nil {
			return store.InboundResult{}, err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return store.InboundResult{}, model.Invalid("reply_to", "error.validation.form_reply_to", "a phone number or an e-mail address is needed to answer", nil)
	}
	if strings.TrimSpace(f.ConsentVersion) == "" {
		return store.InboundResult{}, model.Invalid("consent", "error.validation.consent", "consent to data processing is required", nil)
	}
	ch, err := d.st.DefaultChannel(ctx, f.OrgID, model.ChannelForm)
	if err != nil {
		return store.InboundResult{}, err
	}
	res, err := d.Receive(ctx, store.Inbound{OrgID: f.OrgID, ChannelID: ch.ID, Channel: model.ChannelForm, From: ids[0],
		DisplayName: f.Name, Language: f.Language, ProviderMessageID: "form-" + f.ID, Body: f.Body, Topic: f.Topic})
	if err != nil || res.Duplicate {
		return res, err
	}
	d.noteInbound(ch.ID)
	for _, id := range ids[1:] {
		// The address may be another contact's already: then the
		// operator merges them if they are one person.
		if err := d.st.AddIdentity(ctx, f.OrgID, res.ContactID, id); err != nil && !model.ErrorIs(err, model.CodeConflict) {
			d.log.Warn("contact form: second address", "contact", res.ContactID, "err", err)
		}
	}
	if err := d.st.RecordConsent(ctx, &model.Consent{OrgID: f.OrgID, ContactID: res.ContactID, Purpose: "data_processing",
		TextVersion: f.ConsentVersion, Source: string(model.ChannelForm)}); err != nil {
		d.log.Warn("contact form: consent", "contact", res.ContactID, "err", err)
	}
	if res.NewConversation && f.Subject != "" {
		if c, err := d.st.UpdateConversation(ctx, f.OrgID, res.ConversationID, 0, store.ConversationPatch{Subject: &f.Subject}); err == nil {
			d.publishConversation(c)
		}
	}
	return res, nil
}

// formCanReply reports whether replies on a contact-form conversation
// have a way out (a reply channel set on the form).
func (d *Service) formCanReply(ctx context.Context, c *model.Conversation) bool {
	ch, err := d.st.Channel(ctx, c.OrgID, c.ChannelID)
	if err != nil {
		return false
	}
	_, _, err = d.formReplyRoute(ctx, ch, c)
	return err == nil
}
