// Package telegram is the Telegram Bot API channel: a bot that citizens
// write to. Updates arrive by webhook (Telegram posts each one, with the
// channel's secret token in a header) or, on installs without a public
// HTTPS address, by long polling (getUpdates). Replies go out with
// sendMessage, sendPhoto and sendDocument; the citizens' files are
// downloaded with getFile.
//
// Telegram tells bots nothing about delivery or reading: a reply that
// the Bot API accepted stays "sent".
package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// DefaultBaseURL is the public Bot API server.
const DefaultBaseURL = "https://api.telegram.org"

// Modes a channel receives updates in.
const (
	ModeWebhook = "webhook"
	ModePolling = "polling"
)

// SecretHeader carries the secret_token given to setWebhook on every
// webhook call.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// MaxDownload is the largest file the public Bot API lets a bot download.
const MaxDownload = 20 << 20

// Spec: bot_token is the token @BotFather gives; secret_token is the
// value Telegram echoes in SecretHeader, so that nobody else can post
// updates to the webhook; mode chooses webhook or long polling.
var Spec = channel.Spec{
	Kind: model.ChannelTelegram,
	Keys: []channel.Key{
		{Name: "bot_token", Required: true, Secret: true},
		{Name: "secret_token", Required: true, Secret: true},
		{Name: "mode", Default: ModeWebhook, Choices: []string{ModeWebhook, ModePolling}},
		{Name: "api_base_url", Default: DefaultBaseURL},
	},
	Hooks: func(base string, id int64, s channel.Settings) map[string]string {
		if s.Get("mode", ModeWebhook) == ModePolling {
			return nil
		}
		return map[string]string{"webhook": base + "/hooks/telegram/" + strconv.FormatInt(id, 10)}
	},
}

// secretRE is what setWebhook accepts as a secret token.
var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// CheckSecretToken reports whether s is a secret token Telegram accepts.
func CheckSecretToken(s string) error {
	if !secretRE.MatchString(s) {
		return errors.New("secret_token must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -")
	}
	return nil
}

// Polling reports whether a channel's settings ask for long polling.
func Polling(s channel.Settings) bool { return s.Get("mode", ModeWebhook) == ModePolling }

// VerifySecret compares a webhook call's secret header with the channel's
// secret_token in constant time. An empty secret never matches.
func VerifySecret(s channel.Settings, header string) bool {
	want := s.Get("secret_token", "")
	if want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(header), []byte(want)) == 1
}

// Adapter is a client of the Bot API for one bot.
type Adapter struct {
	base, token, secret string
	hc                  *http.Client
}

var (
	_ channel.Sender  = (*Adapter)(nil)
	_ channel.Fetcher = (*Adapter)(nil)
	_ channel.Poller  = (*Adapter)(nil)
)

// New returns the client for a channel's settings.
func New(s channel.Settings, hc *http.Client) (*Adapter, error) {
	token := s.Get("bot_token", "")
	if token == "" || strings.ContainsAny(token, "/?#% \t\r\n") {
		return nil, errors.New("bot_token is missing or malformed")
	}
	base := strings.TrimRight(s.Get("api_base_url", DefaultBaseURL), "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("api_base_url must be an http(s) URL")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Adapter{base: base, token: token, secret: s.Get("secret_token", ""), hc: hc}, nil
}

// apiError is the Bot API's answer to a failed call.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("telegram: %d %s", e.Code, e.Description)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %d s)", e.RetryAfter)
	}
	return s
}

// response is the envelope of every Bot API answer.
type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts a JSON request to a Bot API method and decodes its result
// into out (when not nil).
func (a *Adapter) call(ctx context.Context, hc *http.Client, method string, req, out any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return channel.Permanent(err)
	}
	return a.do(ctx, hc, method, "application/json", bytes.NewReader(body), out)
}

// do sends one Bot API request and classifies its failure: a network
// error, 429 and 5xx are worth retrying, any other refusal is permanent.
// Errors never carry the URL, which holds the bot's token.
func (a *Adapter) do(ctx context.Context, hc *http.Client, method, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/bot"+a.token+"/"+method, body)
	if err != nil {
		return channel.Permanent(a.scrub(err))
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, a.scrub(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, a.scrub(err))
	}
	var r response
	if jerr := json.Unmarshal(raw, &r); jerr != nil || (!r.OK && r.ErrorCode == 0) {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 && jerr != nil {
			return fmt.Errorf("telegram %s: unreadable answer: %w", method, jerr)
		}
		r.ErrorCode, r.Description = resp.StatusCode, strings.TrimSpace(string(raw[:min(len(raw), 200)]))
	}
	if !r.OK {
		e := &apiError{Code: r.ErrorCode, Description: r.Description, RetryAfter: r.Parameters.RetryAfter}
		if e.Code == http.StatusTooManyRequests || e.Code >= 500 || e.Code == http.StatusConflict && method == "getUpdates" {
			return e
		}
		return channel.Permanent(e)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("telegram %s: unreadable result: %w", method, err)
	}
	return nil
}

// scrub removes the bot's token from an error: transport errors quote
// the URL, and errors end up in logs and on messages.
func (a *Adapter) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, a.token, "<token>")
	}
	if strings.Contains(err.Error(), a.token) {
		return errors.New(strings.ReplaceAll(err.Error(), a.token, "<token>"))
	}
	return err
}

// SetWebhook tells Telegram to post this bot's updates to url with the
// channel's secret token.
func (a *Adapter) SetWebhook(ctx context.Context, hookURL string) error {
	if err := CheckSecretToken(a.secret); err != nil {
		return channel.Permanent(err)
	}
	return a.call(ctx, a.hc, "setWebhook", map[string]any{
		"url": hookURL, "secret_token": a.secret, "allowed_updates": allowedUpdates,
	}, nil)
}

// DeleteWebhook turns the webhook off, so that getUpdates works. Pending
// updates are kept.
func (a *Adapter) DeleteWebhook(ctx context.Context) error {
	return a.call(ctx, a.hc, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil)
}

// allowedUpdates are the update kinds the channel asks for.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "message_reaction"}

// StartPolling prepares the bot for getUpdates: Telegram refuses it while
// a webhook is set.
func (a *Adapter) StartPolling(ctx context.Context) error { return a.DeleteWebhook(ctx) }

// Poll waits up to wait for updates after cursor (the offset of
// getUpdates, "" at first) and returns them as events, with the cursor
// that confirms them. Telegram forgets updates only when a later call
// names that cursor, so one not yet stored is delivered again. Inline
// keyboard presses are answered at once (answerCallbackQuery): that
// only stops the button's spinner.
func (a *Adapter) Poll(ctx context.Context, cursor string, wait time.Duration) ([]channel.Event, string, error) {
	req := map[string]any{"timeout": int(wait / time.Second), "allowed_updates": allowedUpdates, "limit": 100}
	if cursor != "" {
		off, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil {
			return nil, cursor, channel.Permanent(fmt.Errorf("telegram: bad offset %q", cursor))
		}
		req["offset"] = off
	}
	// A long poll outlasts the shared client's timeout: bound it here.
	hc := *a.hc
	hc.Timeout = 0
	pctx, cancel := context.WithTimeout(ctx, wait+30*time.Second)
	defer cancel()
	var ups []json.RawMessage
	if err := a.call(pctx, &hc, "getUpdates", req, &ups); err != nil {
		return nil, cursor, err
	}
	var evs []channel.Event
	next := cursor
	for _, raw := range ups {
		p, err := ParseUpdate(raw)
		if err != nil {
			// An update we cannot read will never read: skip it rather
			// than stall the bot.
			var id struct {
				UpdateID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &id) != nil || id.UpdateID == 0 {
				continue
			}
			p.UpdateID = id.UpdateID
		}
		evs = append(evs, p.Events...)
		if p.CallbackID != "" {
			_ = a.AnswerCallback(ctx, p.CallbackID)
		}
		if n, _ := strconv.ParseInt(next, 10, 64); next == "" || p.UpdateID+1 > n {
			next = strconv.FormatInt(p.UpdateID+1, 10)
		}
	}
	return evs, next, nil
}

// AnswerCallback acknowledges an inline keyboard press.
func (a *Adapter) AnswerCallback(ctx context.Context, id string) error {
	return a.call(ctx, a.hc, "answerCallbackQuery", map[string]any{"callback_query_id": id}, nil)
}

// sentMessage is what a send method returns: the message as Telegram
// stored it.
type sentMessage struct {
	MessageID int64 `json:"message_id"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// maxText and maxCaption are the Bot API's limits, in characters.
const (
	maxText    = 4096
	maxCaption = 1024
)

// Send sends a reply to the chat in out.To: its text with sendMessage
// (split when longer than Telegram takes), quick replies as a one-time
// reply keyboard whose buttons send the option's text back, and each
// attachment with sendPhoto (JPEG and PNG pictures) or sendDocument. A
// single attachment carries a short text as its caption. The provider id
// is "<chat_id>:<message_id>" of the first message sent.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if out.To.Kind != model.IdentityTelegram || out.To.Value == "" {
		return "", channel.Permanent(fmt.Errorf("telegram: cannot send to a %s address", out.To.Kind))
	}
	chat := out.To.Value
	var markup any
	if len(out.QuickReplies) > 0 {
		rows := make([][]map[string]string, 0, len(out.QuickReplies))
		for _, q := range out.QuickReplies {
			rows = append(rows, []map[string]string{{"text": q}})
		}
		markup = map[string]any{"keyboard": rows, "one_time_keyboard": true, "resize_keyboard": true}
	}
	text := strings.TrimSpace(out.Text)
	caption := ""
	if len(out.Attachments) == 1 && markup == nil && len([]rune(text)) <= maxCaption {
		caption, text = text, ""
	}
	first := ""
	note := func(m sentMessage) {
		if first == "" {
			first = ProviderID(m.Chat.ID, m.MessageID)
		}
	}
	for i, part := range channel.SplitText(text, maxText) {
		req := map[string]any{"chat_id": chat, "text": part}
		if markup != nil && i == 0 {
			req["reply_markup"] = markup
		}
		var m sentMessage
		if err := a.call(ctx, a.hc, "sendMessage", req, &m); err != nil {
			return "", err
		}
		note(m)
	}
	for _, f := range out.Attachments {
		m, err := a.sendFile(ctx, chat, f, caption)
		if err != nil {
			return "", err
		}
		note(m)
	}
	if first == "" {
		return "", channel.Permanent(errors.New("telegram: nothing to send"))
	}
	return first, nil
}

// sendFile uploads one attachment as multipart/form-data.
func (a *Adapter) sendFile(ctx context.Context, chat string, f channel.File, caption string) (sentMessage, error) {
	method, field := "sendDocument", "document"
	if (f.ContentType == "image/jpeg" || f.ContentType == "image/png") && f.Size <= 10<<20 {
		method, field = "sendPhoto", "photo"
	}
	if f.Open == nil {
		return sentMessage{}, channel.Permanent(fmt.Errorf("telegram: attachment %q cannot be read", f.Name))
	}
	r, err := f.Open()
	if err != nil {
		return sentMessage{}, fmt.Errorf("telegram: open %q: %w", f.Name, err)
	}
	defer r.Close()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("chat_id", chat)
	if caption != "" {
		_ = w.WriteField("caption", caption)
	}
	name := f.Name
	if name == "" {
		name = "file"
	}
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		return sentMessage{}, channel.Permanent(err)
	}
	if _, err := io.Copy(part, r); err != nil {
		return sentMessage{}, fmt.Errorf("telegram: read %q: %w", f.Name, err)
	}
	if err := w.Close(); err != nil {
		return sentMessage{}, channel.Permanent(err)
	}
	var m sentMessage
	err = a.do(ctx, a.hc, method, w.FormDataContentType(), &buf, &m)
	return m, err
}

// ProviderID names a Telegram message: message ids are unique only
// within a chat.
func ProviderID(chat, message int64) string {
	return strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(message, 10)
}

// file is getFile's answer.
type file struct {
	FileID   string `json:"file_id"`
	FileSize int64  `json:"file_size"`
	FilePath string `json:"file_path"`
}

// Fetch downloads a citizen's file: getFile names its path, then the
// file server under /file/bot<token>/ serves it. Bots may download files
// up to 20 MB; larger ones, or ones over limit, are ErrTooLarge.
func (a *Adapter) Fetch(ctx context.Context, m channel.Media, limit int64) ([]byte, string, error) {
	limit = min(limit, MaxDownload)
	if m.Size > limit {
		return nil, "", channel.ErrTooLarge
	}
	var f file
	if err := a.call(ctx, a.hc, "getFile", map[string]any{"file_id": m.Ref}, &f); err != nil {
		var e *apiError
		if errors.As(err, &e) && strings.Contains(strings.ToLower(e.Description), "too big") {
			return nil, "", channel.ErrTooLarge
		}
		return nil, "", err
	}
	if f.FileSize > limit {
		return nil, "", channel.ErrTooLarge
	}
	if f.FilePath == "" {
		return nil, "", channel.Permanent(errors.New("telegram: getFile gave no file path"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/file/bot"+a.token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, "", channel.Permanent(a.scrub(err))
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("telegram file: %w", a.scrub(err))
	}
	defer resp.Body.Close()
	if err := channel.CheckResponse(resp); err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("telegram file: %w", a.scrub(err))
	}
	if int64(len(body)) > limit {
		return nil, "", channel.ErrTooLarge
	}
	ctype := resp.Header.Get("Content-Type")
	if strings.HasPrefix(ctype, "application/octet-stream") {
		ctype = "" // the file server says little: keep what the update said
	}
	return body, ctype, nil
}
