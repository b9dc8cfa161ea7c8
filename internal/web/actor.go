package web

import (
	"context"
	"net/http"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// WithActor stores the signed-in actor (and the session, for the console)
// in the request's context.
func WithActor(r *http.Request, a *desk.Actor, se *model.Session) *http.Request {
	ctx := context.WithValue(r.Context(), keyActor, a)
	if se != nil {
		ctx = context.WithValue(ctx, keySession, se)
	}
	return r.WithContext(ctx)
}

// ActorFrom returns the actor stored by WithActor; handlers behind an
// authentication middleware can rely on it.
func ActorFrom(r *http.Request) *desk.Actor {
	a, _ := r.Context().Value(keyActor).(*desk.Actor)
	return a
}

// SessionFrom returns the console session, if any.
func SessionFrom(r *http.Request) *model.Session {
	s, _ := r.Context().Value(keySession).(*model.Session)
	return s
}

// LangCookie remembers the language a user chose.
const LangCookie = "sportello_lang"

// Language picks the response language: ?lang=, then the cookie, then the
// browser's Accept-Language, then fallback.
func Language(r *http.Request, b *locale.Bundle, fallback string) string {
	cookie := ""
	if c, err := r.Cookie(LangCookie); err == nil {
		cookie = c.Value
	}
	return locale.Negotiate(r.URL.Query().Get("lang"), cookie, r.Header.Get("Accept-Language"), b.Languages(), fallback)
}
