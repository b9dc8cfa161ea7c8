// Package messenger is Meta's Messenger Platform for a Facebook page and
// Instagram messaging for a professional account linked to it: it
// verifies and parses the webhook deliveries Meta posts (messages,
// postbacks, reactions, delivery and read receipts), sends replies
// through the Send API and downloads the citizens' attachments.
package messenger

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// DefaultBaseURL is Meta's Graph API at the version this adapter speaks.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// Spec: page_id is the Facebook page's id; access_token a page access
// token (from a system user) with pages_messaging (and
// instagram_manage_messages for Instagram); app_secret signs the
// webhooks; verify_token is what the admin types in Meta's webhook
// settings.
var Spec = channel.Spec{
	Kind: model.ChannelMessenger,
	Keys: []channel.Key{
		{Name: "page_id", Required: true},
		{Name: "access_token", Required: true, Secret: true},
		{Name: "app_secret", Required: true, Secret: true},
		{Name: "verify_token", Required: true, Secret: true},
		{Name: "api_base_url", Default: DefaultBaseURL},
	},
	Hooks: func(base string, id int64, s channel.Settings) map[string]string {
		return map[string]string{"webhook": base + "/hooks/meta/" + strconv.FormatInt(id, 10)}
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

// Challenge answers Meta's subscription check: the challenge to echo
// when hub.verify_token matches, ok false otherwise.
func Challenge(q url.Values, verifyToken string) (challenge string, ok bool) {
	if q.Get("hub.mode") != "subscribe" || verifyToken == "" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return "", false
	}
	return q.Get("hub.challenge"), true
}

// Adapter talks to the Send API for one page.
type Adapter struct {
	base, pageID, token string
	hc                  *http.Client
}

// New returns the adapter for a channel's settings.
func New(s channel.Settings, hc *http.Client) *Adapter {
	return &Adapter{base: strings.TrimRight(s.Get("api_base_url", DefaultBaseURL), "/"), pageID: s.Get("page_id", "me"),
		token: s.Get("access_token", ""), hc: hc}
}

var (
	_ channel.Sender  = (*Adapter)(nil)
	_ channel.Fetcher = (*Adapter)(nil)
)
