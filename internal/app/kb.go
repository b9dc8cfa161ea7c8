package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/kb"
)

// cmdKB moves knowledge base articles in and out as Markdown files with
// front matter (docs/KB.md), one file per article and language:
//
//	sportello kb import --org SLUG [--editor EMAIL] PATH...
//	sportello kb export --org SLUG --out DIR
//
// import reads files and directories (their *.md files, not recursing),
// checks every file before writing any, then writes each in its own
// transaction; export writes SLUG.LANG.md files into DIR.
func cmdKB(ctx context.Context, e env) error {
	verb, e, err := sub(e, "kb", "import", "export")
	if err != nil {
		return err
	}
	fs, cfg := flags("kb "+verb, e, false)
	org := fs.String("org", "", "organisation slug")
	out := fs.String("out", "", "export: directory to write the files into (created if missing)")
	editor := fs.String("editor", "", "import: e-mail of the user recorded as the author of the texts (optional)")
	if err := fs.Parse(e.args); err != nil {
		return ErrUsage
	}
	paths := fs.Args()
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "org", *org); err != nil {
		return err
	}
	if verb == "export" {
		if err := required(fs, e.stderr, "out", *out); err != nil {
			return err
		}
		if len(paths) > 0 {
			fmt.Fprintf(e.stderr, "sportello kb export: unexpected argument %q\n", paths[0])
			return ErrUsage
		}
	} else if len(paths) == 0 {
		fmt.Fprintln(e.stderr, "sportello kb import: name the files or directories to import")
		return ErrUsage
	}
	var docs []*kb.Doc
	if verb == "import" {
		// Read and check everything before opening the database.
		if docs, err = readDocs(paths); err != nil {
			return err
		}
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	if verb == "export" {
		docs, err := desk.ExportKBDocs(ctx, st, o.ID)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(*out, 0o750); err != nil {
			return err
		}
		for _, d := range docs {
			if err := os.WriteFile(filepath.Join(*out, d.FileName()), d.Format(), 0o640); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "exported %d files to %s\n", len(docs), *out)
		return nil
	}
	var editorID int64
	if *editor != "" {
		u, err := st.UserByEmail(ctx, o.ID, strings.ToLower(strings.TrimSpace(*editor)))
		if err != nil {
			return fmt.Errorf("--editor: no user %q in %s", *editor, o.Slug)
		}
		editorID = u.ID
	}
	n, err := desk.ImportKBDocs(ctx, st, o.ID, editorID, docs)
	fmt.Fprintf(e.stdout, "imported %d of %d files into %s\n", n, len(docs), o.Slug)
	return describe(err)
}

// readDocs parses the Markdown files named, and those directly inside the
// directories named, in name order.
func readDocs(paths []string) ([]*kb.Doc, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, en := range entries {
			if en.Type().IsRegular() && strings.HasSuffix(en.Name(), ".md") {
				names = append(names, filepath.Join(p, en.Name()))
			}
		}
		sort.Strings(names)
		files = append(files, names...)
	}
	var docs []*kb.Doc
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		if info.Size() > 4*kb.BodyMax+64<<10 {
			return nil, fmt.Errorf("%s: too large for an article (%d bytes)", f, info.Size())
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		d, err := kb.ParseDoc(f, data)
		if err != nil {
			return nil, err
		}
		if err := kb.CheckBody("body", d.Body); err != nil {
			return nil, fmt.Errorf("%s: %w", f, describe(err))
		}
		docs = append(docs, d)
	}
	return docs, nil
}
