package portal

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/web"
)

//go:embed static
var staticFS embed.FS

// staticPrefix is the portal's own, next to /static/console/.
const staticPrefix = "/static/portal/"

type asset struct {
	name  string
	hash  string // first 16 hex digits of the SHA-256 of data
	ctype string
	data  []byte
	gz    []byte // data gzipped once, for the slow lines most visitors are on
}

func (a *asset) url() string { return staticPrefix + a.hash + "/" + a.name }

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

func loadAssets() (map[string]*asset, error) {
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	out := map[string]*asset{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("portal: %w", err)
		}
		ctype, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			return nil, fmt.Errorf("portal: static/%s: no content type for this extension", e.Name())
		}
		sum := sha256.Sum256(data)
		out[e.Name()] = &asset{name: e.Name(), hash: hex.EncodeToString(sum[:8]), ctype: ctype, data: data, gz: gzipBytes(data)}
	}
	return out, nil
}

// static serves a file for a year under its content's hash. An old hash
// (a page cached from before an upgrade) is sent to the current file.
func (p *Portal) static(w http.ResponseWriter, r *http.Request) {
	web.NoteRoute(r)
	a := p.assets[r.PathValue("file")]
	if a == nil {
		p.notFound(w, r, nil)
		return
	}
	if r.PathValue("hash") != a.hash {
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, a.url(), http.StatusFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	body, etag := a.data, a.hash
	if acceptsGzip(r) {
		body, etag = a.gz, a.hash+"-gz"
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}

// gzipBytes compresses b at the best level: done once per file.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether the client takes gzip: every browser does.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
