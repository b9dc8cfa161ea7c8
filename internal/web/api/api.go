// Package api is the JSON API under /api/v1/: conversations, their
// messages, contacts, teams and users of one organisation, the one the API
// token belongs to. The route table is in routes.go; each handler has a
// file of its own. Every answer, errors included, is JSON; the error
// messages speak the client's language (Accept-Language or ?lang=).
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// API serves the JSON API over the desk.
type API struct {
	desk   *desk.Service
	bundle *locale.Bundle
	log    *slog.Logger
}

// New builds the API.
func New(d *desk.Service, b *locale.Bundle, log *slog.Logger) *API {
	return &API{desk: d, bundle: b, log: log}
}

// public marks the routes that need no token.
const public model.Permission = "public"

// maxTokenLen bounds what we hash: our tokens are 56 characters.
const maxTokenLen = 256

var (
	errTokenMissing = &model.Error{Code: model.CodeUnauthorized, Key: "error.api.token_missing",
		Message: "send an API token in the Authorization header: Bearer followed by the token"}
	errTokenInvalid = &model.Error{Code: model.CodeUnauthorized, Key: "error.api.token_invalid",
		Message: "the API token is not valid: it may be mistyped or revoked"}
)

// handle registers h under pattern behind authentication and the check of
// perm. The desk checks finer rules (visibility, reply or note, assign).
func (a *API) handle(mux *http.ServeMux, pattern string, perm model.Permission, h http.HandlerFunc) {
	if perm == "" {
		panic("api: route " + pattern + " has no permission")
	}
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.NoteRoute(r)
		w.Header().Set("Cache-Control", "no-store")
		if perm == public {
			h(w, r)
			return
		}
		actor, err := a.authenticate(r)
		if err != nil {
			if model.ErrorIs(err, model.CodeUnauthorized) {
				challenge := `Bearer realm="sportello"`
				if err == errTokenInvalid {
					challenge += `, error="invalid_token"`
				}
				w.Header().Set("WWW-Authenticate", challenge)
			}
			a.fail(w, r, err)
			return
		}
		if !actor.Can(perm) {
			a.fail(w, r, desk.Forbidden())
			return
		}
		h(w, web.WithActor(r, actor, nil))
	}))
}

// authenticate resolves the bearer token of r to its actor.
func (a *API) authenticate(r *http.Request) (*desk.Actor, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errTokenMissing
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errTokenMissing
	}
	if len(token) > maxTokenLen {
		return nil, errTokenInvalid
	}
	actor, err := a.desk.TokenActor(r.Context(), token, web.ClientIP(r))
	if model.ErrorIs(err, model.CodeUnauthorized) {
		return nil, errTokenInvalid
	}
	return actor, err
}

// fail answers err as JSON in the client's language.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	web.WriteError(w, r, a.log, a.printer(r), err)
}

func (a *API) printer(r *http.Request) *locale.Printer {
	return a.bundle.Printer(web.Language(r, a.bundle, "en"))
}
