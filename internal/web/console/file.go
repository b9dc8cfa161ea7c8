package console

import (
	"net/http"
	"strconv"

	"github.com/sportello/sportello/internal/web"
)

// fileURL is where the console serves a file of a conversation.
func fileURL(conversationID, attachmentID int64) string {
	return conversationURL(conversationID) + "/files/" + strconv.FormatInt(attachmentID, 10)
}

// file serves a file of a message of a conversation the operator may see:
// a citizen's photo of a document, a voicemail, a PDF.
func (c *Console) file(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if !ok || err != nil || fid <= 0 {
		c.notFound(w, r)
		return
	}
	a, f, err := c.desk.OpenAttachment(r.Context(), web.ActorFrom(r), id, fid)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	defer f.Close()
	web.ServeAttachment(w, r, a, f)
}
