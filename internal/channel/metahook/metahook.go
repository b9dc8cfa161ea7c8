// Package metahook is what Meta's webhooks share — WhatsApp Cloud API,
// Messenger and Instagram: the X-Hub-Signature-256 signature of a
// delivery and the subscription check. It imports only the standard
// library.
package metahook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

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

// GraphError is the Graph API's error object, named after the channel
// that got it.
type GraphError struct {
	Channel string // "WhatsApp", "Messenger"
	Status  int
	Code    int
	Subcode int
	Message string
	Details string
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("%s refused (%d, code %d): %s", e.Channel, e.Status, e.Code, e.Message)
	if e.Details != "" && e.Details != e.Message {
		s += " — " + e.Details
	}
	return s
}

// CheckGraph reads a Graph API answer: nil for a success, else its error
// and whether trying again may help — rate limits (429, or a code in
// rateLimited, whatever the status), server errors and timeouts.
func CheckGraph(resp *http.Response, channel string, rateLimited map[int]bool) (err *GraphError, retry bool) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil, false
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var env struct {
		Error struct {
			Message   string `json:"message"`
			Code      int    `json:"code"`
			Subcode   int    `json:"error_subcode"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	ge := &GraphError{Channel: channel, Status: resp.StatusCode}
	if json.Unmarshal(b, &env) == nil && (env.Error.Message != "" || env.Error.Code != 0) {
		ge.Code, ge.Subcode, ge.Message, ge.Details = env.Error.Code, env.Error.Subcode, env.Error.Message, env.Error.ErrorData.Details
	} else {
		ge.Message = strings.TrimSpace(string(b))
		if len(ge.Message) > 300 {
			ge.Message = ge.Message[:300]
		}
	}
	retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 ||
		resp.StatusCode == http.StatusRequestTimeout || rateLimited[ge.Code]
	return ge, retry
}
