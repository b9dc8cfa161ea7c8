package assets_test

import (
	"bytes"
	"compress/gzip"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/web/assets"
)

var fsys = fstest.MapFS{
	"static/app.css":        {Data: []byte("body{color:red}")},
	"static/app.js":         {Data: []byte("console.log(1)")},
	"static/sub/ignored.js": {Data: []byte("x")},
	"templates/layout.html": {Data: []byte(`{{define "layout"}}<html lang="{{.}}">{{template "content" .}}</html>{{end}}`)},
	"templates/home.html":   {Data: []byte(`{{define "content"}}{{T "app.name"}} <link href="{{asset "app.css"}}">{{end}}`)},
}

func serve(t *testing.T, s *assets.Static, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc(s.Pattern(), func(w http.ResponseWriter, r *http.Request) { s.Serve(w, r, http.NotFound) })
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	return w
}

func TestStatic(t *testing.T) {
	for _, compress := range []bool{false, true} {
		s, err := assets.LoadStatic(fsys, "static", "/static/x/", compress)
		if err != nil {
			t.Fatal(err)
		}
		url := s.URL("app.css")
		if !regexp.MustCompile(`^/static/x/[0-9a-f]{16}/app\.css$`).MatchString(url) {
			t.Fatalf("URL = %q", url)
		}
		if s.URL("ignored.js") != "" || s.URL("nope.css") != "" {
			t.Error("a file outside the directory, or missing, has a URL")
		}
		w := serve(t, s, url)
		if w.Code != http.StatusOK || w.Body.String() != "body{color:red}" {
			t.Fatalf("compress=%v: %d %q", compress, w.Code, w.Body)
		}
		if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control = %q", got)
		}
		if got := w.Header().Get("Content-Type"); got != "text/css; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
		old := serve(t, s, "/static/x/0000000000000000/app.css")
		if old.Code != http.StatusFound || old.Header().Get("Location") != url {
			t.Errorf("old hash: %d %q, want 302 to %s", old.Code, old.Header().Get("Location"), url)
		}
		if w := serve(t, s, "/static/x/0000000000000000/nope.js"); w.Code != http.StatusNotFound {
			t.Errorf("unknown file: %d", w.Code)
		}

		gz := serve(t, s, url, "Accept-Encoding", "gzip, br")
		if (gz.Header().Get("Content-Encoding") == "gzip") != compress {
			t.Fatalf("compress=%v: Content-Encoding %q", compress, gz.Header().Get("Content-Encoding"))
		}
		if compress {
			zr, err := gzip.NewReader(gz.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := io.ReadAll(zr)
			if string(plain) != "body{color:red}" || gz.Header().Get("ETag") == w.Header().Get("ETag") {
				t.Errorf("gzipped: %q, ETag %q", plain, gz.Header().Get("ETag"))
			}
		}
	}
	if _, err := assets.LoadStatic(fstest.MapFS{"static/a.exe": {Data: []byte("x")}}, "static", "/s/", false); err == nil ||
		!strings.Contains(err.Error(), "no content type") {
		t.Errorf("unknown extension: %v", err)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false}, {"gzip", true}, {"br, GZIP;q=0.5", true}, {"gzip;q=0", false}, {"gzip; q=0", false}, {"deflate", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := assets.AcceptsGzip(r); got != tt.want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(assets.Gzip([]byte("hello"))))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != "hello" {
		t.Errorf("Gzip round trip: %q", b)
	}
}

func TestPages(t *testing.T) {
	b, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, err := assets.LoadStatic(fsys, "static", "/static/x/", false)
	if err != nil {
		t.Fatal(err)
	}
	funcs := func(p *locale.Printer) template.FuncMap {
		return template.FuncMap{"T": func(key string, kv ...any) string { return p.T(key, assets.Args(kv)) }, "asset": s.URL}
	}
	pages, err := assets.ParsePages(fsys, "templates/layout.html", []string{"home"}, b, funcs)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range b.Languages() {
		out, err := pages.Execute(lang, "home", "layout", lang)
		if err != nil {
			t.Fatal(err)
		}
		want := `<html lang="` + lang + `">` + b.Printer(lang).T("app.name", nil) + ` <link href="` + s.URL("app.css") + `"></html>`
		if string(out) != want {
			t.Errorf("%s: %s, want %s", lang, out, want)
		}
	}
	if out, err := pages.Execute("xx", "home", "layout", "xx"); err != nil || !strings.Contains(string(out), `lang="xx"`) {
		t.Errorf("unknown language: %s, %v", out, err)
	}
	if _, err := pages.Execute("en", "missing", "layout", nil); err == nil {
		t.Error("a missing page executed")
	}
	if _, err := assets.ParsePages(fsys, "templates/layout.html", []string{"nope"}, b, funcs); err == nil {
		t.Error("a missing template parsed")
	}
	if got := assets.Args([]any{"Name", "Ada", 3, "x", "Odd"}); len(got) != 1 || got["Name"] != "Ada" {
		t.Errorf("Args = %v", got)
	}
}
