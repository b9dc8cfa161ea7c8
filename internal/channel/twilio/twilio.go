// Package twilio connects a Twilio phone number to the desk: SMS in and
// out (Programmable Messaging) and a phone line (Programmable Voice) with
// a menu of languages and topics, forwarding to an on-duty phone while
// the desk is open and voicemail otherwise.
//
// Twilio calls the desk's webhooks with form-encoded parameters signed
// in X-Twilio-Signature (see Signature); the desk answers with TwiML.
// Replies go out through the REST API (Messages.json) with the account's
// SID and auth token, and media (MMS pictures, voicemail recordings) are
// downloaded with the same credentials.
package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// DefaultAPIBaseURL is Twilio's REST API.
const DefaultAPIBaseURL = "https://api.twilio.com"

// commonKeys are the settings of both kinds: the account's credentials,
// the public URL Twilio calls (the signature covers it, so behind a
// proxy it must be the address as Twilio sees it) and the API base URL.
func commonKeys() []channel.Key {
	return []channel.Key{
		{Name: "account_sid", Required: true},
		{Name: "auth_token", Required: true, Secret: true},
		{Name: "public_url", Required: true},
		{Name: "api_base_url", Default: DefaultAPIBaseURL},
	}
}

// SMSSpec is the SMS channel: a Twilio number (from) or a Messaging
// Service (messaging_service_sid) sends the replies.
var SMSSpec = channel.Spec{
	Kind: model.ChannelSMS,
	Keys: append(commonKeys(),
		channel.Key{Name: "from"},
		channel.Key{Name: "messaging_service_sid"},
	),
	Validate: validateSMS,
	Hooks: func(base string, id int64, s channel.Settings) map[string]string {
		b := hookBase(base, id, s)
		return map[string]string{"sms": b + "/sms", "status": b + "/status"}
	},
}

// VoiceSpec is the phone line. languages and topics make the menus
// (codes, comma-separated); forward_to is the on-duty phone called while
// the desk is open; sms_from, when set, is the Twilio number replies go
// out from as SMS (a reply cannot be spoken); audio_urls maps prompts to
// recordings for languages Twilio cannot speak ("wo.lang=https://…").
var VoiceSpec = channel.Spec{
	Kind: model.ChannelVoice,
	Keys: append(commonKeys(),
		channel.Key{Name: "from"},
		channel.Key{Name: "languages", Default: "it"},
		channel.Key{Name: "topics"},
		channel.Key{Name: "forward_to"},
		channel.Key{Name: "dial_timeout", Default: "20"},
		channel.Key{Name: "voicemail_max", Default: "120"},
		channel.Key{Name: "sms_from"},
		channel.Key{Name: "audio_urls"},
	),
	Validate: validateVoice,
	Hooks: func(base string, id int64, s channel.Settings) map[string]string {
		b := hookBase(base, id, s)
		return map[string]string{"voice": b + "/voice", "call_status": b + "/voice/status", "status": b + "/status"}
	},
}

// hookBase is where Twilio reaches channel id: under public_url, which
// is what Twilio signs, else under the desk's base URL.
func hookBase(base string, id int64, s channel.Settings) string {
	return strings.TrimRight(s.Get("public_url", base), "/") + "/hooks/twilio/" + strconv.FormatInt(id, 10)
}

// HookURL is the public address of a webhook path of channel id
// ("/sms", "/voice?step=lang"), as Twilio calls and signs it.
func HookURL(s channel.Settings, id int64, path string) string {
	return hookBase("", id, s) + path
}

// Client sends messages through Twilio's REST API and downloads media.
type Client struct {
	base, sid, token string
	from, service    string
	statusCallback   string
	voice            bool
	hc               *http.Client
}

var (
	_ channel.Sender  = (*Client)(nil)
	_ channel.Fetcher = (*Client)(nil)
)

// NewSMS returns the client of SMS channel id with settings s.
func NewSMS(id int64, s channel.Settings, hc *http.Client) *Client {
	c := newClient(id, s, hc)
	c.from, c.service = s.Get("from", ""), s.Get("messaging_service_sid", "")
	return c
}

// NewVoice returns the client of voice channel id: it downloads
// recordings, and sends replies as SMS from sms_from, or refuses them
// when it is not set.
func NewVoice(id int64, s channel.Settings, hc *http.Client) *Client {
	c := newClient(id, s, hc)
	c.voice, c.from = true, s.Get("sms_from", "")
	return c
}

func newClient(id int64, s channel.Settings, hc *http.Client) *Client {
	return &Client{
		base:           strings.TrimRight(s.Get("api_base_url", DefaultAPIBaseURL), "/"),
		sid:            s.Get("account_sid", ""),
		token:          s.Get("auth_token", ""),
		statusCallback: HookURL(s, id, "/status"),
		hc:             hc,
	}
}

// MaxBody is the longest text Twilio sends as one message (it splits it
// into segments on the way); a longer one it refuses.
const MaxBody = 1600

// ErrPhoneLine is a reply on a voice channel with no SMS number.
var ErrPhoneLine = errors.New("this is a phone line: answer by SMS or call back (set sms_from on the channel to send replies as SMS)")

// apiError is Twilio's error document.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
}

// Send posts the reply to Messages.json and returns the message's SID.
// Attachments go as MediaUrl when the desk gave them a public link;
// otherwise their names are listed in the text.
func (c *Client) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if c.voice && c.from == "" {
		return "", channel.Permanent(ErrPhoneLine)
	}
	if out.To.Kind != model.IdentityPhone {
		return "", channel.Permanent(fmt.Errorf("cannot text a %s address", out.To.Kind))
	}
	form := url.Values{"To": {out.To.Value}, "StatusCallback": {c.statusCallback}}
	if c.service != "" {
		form.Set("MessagingServiceSid", c.service)
	} else if c.from != "" {
		form.Set("From", c.from)
	} else {
		return "", channel.Permanent(errors.New("the channel has neither from nor messaging_service_sid"))
	}
	body := out.Text
	for _, f := range out.Attachments {
		if f.URL != "" {
			form.Add("MediaUrl", f.URL)
			continue
		}
		body += "\n[" + f.Name + "]"
	}
	body = strings.TrimSpace(body)
	if n := utf8.RuneCountInString(body); n > MaxBody {
		return "", channel.Permanent(fmt.Errorf("an SMS reply has at most %d characters, this one %d: shorten it or send it in parts", MaxBody, n))
	}
	if body != "" {
		form.Set("Body", body)
	}
	endpoint := c.base + "/2010-04-01/Accounts/" + url.PathEscape(c.sid) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", channel.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.sid, c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := checkResponse(resp); err != nil {
		return "", err
	}
	var m struct {
		Sid string `json:"sid"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil || m.Sid == "" {
		return "", fmt.Errorf("twilio answered without a message sid: %v", err)
	}
	return m.Sid, nil
}

// trusted reports whether u is Twilio's (or the configured API's): only
// there do the account's credentials go. (Webhook parameters are signed,
// so a foreign media URL is not expected; this is a second lock.)
func (c *Client) trusted(u *url.URL) bool {
	if b, err := url.Parse(c.base); err == nil && b.Scheme == u.Scheme && strings.EqualFold(b.Host, u.Host) {
		return true
	}
	host := strings.ToLower(u.Hostname())
	return u.Scheme == "https" && (host == "twilio.com" || strings.HasSuffix(host, ".twilio.com"))
}

// checkResponse is channel.CheckResponse with Twilio's error document
// (code and message) made readable for the operator.
func checkResponse(resp *http.Response) error {
	err := channel.CheckResponse(resp)
	var he *channel.HTTPError
	if errors.As(err, &he) {
		var e apiError
		if json.Unmarshal([]byte(he.Body), &e) == nil && e.Code != 0 {
			he.Body = fmt.Sprintf("Twilio error %d: %s", e.Code, e.Message)
		}
	}
	return err
}

// Fetch downloads an MMS picture or a voicemail recording with the
// account's credentials. Twilio may answer 404 for a recording it has not
// finished processing: that is worth another try.
func (c *Client) Fetch(ctx context.Context, m channel.Media, limit int64) ([]byte, string, error) {
	u, err := url.Parse(m.Ref)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, "", channel.Permanent(fmt.Errorf("not a media URL: %q", m.Ref))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.Ref, nil)
	if err != nil {
		return nil, "", channel.Permanent(err)
	}
	if c.trusted(u) {
		req.SetBasicAuth(c.sid, c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound && strings.Contains(u.Path, "/Recordings/") {
		return nil, "", fmt.Errorf("recording not ready yet (404)")
	}
	if err := channel.CheckResponse(resp); err != nil {
		return nil, "", err
	}
	if resp.ContentLength > limit {
		return nil, "", channel.ErrTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(body)) > limit {
		return nil, "", channel.ErrTooLarge
	}
	return body, resp.Header.Get("Content-Type"), nil
}
