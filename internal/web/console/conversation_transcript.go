package console

import (
	"context"
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// transcriptPanel is the conversation page's transcript section: the
// transcripts e-mailed so far and how each went, and the button that
// e-mails one to the contact's address — offered when the organisation
// has an e-mail channel and the contact an address.
type transcriptPanel struct {
	Action  string
	CanSend bool
	Reason  string // why it cannot be sent now
	Error   string // a refused send
	Limit   int    // how many an hour
	Items   []transcriptItem
}

type transcriptItem struct {
	Recipient, When, ISO, State string
	Failed                      bool
	Error                       string
}

// transcriptPanelFor fills the page's transcript section for who may
// reply; after a send it says where the transcript goes.
func (c *Console) transcriptPanelFor(ctx context.Context, a *desk.Actor, conv *model.Conversation, data *conversationPage, form convForm, loc *time.Location) error {
	if !data.Can.Reply {
		return nil
	}
	p := data.p
	list, err := c.desk.Transcripts(ctx, a, conv.ID)
	if err != nil {
		return err
	}
	tp := &transcriptPanel{Action: conversationURL(conv.ID) + "/transcript", Error: form.transcriptErr, Limit: desk.TranscriptLimit}
	for _, t := range list {
		tp.Items = append(tp.Items, transcriptItem{Recipient: t.Recipient, When: p.FormatDateTime(t.CreatedAt, loc),
			ISO: t.CreatedAt.UTC().Format(time.RFC3339), State: labelOr(p, "conversation.transcript_state_"+t.State, t.State),
			Failed: t.State == "failed", Error: t.Error})
	}
	if form.done == "transcript" && len(list) > 0 {
		data.Notice = p.T("conversation.transcript_queued", map[string]any{"Email": list[0].Recipient})
	}
	if !c.desk.CanSendTranscripts(ctx, a.OrgID()) {
		if len(tp.Items) == 0 {
			data.Alert = form.transcriptErr // no section to say it in
			return nil                      // no e-mail channel, and none went before
		}
		tp.Reason = p.T("transcript.no_email_channel", nil)
	} else {
		_, err := c.desk.Store().ContactEmail(ctx, a.OrgID(), conv.ContactID)
		switch {
		case model.ErrorIs(err, model.CodeNotFound):
			tp.Reason = p.T("transcript.no_contact_email", nil)
		case err != nil:
			return err
		default:
			tp.CanSend = true
		}
	}
	data.Transcript = tp
	return nil
}

// sendTranscript e-mails the conversation's transcript to the contact's
// address, and goes back to the conversation, which says so. A refusal
// (no address, no e-mail channel, too many this hour) comes back on the
// page with its reason.
func (c *Console) sendTranscript(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	if _, err := c.desk.SendTranscript(r.Context(), a, id); err != nil {
		status := web.Status(err)
		if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
			c.fail(w, r, err)
			return
		}
		conv, cerr := c.desk.Conversation(r.Context(), a, id)
		if cerr != nil {
			c.fail(w, r, cerr)
			return
		}
		c.renderConversation(w, r, conv, convForm{status: status, transcriptErr: errorText(c.printer(r), err)})
		return
	}
	http.Redirect(w, r, conversationURL(id)+"?ok=transcript#transcript", http.StatusSeeOther)
}
