// Package translate sends text to a machine translation service. The desk
// uses it, when an organisation turns it on, so that an operator reads a
// citizen's message in their own language and can answer in the
// citizen's.
//
// A Provider is anything that translates; LibreTranslate speaks the
// protocol of LibreTranslate (https://libretranslate.com), which
// self-hosted servers and several hosted services share: POST /translate
// with {q, source, target, format, api_key}, answered with
// {translatedText}.
package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Provider translates text. source may be "" when unknown.
type Provider interface {
	Translate(ctx context.Context, text, source, target string) (string, error)
}

// MaxText bounds what is sent at once: a message of the desk fits.
const MaxText = 20000

// maxResponse bounds what is read back.
const maxResponse = 1 << 20

// LibreTranslate is a client of a LibreTranslate-compatible server.
type LibreTranslate struct {
	endpoint string
	apiKey   string
	client   *http.Client
}

var _ Provider = (*LibreTranslate)(nil)

// NewLibreTranslate checks the server's address (http or https, the
// /translate path added unless given) and returns a client. A nil client
// means one with a 15-second timeout.
func NewLibreTranslate(rawURL, apiKey string, client *http.Client) (*LibreTranslate, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, model.Invalid("url", "error.translate.url", "the translation server's address must be an http(s) URL",
			map[string]any{"Value": rawURL})
	}
	if !strings.HasSuffix(u.Path, "/translate") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/translate"
	}
	u.RawQuery, u.Fragment = "", ""
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &LibreTranslate{endpoint: u.String(), apiKey: apiKey, client: client}, nil
}

type request struct {
	Q      string `json:"q"`
	Source string `json:"source"`
	Target string `json:"target"`
	Format string `json:"format"`
	APIKey string `json:"api_key,omitempty"`
}

type response struct {
	TranslatedText string `json:"translatedText"`
	Error          string `json:"error"`
}

// ErrUnavailable wraps every failure of the service: the caller shows the
// original text instead.
var ErrUnavailable = &model.Error{Code: model.CodeUnavailable, Key: "error.translate.unavailable",
	Message: "the translation service did not answer"}

// Translate sends text to the server.
func (l *LibreTranslate) Translate(ctx context.Context, text, source, target string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return text, nil
	}
	if len(text) > MaxText {
		return "", &model.Error{Code: model.CodeTooLarge, Key: "error.translate.too_long", Message: "text too long to translate"}
	}
	if target == "" {
		return "", model.Invalid("target", "error.validation.language", "no language to translate into", nil)
	}
	if source == "" {
		source = "auto"
	}
	body, _ := json.Marshal(request{Q: text, Source: primary(source), Target: primary(target), Format: "text", APIKey: l.apiKey})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", wrap(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return "", wrap(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", wrap(err)
	}
	var out response
	decErr := json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusOK {
		msg := out.Error
		if decErr != nil || msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return "", wrap(fmt.Errorf("status %d: %s", resp.StatusCode, msg))
	}
	if decErr != nil {
		return "", wrap(fmt.Errorf("malformed answer: %w", decErr))
	}
	return out.TranslatedText, nil
}

func wrap(err error) error {
	e := *ErrUnavailable
	e.Err = err
	return &e
}

// primary is a tag's language, which is what the servers know: "fr-CA"
// is sent as "fr".
func primary(tag string) string {
	if i := strings.IndexByte(tag, '-'); i > 0 {
		return strings.ToLower(tag[:i])
	}
	return strings.ToLower(tag)
}

// IsUnavailable reports whether err is a failure of the service.
func IsUnavailable(err error) bool {
	var e *model.Error
	return errors.As(err, &e) && e.Key == ErrUnavailable.Key
}
