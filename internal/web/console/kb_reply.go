package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// Linking a help article into a reply: the reply form searches the
// published articles in the conversation's language and inserts "Title:
// address of the article in the help centre". Without JavaScript the
// search and the insertion post the form back with the draft kept; with
// it, console.js asks GET /kb/search?conv=&q= and inserts at the cursor.

// kbPicker is the search under the reply box.
type kbPicker struct {
	Query    string
	Searched bool
	Results  []kbPick
	URL      string // for console.js
}

type kbPick struct {
	Slug, Title, Text string
}

// kbLanguage is the language a conversation's citizen reads the help
// centre in.
func kbLanguage(conv *model.Conversation, org *model.Organization) string {
	if conv.Language != "" {
		return conv.Language
	}
	return org.Language
}

// origin is the desk's address as the request reached it.
func origin(r *http.Request) string {
	scheme := "http"
	if web.IsHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// kbPicks searches the published articles for a reply in conv.
func (c *Console) kbPicks(ctx context.Context, r *http.Request, a *desk.Actor, conv *model.Conversation, q string) ([]kbPick, error) {
	org, err := c.desk.Store().Organization(ctx, a.OrgID())
	if err != nil {
		return nil, err
	}
	lang := kbLanguage(conv, org)
	hits, err := c.desk.SearchKB(ctx, a, store.KBQuery{Language: lang, Text: q, Limit: 8, Statuses: []string{kb.StatusPublished}})
	if err != nil {
		return nil, err
	}
	out := []kbPick{}
	for _, h := range hits {
		out = append(out, kbPick{Slug: h.Slug, Title: h.Title, Text: h.Title + ": " + helpLink(r, org.Slug, h.Slug, lang)})
	}
	return out, nil
}

func helpLink(r *http.Request, orgSlug, slug, lang string) string {
	return origin(r) + "/o/" + orgSlug + "/help/" + url.PathEscape(slug) + "?lang=" + url.QueryEscape(lang)
}

// kbLinkText is what inserting the published article slug into a reply
// in conv adds: its title in the citizen's language (else another) and
// its address in the help centre in that language.
func (c *Console) kbLinkText(ctx context.Context, r *http.Request, a *desk.Actor, conv *model.Conversation, slug string) (string, error) {
	org, err := c.desk.Store().Organization(ctx, a.OrgID())
	if err != nil {
		return "", err
	}
	art, err := c.desk.HelpArticle(ctx, a.OrgID(), slug)
	if err != nil {
		return "", err
	}
	lang := kbLanguage(conv, org)
	t, _ := art.Translation(lang, org.Language)
	return t.Title + ": " + helpLink(r, org.Slug, art.Slug, lang), nil
}

// kbSearch answers console.js: [{"slug", "title", "text"}] for a reply in
// the conversation ?conv=, matching ?q=.
func (c *Console) kbSearch(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	id, err := strconv.ParseInt(r.URL.Query().Get("conv"), 10, 64)
	if err != nil || id <= 0 {
		web.WriteError(w, r, c.log, c.printer(r), model.Invalid("conv", "error.validation.id", "not an id", nil))
		return
	}
	conv, err := c.desk.Conversation(r.Context(), a, id)
	if err != nil {
		web.WriteError(w, r, c.log, c.printer(r), err)
		return
	}
	picks, err := c.kbPicks(r.Context(), r, a, conv, r.URL.Query().Get("q"))
	if err != nil {
		web.WriteError(w, r, c.log, c.printer(r), err)
		return
	}
	type result struct {
		Slug  string `json:"slug"`
		Title string `json:"title"`
		Text  string `json:"text"`
	}
	out := struct {
		Results []result `json:"results"`
		None    string   `json:"none"`
	}{Results: []result{}, None: c.printer(r).T("kb.insert_none", nil)}
	for _, p := range picks {
		out.Results = append(out.Results, result(p))
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, out)
}
