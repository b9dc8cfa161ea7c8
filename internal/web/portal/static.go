package portal

import (
	"embed"
	"net/http"

	"github.com/sportello/sportello/internal/web"
)

//go:embed static
var staticFS embed.FS

// staticPrefix is the portal's own, next to /static/console/.
const staticPrefix = "/static/portal/"

// static serves a file for a year under its content's hash, gzipped for
// the slow lines most visitors are on. An old hash (a page cached from
// before an upgrade) is sent to the current file.
func (p *Portal) static(w http.ResponseWriter, r *http.Request) {
	web.NoteRoute(r)
	p.assets.Serve(w, r, func(w http.ResponseWriter, r *http.Request) { p.notFound(w, r, nil) })
}
