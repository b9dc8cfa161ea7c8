package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// kbTranslationBody is the body of PUT …/translations/{language}.
type kbTranslationBody struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Body    string `json:"body"` // Markdown
}

// putKBTranslation writes an article's text in one language: version 1
// the first time, the next version when it changes (the previous one goes
// to the history). Answers the translation.
func (a *API) putKBTranslation(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lang, err := kbLang(r.PathValue("language"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body kbTranslationBody
	if err := web.DecodeJSON(w, r, &body, 4*kb.BodyMax+64<<10); err != nil {
		a.fail(w, r, err)
		return
	}
	t := &store.KBTranslation{ArticleID: id, Language: lang, Title: body.Title, Summary: body.Summary, Body: body.Body}
	if err := a.desk.SaveKBTranslation(r.Context(), actor, t); err != nil {
		a.fail(w, r, err)
		return
	}
	text := t.Body
	web.WriteJSON(w, http.StatusOK, &kbTranslation{Language: t.Language, Title: t.Title, Summary: t.Summary, Body: &text, Version: t.Version, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt})
}
