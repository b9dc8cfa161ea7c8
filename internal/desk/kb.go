package desk

import (
	"context"
	"fmt"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// The knowledge base: staff with kb:read read every article and search
// published and internal ones; kb:manage writes them. Citizens see only
// published articles, through the Help methods, which need no actor.

// KBArticles lists the organisation's articles under f.
func (d *Service) KBArticles(ctx context.Context, a *Actor, f store.KBFilter) ([]*store.KBArticle, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	return d.st.KBArticles(ctx, a.OrgID(), f)
}

// KBArticle returns one article with its translations.
func (d *Service) KBArticle(ctx context.Context, a *Actor, id int64) (*store.KBArticle, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	return d.st.KBArticle(ctx, a.OrgID(), id)
}

// KBReviewDue lists the articles whose review date has come, of ownerID
// only when it is not 0.
func (d *Service) KBReviewDue(ctx context.Context, a *Actor, ownerID int64) ([]*store.KBArticle, error) {
	now := d.now()
	return d.KBArticles(ctx, a, store.KBFilter{ReviewDue: &now, OwnerID: ownerID})
}

// KBCategories lists the organisation's categories.
func (d *Service) KBCategories(ctx context.Context, a *Actor) ([]*store.KBCategory, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	return d.st.KBCategories(ctx, a.OrgID())
}

// KBVersions lists the earlier texts of an article in lang.
func (d *Service) KBVersions(ctx context.Context, a *Actor, articleID int64, lang string) ([]*store.KBVersion, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	return d.st.KBVersions(ctx, a.OrgID(), articleID, lang)
}

// SearchKB searches the articles staff may link or read: published and
// internal ones unless qy names statuses.
func (d *Service) SearchKB(ctx context.Context, a *Actor, qy store.KBQuery) ([]*store.KBHit, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	if len(qy.Statuses) == 0 {
		qy.Statuses = []string{kb.StatusPublished, kb.StatusInternal}
	}
	return d.st.SearchKB(ctx, a.OrgID(), qy)
}

// SaveKBCategory creates or changes a category.
func (d *Service) SaveKBCategory(ctx context.Context, a *Actor, c *store.KBCategory) error {
	if !a.Can(model.PermKBManage) {
		return errForbidden
	}
	c.OrgID = a.OrgID()
	created := c.ID == 0
	if err := d.st.SaveKBCategory(ctx, c); err != nil {
		return err
	}
	d.Audit(ctx, a, map[bool]string{true: "kb.category_create", false: "kb.category_update"}[created], "kb_category", c.ID, c.Slug)
	return nil
}

// SaveKBArticle creates an article or changes its settings.
func (d *Service) SaveKBArticle(ctx context.Context, a *Actor, art *store.KBArticle) error {
	if !a.Can(model.PermKBManage) {
		return errForbidden
	}
	art.OrgID = a.OrgID()
	created := art.ID == 0
	if err := d.st.SaveKBArticle(ctx, art); err != nil {
		return err
	}
	d.Audit(ctx, a, map[bool]string{true: "kb.article_create", false: "kb.article_update"}[created], "kb_article", art.ID, art.Slug+" "+art.Status)
	return nil
}

// SaveKBTranslation writes an article's text in one language; the
// previous text goes to the history.
func (d *Service) SaveKBTranslation(ctx context.Context, a *Actor, t *store.KBTranslation) error {
	if !a.Can(model.PermKBManage) {
		return errForbidden
	}
	t.OrgID, t.UpdatedBy = a.OrgID(), a.User.ID
	if err := d.st.SaveKBTranslation(ctx, t); err != nil {
		return err
	}
	d.Audit(ctx, a, "kb.translation_save", "kb_article", t.ArticleID, fmt.Sprintf("%s v%d", t.Language, t.Version))
	return nil
}

// DeleteKBArticle removes an article and its history.
func (d *Service) DeleteKBArticle(ctx context.Context, a *Actor, id int64) error {
	if !a.Can(model.PermKBManage) {
		return errForbidden
	}
	if err := d.st.DeleteKBArticle(ctx, a.OrgID(), id); err != nil {
		return err
	}
	d.Audit(ctx, a, "kb.article_delete", "kb_article", id, "")
	return nil
}

// ImportKB writes Markdown files into the organisation, each in its own
// transaction; it stops at the first bad file, naming it.
func (d *Service) ImportKB(ctx context.Context, a *Actor, docs []*kb.Doc) (int, error) {
	if !a.Can(model.PermKBManage) {
		return 0, errForbidden
	}
	n, err := ImportKBDocs(ctx, d.st, a.OrgID(), a.User.ID, docs)
	if n > 0 {
		d.Audit(ctx, a, "kb.import", "kb_article", 0, fmt.Sprintf("%d files", n))
	}
	return n, err
}

// ImportKBDocs writes docs into orgID with the store's rules; the command
// line and the demo use it without an actor. editorID may be 0.
func ImportKBDocs(ctx context.Context, st *store.Store, orgID, editorID int64, docs []*kb.Doc) (int, error) {
	for i, doc := range docs {
		if _, err := st.ImportKBDoc(ctx, orgID, doc, editorID); err != nil {
			return i, fmt.Errorf("%s: %w", doc.FileName(), err)
		}
	}
	return len(docs), nil
}

// ExportKB returns every translation of the organisation's articles as a
// Markdown file with front matter.
func (d *Service) ExportKB(ctx context.Context, a *Actor) ([]*kb.Doc, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	return ExportKBDocs(ctx, d.st, a.OrgID())
}

// ExportKBDocs is ExportKB without an actor, for the command line.
func ExportKBDocs(ctx context.Context, st *store.Store, orgID int64) ([]*kb.Doc, error) {
	arts, err := st.KBArticles(ctx, orgID, store.KBFilter{Limit: 1 << 30})
	if err != nil {
		return nil, err
	}
	cats, err := st.KBCategories(ctx, orgID)
	if err != nil {
		return nil, err
	}
	catByID := map[int64]*store.KBCategory{}
	for _, c := range cats {
		catByID[c.ID] = c
	}
	owners := map[int64]string{}
	var out []*kb.Doc
	for _, listed := range arts {
		art, err := st.KBArticle(ctx, orgID, listed.ID)
		if err != nil {
			return nil, err
		}
		owner, ok := owners[art.OwnerID]
		if !ok && art.OwnerID != 0 {
			if u, err := st.User(ctx, orgID, art.OwnerID); err == nil {
				owner = u.Email
			}
			owners[art.OwnerID] = owner
		}
		for _, t := range art.Translations {
			doc := &kb.Doc{
				Slug: art.Slug, Language: t.Language, Title: t.Title, Summary: t.Summary,
				Status: art.Status, Owner: owner, Shared: art.Shared, Sources: art.Sources, Body: t.Body,
			}
			if c := catByID[art.CategoryID]; c != nil {
				doc.Category, doc.CategoryName = c.Slug, c.Names[t.Language]
			}
			if art.ReviewBy != nil {
				doc.ReviewBy = art.ReviewBy.Format("2006-01-02")
			}
			out = append(out, doc)
		}
	}
	return out, nil
}

// HelpIndex is what a help centre's front page shows: the categories and
// the published articles.
func (d *Service) HelpIndex(ctx context.Context, orgID int64) ([]*store.KBCategory, []*store.KBArticle, error) {
	cats, err := d.st.KBCategories(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	arts, err := d.st.KBArticles(ctx, orgID, store.KBFilter{Statuses: []string{kb.StatusPublished}})
	return cats, arts, err
}

// HelpArticle returns a published article by slug; any other is not
// found.
func (d *Service) HelpArticle(ctx context.Context, orgID int64, slug string) (*store.KBArticle, error) {
	art, err := d.st.KBArticleBySlug(ctx, orgID, slug)
	if err != nil {
		return nil, err
	}
	if art.Status != kb.StatusPublished || len(art.Translations) == 0 {
		return nil, model.NotFound("kb_article")
	}
	return art, nil
}

// HelpSearch searches the published articles in lang; with prefix, the
// last word may be unfinished.
func (d *Service) HelpSearch(ctx context.Context, orgID int64, lang, text string, prefix bool, limit int) ([]*store.KBHit, error) {
	return d.st.SearchKB(ctx, orgID, store.KBQuery{Language: lang, Text: text, Limit: limit, Prefix: prefix})
}

// KBShared lists the articles other organisations of the instance share.
func (d *Service) KBShared(ctx context.Context, a *Actor) ([]*store.KBShared, error) {
	if !a.Can(model.PermKBRead) {
		return nil, errForbidden
	}
	return d.st.KBSharedArticles(ctx, a.OrgID())
}

// CopySharedKB copies an article another organisation shares into the
// actor's, as a draft due for review.
func (d *Service) CopySharedKB(ctx context.Context, a *Actor, articleID int64) (*store.KBArticle, error) {
	if !a.Can(model.PermKBManage) {
		return nil, errForbidden
	}
	art, err := d.st.CopySharedKBArticle(ctx, a.OrgID(), articleID, a.User.ID)
	if err != nil {
		return nil, err
	}
	d.Audit(ctx, a, "kb.article_copy", "kb_article", art.ID, fmt.Sprintf("%s from article %d", art.Slug, articleID))
	return art, nil
}
