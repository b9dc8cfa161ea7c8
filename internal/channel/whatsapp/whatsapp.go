// Package whatsapp is the WhatsApp Business Cloud API (Meta's Graph API):
// it verifies and parses the webhook deliveries Meta posts for a phone
// number (messages and delivery statuses), sends replies (text, media
// uploaded first, quick replies as buttons, approved templates outside
// the 24-hour window) and downloads the citizens' media.
package whatsapp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/metahook"
	"github.com/sportello/sportello/internal/model"
)

// DefaultBaseURL is Meta's Graph API at the version this adapter speaks.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// Window is how long after the citizen's last message a business may
// write freely; after it, only approved templates go through.
const Window = 24 * time.Hour

// Spec: phone_number_id is the business number's id in Meta's app
// (not the number itself); access_token a system user's permanent token
// with whatsapp_business_messaging; app_secret signs the webhooks;
// verify_token is what the admin types in Meta's webhook settings.
var Spec = channel.Spec{
	Kind: model.ChannelWhatsApp,
	Keys: []channel.Key{
		{Name: "phone_number_id", Required: true},
		{Name: "access_token", Required: true, Secret: true},
		{Name: "app_secret", Required: true, Secret: true},
		{Name: "verify_token", Required: true, Secret: true},
		{Name: "api_base_url", Default: DefaultBaseURL},
	},
	Hooks: func(base string, id int64, s channel.Settings) map[string]string {
		return map[string]string{"webhook": base + "/hooks/whatsapp/" + strconv.FormatInt(id, 10)}
	},
}

// The signature and the subscription check are Meta's, shared with
// the other Meta channel (internal/channel/metahook).
const SignatureHeader = metahook.SignatureHeader

var (
	// Sign returns the signature header value Meta sends for a body.
	Sign = metahook.Sign
	// Verify checks a delivery's signature, in constant time.
	Verify = metahook.Verify
	// Challenge answers Meta's subscription check.
	Challenge = metahook.Challenge
)

// Adapter talks to the Graph API for one business number.
type Adapter struct {
	base, phoneID, token string
	hc                   *http.Client
}

// New returns the adapter for a channel's settings.
func New(s channel.Settings, hc *http.Client) *Adapter {
	return &Adapter{base: strings.TrimRight(s.Get("api_base_url", DefaultBaseURL), "/"), phoneID: s.Get("phone_number_id", ""),
		token: s.Get("access_token", ""), hc: hc}
}

var (
	_ channel.Sender  = (*Adapter)(nil)
	_ channel.Fetcher = (*Adapter)(nil)
)

// WindowEnd is when the free-reply window of a conversation whose
// citizen last wrote at last closes; the zero time when they never wrote.
func WindowEnd(last *time.Time) time.Time {
	if last == nil || last.IsZero() {
		return time.Time{}
	}
	return last.Add(Window)
}

// PhoneIdentity turns a wa_id ("393331234567") into the contact's phone
// identity (+393331234567), so that the same number on SMS, WhatsApp and
// voice is one contact.
func PhoneIdentity(waID string) model.Identity {
	return model.Identity{Kind: model.IdentityPhone, Value: "+" + strings.TrimPrefix(waID, "+")}
}

// Recipient is the "to" of a send: the phone's digits, or a WhatsApp id
// as given.
func Recipient(id model.Identity) string {
	if id.Kind == model.IdentityPhone {
		return strings.TrimPrefix(id.Value, "+")
	}
	return id.Value
}
