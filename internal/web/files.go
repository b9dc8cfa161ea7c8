package web

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/sportello/sportello/internal/model"
)

// ServeAttachment writes a stored file: images shown in place, everything
// else downloaded, under a content security policy that lets nothing in
// the file run. Citizens' files are private: no shared cache, but a
// browser may keep one and ask whether it changed (it never does).
func ServeAttachment(w http.ResponseWriter, r *http.Request, a *model.Attachment, f io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") {
		disposition = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `"`+a.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	http.ServeContent(w, r, "", a.CreatedAt, f)
}
