// Package whatsapp is the WhatsApp Business Cloud API (Meta's Graph API):
// it verifies and parses the webhook deliveries Meta posts for a phone
// number (messages and delivery statuses), sends replies (text, media
// uploaded first, quick replies as buttons, approved templates outside
// the 24-hour window) and downloads the citizens' media.
package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
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

// SignatureHeader carries "sha256=" and the lowercase hex HMAC-SHA256
// of the raw body, keyed with the app secret.
const SignatureHeader = "X-Hub-Signature-256"

// Sign returns the signature header value Meta sends for body.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether header is body's signature with appSecret, in
// constant time. An empty secret verifies nothing.
func Verify(appSecret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok || appSecret == "" {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// Challenge answers Meta's subscription check (a GET with hub.mode,
// hub.verify_token and hub.challenge): the challenge to echo when the
// token matches, ok false otherwise. Messenger uses the same handshake.
func Challenge(q url.Values, verifyToken string) (challenge string, ok bool) {
	if q.Get("hub.mode") != "subscribe" || verifyToken == "" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return "", false
	}
	return q.Get("hub.challenge"), true
}

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
