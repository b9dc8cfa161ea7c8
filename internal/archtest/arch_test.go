// Package archtest checks the import direction written in
// docs/ARCHITECTURE.md: every package may import only packages of a lower
// layer, and the pure packages import nothing outside the standard library
// but the model.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/sportello/sportello/"

// layers ranks every package: an import must go to a strictly lower rank.
// Keep in step with docs/ARCHITECTURE.md.
var layers = map[string]int{
	"internal/model": 0,

	"internal/hours":       1, // pure engines
	"internal/eligibility": 1,
	"internal/routing":     1,
	"internal/langdetect":  1,
	"internal/auth":        1,
	"internal/locale":      1,
	"internal/kb":          1,
	"internal/hsds":        1,

	"internal/store":              2,
	"internal/files":              2,
	"internal/translate":          2,
	"internal/realtime":           2,
	"internal/channel":            2, // what every provider adapter shares
	"internal/channel/metahook":   2, // Meta's webhook signature, for WhatsApp and Messenger
	"internal/channel/apichannel": 3, // provider adapters
	"internal/channel/twilio":     3,
	"internal/channel/whatsapp":   3,
	"internal/channel/messenger":  3,
	"internal/channel/email":      3,
	"internal/store/storetest":    3,
	"internal/realtime/pgrelay":   3,
	"internal/browsertest":        3,
	"internal/config":             3,

	"internal/channel/telegram":              3, // provider adapters, continued
	"internal/channel/telegram/telegramtest": 3, // a fake Bot API for tests

	"internal/desk":  4,
	"internal/demo":  4,
	"internal/bench": 4,

	"internal/web":        5,
	"internal/web/assets": 5,

	"internal/web/api":     6,
	"internal/web/console": 6,
	"internal/web/portal":  6,
	"internal/web/hooks":   6,
	"internal/web/hsds":    6,

	"internal/app":  7,
	"cmd/sportello": 8,
}

// pure packages may import only the standard library and these.
var pure = map[string][]string{
	"internal/model":       {},
	"internal/hours":       {"internal/model"},
	"internal/eligibility": {"internal/model"},
	"internal/routing":     {"internal/model"},
	"internal/langdetect":  {},
	"internal/hsds":        {},
}

func TestImportDirection(t *testing.T) {
	root := filepath.Join("..", "..")
	imports := map[string]map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "sportello-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[pkg][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		if pkg == "internal/archtest" {
			continue
		}
		rank, ok := layers[pkg]
		if !ok {
			t.Errorf("%s has no layer: add it to docs/ARCHITECTURE.md and to layers here", pkg)
			continue
		}
		for imp := range imports[pkg] {
			ours, isOurs := strings.CutPrefix(imp, module)
			if allowed, isPure := pure[pkg]; isPure {
				if isOurs && !contains(allowed, ours) || !isOurs && !isStd(imp) {
					t.Errorf("%s is pure but imports %s", pkg, imp)
				}
			}
			if !isOurs {
				continue
			}
			r, ok := layers[ours]
			if !ok {
				continue // reported above
			}
			if r >= rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go to lower layers only", pkg, rank, ours, r)
			}
		}
	}
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestArchitectureDocNamesEveryPackage(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range layers {
		if _, err := os.Stat(filepath.Join("..", "..", pkg)); err != nil {
			continue // planned, not written yet
		}
		if !strings.Contains(string(doc), pkg) {
			t.Errorf("docs/ARCHITECTURE.md does not mention %s", pkg)
		}
	}
}
