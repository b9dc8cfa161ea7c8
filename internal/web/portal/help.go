package portal

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The help centre, under /o/{org}/help: the organisation's published
// articles by category, an article page, and search in the citizen's
// language. Plain pages, no script. An article missing in the citizen's
// language is shown in another with a notice saying so.

// helpQueryMax bounds what a search reads of a query, in characters.
const helpQueryMax = 200

// helpView is what the help centre's pages show.
type helpView struct {
	HomeURL, SearchURL, ChatURL string
	Query                       string
	Searched                    bool
	Categories                  []helpCategory
	Results                     []helpLink
	Article                     *helpArticle
}

type helpCategory struct {
	Name     string
	Articles []helpLink
}

type helpLink struct {
	Title, Summary, URL string
	Lang                string // the link's text language, when not the page's
}

type helpArticle struct {
	Title, Summary, Lang, Dir string
	Body                      template.HTML
	Updated                   string
	Sources                   []string
	Fallback                  string // the notice when it is not in the page's language
}

func helpBase(slug string) string { return "/o/" + slug + "/help" }

// helpArticleURL is the address of an article in lang.
func helpArticleURL(slug, article, lang string) string {
	u := url.URL{Path: helpBase(slug) + "/" + article}
	if lang != "" {
		u.RawQuery = "lang=" + url.QueryEscape(lang)
	}
	return u.String()
}

func (p *Portal) newHelpPage(rq *request, self *url.URL, title string) (*page, *helpView) {
	pg := p.newPage(rq.pr, self, title)
	pg.OrgName = rq.org.Name
	hv := &helpView{HomeURL: helpBase(rq.org.Slug), SearchURL: helpBase(rq.org.Slug) + "/search", ChatURL: chatURL(rq.org.Slug, false).String()}
	pg.Help = hv
	return pg, hv
}

// link shows article art in the page's language, else another.
func (p *Portal) helpLink(rq *request, art *store.KBArticle) (helpLink, bool) {
	t, exact := art.Translation(rq.pr.Lang(), rq.org.Language)
	if t == nil {
		return helpLink{}, false
	}
	l := helpLink{Title: t.Title, Summary: t.Summary, URL: helpArticleURL(rq.org.Slug, art.Slug, "")}
	if !exact {
		l.Lang = t.Language
	}
	return l, true
}

// helpHome lists the published articles by category.
func (p *Portal) helpHome(w http.ResponseWriter, r *http.Request, rq *request) {
	cats, arts, err := p.desk.HelpIndex(r.Context(), rq.org.ID)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	pg, hv := p.newHelpPage(rq, &url.URL{Path: helpBase(rq.org.Slug)}, rq.pr.T("help.title", nil))
	byCat := map[int64][]helpLink{}
	for _, a := range arts {
		if l, ok := p.helpLink(rq, a); ok {
			byCat[a.CategoryID] = append(byCat[a.CategoryID], l)
		}
	}
	for _, c := range cats {
		if links := byCat[c.ID]; len(links) > 0 {
			hv.Categories = append(hv.Categories, helpCategory{Name: c.Name(rq.pr.Lang(), rq.org.Language), Articles: links})
			delete(byCat, c.ID)
		}
	}
	var rest []helpLink
	for _, a := range arts {
		if _, left := byCat[a.CategoryID]; left {
			if l, ok := p.helpLink(rq, a); ok {
				rest = append(rest, l)
			}
		}
	}
	if len(rest) > 0 {
		hv.Categories = append(hv.Categories, helpCategory{Name: rq.pr.T("help.other", nil), Articles: rest})
	}
	p.render(w, r, http.StatusOK, "help", pg)
}

// helpQuery is the search text of the request, cut to helpQueryMax.
func helpQuery(r *http.Request) string {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, "")
	}
	if utf8.RuneCountInString(q) > helpQueryMax {
		q = string([]rune(q)[:helpQueryMax])
	}
	return q
}

// helpSearch shows the published articles in the page's language that
// match ?q=.
func (p *Portal) helpSearch(w http.ResponseWriter, r *http.Request, rq *request) {
	q := helpQuery(r)
	self := &url.URL{Path: helpBase(rq.org.Slug) + "/search", RawQuery: url.Values{"q": {q}}.Encode()}
	pg, hv := p.newHelpPage(rq, self, rq.pr.T("help.search_title", map[string]any{"Query": q}))
	hv.Query, hv.Searched = q, true
	hits, err := p.desk.HelpSearch(r.Context(), rq.org.ID, rq.pr.Lang(), q, false, 20)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	for _, h := range hits {
		hv.Results = append(hv.Results, helpLink{Title: h.Title, Summary: h.Summary, URL: helpArticleURL(rq.org.Slug, h.Slug, "")})
	}
	p.render(w, r, http.StatusOK, "help", pg)
}

// helpSuggest answers chat.js with the published articles that match
// what the citizen is typing: [{"title", "summary", "url"}], at most 3.
func (p *Portal) helpSuggest(w http.ResponseWriter, r *http.Request, rq *request) {
	hits, err := p.desk.HelpSearch(r.Context(), rq.org.ID, rq.pr.Lang(), helpQuery(r), true, 3)
	if err != nil {
		p.writeError(w, r, rq.pr, err)
		return
	}
	type suggestion struct {
		Title   string `json:"title"`
		Summary string `json:"summary"`
		URL     string `json:"url"`
	}
	out := struct {
		Title   string       `json:"title"`
		Results []suggestion `json:"results"`
	}{Title: rq.pr.T("help.suggest_title", nil), Results: []suggestion{}}
	for _, h := range hits {
		out.Results = append(out.Results, suggestion{Title: h.Title, Summary: h.Summary, URL: helpArticleURL(rq.org.Slug, h.Slug, rq.pr.Lang())})
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, out)
}

// helpArticlePage shows one published article in the page's language,
// else in another with a notice.
func (p *Portal) helpArticlePage(w http.ResponseWriter, r *http.Request, rq *request) {
	art, err := p.desk.HelpArticle(r.Context(), rq.org.ID, r.PathValue("slug"))
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	t, exact := art.Translation(rq.pr.Lang(), rq.org.Language)
	pg, hv := p.newHelpPage(rq, &url.URL{Path: helpBase(rq.org.Slug) + "/" + art.Slug}, t.Title)
	shown := p.bundle.Printer(t.Language)
	ha := &helpArticle{
		Title: t.Title, Summary: t.Summary, Lang: t.Language, Dir: shown.Dir(),
		Body: kb.Render(t.Body), Updated: rq.pr.FormatDate(t.UpdatedAt), Sources: art.Sources,
	}
	if !exact {
		name := t.Language
		if p.bundle.Supported(t.Language) {
			name = shown.Name()
		}
		ha.Fallback = rq.pr.T("help.fallback", map[string]any{"Wanted": rq.pr.Name(), "Shown": name})
	}
	hv.Article = ha
	p.render(w, r, http.StatusOK, "help", pg)
}
