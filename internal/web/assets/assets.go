// Package assets is what the server-rendered surfaces (console, portal)
// share to present pages: embedded static files served for a year under
// URLs that carry a hash of their content, and page templates parsed once
// per language with the layout.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// contentTypes are the kinds of static file a surface may ship.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

type file struct {
	name  string
	hash  string // first 16 hex digits of the SHA-256 of data
	ctype string
	data  []byte
	gz    []byte // data gzipped once, when the set compresses
}

// Static is one surface's static files, read once. It is safe for
// concurrent use.
type Static struct {
	prefix string // "/static/console/"
	files  map[string]*file
}

// LoadStatic reads the files directly in dir of fsys, to be served under
// prefix. With compress, each file is also gzipped once, for clients that
// take it: the citizens' slow lines.
func LoadStatic(fsys fs.FS, dir, prefix string, compress bool) (*Static, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	s := &Static{prefix: prefix, files: map[string]*file{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil, fmt.Errorf("%s/%s: no content type for this extension", dir, name)
		}
		sum := sha256.Sum256(data)
		f := &file{name: name, hash: hex.EncodeToString(sum[:8]), ctype: ctype, data: data}
		if compress {
			f.gz = Gzip(data)
		}
		s.files[name] = f
	}
	return s, nil
}

// Pattern is the route that serves the files.
func (s *Static) Pattern() string { return "GET " + s.prefix + "{hash}/{file}" }

// URL is a file's address, which changes whenever its content does; ""
// for a file the set does not have.
func (s *Static) URL(name string) string {
	f := s.files[name]
	if f == nil {
		return ""
	}
	return s.prefix + f.hash + "/" + f.name
}

// Serve answers a request of Pattern: the file for a year. An old hash (a
// page from before an upgrade) is redirected to the current file rather
// than served under a URL that promises other content. An unknown file
// goes to notFound.
func (s *Static) Serve(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	f := s.files[r.PathValue("file")]
	if f == nil {
		notFound(w, r)
		return
	}
	if r.PathValue("hash") != f.hash {
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, s.URL(f.name), http.StatusFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	body, etag := f.data, f.hash
	if f.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if AcceptsGzip(r) {
			body, etag = f.gz, f.hash+"-gz"
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

// Gzip compresses b at the best level: for content compressed once and
// sent many times.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// AcceptsGzip reports whether the client takes gzip: every browser does.
func AcceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
