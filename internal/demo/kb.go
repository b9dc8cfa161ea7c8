package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/sportello/sportello/internal/kb"
)

// Starter articles of the knowledge base, in the files that import and
// export exchange. They are written by the project from the sources each
// one cites, published, and due for review at once: every organisation
// that uses them must check them against the rules of the year.
//
//go:embed kb/*.md
var starterFS embed.FS

// StarterArticles returns the starter articles, every language's file,
// sorted by name.
func StarterArticles() ([]*kb.Doc, error) {
	names, err := fs.Glob(starterFS, "kb/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*kb.Doc
	for _, name := range names {
		data, err := starterFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		d, err := kb.ParseDoc(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// knowledgeBase loads the starter articles into the demo organisation.
func (l *loader) knowledgeBase(ctx context.Context) error {
	docs, err := StarterArticles()
	if err != nil {
		return err
	}
	articles := map[string]bool{}
	for _, d := range docs {
		if _, err := l.s.ImportKBDoc(ctx, l.org.ID, d, 0); err != nil {
			return fmt.Errorf("knowledge base %s: %w", d.FileName(), err)
		}
		articles[d.Slug] = true
	}
	l.res.Articles = len(articles)
	return nil
}
