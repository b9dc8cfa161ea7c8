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
