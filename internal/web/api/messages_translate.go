package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// translate fills, for GET …/messages?translate_to=LANG, each citizen's
// message's "translation" in LANG, where the organisation has machine
// translation on (stored translations first, then the service); the
// original body is always there.
func (a *API) translate(r *http.Request, conversationID int64, items []*model.Message) error {
	lang := r.URL.Query().Get("translate_to")
	if lang == "" {
		return nil
	}
	if !model.ValidLanguage(lang) {
		return model.Invalid("translate_to", "error.api.language", "language must be a language code such as it, ar or fr-CA", nil)
	}
	return a.desk.TranslateMessages(r.Context(), web.ActorFrom(r), conversationID, items, lang)
}
