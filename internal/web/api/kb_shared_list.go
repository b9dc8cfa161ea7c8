package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// kbSharedArticle is an article another organisation shares, as the API
// shows it: what its help centre publishes anyway, without the ids of
// that organisation's people and categories.
type kbSharedArticle struct {
	ID           int64                  `json:"id"`
	Organization string                 `json:"organization"` // its name
	Slug         string                 `json:"slug"`
	Sources      []string               `json:"sources"`
	UpdatedAt    time.Time              `json:"updated_at"`
	Translations []*kbSharedTranslation `json:"translations"`
}

type kbSharedTranslation struct {
	Language  string    `json:"language"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

type kbSharedList struct {
	Items []*kbSharedArticle `json:"items"`
}

func kbSharedJSON(sh *store.KBShared) *kbSharedArticle {
	a := sh.Article
	out := &kbSharedArticle{ID: a.ID, Organization: sh.OrgName, Slug: a.Slug, Sources: a.Sources, UpdatedAt: a.UpdatedAt,
		Translations: []*kbSharedTranslation{}}
	if out.Sources == nil {
		out.Sources = []string{}
	}
	for _, t := range a.Translations {
		out.Translations = append(out.Translations, &kbSharedTranslation{Language: t.Language, Title: t.Title, Summary: t.Summary,
			Version: t.Version, UpdatedAt: t.UpdatedAt})
	}
	return out
}

// listKBShared answers the published articles other organisations of the
// instance share, by organisation and slug: those POST
// /api/v1/kb/shared/{id}/copy copies here.
func (a *API) listKBShared(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r.URL.RawQuery); err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.desk.KBShared(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := kbSharedList{Items: []*kbSharedArticle{}}
	for _, sh := range list {
		out.Items = append(out.Items, kbSharedJSON(sh))
	}
	web.WriteJSON(w, http.StatusOK, out)
}
