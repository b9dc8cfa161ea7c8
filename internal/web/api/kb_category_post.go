package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// kbCategoryBody is the body of POST /api/v1/kb/categories.
type kbCategoryBody struct {
	Slug     string            `json:"slug"`
	Names    map[string]string `json:"names"` // language → name
	Position int               `json:"position"`
}

// postKBCategory creates a category and answers it with 201.
func (a *API) postKBCategory(w http.ResponseWriter, r *http.Request) {
	var body kbCategoryBody
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	c := &store.KBCategory{Slug: body.Slug, Names: body.Names, Position: body.Position}
	if err := a.desk.SaveKBCategory(r.Context(), web.ActorFrom(r), c); err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, kbCategoryJSON(c))
}
