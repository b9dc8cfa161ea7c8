package api

import (
	"time"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// kbArticle is an article as the API shows it. Lists leave the bodies of
// its translations out.
type kbArticle struct {
	ID           int64            `json:"id"`
	Slug         string           `json:"slug"`
	CategoryID   int64            `json:"category_id"`
	Status       string           `json:"status"`
	Shared       bool             `json:"shared"`
	OwnerID      int64            `json:"owner_id"`
	ReviewBy     *string          `json:"review_by"` // YYYY-MM-DD
	Sources      []string         `json:"sources"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Translations []*kbTranslation `json:"translations"`
}

type kbTranslation struct {
	Language  string    `json:"language"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Body      *string   `json:"body,omitempty"` // Markdown
	Version   int       `json:"version"`
	UpdatedBy int64     `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

func kbArticleJSON(a *store.KBArticle, bodies bool) *kbArticle {
	out := &kbArticle{
		ID: a.ID, Slug: a.Slug, CategoryID: a.CategoryID, Status: a.Status, Shared: a.Shared, OwnerID: a.OwnerID,
		Sources: a.Sources, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Translations: []*kbTranslation{},
	}
	if out.Sources == nil {
		out.Sources = []string{}
	}
	if a.ReviewBy != nil {
		d := a.ReviewBy.Format("2006-01-02")
		out.ReviewBy = &d
	}
	for _, t := range a.Translations {
		jt := &kbTranslation{Language: t.Language, Title: t.Title, Summary: t.Summary, Version: t.Version, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt}
		if bodies {
			body := t.Body
			jt.Body = &body
		}
		out.Translations = append(out.Translations, jt)
	}
	return out
}

// kbArticleBody is the body of POST /api/v1/kb/articles and of its PATCH:
// in a PATCH, a field left out (or null) stays as it is.
type kbArticleBody struct {
	Slug       *string   `json:"slug"`
	CategoryID *int64    `json:"category_id"` // 0: none
	Status     *string   `json:"status"`
	Shared     *bool     `json:"shared"`
	OwnerID    *int64    `json:"owner_id"`  // 0: none
	ReviewBy   *string   `json:"review_by"` // YYYY-MM-DD; "" clears it
	Sources    *[]string `json:"sources"`
}

// apply writes the fields given onto a.
func (b *kbArticleBody) apply(a *store.KBArticle) error {
	if b.Slug != nil {
		a.Slug = *b.Slug
	}
	if b.CategoryID != nil {
		if *b.CategoryID < 0 {
			return invalidNumber("category_id")
		}
		a.CategoryID = *b.CategoryID
	}
	if b.Status != nil {
		a.Status = *b.Status
	}
	if b.Shared != nil {
		a.Shared = *b.Shared
	}
	if b.OwnerID != nil {
		if *b.OwnerID < 0 {
			return invalidNumber("owner_id")
		}
		a.OwnerID = *b.OwnerID
	}
	if b.ReviewBy != nil {
		a.ReviewBy = nil
		if *b.ReviewBy != "" {
			t, err := kb.ParseDate("review_by", *b.ReviewBy)
			if err != nil {
				return err
			}
			a.ReviewBy = &t
		}
	}
	if b.Sources != nil {
		a.Sources = *b.Sources
	}
	return nil
}

// kbLang reads the {lang} of an address.
func kbLang(s string) (string, error) {
	if !model.ValidLanguage(s) {
		return "", model.Invalid("language", "error.validation.language", "not a valid language code", map[string]any{"Value": s})
	}
	return s, nil
}
