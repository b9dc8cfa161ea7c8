package console

import (
	"embed"
	"net/http"
)

//go:embed static
var staticFS embed.FS

// staticPrefix is under /static/console/ so the citizen portal can have
// /static/ files of its own on the same mux.
const staticPrefix = "/static/console/"

// static serves a file for a year under its content's hash; an old hash
// is sent to the current file.
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	c.assets.Serve(w, r, http.NotFound)
}
