package desk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-sasl"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// xoauth2Server checks Google's and Microsoft's XOAUTH2 login:
// "user=U\x01auth=Bearer T\x01\x01".
type xoauth2Server struct {
	ms   *mailServers
	s    *smtpSession
	done bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.done {
		return nil, true, sasl.ErrUnexpectedClientResponse
	}
	x.done = true
	parts := strings.Split(string(resp), "\x01")
	if len(parts) < 2 || parts[0] != "user="+mailUser || parts[1] != "auth=Bearer "+mailToken {
		return nil, true, errBadToken
	}
	x.ms.mu.Lock()
	x.ms.oauthLogins++
	x.ms.mu.Unlock()
	x.s.authed = true
	return nil, true, nil
}

const mailToken = "ya29.test-access-token"

func TestEmailOAuth2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newEmailWorld(t, s, channel.Settings{"password": "", "oauth2_token": mailToken})
		res := w.receive(t, mailSample(t, "gmail_reply.eml"))
		out := w.reply(t, res.ConversationID, "Ricevuto")
		if out.DeliveryStatus != model.DeliverySent || w.ms.oauthLogins != 1 || len(w.ms.outbox()) != 1 {
			t.Fatalf("with a token: %s %q, %d logins", out.DeliveryStatus, out.Error, w.ms.oauthLogins)
		}
		// A token the server refuses fails the reply for good, with the reason.
		set := channel.Settings{"address": deskAddress, "imap_url": "imaps://" + w.ms.imapAddr, "smtp_url": "smtps://" + w.ms.smtpAddr,
			"username": mailUser, "oauth2_token": "expired"}
		if _, err := w.d.UpdateChannel(ctx, w.actor(t, model.RoleAdmin), w.em.ID, w.em.Name, set, true); err != nil {
			t.Fatal(err)
		}
		out = w.reply(t, res.ConversationID, "Secondo")
		if out.DeliveryStatus != model.DeliveryFailed || !strings.Contains(out.Error, "login refused") {
			t.Errorf("with a refused token: %s %q", out.DeliveryStatus, out.Error)
		}

		// With a refresh token, the desk gets access tokens from the
		// provider's token endpoint, and keeps one until it expires.
		var calls atomic.Int32
		ts := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("refresh_token") != "1//refresh" || r.Form.Get("client_id") != "client-1" ||
				r.Form.Get("client_secret") != "client-secret" {
				http.Error(rw, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
			calls.Add(1)
			rw.Header().Set("Content-Type", "application/json")
			_, _ = rw.Write([]byte(`{"access_token":"` + mailToken + `","expires_in":3599,"token_type":"Bearer"}`))
		}))
		defer ts.Close()
		set = channel.Settings{"address": deskAddress, "imap_url": "imaps://" + w.ms.imapAddr, "smtp_url": "smtps://" + w.ms.smtpAddr,
			"username": mailUser, "oauth2_refresh_token": "1//refresh", "oauth2_client_id": "client-1", "oauth2_client_secret": "client-secret",
			"oauth2_token_url": ts.URL + "/token"}
		if _, err := w.d.UpdateChannel(ctx, w.actor(t, model.RoleAdmin), w.em.ID, w.em.Name, set, true); err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"Terzo", "Quarto"} {
			if out := w.reply(t, res.ConversationID, text); out.DeliveryStatus != model.DeliverySent {
				t.Errorf("with a refreshed token: %s %q", out.DeliveryStatus, out.Error)
			}
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%d token requests for two replies, want 1", n)
		}
		// A refresh token without its endpoint is refused.
		delete(set, "oauth2_token_url")
		if _, err := w.d.UpdateChannel(ctx, w.actor(t, model.RoleAdmin), w.em.ID, w.em.Name, set, true); !model.ErrorIs(err, model.CodeInvalid) {
			t.Errorf("a refresh token without a token URL: %v", err)
		}
	})
}
