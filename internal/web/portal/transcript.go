package portal

import (
	"context"
	"net/http"
	"strings"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// transcriptView is the chat's "send me the transcript by e-mail" form,
// offered when the organisation has an e-mail channel to send it from.
type transcriptView struct {
	Action string
	Email  string // the pre-chat form's e-mail address, or what was typed
	Error  string
	Open   bool // after a refusal, the form stays open
	Hidden bool // no conversation yet: chat.js shows it with the first message
}

// transcriptFor offers the transcript form on the chat page once the
// visitor may write: shown on the hosted page once they have a
// conversation (hidden before, until chat.js sees the first message), and
// on the embedded one (which knows nobody until chat.js brings the token).
func (p *Portal) transcriptFor(ctx context.Context, rq *request, cv *chatView, wv *store.WebVisitor, known bool) {
	if !cv.Started || !p.desk.CanSendTranscripts(ctx, rq.org.ID) {
		return
	}
	tv := &transcriptView{Action: "/o/" + rq.org.Slug + "/chat/transcript", Hidden: known && cv.ConvID == 0}
	if wv != nil && strings.Contains(wv.ReplyTo, "@") {
		tv.Email = wv.ReplyTo
	}
	cv.Transcript = tv
}

// transcript takes the transcript form: the visitor's conversation, e-mailed
// in their language to the address they give (the pre-chat form's fills it
// in). The desk queues it; the job sends it. chat.js posts the same form
// and gets JSON.
func (p *Portal) transcript(w http.ResponseWriter, r *http.Request, rq *request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.formError(w, r, rq, err)
		return
	}
	v, err := p.visitorOf(r, rq, false)
	if err != nil {
		p.unauthorized(w, r, rq, err)
		return
	}
	ctx := r.Context()
	th, err := p.st.WebThread(ctx, rq.org.ID, v.ID)
	if err != nil {
		p.failAs(w, r, rq, err)
		return
	}
	addr := strings.TrimSpace(r.PostForm.Get("email"))
	t, err := p.desk.RequestTranscript(ctx, rq.org.ID, th.ConversationID, addr, rq.pr.Lang())
	if err != nil {
		p.rejectTranscript(w, r, rq, v, addr, err)
		return
	}
	msg := rq.pr.T("chat.transcript_queued", map[string]any{"Email": t.Recipient})
	if wantsJSON(r) {
		web.WriteJSON(w, http.StatusAccepted, map[string]string{"email": t.Recipient, "message": msg})
		return
	}
	u := chatURL(rq.org.Slug, false)
	u.RawQuery = "transcript=1"
	u.Fragment = "transcript"
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// transcriptNotice is the chat page's notice after a transcript was
// queued (?transcript=1): to which address it goes.
func (p *Portal) transcriptNotice(ctx context.Context, rq *request, convID int64) string {
	if convID == 0 {
		return ""
	}
	list, err := p.st.Transcripts(ctx, rq.org.ID, convID)
	if err != nil || len(list) == 0 {
		return ""
	}
	return rq.pr.T("chat.transcript_queued", map[string]any{"Email": list[0].Recipient})
}

// rejectTranscript answers a refused transcript: JSON for chat.js, or the
// chat page with the form open, the address kept and the reason.
func (p *Portal) rejectTranscript(w http.ResponseWriter, r *http.Request, rq *request, v visitor, addr string, err error) {
	if wantsJSON(r) {
		p.writeError(w, r, rq.pr, err)
		return
	}
	status := web.Status(err)
	if status >= 500 {
		p.fail(w, r, rq, err)
		return
	}
	pg := p.chatPageFor(rq, false)
	if ferr := p.fillChat(r, rq, pg, v, true); ferr != nil {
		p.fail(w, r, rq, ferr)
		return
	}
	msg := rq.pr.Error(err)
	pg.Alert = msg
	if tv := pg.Chat.Transcript; tv != nil {
		tv.Email, tv.Error, tv.Open = addr, msg, true
	}
	p.renderChat(w, r, rq, status, pg, v, false)
}
