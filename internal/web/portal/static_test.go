package portal_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

// Budgets: citizens are on cheap phones and slow 3G. The chat page's own
// scripts and styles, plus the page itself, stay under pageBudget
// compressed as they travel; the loader that every page of an
// organisation's site carries stays under loaderBudget even uncompressed.
const (
	pageBudget   = 60 << 10
	loaderBudget = 3 << 10
)

func readStatic(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("static", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}

var assetRE = regexp.MustCompile(`(?:href|src)="(/static/portal/[0-9a-f]{16}/([a-z.]+))"`)

func TestChatPageWithinBudget(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{settings: prechatSettings})
	c := e.client()
	page := c.get(e.chatPath("?lang=ar"))
	wantStatus(t, "page", page, http.StatusOK)
	total := gzipSize(t, []byte(page.body))
	t.Logf("chat page (Arabic, with the pre-chat form): %d bytes, %d gzipped", len(page.body), total)
	found := assetRE.FindAllStringSubmatch(page.body, -1)
	if len(found) != 2 {
		t.Fatalf("the page links %d static files, want its CSS and its JS", len(found))
	}
	for _, m := range found {
		r := c.get(m[1])
		wantStatus(t, m[1], r, http.StatusOK)
		if r.body != readStatic(t, m[2]) {
			t.Errorf("%s: not static/%s", m[1], m[2])
		}
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", m[1], cc)
		}
		n := gzipSize(t, []byte(r.body))
		t.Logf("%s: %d bytes, %d gzipped", m[2], len(r.body), n)
		total += n
	}
	if total > pageBudget {
		t.Errorf("the chat page and its files are %d bytes gzipped, over the budget of %d", total, pageBudget)
	}
	t.Logf("chat page in all: %d of %d bytes gzipped", total, pageBudget)

	// Served compressed to a browser that says it takes gzip.
	req, _ := http.NewRequest(http.MethodGet, e.url(found[1][1]), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s: sent without compression", found[1][1])
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != readStatic(t, found[1][2]) {
		t.Error("the compressed file does not decompress to the file")
	}
}

func TestWidgetLoaderWithinBudget(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), options{settings: `{"webchat": {"allowed_origins": ["https://www.caritas.example", "https://comune.example"]}}`})
	r := e.client().get("/o/" + e.org.Slug + "/widget.js")
	wantStatus(t, "widget.js", r, http.StatusOK)
	n := gzipSize(t, []byte(r.body))
	t.Logf("widget.js: %d bytes (budget %d), %d gzipped", len(r.body), loaderBudget, n)
	if len(r.body) > loaderBudget || n > loaderBudget*2/3 {
		t.Errorf("widget.js is %d bytes, %d gzipped: over the budget of %d, %d gzipped", len(r.body), n, loaderBudget, loaderBudget*2/3)
	}
	if strings.Contains(r.body, "\n//") || strings.Contains(r.body, "\n  ") {
		t.Error("widget.js is served with its comments or indentation")
	}
	if cc := r.header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("widget.js Cache-Control %q, want five minutes (its address never changes)", cc)
	}
}
