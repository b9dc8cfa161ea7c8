package api

import (
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/web"
)

type kbVersion struct {
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Body      string    `json:"body"`
	EditedBy  int64     `json:"edited_by"`
	CreatedAt time.Time `json:"created_at"`
}

type kbVersionList struct {
	Items []*kbVersion `json:"items"`
}

// listKBVersions answers the earlier texts of an article in one language,
// newest first.
func (a *API) listKBVersions(w http.ResponseWriter, r *http.Request) {
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
	list, err := a.desk.KBVersions(r.Context(), web.ActorFrom(r), id, lang)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := kbVersionList{Items: []*kbVersion{}}
	for _, v := range list {
		out.Items = append(out.Items, &kbVersion{Version: v.Version, Title: v.Title, Summary: v.Summary, Body: v.Body, EditedBy: v.EditedBy, CreatedAt: v.CreatedAt})
	}
	web.WriteJSON(w, http.StatusOK, out)
}
