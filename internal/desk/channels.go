package desk

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/apichannel"
	"github.com/sportello/sportello/internal/channel/messenger"
	"github.com/sportello/sportello/internal/channel/telegram"
	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/channel/whatsapp"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// adapter is what the desk knows of a channel kind: its settings and
// webhooks, and how to open a client of its provider with a channel's
// settings. The client is a channel.Sender and, where the provider holds
// the citizens' media, a channel.Fetcher.
type adapter struct {
	spec channel.Spec
	open func(s channel.Settings, hc *http.Client) (channel.Sender, error)
	// openChannel, when set, is used instead of open by kinds whose
	// client must know the channel's id (to give the provider its own
	// status webhook with each message).
	openChannel func(id int64, s channel.Settings, hc *http.Client) (channel.Sender, error)
	// polls reports whether a channel's settings ask for its events by
	// long polling (its client is then a channel.Poller), not a webhook.
	polls func(s channel.Settings) bool
	check func(s channel.Settings) error // what the spec cannot check, if anything
	// sealed: the kind's secret settings are encrypted at rest (sealed.go);
	// its client gets them opened.
	sealed bool
}

// adapters lists every channel kind the desk can configure. A kind whose
// open is nil sends nothing through a provider.
func adapters() map[model.ChannelKind]adapter {
	return map[model.ChannelKind]adapter{
		model.ChannelWeb:  {spec: channel.Spec{Kind: model.ChannelWeb}},
		model.ChannelForm: {spec: formSpec},
		model.ChannelAPI: {spec: apichannel.Spec, open: func(s channel.Settings, hc *http.Client) (channel.Sender, error) {
			return apichannel.New(s, hc), nil
		}},
		model.ChannelSMS: {spec: twilio.SMSSpec, openChannel: func(id int64, s channel.Settings, hc *http.Client) (channel.Sender, error) {
			return twilio.NewSMS(id, s, hc), nil
		}},
		model.ChannelVoice: {spec: twilio.VoiceSpec, openChannel: func(id int64, s channel.Settings, hc *http.Client) (channel.Sender, error) {
			return twilio.NewVoice(id, s, hc), nil
		}},
		model.ChannelTelegram: {spec: telegram.Spec, polls: telegram.Polling, open: func(s channel.Settings, hc *http.Client) (channel.Sender, error) {
			a, err := telegram.New(s, hc)
			if err != nil {
				return nil, err
			}
			return a, nil
		}},
		model.ChannelWhatsApp: {spec: whatsapp.Spec, open: func(s channel.Settings, hc *http.Client) (channel.Sender, error) {
			return whatsapp.New(s, hc), nil
		}},
		model.ChannelMessenger: {spec: messenger.Spec, open: func(s channel.Settings, hc *http.Client) (channel.Sender, error) {
			return messenger.New(s, hc), nil
		}},
		model.ChannelEmail: emailAdapter,
	}
}

// formSpec is the web contact form: replies go out through another
// channel of the organisation (an SMS or e-mail channel) to the address
// the citizen left, when reply_channel_id names one.
var formSpec = channel.Spec{
	Kind: model.ChannelForm,
	Keys: []channel.Key{{Name: "reply_channel_id"}},
	Hooks: func(base string, id int64, s channel.Settings) map[string]string {
		return nil
	},
}

// ChannelSpec returns the settings and webhooks of a channel kind.
func ChannelSpec(kind model.ChannelKind) (channel.Spec, bool) {
	a, ok := adapters()[kind]
	return a.spec, ok
}

// ChannelKinds lists the kinds that can be configured, in display order.
func ChannelKinds() []model.ChannelKind {
	all := adapters()
	var out []model.ChannelKind
	for _, k := range model.ChannelKinds {
		if _, ok := all[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// ChannelView is a channel as pages and the API show it: secrets masked,
// webhook URLs spelled out.
type ChannelView struct {
	*model.Channel
	Settings channel.Settings  `json:"settings"`
	Webhooks map[string]string `json:"webhooks,omitempty"`
}

// ViewChannel masks c's secrets and lists its webhooks.
func (d *Service) ViewChannel(c *model.Channel) ChannelView {
	v := ChannelView{Channel: c, Settings: channel.Settings{}}
	a, ok := adapters()[c.Kind]
	s, err := channel.ParseSettings(c.Settings)
	if err != nil || !ok {
		return v
	}
	v.Settings = a.spec.Public(s)
	if a.spec.Hooks != nil {
		v.Webhooks = a.spec.Hooks(d.baseURL, c.ID, s)
	}
	return v
}

// Channels lists the organisation's channels with their health.
func (d *Service) Channels(ctx context.Context, a *Actor) ([]ChannelView, error) {
	if !a.Can(model.PermChannelsRead) {
		return nil, errForbidden
	}
	return d.ChannelsOf(ctx, a.OrgID())
}

// ChannelsOf lists an organisation's channels with no actor: the command
// line's `sportello channel list`.
func (d *Service) ChannelsOf(ctx context.Context, orgID int64) ([]ChannelView, error) {
	cs, err := d.st.ChannelsHealth(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelView, len(cs))
	for i, c := range cs {
		out[i] = d.ViewChannel(c)
	}
	return out, nil
}

// Channel returns one channel of the organisation with its health.
func (d *Service) Channel(ctx context.Context, a *Actor, id int64) (ChannelView, error) {
	all, err := d.Channels(ctx, a)
	if err != nil {
		return ChannelView{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return ChannelView{}, model.NotFound("channel")
}

// CreateChannel adds a channel of kind to the organisation. settings are
// checked against the kind's keys; the channel's webhook URLs come back
// in the view.
func (d *Service) CreateChannel(ctx context.Context, a *Actor, kind model.ChannelKind, name string, settings channel.Settings) (ChannelView, error) {
	if !a.Can(model.PermChannelsManage) {
		return ChannelView{}, errForbidden
	}
	c, err := d.AddChannel(ctx, a.OrgID(), kind, name, settings)
	if err != nil {
		return ChannelView{}, err
	}
	d.Audit(ctx, a, "channel.create", "channel", c.ID, string(kind)+" "+name)
	return d.ViewChannel(c), nil
}

// AddChannel adds a channel with no actor: the command line's
// `sportello channel add`.
func (d *Service) AddChannel(ctx context.Context, orgID int64, kind model.ChannelKind, name string, settings channel.Settings) (*model.Channel, error) {
	ad, ok := adapters()[kind]
	if !ok {
		return nil, model.Invalid("kind", "error.validation.channel_kind", "unknown channel kind", map[string]any{"Value": string(kind)})
	}
	if settings == nil {
		settings = channel.Settings{}
	}
	if err := ad.spec.Check(settings); err != nil {
		return nil, err
	}
	if ad.check != nil {
		if err := ad.check(settings); err != nil {
			return nil, err
		}
	}
	if ad.sealed {
		if err := d.sealSettings(ctx, orgID, ad.spec, settings); err != nil {
			return nil, err
		}
	}
	if err := d.checkReplyChannel(ctx, orgID, kind, settings); err != nil {
		return nil, err
	}
	c := &model.Channel{OrgID: orgID, Kind: kind, Name: name, Settings: settings.JSON(), Active: true}
	if err := d.st.CreateChannel(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateChannel changes a channel's name, settings and active flag. A
// secret sent back masked (as pages show it) keeps its stored value.
func (d *Service) UpdateChannel(ctx context.Context, a *Actor, id int64, name string, settings channel.Settings, active bool) (ChannelView, error) {
	if !a.Can(model.PermChannelsManage) {
		return ChannelView{}, errForbidden
	}
	c, err := d.st.Channel(ctx, a.OrgID(), id)
	if err != nil {
		return ChannelView{}, err
	}
	ad, ok := adapters()[c.Kind]
	if !ok {
		return ChannelView{}, model.Invalid("kind", "error.validation.channel_kind", "unknown channel kind", map[string]any{"Value": string(c.Kind)})
	}
	old, _ := channel.ParseSettings(c.Settings)
	if settings == nil {
		settings = channel.Settings{}
	}
	for k, v := range settings {
		if v == channel.Masked {
			settings[k] = old[k]
		}
	}
	if err := ad.spec.Check(settings); err != nil {
		return ChannelView{}, err
	}
	if ad.check != nil {
		if err := ad.check(settings); err != nil {
			return ChannelView{}, err
		}
	}
	if ad.sealed {
		if err := d.sealSettings(ctx, a.OrgID(), ad.spec, settings); err != nil {
			return ChannelView{}, err
		}
	}
	if err := d.checkReplyChannel(ctx, a.OrgID(), c.Kind, settings); err != nil {
		return ChannelView{}, err
	}
	c.Name, c.Settings, c.Active = name, settings.JSON(), active
	if err := d.st.UpdateChannel(ctx, c); err != nil {
		return ChannelView{}, err
	}
	d.Audit(ctx, a, "channel.update", "channel", c.ID, c.Name)
	return d.ViewChannel(c), nil
}

// checkReplyChannel makes sure a form's reply channel is one of the
// organisation's channels that sends through a provider.
func (d *Service) checkReplyChannel(ctx context.Context, orgID int64, kind model.ChannelKind, s channel.Settings) error {
	if kind != model.ChannelForm || s["reply_channel_id"] == "" {
		return nil
	}
	var id int64
	if _, err := fmt.Sscan(s["reply_channel_id"], &id); err == nil {
		if rc, err := d.st.Channel(ctx, orgID, id); err == nil && rc.Kind != model.ChannelForm && rc.Kind.Queued() {
			return nil
		}
	}
	return model.Invalid("settings", "error.validation.reply_channel", "reply_channel_id must name a channel that sends messages", nil)
}

// senders caches provider clients by channel and settings: a client is
// cheap, but some keep connections and tokens worth reusing.
type senders struct {
	mu   sync.Mutex
	m    map[[2]any]channel.Sender
	aead cipher.AEAD // opens sealed settings (sealed.go)
}

// sender returns the provider client for channel c.
func (d *Service) sender(c *model.Channel) (channel.Sender, error) {
	ad, ok := adapters()[c.Kind]
	if !ok || (ad.open == nil && ad.openChannel == nil) {
		return nil, channel.Permanent(fmt.Errorf("%s channels cannot send messages", c.Kind))
	}
	key := [2]any{c.ID, sha256.Sum256([]byte(c.Settings))}
	d.senders.mu.Lock()
	defer d.senders.mu.Unlock()
	if s, ok := d.senders.m[key]; ok {
		return s, nil
	}
	settings, err := channel.ParseSettings(c.Settings)
	if ad.sealed && err == nil {
		d.senders.mu.Unlock() // opening may read the key from the store
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		settings, err = d.openSettings(ctx, c)
		cancel()
		d.senders.mu.Lock()
	}
	if err != nil {
		return nil, channel.Permanent(err)
	}
	var s channel.Sender
	if ad.openChannel != nil {
		s, err = ad.openChannel(c.ID, settings, d.httpClient)
	} else {
		s, err = ad.open(settings, d.httpClient)
	}
	if err != nil {
		return nil, channel.Permanent(err)
	}
	if d.senders.m == nil {
		d.senders.m = map[[2]any]channel.Sender{}
	}
	d.senders.m[key] = s
	return s, nil
}

// ReceiveEvents stores what a provider's webhook delivery carries, on
// channel c (already authenticated by its signature): messages through
// Receive, so that each is durably stored, deduplicated by provider id,
// routed and announced; delivery reports on our messages. It returns
// once everything is stored; an error means the provider should deliver
// again.
func (d *Service) ReceiveEvents(ctx context.Context, c *model.Channel, evs []channel.Event) error {
	for _, ev := range evs {
		switch ev.Type {
		case channel.EventMessage:
			ev = d.quoteReplied(ctx, c, ev) // replyto.go
			if _, err := d.receiveDeferred(ctx, inboundOf(c, ev)); err != nil {
				return err
			}
			d.noteInbound(c.ID)
		case channel.EventStatus:
			if err := d.deliveryReport(ctx, c, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// inboundOf turns a provider's message into what the store records.
func inboundOf(c *model.Channel, ev channel.Event) store.Inbound {
	in := store.Inbound{OrgID: c.OrgID, ChannelID: c.ID, Channel: c.Kind, From: ev.From, DisplayName: clipRunes(ev.Name, 200),
		Language: ev.Language, ProviderMessageID: ev.ProviderID, Body: clipRunes(ev.Text, store.MaxBody), At: ev.At, Topic: ev.Topic}
	for _, m := range ev.Media {
		in.Media = append(in.Media, store.Media{Ref: m.Ref, ContentType: m.ContentType, Filename: m.Filename, Size: m.Size})
	}
	return in
}

func clipRunes(s string, n int) string {
	r := []rune(strings.ToValidUTF8(s, ""))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n])
}

// deliveryReport moves one of our messages' status forward. A report on
// a message we do not know (sent before a restore, or by another tool on
// the same number) is ignored: the provider must not retry it forever.
func (d *Service) deliveryReport(ctx context.Context, c *model.Channel, ev channel.Event) error {
	convID, err := d.st.SetDelivery(ctx, c.ID, ev.ProviderID, ev.Status, clipRunes(ev.Error, 1000))
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if ev.Status == model.DeliveryFailed && ev.Error != "" {
		if err := d.st.NoteChannelError(ctx, c.ID, ev.Error); err != nil {
			d.log.Warn("channel health", "channel", c.ID, "err", err)
		}
	}
	if m, err := d.st.MessageByProviderID(ctx, c.OrgID, c.ID, ev.ProviderID); err == nil {
		d.publishMessageUpdate(m)
	} else {
		d.log.Warn("load message for delivery event", "conversation", convID, "err", err)
	}
	return nil
}

// noteInbound remembers that channel id just received a message; the
// job runner writes it to the channel's health now and then.
func (d *Service) noteInbound(id int64) {
	d.traffic.Lock()
	if d.traffic.m == nil {
		d.traffic.m = map[int64]time.Time{}
	}
	d.traffic.m[id] = d.now()
	d.traffic.Unlock()
}

// FlushChannelHealth writes the channels' latest inbound times.
func (d *Service) FlushChannelHealth(ctx context.Context) error {
	d.traffic.Lock()
	m := d.traffic.m
	d.traffic.m = nil
	d.traffic.Unlock()
	return d.st.NoteChannelInbound(ctx, m)
}

// deliver sends one queued reply through its channel's provider.
func (d *Service) deliver(ctx context.Context, j *store.Job) error {
	m, err := d.st.Message(ctx, j.OrgID, j.MessageID)
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil // deleted with its conversation
	}
	if err != nil {
		return err
	}
	if m.DeliveryStatus != model.DeliveryQueued {
		return nil // sent already (a worker died after sending), or failed by hand
	}
	conv, err := d.st.Conversation(ctx, j.OrgID, m.ConversationID)
	if err != nil {
		return err
	}
	c, err := d.st.Channel(ctx, j.OrgID, conv.ChannelID)
	if err != nil {
		return err
	}
	to := conv.Address
	if c.Kind == model.ChannelForm {
		if c, to, err = d.formReplyRoute(ctx, c, conv); err != nil {
			return err
		}
	}
	if !c.Active {
		return fmt.Errorf("channel %q is turned off", c.Name)
	}
	s, err := d.sender(c)
	if err != nil {
		return err
	}
	out := channel.Outbound{MessageID: m.ID, To: to, Text: m.Body, QuickReplies: m.QuickReplies}
	if t := m.Template; t != nil {
		out.Template = &channel.Template{Name: t.Name, Language: t.Language, Params: t.Params}
	}
	if err := d.emailThread(ctx, c, conv, m, &out); err != nil {
		return err
	}
	for _, at := range m.Attachments {
		out.Attachments = append(out.Attachments, channel.File{Name: at.Filename, ContentType: at.ContentType, Size: at.Size,
			Open: func() (io.ReadCloser, error) {
				if d.files == nil {
					return nil, errors.New("no attachment storage")
				}
				return d.files.Open(at.StorageKey)
			}})
	}
	pid, err := s.Send(ctx, out)
	if err != nil {
		if nerr := d.st.NoteChannelError(ctx, c.ID, err.Error()); nerr != nil {
			d.log.Warn("channel health", "channel", c.ID, "err", nerr)
		}
		return err
	}
	if err := d.st.MarkSent(ctx, j.OrgID, m.ID, c.ID, pid); err != nil {
		return err
	}
	if err := d.st.NoteChannelOutbound(ctx, c.ID, d.now()); err != nil {
		d.log.Warn("channel health", "channel", c.ID, "err", err)
	}
	d.publishDelivery(ctx, j.OrgID, m.ID)
	return nil
}

// formReplyRoute picks how to answer a contact-form conversation: through
// the form's reply channel, to the contact's address of that channel's
// kind (phone for SMS and WhatsApp, e-mail for e-mail).
func (d *Service) formReplyRoute(ctx context.Context, form *model.Channel, conv *model.Conversation) (*model.Channel, model.Identity, error) {
	rc, err := d.formReplyChannel(ctx, form)
	if err != nil {
		return nil, model.Identity{}, err
	}
	want := model.IdentityPhone
	switch rc.Kind {
	case model.ChannelEmail:
		want = model.IdentityEmail
	case model.ChannelTelegram:
		want = model.IdentityTelegram
	}
	ct, err := d.st.Contact(ctx, conv.OrgID, conv.ContactID)
	if err != nil {
		return nil, model.Identity{}, err
	}
	for _, idn := range ct.Identities {
		if idn.Kind == want {
			return rc, idn, nil
		}
	}
	return nil, model.Identity{}, channel.Permanent(fmt.Errorf("the citizen left no %s to answer on", want))
}

// formReplyChannel is the channel a contact form's replies go out
// through (its reply_channel_id setting).
func (d *Service) formReplyChannel(ctx context.Context, form *model.Channel) (*model.Channel, error) {
	s, _ := channel.ParseSettings(form.Settings)
	var id int64
	if _, err := fmt.Sscan(s["reply_channel_id"], &id); err != nil || id == 0 {
		return nil, channel.Permanent(errors.New("this contact form has no reply channel: answer by phone, or set one in the channel's settings"))
	}
	rc, err := d.st.Channel(ctx, form.OrgID, id)
	if err != nil {
		return nil, channel.Permanent(fmt.Errorf("reply channel: %w", err))
	}
	return rc, nil
}

// fetchMedia downloads a provider's media into an attachment of the
// message it came with. A file over the limit is not stored: a note on
// the conversation says so, and the job ends.
func (d *Service) fetchMedia(ctx context.Context, j *store.Job) error {
	var md store.Media
	if err := json.Unmarshal([]byte(j.Payload), &md); err != nil {
		return channel.Permanent(err)
	}
	m, err := d.st.Message(ctx, j.OrgID, j.MessageID)
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	conv, err := d.st.Conversation(ctx, j.OrgID, m.ConversationID)
	if err != nil {
		return err
	}
	c, err := d.st.Channel(ctx, j.OrgID, conv.ChannelID)
	if err != nil {
		return err
	}
	s, err := d.sender(c)
	if err != nil {
		return err
	}
	f, ok := s.(channel.Fetcher)
	if !ok || d.files == nil {
		return channel.Permanent(fmt.Errorf("%s channels cannot download media", c.Kind))
	}
	limit := d.files.MaxSize()
	if md.Size > limit {
		return d.mediaRefused(ctx, m, md, limit, nil)
	}
	body, ctype, err := f.Fetch(ctx, channel.Media{Ref: md.Ref, ContentType: md.ContentType, Filename: md.Filename, Size: md.Size}, limit)
	if errors.Is(err, channel.ErrTooLarge) {
		return d.mediaRefused(ctx, m, md, limit, nil)
	}
	if err != nil {
		return err
	}
	if ctype == "" {
		ctype = md.ContentType
	}
	name := md.Filename
	if name == "" {
		name = "media" + extensionOf(ctype)
	}
	at, err := d.files.Put(ctx, j.OrgID, name, ctype, bytes.NewReader(body))
	if err != nil {
		if model.ErrorIs(err, model.CodeInvalid) {
			return d.mediaRefused(ctx, m, md, limit, err)
		}
		return err
	}
	at.MessageID = m.ID
	if err := d.st.CreateAttachment(ctx, &at); err != nil {
		_ = d.files.Remove(at.StorageKey)
		return err
	}
	d.publishDelivery(ctx, j.OrgID, m.ID)
	return nil
}

// mediaRefused leaves a note on the conversation that a file was not
// kept, and why.
func (d *Service) mediaRefused(ctx context.Context, m *model.Message, md store.Media, limit int64, why error) error {
	lang := ""
	if o, err := d.st.Organization(ctx, m.OrgID); err == nil {
		lang = o.Language
	}
	p, err := d.printer(lang)
	if err != nil {
		return err
	}
	text := p.T("channel.media_too_large", map[string]any{"Name": md.Filename, "Size": md.Size, "Limit": limit >> 20})
	if why != nil {
		text = p.T("channel.media_refused", map[string]any{"Name": md.Filename, "Reason": p.Error(why)})
	}
	note := &model.Message{Direction: model.DirectionNote, Body: text}
	if err := d.st.AddMessage(ctx, m.OrgID, m.ConversationID, note); err != nil {
		return err
	}
	d.publishMessage(note, false)
	return nil
}

func extensionOf(ctype string) string {
	switch {
	case strings.HasPrefix(ctype, "image/jpeg"):
		return ".jpg"
	case strings.HasPrefix(ctype, "image/png"):
		return ".png"
	case strings.HasPrefix(ctype, "image/webp"):
		return ".webp"
	case strings.HasPrefix(ctype, "application/pdf"):
		return ".pdf"
	case strings.HasPrefix(ctype, "audio/ogg"):
		return ".ogg"
	case strings.HasPrefix(ctype, "audio/mpeg"):
		return ".mp3"
	case strings.HasPrefix(ctype, "audio/"), strings.HasPrefix(ctype, "video/mp4"):
		return ".mp4"
	}
	return ""
}

// APIMessage is a citizen's message posted by the app or a partner's
// system through an API channel.
type APIMessage struct {
	ID       string         // the caller's id of the message: posting it again stores nothing new
	From     model.Identity // the citizen: an external id, a phone number, an e-mail
	Name     string
	Language string
	Text     string
	Topic    string
	At       time.Time
}

// ReceiveAPI records a citizen's message posted through the organisation's
// API channel channelID. It is stored, routed and announced like any
// inbound message before this returns.
func (d *Service) ReceiveAPI(ctx context.Context, a *Actor, channelID int64, m APIMessage) (store.InboundResult, error) {
	if !a.Can(model.PermChannelsInbound) {
		return store.InboundResult{}, errForbidden
	}
	c, err := d.st.Channel(ctx, a.OrgID(), channelID)
	if err != nil {
		return store.InboundResult{}, err
	}
	if c.Kind != model.ChannelAPI || !c.Active {
		return store.InboundResult{}, model.Invalid("channel", "error.validation.api_channel", "messages can be posted only to an active API channel", nil)
	}
	if strings.TrimSpace(m.ID) == "" || len(m.ID) > 200 {
		return store.InboundResult{}, model.Invalid("id", "error.validation.required", "id is required", map[string]any{"Field": "id"})
	}
	res, err := d.Receive(ctx, store.Inbound{OrgID: c.OrgID, ChannelID: c.ID, Channel: c.Kind, From: m.From, DisplayName: m.Name,
		Language: m.Language, ProviderMessageID: m.ID, Body: m.Text, Topic: m.Topic, At: m.At})
	if err == nil && !res.Duplicate {
		d.noteInbound(c.ID)
	}
	return res, err
}
