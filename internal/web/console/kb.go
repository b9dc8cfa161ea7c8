package console

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The knowledge base in the console: the list of articles with those due
// for review, an article's settings, its text in each language with the
// history, and the categories. Everyone on staff reads; kb:manage writes.

const kbURL = "/kb"

func kbArticleURL(id int64) string { return kbURL + "/" + strconv.FormatInt(id, 10) }

type kbRow struct {
	Title, Slug, Status, Languages, ReviewBy, Owner, URL string
	Overdue                                              bool
}

type kbListPage struct {
	*page
	Rows, Due  []kbRow
	Mine       bool
	MineURL    string
	AllURL     string
	CanManage  bool
	Categories []string
}

// kbStatusLabel names an article status in the console's language.
func kbStatusLabel(p *locale.Printer, s string) string {
	switch s {
	case kb.StatusPublished:
		return p.T("kb.status_published", nil)
	case kb.StatusInternal:
		return p.T("kb.status_internal", nil)
	}
	return p.T("kb.status_draft", nil)
}

// kbRowOf shows an article in the list in the console's language.
func (c *Console) kbRowOf(p *locale.Printer, users map[int64]string, art *store.KBArticle, fallback string) kbRow {
	row := kbRow{Slug: art.Slug, Status: kbStatusLabel(p, art.Status), URL: kbArticleURL(art.ID), Owner: users[art.OwnerID]}
	if t, _ := art.Translation(p.Lang(), fallback); t != nil {
		row.Title = t.Title
	}
	var langs []string
	for _, t := range art.Translations {
		langs = append(langs, t.Language)
	}
	row.Languages = strings.Join(langs, ", ")
	if art.ReviewBy != nil {
		row.ReviewBy = p.FormatDate(*art.ReviewBy)
		row.Overdue = !art.ReviewBy.After(c.now())
	}
	return row
}

func (c *Console) userNames(r *http.Request, orgID int64) (map[int64]string, []*model.User, error) {
	users, err := c.desk.Store().Users(r.Context(), orgID)
	if err != nil {
		return nil, nil, err
	}
	out := map[int64]string{}
	for _, u := range users {
		out[u.ID] = u.Name
	}
	return out, users, nil
}

// kbList shows every article, and first those due for review (?mine=1:
// only the reader's).
func (c *Console) kbList(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, kbURL, "kb.title")
	pg.Nav = "kb"
	p := pg.p
	switch r.URL.Query().Get("ok") {
	case "deleted":
		pg.Notice = p.T("kb.deleted", nil)
	case "saved":
		pg.Notice = p.T("kb.saved", nil)
	}
	org, err := c.desk.Store().Organization(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, _, err := c.userNames(r, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := kbListPage{page: pg, Mine: r.URL.Query().Get("mine") == "1", MineURL: kbURL + "?mine=1", AllURL: kbURL, CanManage: a.Can(model.PermKBManage)}
	owner := int64(0)
	if data.Mine {
		owner = a.User.ID
	}
	due, err := c.desk.KBReviewDue(ctx, a, owner)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, art := range due {
		data.Due = append(data.Due, c.kbRowOf(p, users, art, org.Language))
	}
	all, err := c.desk.KBArticles(ctx, a, store.KBFilter{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, art := range all {
		data.Rows = append(data.Rows, c.kbRowOf(p, users, art, org.Language))
	}
	cats, err := c.desk.KBCategories(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, cat := range cats {
		data.Categories = append(data.Categories, cat.Name(p.Lang(), org.Language))
	}
	c.render(w, r, http.StatusOK, "kb", pg, data)
}

type kbVersionView struct {
	Label, Title string
	Body         string
}

type kbEditPage struct {
	*page
	New        bool
	Action     string
	CanManage  bool
	Errors     map[string]string
	Slug       string
	Statuses   []option
	Categories []option
	Owners     []option
	ReviewBy   string
	Sources    string
	Shared     bool
	PublicURL  string
	DeleteURL  string

	// The translation shown and edited, in Lang.
	Lang          string
	LangOptions   []option
	Translations  []option // links to each language's text
	TAction       string
	Title         string
	Summary       string
	Body          string
	Preview       template.HTML
	Versions      []kbVersionView
	TitleMax      int
	SummaryMax    int
	BodyMax       int
	LanguageLabel string
}

// kbNew shows the form of a new article with its first text.
func (c *Console) kbNew(w http.ResponseWriter, r *http.Request) {
	p := c.printer(r)
	c.renderKBEdit(w, r, http.StatusOK, &store.KBArticle{Status: kb.StatusDraft}, &store.KBTranslation{Language: p.Lang()}, nil)
}

// kbEdit shows an article: its settings, its text in ?lang= (default:
// the console's language, else the first it has) and that text's history.
func (c *Console) kbEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	art, err := c.desk.KBArticle(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	lang := r.URL.Query().Get("lang")
	if !model.ValidLanguage(lang) {
		lang = c.printer(r).Lang()
		if t, _ := art.Translation(lang, ""); t != nil && len(art.Translations) > 0 {
			lang = t.Language
		}
	}
	t := &store.KBTranslation{Language: lang}
	for _, x := range art.Translations {
		if x.Language == lang {
			t = x
		}
	}
	c.renderKBEdit(w, r, http.StatusOK, art, t, nil)
}

func (c *Console) renderKBEdit(w http.ResponseWriter, r *http.Request, status int, art *store.KBArticle, t *store.KBTranslation, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	self, titleKey := kbURL+"/new", "kb.new"
	if art.ID != 0 {
		self, titleKey = kbArticleURL(art.ID), "kb.edit"
	}
	pg := c.newPage(r, self, titleKey)
	pg.Nav = "kb"
	p := pg.p
	if r.URL.Query().Get("ok") == "saved" {
		pg.Notice = p.T("kb.saved", nil)
	}
	data := kbEditPage{page: pg, New: art.ID == 0, Action: kbURL, CanManage: a.Can(model.PermKBManage), Errors: errs,
		Slug: art.Slug, Shared: art.Shared, Sources: strings.Join(art.Sources, "\n"),
		Lang: t.Language, Title: t.Title, Summary: t.Summary, Body: t.Body, TitleMax: kb.TitleMax, SummaryMax: kb.SummaryMax, BodyMax: kb.BodyMax}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	if len(data.Errors) > 0 {
		pg.failed()
		pg.Alert = data.Errors[""]
	}
	if art.ReviewBy != nil {
		data.ReviewBy = art.ReviewBy.Format("2006-01-02")
	}
	if art.ID != 0 {
		data.Action, data.DeleteURL, data.TAction = kbArticleURL(art.ID), kbArticleURL(art.ID)+"/delete", kbArticleURL(art.ID)+"/translations"
		org, err := c.desk.Store().Organization(ctx, a.OrgID())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if art.Status == kb.StatusPublished {
			data.PublicURL = "/o/" + org.Slug + "/help/" + url.PathEscape(art.Slug) + "?lang=" + url.QueryEscape(t.Language)
		}
		for _, x := range art.Translations {
			data.Translations = append(data.Translations, option{Value: kbArticleURL(art.ID) + "?lang=" + url.QueryEscape(x.Language), Label: c.languageName(x.Language), Selected: x.Language == t.Language})
		}
		if t.ID != 0 {
			data.Preview = kb.Render(t.Body)
			vs, err := c.desk.KBVersions(ctx, a, art.ID, t.Language)
			if err != nil {
				c.fail(w, r, err)
				return
			}
			for _, v := range vs {
				data.Versions = append(data.Versions, kbVersionView{Label: p.T("kb.version", map[string]any{"Version": v.Version, "Date": p.FormatDate(v.CreatedAt)}), Title: v.Title, Body: v.Body})
			}
		}
	}
	for _, st := range []string{kb.StatusDraft, kb.StatusPublished, kb.StatusInternal} {
		data.Statuses = append(data.Statuses, option{Value: st, Label: kbStatusLabel(p, st), Selected: st == art.Status})
	}
	cats, err := c.desk.KBCategories(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Categories = append(data.Categories, option{Value: "0", Label: p.T("kb.no_category", nil), Selected: art.CategoryID == 0})
	for _, cat := range cats {
		data.Categories = append(data.Categories, option{Value: strconv.FormatInt(cat.ID, 10), Label: cat.Name(p.Lang(), ""), Selected: cat.ID == art.CategoryID})
	}
	_, users, err := c.userNames(r, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Owners = append(data.Owners, option{Value: "0", Label: p.T("kb.nobody", nil), Selected: art.OwnerID == 0})
	for _, u := range users {
		if u.Active || u.ID == art.OwnerID {
			data.Owners = append(data.Owners, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == art.OwnerID})
		}
	}
	for _, lang := range c.bundle.Languages() {
		data.LangOptions = append(data.LangOptions, option{Value: lang, Label: c.languageName(lang), Selected: lang == t.Language})
	}
	status = max(status, http.StatusOK)
	c.render(w, r, status, "kb_article", pg, data)
}

// kbArticleForm reads the settings fields of the article form into art.
func kbArticleForm(r *http.Request, art *store.KBArticle) error {
	f := r.PostForm
	art.Slug = strings.TrimSpace(f.Get("slug"))
	art.Status = f.Get("status")
	art.Shared = f.Get("shared") == "1"
	var err error
	if art.CategoryID, err = strconv.ParseInt(f.Get("category_id"), 10, 64); err != nil || art.CategoryID < 0 {
		return model.Invalid("category_id", "error.validation.id", "not an id", nil)
	}
	if art.OwnerID, err = strconv.ParseInt(f.Get("owner_id"), 10, 64); err != nil || art.OwnerID < 0 {
		return model.Invalid("owner_id", "error.validation.id", "not an id", nil)
	}
	art.ReviewBy = nil
	if s := strings.TrimSpace(f.Get("review_by")); s != "" {
		t, err := kb.ParseDate("review_by", s)
		if err != nil {
			return err
		}
		art.ReviewBy = &t
	}
	art.Sources = strings.Split(strings.ReplaceAll(f.Get("sources"), "\r\n", "\n"), "\n")
	return nil
}

func kbTranslationForm(r *http.Request, t *store.KBTranslation) {
	f := r.PostForm
	t.Language, t.Title, t.Summary = f.Get("language"), f.Get("title"), f.Get("summary")
	t.Body = strings.ReplaceAll(f.Get("body"), "\r\n", "\n")
}

// kbFormError shows a validation error by its field, or fails the page.
func (c *Console) kbFormError(w http.ResponseWriter, r *http.Request, art *store.KBArticle, t *store.KBTranslation, err error) {
	if !model.ErrorIs(err, model.CodeInvalid) && !model.ErrorIs(err, model.CodeConflict) {
		c.fail(w, r, err)
		return
	}
	field := fieldOf(err)
	if field == "" && model.ErrorIs(err, model.CodeConflict) {
		field = "slug"
	}
	c.renderKBEdit(w, r, web.Status(err), art, t, map[string]string{field: errorText(c.printer(r), err)})
}

// kbCreate writes a new article with its first text, in one go for the
// person: the article first, then its text; a refused text leaves the
// article as a draft to complete.
func (c *Console) kbCreate(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	art := &store.KBArticle{}
	t := &store.KBTranslation{}
	kbTranslationForm(r, t)
	if err := kbArticleForm(r, art); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	// Check the text before creating anything, so a mistake in it does not
	// leave an empty article behind.
	if err := model.CheckText("title", strings.TrimSpace(t.Title), true, kb.TitleMax); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	if err := kb.CheckBody("body", t.Body); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	if err := c.desk.SaveKBArticle(r.Context(), a, art); err != nil {
		c.kbFormError(w, r, &store.KBArticle{Slug: art.Slug, Status: art.Status, CategoryID: art.CategoryID, OwnerID: art.OwnerID, ReviewBy: art.ReviewBy, Sources: art.Sources, Shared: art.Shared}, t, err)
		return
	}
	t.ArticleID = art.ID
	if err := c.desk.SaveKBTranslation(r.Context(), a, t); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	http.Redirect(w, r, kbArticleURL(art.ID)+"?ok=saved&lang="+url.QueryEscape(t.Language), http.StatusSeeOther)
}

// kbUpdate saves an article's settings.
func (c *Console) kbUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	art, err := c.desk.KBArticle(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	t := &store.KBTranslation{Language: c.printer(r).Lang()}
	if len(art.Translations) > 0 {
		t = art.Translations[0]
	}
	if err := kbArticleForm(r, art); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	if err := c.desk.SaveKBArticle(r.Context(), a, art); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	http.Redirect(w, r, kbArticleURL(art.ID)+"?ok=saved", http.StatusSeeOther)
}

// kbSaveTranslation writes the article's text in the form's language.
func (c *Console) kbSaveTranslation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	art, err := c.desk.KBArticle(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	t := &store.KBTranslation{ArticleID: art.ID}
	kbTranslationForm(r, t)
	if err := c.desk.SaveKBTranslation(r.Context(), a, t); err != nil {
		c.kbFormError(w, r, art, t, err)
		return
	}
	http.Redirect(w, r, kbArticleURL(art.ID)+"?ok=saved&lang="+url.QueryEscape(t.Language), http.StatusSeeOther)
}

// kbDelete removes an article.
func (c *Console) kbDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if err := c.desk.DeleteKBArticle(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, kbURL+"?ok=deleted", http.StatusSeeOther)
}

// kbCategoryCreate adds a category named in the console's language.
func (c *Console) kbCategoryCreate(w http.ResponseWriter, r *http.Request) {
	p := c.printer(r)
	cat := &store.KBCategory{Slug: strings.TrimSpace(r.PostForm.Get("slug")), Names: map[string]string{p.Lang(): r.PostForm.Get("name")}}
	if err := c.desk.SaveKBCategory(r.Context(), web.ActorFrom(r), cat); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, kbURL+"?ok=saved", http.StatusSeeOther)
}

type kbSharedRow struct {
	Org, Title, Languages, CopyURL string
}

type kbSharedPage struct {
	*page
	Rows      []kbSharedRow
	CanManage bool
}

// kbShared lists the articles other organisations of the instance share,
// each with a button to copy it here as a draft.
func (c *Console) kbShared(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	pg := c.newPage(r, kbURL+"/shared", "kb.shared_title")
	pg.Nav = "kb"
	p := pg.p
	list, err := c.desk.KBShared(r.Context(), a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := kbSharedPage{page: pg, CanManage: a.Can(model.PermKBManage)}
	for _, sh := range list {
		row := kbSharedRow{Org: sh.OrgName, CopyURL: kbURL + "/shared/" + strconv.FormatInt(sh.Article.ID, 10) + "/copy"}
		if t, _ := sh.Article.Translation(p.Lang(), ""); t != nil {
			row.Title = t.Title
		}
		var langs []string
		for _, t := range sh.Article.Translations {
			langs = append(langs, t.Language)
		}
		row.Languages = strings.Join(langs, ", ")
		data.Rows = append(data.Rows, row)
	}
	c.render(w, r, http.StatusOK, "kb_shared", pg, data)
}

// kbCopy copies a shared article here and opens it, a draft to review.
func (c *Console) kbCopy(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	art, err := c.desk.CopySharedKB(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, kbArticleURL(art.ID)+"?ok=saved", http.StatusSeeOther)
}
