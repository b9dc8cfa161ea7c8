package console

import (
	"net/http"
	"strconv"

	"github.com/sportello/sportello/internal/web"
)

// retryMessage sends again a reply that failed, and goes back to the
// conversation, where it shows queued.
func (c *Console) retryMessage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	mid, err := strconv.ParseInt(r.PathValue("message"), 10, 64)
	if !ok || err != nil || mid <= 0 {
		c.notFound(w, r)
		return
	}
	m, err := c.desk.RetryMessage(r.Context(), web.ActorFrom(r), id, mid)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, conversationURL(id)+"#m-"+strconv.FormatInt(m.Seq, 10), http.StatusSeeOther)
}
