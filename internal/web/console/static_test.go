package console_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// budgets keep the console light for a desk's old tablet on a slow line.
var budgets = map[string]int{".css": 15 << 10, ".js": 20 << 10}

func TestStaticAssetsWithinBudget(t *testing.T) {
	entries, err := os.ReadDir("static")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no static files")
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		budget, ok := budgets[filepath.Ext(e.Name())]
		switch {
		case !ok:
			t.Errorf("static/%s: no size budget for this kind of file; add one", e.Name())
		case info.Size() > int64(budget):
			t.Errorf("static/%s: %d bytes, over its budget of %d", e.Name(), info.Size(), budget)
		default:
			t.Logf("static/%s: %d of %d bytes", e.Name(), info.Size(), budget)
		}
	}
}

var assetRE = regexp.MustCompile(`(?:href|src)="(/static/console/[0-9a-f]{16}/([a-z.]+))"`)

func TestStaticServedWithHashAndLongCache(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	c := e.client()
	page := c.get("/login").body
	found := assetRE.FindAllStringSubmatch(page, -1)
	if len(found) != 2 {
		t.Fatalf("login page links %d static files, want the CSS and the JS", len(found))
	}
	for _, m := range found {
		path, name := m[1], m[2]
		want, err := os.ReadFile(filepath.Join("static", name))
		if err != nil {
			t.Fatal(err)
		}
		r := c.get(path)
		wantStatus(t, path, r, http.StatusOK)
		if r.body != string(want) {
			t.Errorf("%s: body differs from static/%s", path, name)
		}
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q, want a year, immutable", path, cc)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, map[string]string{".css": "text/css", ".js": "text/javascript"}[filepath.Ext(name)]) {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		// A page from before an upgrade asks for an old hash: it gets the
		// current file's address, not old content under a new promise.
		old := c.get("/static/console/0000000000000000/" + name)
		if old.status != http.StatusFound || old.location() != path {
			t.Errorf("old hash of %s: %d %q, want 302 to %s", name, old.status, old.location(), path)
		}
	}
	wantStatus(t, "unknown file", c.get("/static/console/0000000000000000/nope.js"), http.StatusNotFound)
}
