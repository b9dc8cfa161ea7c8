package desk

import (
	"context"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel/whatsapp"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Window is a conversation's free-reply window on a channel that has one
// (WhatsApp): a citizen's message opens it for 24 hours; after that only
// approved templates may be sent.
type Window struct {
	Applies bool      `json:"applies"` // the channel limits free replies
	Open    bool      `json:"open"`
	EndsAt  time.Time `json:"ends_at,omitzero"` // zero: the citizen never wrote
}

// Remaining is how long the window stays open at now.
func (w Window) Remaining(now time.Time) time.Duration {
	if !w.Open {
		return 0
	}
	return w.EndsAt.Sub(now)
}

// WindowOf returns conv's free-reply window now.
func (d *Service) WindowOf(conv *model.Conversation) Window {
	if conv.Channel != model.ChannelWhatsApp {
		return Window{Open: true}
	}
	end := whatsapp.WindowEnd(conv.LastInboundAt)
	return Window{Applies: true, EndsAt: end, Open: !end.IsZero() && d.now().Before(end)}
}

// errWindowClosed refuses a free reply outside WhatsApp's window.
func errWindowClosed() error {
	return model.Invalid("body", "whatsapp.error_window_closed",
		"more than 24 hours have passed since the citizen last wrote: only an approved template can be sent", nil)
}

// checkTemplateChannel loads a channel that may hold templates.
func (d *Service) checkTemplateChannel(ctx context.Context, orgID, channelID int64) error {
	c, err := d.st.Channel(ctx, orgID, channelID)
	if err != nil {
		return err
	}
	if c.Kind != model.ChannelWhatsApp {
		return model.Invalid("channel_id", "template.error_channel", "only WhatsApp channels have templates", nil)
	}
	return nil
}

// Templates lists the organisation's templates, of one channel or (0) of
// all: those who see channels see them.
func (d *Service) Templates(ctx context.Context, a *Actor, channelID int64) ([]*store.Template, error) {
	if !a.Can(model.PermChannelsRead) {
		return nil, errForbidden
	}
	if channelID != 0 {
		if _, err := d.st.Channel(ctx, a.OrgID(), channelID); err != nil {
			return nil, err
		}
	}
	return d.st.Templates(ctx, a.OrgID(), channelID)
}

// CreateTemplate registers a template the provider approved on one of
// the organisation's WhatsApp channels.
func (d *Service) CreateTemplate(ctx context.Context, a *Actor, t *store.Template) error {
	if !a.Can(model.PermChannelsManage) {
		return errForbidden
	}
	t.OrgID = a.OrgID()
	if err := d.checkTemplateChannel(ctx, t.OrgID, t.ChannelID); err != nil {
		return err
	}
	if err := d.st.CreateTemplate(ctx, t); err != nil {
		return err
	}
	d.Audit(ctx, a, "template.create", "template", t.ID, t.Name+" "+t.Language)
	return nil
}

// DeleteTemplate removes a template; replies already sent keep theirs.
// It returns the template as it was.
func (d *Service) DeleteTemplate(ctx context.Context, a *Actor, id int64) (*store.Template, error) {
	if !a.Can(model.PermChannelsManage) {
		return nil, errForbidden
	}
	t, err := d.st.Template(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	if err := d.st.DeleteTemplate(ctx, a.OrgID(), id); err != nil {
		return nil, err
	}
	d.Audit(ctx, a, "template.delete", "template", id, t.Name+" "+t.Language)
	return t, nil
}

// ConversationTemplates lists the templates that can be sent in a
// conversation the actor may answer: its channel's.
func (d *Service) ConversationTemplates(ctx context.Context, a *Actor, conversationID int64) ([]*store.Template, error) {
	if !a.Can(model.PermConversationsReply) {
		return nil, errForbidden
	}
	conv, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	if conv.Channel != model.ChannelWhatsApp {
		return []*store.Template{}, nil
	}
	return d.st.Templates(ctx, a.OrgID(), conv.ChannelID)
}

// SendTemplate replies with an approved template of the conversation's
// channel, its parameters filled in order: the way to write to a
// citizen on WhatsApp once the 24-hour window has closed (it works
// inside the window too). The message's body shows the filled text; the
// template and parameters go to the provider.
func (d *Service) SendTemplate(ctx context.Context, a *Actor, conversationID, templateID int64, params []string) (*model.Message, error) {
	if !a.Can(model.PermConversationsReply) {
		return nil, errForbidden
	}
	conv, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	t, err := d.st.Template(ctx, a.OrgID(), templateID)
	if model.ErrorIs(err, model.CodeNotFound) || err == nil && t.ChannelID != conv.ChannelID {
		return nil, model.Invalid("template_id", "template.error_other_channel", "choose a template of this conversation's channel", nil)
	}
	if err != nil {
		return nil, err
	}
	if len(params) != t.Params {
		return nil, model.Invalid("params", "template.error_param_count", "the template needs a value for each placeholder", nil)
	}
	clean := make([]string, len(params))
	for i, p := range params {
		// WhatsApp refuses new lines, tabs and long runs of spaces in
		// parameters.
		p = strings.Join(strings.Fields(p), " ")
		if err := model.CheckText("params", p, true, store.TemplateParamMax); err != nil {
			return nil, err
		}
		clean[i] = p
	}
	m := &model.Message{Direction: model.DirectionOutbound, Body: store.FillTemplate(t.Body, clean), AuthorUserID: a.User.ID,
		Template: &model.MessageTemplate{Name: t.Name, Language: t.Language, Params: clean}}
	if err := d.st.AddMessage(ctx, a.OrgID(), conversationID, m); err != nil {
		return nil, err
	}
	d.publishMessage(m, false)
	return m, nil
}
