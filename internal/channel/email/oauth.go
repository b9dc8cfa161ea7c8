package email

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/channel"
)

// tokens gives the OAuth2 access token a login uses: the one set in
// oauth2_token, or, when a refresh token is set, one obtained from the
// provider's token endpoint and renewed a minute before it expires
// (Google and Microsoft access tokens last about an hour).
type tokens struct {
	s  channel.Settings
	hc *http.Client

	mu     sync.Mutex
	token  string
	expiry time.Time
}

func newTokens(s channel.Settings, hc *http.Client) *tokens {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &tokens{s: s, hc: hc}
}

// oauth reports whether the mailbox logs in with OAuth2.
func (t *tokens) oauth() bool { return t.s["oauth2_token"] != "" || t.s["oauth2_refresh_token"] != "" }

// get returns a valid access token.
func (t *tokens) get(ctx context.Context) (string, error) {
	if t.s["oauth2_refresh_token"] == "" {
		return t.s["oauth2_token"], nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && time.Now().Before(t.expiry) {
		return t.token, nil
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.s["oauth2_refresh_token"]}, "client_id": {t.s["oauth2_client_id"]}}
	if v := t.s["oauth2_client_secret"]; v != "" {
		form.Set("client_secret", v)
	}
	if v := t.s["oauth2_scope"]; v != "" {
		form.Set("scope", v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.s["oauth2_token_url"], strings.NewReader(form.Encode()))
	if err != nil {
		return "", channel.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := t.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := channel.CheckResponse(resp); err != nil {
		return "", fmt.Errorf("OAuth2 token refresh: %w", err)
	}
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.AccessToken == "" {
		return "", channel.Permanent(fmt.Errorf("OAuth2 token refresh: no access_token in the answer"))
	}
	if body.ExpiresIn <= 0 {
		body.ExpiresIn = 3600
	}
	t.token = body.AccessToken
	t.expiry = time.Now().Add(time.Duration(body.ExpiresIn)*time.Second - time.Minute)
	return t.token, nil
}
