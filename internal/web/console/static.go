package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticPrefix is under /static/console/ so the citizen portal can have
// /static/ files of its own on the same mux.
const staticPrefix = "/static/console/"

type asset struct {
	name  string
	hash  string // first 16 hex digits of the SHA-256 of data
	ctype string
	data  []byte
}

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

func loadAssets() (map[string]*asset, error) {
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	out := map[string]*asset{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("console: %w", err)
		}
		ctype, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			return nil, fmt.Errorf("console: static/%s: no content type for this extension", e.Name())
		}
		sum := sha256.Sum256(data)
		out[e.Name()] = &asset{name: e.Name(), hash: hex.EncodeToString(sum[:8]), ctype: ctype, data: data}
	}
	return out, nil
}

// assetURL is a static file's URL, which changes whenever its content does.
func (c *Console) assetURL(name string) string {
	a := c.assets[name]
	if a == nil {
		return ""
	}
	return staticPrefix + a.hash + "/" + a.name
}

// static serves a file for a year. An old hash (a page from before an
// upgrade) is redirected to the current file rather than served under a
// URL that promises other content.
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	a := c.assets[r.PathValue("file")]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	if r.PathValue("hash") != a.hash {
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, c.assetURL(a.name), http.StatusFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+a.hash+`"`)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.data))
}
