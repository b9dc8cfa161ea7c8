package messenger

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

// Limits of the Send API.
const (
	maxText         = 2000 // a text message
	maxQuickReplies = 13
	maxQuickTitle   = 20
)

// Send delivers out through the Send API as a response to the citizen:
// each attachment uploaded with its message, then the text (with quick
// replies when there are at most thirteen short ones). It returns the id
// of the message that carries the text, or of the first sent.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if a.token == "" {
		return "", channel.Permanent(errors.New("the channel has no access_token: set it in its settings"))
	}
	to := out.To.Value
	if to == "" {
		return "", channel.Permanent(errors.New("no Messenger recipient"))
	}
	var first string
	for _, f := range out.Attachments {
		id, err := a.sendFile(ctx, to, f)
		if err != nil {
			return "", err
		}
		if first == "" {
			first = id
		}
	}
	text := out.Text
	if strings.TrimSpace(text) == "" {
		if first == "" {
			return "", channel.Permanent(errors.New("nothing to send"))
		}
		return first, nil
	}
	parts := channel.SplitText(text, maxText)
	var textID string
	for i, p := range parts {
		msg := map[string]any{"text": p}
		if i == len(parts)-1 {
			if qrs := quickReplies(out.QuickReplies); qrs != nil {
				msg["quick_replies"] = qrs
			}
		}
		id, err := a.sendJSON(ctx, to, msg)
		if err != nil {
			return "", err
		}
		if textID == "" {
			textID = id
		}
	}
	return textID, nil
}

func quickReplies(qrs []string) []map[string]any {
	if len(qrs) == 0 || len(qrs) > maxQuickReplies {
		return nil
	}
	out := make([]map[string]any, 0, len(qrs))
	for i, q := range qrs {
		if q == "" || utf8.RuneCountInString(q) > maxQuickTitle {
			return nil
		}
		out = append(out, map[string]any{"content_type": "text", "title": q, "payload": "qr" + strconv.Itoa(i+1)})
	}
	return out
}

func (a *Adapter) messagesURL() string { return a.base + "/" + a.pageID + "/messages" }

// sendJSON sends one message object.
func (a *Adapter) sendJSON(ctx context.Context, to string, msg map[string]any) (string, error) {
	body, err := json.Marshal(map[string]any{"recipient": map[string]any{"id": to}, "messaging_type": "RESPONSE", "message": msg})
	if err != nil {
		return "", channel.Permanent(err)
	}
	return a.call(ctx, "application/json", bytes.NewReader(body))
}

// sendFile uploads a file together with the message that carries it.
func (a *Adapter) sendFile(ctx context.Context, to string, f channel.File) (string, error) {
	if f.Open == nil {
		return "", channel.Permanent(fmt.Errorf("attachment %s cannot be read", f.Name))
	}
	rc, err := f.Open()
	if err != nil {
		return "", channel.Permanent(fmt.Errorf("attachment %s: %w", f.Name, err))
	}
	defer rc.Close()
	recipient, _ := json.Marshal(map[string]any{"id": to})
	message, _ := json.Marshal(map[string]any{"attachment": map[string]any{"type": attachmentType(f.ContentType), "payload": map[string]any{"is_reusable": false}}})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("recipient", string(recipient))
	_ = mw.WriteField("messaging_type", "RESPONSE")
	_ = mw.WriteField("message", string(message))
	h := textproto.MIMEHeader{}
	name := strings.Map(func(r rune) rune {
		if r < ' ' || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, f.Name)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename=%q`, name))
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
	return a.call(ctx, mw.FormDataContentType(), &buf)
}

func attachmentType(ctype string) string {
	switch {
	case strings.HasPrefix(ctype, "image/"):
		return "image"
	case strings.HasPrefix(ctype, "audio/"):
		return "audio"
	case strings.HasPrefix(ctype, "video/"):
		return "video"
	}
	return "file"
}

// call posts to the Send API and returns the message id.
func (a *Adapter) call(ctx context.Context, ctype string, body io.Reader) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.messagesURL(), body)
	if err != nil {
		return "", channel.Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", ctype)
	resp, err := a.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := checkGraph(resp); err != nil {
		return "", err
	}
	var res struct {
		MessageID string `json:"message_id"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&res); err != nil {
		return "", fmt.Errorf("the Send API's answer: %w", err)
	}
	if res.MessageID == "" {
		return "", errors.New("the Send API answered without a message id")
	}
	return res.MessageID, nil
}

// Fetch downloads an attachment from the URL the webhook gave (Meta's
// CDN; the URL itself is the credential).
func (a *Adapter) Fetch(ctx context.Context, m channel.Media, limit int64) ([]byte, string, error) {
	if !strings.HasPrefix(m.Ref, "https://") && !strings.HasPrefix(m.Ref, "http://") {
		return nil, "", channel.Permanent(fmt.Errorf("not an attachment URL: %q", m.Ref))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.Ref, nil)
	if err != nil {
		return nil, "", channel.Permanent(err)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
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

// Graph error codes that mean "slow down": 4 (application), 17 (user),
// 32 (page), 613 (calls), 80006 (Messenger), 80007 (WhatsApp and
// Instagram accounts).
var rateLimited = map[int]bool{4: true, 17: true, 32: true, 613: true, 80006: true, 80007: true}

// GraphError is the Graph API's error object (internal/channel/metahook).
type GraphError = metahook.GraphError

// checkGraph turns a Graph answer into nil, a retryable error (rate
// limits, 5xx, timeouts) or a permanent one (any other refusal).
func checkGraph(resp *http.Response) error {
	ge, retry := metahook.CheckGraph(resp, "Messenger", rateLimited)
	switch {
	case ge == nil:
		return nil
	case retry:
		return ge
	}
	return channel.Permanent(ge)
}
