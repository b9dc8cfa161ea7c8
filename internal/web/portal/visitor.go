package portal

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// visitorCookie holds the hosted page's visitor token, one per
// organisation (the cookie's path is the organisation's).
const visitorCookie = "sportello_visitor"

// tokenOf returns the token a request carries: chat.js sends ?token= (the
// embedded page has no cookie), a form may carry a token field, and the
// hosted page has the cookie.
func tokenOf(r *http.Request) string {
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	if r.PostForm != nil {
		if t := r.PostForm.Get("token"); t != "" {
			return t
		}
	}
	if c, err := r.Cookie(visitorCookie); err == nil {
		return c.Value
	}
	return ""
}

func (p *Portal) setVisitorCookie(w http.ResponseWriter, r *http.Request, slug string, v visitor) {
	http.SetCookie(w, &http.Cookie{
		Name: visitorCookie, Value: v.Token, Path: "/o/" + slug + "/", MaxAge: int(p.opt.TokenTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: web.IsHTTPS(r),
	})
}

// visitorOf verifies the request's token. A request without one gets a
// new visitor when fresh is true; a forged or expired token is an
// unauthorized error, whatever fresh says.
func (p *Portal) visitorOf(r *http.Request, rq *request, fresh bool) (visitor, error) {
	v, err := p.verify(r.Context(), rq.org.ID, tokenOf(r))
	if errors.Is(err, errNoToken) && fresh {
		return p.newVisitor(r.Context(), rq.org.ID)
	}
	return v, err
}

// started reports whether the visitor may write: the organisation has no
// pre-chat form, or the visitor filled it in (and so gave their consent).
// It returns their answers, if any.
func (p *Portal) started(ctx context.Context, rq *request, v visitor) (bool, *store.WebVisitor, error) {
	wv, err := p.st.WebVisitor(ctx, rq.org.ID, v.ID)
	switch {
	case err == nil:
		return true, wv, nil
	case !errors.Is(err, model.ErrNotFound):
		return false, nil, err
	}
	return rq.cfg.prechat == nil, nil, nil
}

// subject is the conversation subject for a visitor's topic: the topic's
// name in the desk's language, which operators read.
func (rq *request) subject(wv *store.WebVisitor) string {
	if wv == nil || wv.Topic == "" || rq.cfg.prechat == nil {
		return ""
	}
	t, ok := rq.cfg.prechat.topic(wv.Topic)
	if !ok {
		return ""
	}
	return t.label(rq.org.Language, rq.org.Language)
}

// errPrechat refuses a message from a visitor who has not filled in the
// pre-chat form (and so not agreed to the processing of their data).
var errPrechat = &model.Error{Code: model.CodeForbidden, Key: "chat.prechat_required", Message: "fill in the pre-chat form first"}

// receive stores a visitor's message through the desk. clientID, chosen by
// the visitor's page, makes a resend a no-op: it is the provider message
// id, under the visitor's id so that nobody can collide with another's.
func (p *Portal) receive(ctx context.Context, rq *request, v visitor, wv *store.WebVisitor, clientID, body string, atts []model.Attachment) (store.InboundResult, error) {
	ch, err := p.webChannel(ctx, rq.org.ID)
	if err != nil {
		return store.InboundResult{}, err
	}
	name, topic := "", ""
	if wv != nil {
		name, topic = wv.Name, wv.Topic
	}
	return p.desk.ReceiveWeb(ctx, store.Inbound{
		OrgID: rq.org.ID, ChannelID: ch.ID, Channel: model.ChannelWeb,
		From:        model.Identity{Kind: model.IdentityWeb, Value: v.ID},
		DisplayName: name, Language: rq.pr.Lang(),
		ProviderMessageID: v.ID + ":" + clientID,
		Body:              body, Attachments: atts,
		Topic: topic, // routing rules may pick a team by it
	}, rq.subject(wv))
}

// webChannelTTL is how long the organisation's web channel is taken from
// memory: every message of the chat needs it, admins change it seldom.
const webChannelTTL = 10 * time.Second

type cachedChannel struct {
	ch *model.Channel
	at time.Time
}

// webChannel is the organisation's web chat channel, read at most every
// webChannelTTL.
func (p *Portal) webChannel(ctx context.Context, orgID int64) (*model.Channel, error) {
	now := time.Now()
	if v, ok := p.webChannels.Load(orgID); ok {
		if c := v.(cachedChannel); now.Sub(c.at) < webChannelTTL && !now.Before(c.at) {
			return c.ch, nil
		}
	}
	ch, err := p.st.DefaultChannel(ctx, orgID, model.ChannelWeb)
	if err != nil {
		return nil, err
	}
	p.webChannels.Store(orgID, cachedChannel{ch: ch, at: now})
	return ch, nil
}

// validClientID accepts the ids chat.js makes (UUIDs) and the form's.
func validClientID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
