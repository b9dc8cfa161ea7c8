// Package apichannel is the channel of the mobile app and of partners'
// systems: they create conversations and messages with an API token
// (internal/web/api), and replies reach them by a signed callback, or by
// reading the conversation through the API when no callback is set.
package apichannel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// Spec: callback_url receives replies; callback_secret signs them.
var Spec = channel.Spec{
	Kind: model.ChannelAPI,
	Keys: []channel.Key{
		{Name: "callback_url"},
		{Name: "callback_secret", Secret: true},
	},
}

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
// with the channel's callback_secret.
const SignatureHeader = "X-Sportello-Signature"

// Adapter posts replies to the partner's callback.
type Adapter struct {
	url, secret string
	hc          *http.Client
}

// New returns the adapter for a channel's settings.
func New(s channel.Settings, hc *http.Client) *Adapter {
	return &Adapter{url: s.Get("callback_url", ""), secret: s.Get("callback_secret", ""), hc: hc}
}

// Callback is the JSON body posted to callback_url for each reply.
type Callback struct {
	MessageID    int64          `json:"message_id"`
	To           model.Identity `json:"to"`
	Text         string         `json:"text"`
	QuickReplies []string       `json:"quick_replies,omitempty"`
	Attachments  []Attachment   `json:"attachments,omitempty"`
	SentAt       time.Time      `json:"sent_at"`
}

// Attachment names a file of a reply; the partner downloads it through
// the API.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Sign returns the signature header value of body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send posts the reply to the callback. Without a callback the reply is
// only kept: the partner reads it through the API, so it counts as sent.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (string, error) {
	id := "api-" + strconv.FormatInt(out.MessageID, 10)
	if a.url == "" {
		return id, nil
	}
	cb := Callback{MessageID: out.MessageID, To: out.To, Text: out.Text, QuickReplies: out.QuickReplies, SentAt: time.Now().UTC()}
	for _, f := range out.Attachments {
		cb.Attachments = append(cb.Attachments, Attachment{Filename: f.Name, ContentType: f.ContentType, Size: f.Size})
	}
	body, err := json.Marshal(cb)
	if err != nil {
		return "", channel.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		return "", channel.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", id)
	if a.secret != "" {
		req.Header.Set(SignatureHeader, Sign(a.secret, body))
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return id, channel.CheckResponse(resp)
}
