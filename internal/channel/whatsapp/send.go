package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/metahook"
)

// Limits of the Cloud API's messages.
const (
	maxText       = 4096 // a text message's body
	maxCaption    = 1024 // a media caption, an interactive body
	maxButtons    = 3    // reply buttons on an interactive message
	maxButtonText = 20   // a reply button's title
)

// Send delivers out: a template when it carries one; otherwise its
// attachments (each uploaded, then sent by media id; the text as the
// caption of the first when it fits), then the text, as reply buttons
// when it has at most three short quick replies. It returns the id of
// the message that carries the text (or of the first sent), which status
// reports name.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if a.token == "" || a.phoneID == "" {
		return "", channel.Permanent(errors.New("the channel has no phone_number_id or access_token: set them in its settings"))
	}
	to := Recipient(out.To)
	if to == "" {
		return "", channel.Permanent(errors.New("no WhatsApp number to write to"))
	}
	if out.Template != nil {
		return a.post(ctx, to, "template", templatePayload(out.Template))
	}
	text := out.Text
	var first string
	for i, f := range out.Attachments {
		typ := mediaType(f.ContentType)
		id, err := a.upload(ctx, f)
		if err != nil {
			return "", err
		}
		obj := map[string]any{"id": id}
		if typ == "document" && f.Name != "" {
			obj["filename"] = f.Name
		}
		carries := false
		if i == 0 && text != "" && len(out.QuickReplies) == 0 && typ != "audio" && typ != "sticker" && utf8.RuneCountInString(text) <= maxCaption {
			obj["caption"] = text
			carries = true
		}
		pid, err := a.post(ctx, to, typ, obj)
		if err != nil {
			return "", err
		}
		if first == "" || carries {
			first = pid
		}
		if carries {
			text = ""
		}
	}
	if strings.TrimSpace(text) == "" {
		if first == "" {
			return "", channel.Permanent(errors.New("nothing to send"))
		}
		return first, nil
	}
	if buttons, ok := replyButtons(text, out.QuickReplies); ok {
		return a.post(ctx, to, "interactive", buttons)
	}
	// The body lists quick replies already (the desk writes them into it)
	// for channels without buttons; a long text goes in pieces.
	var textID string
	for _, part := range channel.SplitText(text, maxText) {
		pid, err := a.post(ctx, to, "text", map[string]any{"preview_url": false, "body": part})
		if err != nil {
			return "", err
		}
		if textID == "" {
			textID = pid
		}
	}
	return textID, nil
}

// replyButtons renders a text with up to three short quick replies as an
// interactive message with reply buttons.
func replyButtons(text string, qrs []string) (map[string]any, bool) {
	if len(qrs) == 0 || len(qrs) > maxButtons || utf8.RuneCountInString(text) > maxCaption {
		return nil, false
	}
	var buttons []map[string]any
	for i, q := range qrs {
		if q == "" || utf8.RuneCountInString(q) > maxButtonText {
			return nil, false
		}
		buttons = append(buttons, map[string]any{"type": "reply", "reply": map[string]any{"id": "qr" + strconv.Itoa(i+1), "title": q}})
	}
	return map[string]any{
		"type":   "button",
		"body":   map[string]any{"text": text},
		"action": map[string]any{"buttons": buttons},
	}, true
}

func templatePayload(t *channel.Template) map[string]any {
	tp := map[string]any{"name": t.Name, "language": map[string]any{"code": t.Language}}
	if len(t.Params) > 0 {
		params := make([]map[string]any, len(t.Params))
		for i, p := range t.Params {
			params[i] = map[string]any{"type": "text", "text": p}
		}
		tp["components"] = []map[string]any{{"type": "body", "parameters": params}}
	}
	return tp
}

// mediaType is the Cloud API's message type for a file.
func mediaType(ctype string) string {
	switch {
	case ctype == "image/webp":
		return "sticker"
	case ctype == "image/jpeg", ctype == "image/png":
		return "image"
	case strings.HasPrefix(ctype, "audio/"):
		return "audio"
	case ctype == "video/mp4", ctype == "video/3gpp":
		return "video"
	}
	return "document"
}

// post sends one message of type typ with its object and returns the
// provider's message id.
func (a *Adapter) post(ctx context.Context, to, typ string, obj map[string]any) (string, error) {
	body, err := json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": typ, typ: obj})
	if err != nil {
		return "", channel.Permanent(err)
	}
	var res struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := a.call(ctx, http.MethodPost, a.base+"/"+a.phoneID+"/messages", "application/json", bytes.NewReader(body), &res); err != nil {
		return "", err
	}
	if len(res.Messages) == 0 || res.Messages[0].ID == "" {
		return "", errors.New("WhatsApp answered without a message id")
	}
	return res.Messages[0].ID, nil
}

// upload stores a file with Meta and returns its media id.
func (a *Adapter) upload(ctx context.Context, f channel.File) (string, error) {
	if f.Open == nil {
		return "", channel.Permanent(fmt.Errorf("attachment %s cannot be read", f.Name))
	}
	rc, err := f.Open()
	if err != nil {
		return "", channel.Permanent(fmt.Errorf("attachment %s: %w", f.Name, err))
	}
	defer rc.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("messaging_product", "whatsapp")
	_ = mw.WriteField("type", f.ContentType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, safeName(f.Name)))
	h.Set("Content-Type", f.ContentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(part, rc); err != nil {
		return "", fmt.Errorf("attachment %s: %w", f.Name, err)
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	var res struct {
		ID string `json:"id"`
	}
	if err := a.call(ctx, http.MethodPost, a.base+"/"+a.phoneID+"/media", mw.FormDataContentType(), &buf, &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		return "", errors.New("WhatsApp answered the upload without a media id")
	}
	return res.ID, nil
}

func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		return "file"
	}
	return s
}

// Fetch downloads an inbound message's media: its URL from the media id,
// then the file, both with the bearer token.
func (a *Adapter) Fetch(ctx context.Context, m channel.Media, limit int64) ([]byte, string, error) {
	var info struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		FileSize int64  `json:"file_size"`
	}
	if err := a.call(ctx, http.MethodGet, a.base+"/"+m.Ref, "", nil, &info); err != nil {
		return nil, "", err
	}
	if info.FileSize > limit {
		return nil, "", channel.ErrTooLarge
	}
	if info.URL == "" {
		return nil, "", channel.Permanent(errors.New("WhatsApp gave no URL for the media"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info.URL, nil)
	if err != nil {
		return nil, "", channel.Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if err := checkGraph(resp); err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(body)) > limit {
		return nil, "", channel.ErrTooLarge
	}
	ctype := info.MimeType
	if ctype == "" {
		ctype = resp.Header.Get("Content-Type")
	}
	return body, ctype, nil
}

// call makes one Graph API request with the bearer token and decodes a
// successful answer into res.
func (a *Adapter) call(ctx context.Context, method, url, ctype string, body io.Reader, res any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return channel.Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := checkGraph(resp); err != nil {
		return err
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(res); err != nil {
		return fmt.Errorf("WhatsApp's answer: %w", err)
	}
	return nil
}

// Graph error codes that mean "slow down", whatever the HTTP status:
// 4 (application), 80007 (account), 130429 (throughput), 131048 (spam
// rate), 131056 (pair rate: too many messages to one number).
var rateLimited = map[int]bool{4: true, 80007: true, 130429: true, 131048: true, 131056: true}

// GraphError is the Graph API's error object (internal/channel/metahook).
type GraphError = metahook.GraphError

// checkGraph turns a Graph answer into nil, a retryable error (rate
// limits, 5xx, timeouts) or a permanent one (any other refusal).
func checkGraph(resp *http.Response) error {
	ge, retry := metahook.CheckGraph(resp, "WhatsApp", rateLimited)
	switch {
	case ge == nil:
		return nil
	case retry:
		return ge
	}
	return channel.Permanent(ge)
}
