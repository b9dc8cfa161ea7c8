// Package channel is what every provider adapter (WhatsApp, Telegram,
// Twilio, Meta) has in common: the settings a channel is configured
// with, the events a webhook delivery carries, the message the desk asks
// an adapter to send, and the errors that tell the job runner whether to
// try again.
//
// Adapters live in subpackages and import only this package and the
// model. They do no storage: a webhook handler (internal/web/hooks)
// verifies and parses a delivery with its adapter and hands the events
// to the desk, which stores them; the desk's job runner calls Send.
package channel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Settings are a channel's configuration: flat string keys and values,
// stored as a JSON object. Some values are secrets (tokens, app
// secrets): they never reach logs, the API or a page.
type Settings map[string]string

// ParseSettings reads a channel's stored settings. Values that are not
// strings (numbers, booleans) are kept in their JSON text.
func ParseSettings(raw string) (Settings, error) {
	if strings.TrimSpace(raw) == "" {
		return Settings{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("channel settings: %w", err)
	}
	s := make(Settings, len(m))
	for k, v := range m {
		var str string
		if err := json.Unmarshal(v, &str); err == nil {
			s[k] = str
			continue
		}
		s[k] = string(v)
	}
	return s, nil
}

// JSON returns the settings as stored.
func (s Settings) JSON() string {
	b, _ := json.Marshal(map[string]string(s))
	return string(b)
}

// Get returns the value of key, or def when it is empty.
func (s Settings) Get(key, def string) string {
	if v := strings.TrimSpace(s[key]); v != "" {
		return v
	}
	return def
}

// Key describes one setting of a channel kind.
type Key struct {
	Name     string
	Required bool
	Secret   bool   // shown masked, never returned by the API
	Default  string // used when the setting is empty
	Choices  []string
}

// Spec describes a channel kind: the keys it takes and the webhook paths
// a provider calls.
type Spec struct {
	Kind model.ChannelKind
	Keys []Key
	// Hooks returns the webhook URLs a provider must be told, by purpose
	// ("webhook", "sms", "voice"…), for the channel with id under base
	// (the desk's public URL, no trailing slash). Nil when the channel
	// needs no webhook.
	Hooks func(base string, id int64, s Settings) map[string]string
	// Validate, when set, checks the values further once Check has
	// found the keys right (URLs, phone numbers); it may normalise them.
	Validate func(s Settings) error
}

// Check validates settings against the spec: unknown keys, missing
// required ones and values outside their choices are errors, each naming
// its key. Defaults are filled in.
func (sp Spec) Check(s Settings) error {
	known := map[string]Key{}
	for _, k := range sp.Keys {
		known[k.Name] = k
	}
	var unknown []string
	for name := range s {
		if _, ok := known[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return model.Invalid("settings", "error.validation.channel_key", "unknown setting "+unknown[0], map[string]any{"Value": unknown[0]})
	}
	for _, k := range sp.Keys {
		v := strings.TrimSpace(s[k.Name])
		if v == "" && k.Default != "" {
			s[k.Name] = k.Default
			v = k.Default
		}
		if v == "" {
			if k.Required {
				return model.Invalid("settings", "error.validation.channel_key_required", k.Name+" is required", map[string]any{"Value": k.Name})
			}
			continue
		}
		if len(k.Choices) > 0 && !contains(k.Choices, v) {
			return model.Invalid("settings", "error.validation.channel_key_choice", k.Name+" must be one of "+strings.Join(k.Choices, ", "),
				map[string]any{"Value": k.Name, "Choices": strings.Join(k.Choices, ", ")})
		}
	}
	if sp.Validate != nil {
		return sp.Validate(s)
	}
	return nil
}

// Public returns the settings with every secret value masked, for pages
// and the API: an operator can see that a token is set, not what it is.
func (sp Spec) Public(s Settings) Settings {
	out := make(Settings, len(s))
	for k, v := range s {
		out[k] = v
	}
	for _, k := range sp.Keys {
		if k.Secret && out[k.Name] != "" {
			out[k.Name] = Masked
		}
	}
	return out
}

// Masked stands for a secret in pages and the API. A form that sends it
// back keeps the stored secret.
const Masked = "••••••••"

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// EventType says what a webhook event is.
type EventType string

const (
	EventMessage EventType = "message" // a citizen wrote (or called)
	EventStatus  EventType = "status"  // a delivery report on one of our messages
)

// Event is one thing a webhook delivery reports. A delivery may carry
// several (WhatsApp batches them).
type Event struct {
	Type EventType

	// A message. ProviderID is unique per channel: a redelivery is
	// recognised by it. Text is what the desk stores as the body: an
	// adapter renders locations, reactions, interactive answers and
	// unsupported types as text, so that nothing is dropped silently.
	ProviderID string
	From       model.Identity
	Name       string // the display name the provider gave, if any
	Text       string
	Kind       string // text, image, audio, document, location, reaction, interactive, unsupported…
	Media      []Media
	ReplyTo    string // provider id of the message this one answers, if any
	Topic      string // a choice that routes it (a phone menu's topic)
	Language   string // a language the citizen chose (a phone menu)
	At         time.Time

	// A status. ProviderID names our outbound message.
	Status model.DeliveryStatus
	Error  string
}

// Media is a file the provider holds, downloaded later by Fetch.
type Media struct {
	Ref         string // media id or URL, whatever Fetch takes
	ContentType string
	Filename    string
	Size        int64 // 0 when the provider does not say
}

// Outbound is a message the desk asks an adapter to send.
type Outbound struct {
	MessageID    int64 // ours; adapters that can use it as an idempotency key do
	To           model.Identity
	Text         string
	Attachments  []File
	QuickReplies []string
	Template     *Template // WhatsApp outside the 24-hour window

	// E-mail: the conversation's subject and the ids of the messages this
	// one answers, so that the reply joins its thread in the citizen's
	// mail client. Auto marks an automatic reply (out of hours, a
	// screener's question) rather than an operator's.
	Subject    string
	InReplyTo  string
	References []string
	Auto       bool

	// E-mail the desk writes on its own rather than in answer to a
	// message (a conversation's transcript): Generated marks it so
	// (RFC 3834 auto-generated), HTML is an alternative to Text, and
	// Language is the language both are in.
	Generated bool
	HTML      string
	Language  string
}

// File is an attachment to send. Open reads it from our storage; URL is
// a signed public link for providers that fetch media themselves
// (Twilio), empty when the desk has no public URL.
type File struct {
	Name        string
	ContentType string
	Size        int64
	Open        func() (io.ReadCloser, error)
	URL         string
}

// Template is a provider-approved message with its parameters filled.
type Template struct {
	Name     string
	Language string
	Params   []string
}

// Sender sends outbound messages through a provider. It returns the
// provider's id of the message, which later status reports name.
type Sender interface {
	Send(ctx context.Context, out Outbound) (providerID string, err error)
}

// Fetcher downloads a provider's media for an inbound message. It reads
// at most limit bytes and fails with ErrTooLarge beyond.
type Fetcher interface {
	Fetch(ctx context.Context, m Media, limit int64) (body []byte, contentType string, err error)
}

// Poller is a provider client that hands out inbound events by long
// polling instead of a webhook (Telegram's getUpdates, for installs with
// no public HTTPS address). The desk's poller calls StartPolling once
// when it takes a channel on, then Poll in a loop, storing the events
// before it keeps the cursor Poll returned.
type Poller interface {
	StartPolling(ctx context.Context) error
	// Poll waits up to wait for events after cursor ("" at first) and
	// returns them with the cursor that confirms them.
	Poll(ctx context.Context, cursor string, wait time.Duration) (evs []Event, next string, err error)
}

// ErrTooLarge is a file over the limit.
var ErrTooLarge = errors.New("file too large")

// PermanentError is a failure that retrying cannot fix: the provider
// refused the request (bad number, blocked user, window closed). The job
// runner gives up at once and shows it on the message.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err was marked permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// HTTPError is a provider's answer other than success, with the
// provider's own error text (kept short) for the operator.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("provider answered %d: %s", e.Status, e.Body)
}

// CheckResponse turns a provider's HTTP answer into nil (2xx), a
// retryable error (429, 5xx) or a permanent one (other 4xx), reading the
// body's first few hundred bytes into the error. It does not close the
// body.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	err := &HTTPError{Status: resp.StatusCode, Body: strings.TrimSpace(string(b))}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout {
		return err
	}
	return Permanent(err)
}

// MaxWebhookBody bounds what a webhook handler reads of a delivery.
const MaxWebhookBody = 1 << 20

// SplitText cuts s into pieces of at most n characters, at a line or word
// break when there is one in the second half of a piece, for providers
// that limit a message's length. Blank pieces are left out.
func SplitText(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > n {
		cut := n
		for i := n; i > n/2; i-- {
			if r[i] == '\n' || r[i] == ' ' {
				cut = i
				break
			}
		}
		if t := strings.TrimSpace(string(r[:cut])); t != "" {
			out = append(out, t)
		}
		r = r[cut:]
	}
	if t := strings.TrimSpace(string(r)); t != "" {
		out = append(out, t)
	}
	return out
}
