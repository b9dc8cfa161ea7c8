package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

type kbCategory struct {
	ID       int64             `json:"id"`
	Slug     string            `json:"slug"`
	Names    map[string]string `json:"names"`
	Position int               `json:"position"`
}

func kbCategoryJSON(c *store.KBCategory) *kbCategory {
	return &kbCategory{ID: c.ID, Slug: c.Slug, Names: c.Names, Position: c.Position}
}

type kbCategoryList struct {
	Items []*kbCategory `json:"items"`
}

// listKBCategories answers the organisation's categories in their order.
func (a *API) listKBCategories(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r.URL.RawQuery); err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.desk.KBCategories(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := kbCategoryList{Items: []*kbCategory{}}
	for _, c := range list {
		out.Items = append(out.Items, kbCategoryJSON(c))
	}
	web.WriteJSON(w, http.StatusOK, out)
}
