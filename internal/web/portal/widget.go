package portal

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/web/assets"
)

// loaderSource is the embedding script; widget serves it with the
// organisation's configuration.
//
//go:embed loader/widget.js
var loaderSource string

// loaderCode is loaderSource without comments and indentation: the
// script every page of an organisation's site loads must stay tiny.
var loaderCode = func() string {
	var b strings.Builder
	for _, line := range strings.Split(loaderSource, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}()

// loaderConfig is C in the loader.
type loaderConfig struct {
	Origins []string             `json:"o"`
	Lang    string               `json:"d"`
	Name    string               `json:"n"`
	Labels  map[string][4]string `json:"l"`
}

// widget serves the script an organisation puts on its site:
//
//	<script src="https://desk.example/o/{org}/widget.js" async></script>
//
// It adds a launcher button on the sites listed in allowed_origins (and
// only there: elsewhere it warns in the console, and the chat's own page
// refuses to be framed anyway).
func (p *Portal) widget(w http.ResponseWriter, r *http.Request, rq *request) {
	cfg := loaderConfig{Origins: rq.cfg.origins, Lang: rq.org.Language, Name: rq.org.Name, Labels: map[string][4]string{}}
	if cfg.Origins == nil {
		cfg.Origins = []string{}
	}
	for _, lang := range p.bundle.Languages() {
		pr := p.bundle.Printer(lang)
		cfg.Labels[lang] = [4]string{pr.T("portal.widget_open", nil), pr.T("portal.widget_close", nil),
			pr.T("portal.widget_title", map[string]any{"Name": "{n}"}), pr.T("portal.widget_unread", nil)}
	}
	if _, ok := cfg.Labels[cfg.Lang]; !ok {
		cfg.Lang = "en"
	}
	conf, err := json.Marshal(cfg) // escapes <, > and & too: safe to inline
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	body := []byte("(function(C){\n" + loaderCode + "})(" + string(conf) + ");\n")
	sum := sha256.Sum256(body)
	etag := hex.EncodeToString(sum[:8])
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	// Short: a change of the allowed sites or of the script reaches the
	// sites' visitors within minutes.
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Encoding")
	if assets.AcceptsGzip(r) {
		body, etag = assets.Gzip(body), etag+"-gz"
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "widget.js", time.Time{}, bytes.NewReader(body))
}
