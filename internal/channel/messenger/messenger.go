// Package messenger is Meta's Messenger Platform for a Facebook page and
// Instagram messaging for a professional account linked to it: it
// verifies and parses the webhook deliveries Meta posts (messages,
// postbacks, reactions, delivery and read receipts), sends replies
// through the Send API and downloads the citizens' attachments.
package messenger

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/metahook"
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
