package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// windowView is WhatsApp's 24-hour window on a conversation's page: how
// long free replies remain possible (console.js counts it down; without
// JavaScript the page shows the time it was rendered with) and, once it
// has closed, the approved templates to send instead.
type windowView struct {
	Open      bool
	EndsAt    string // RFC 3339, for <time datetime>
	EndsMS    int64  // for console.js
	Left      string // h:mm at rendering
	Templates []templateOption
	Error     string // a refused template send
	Action    string
	CSRF      string // the page's, for the forms
}

type templateOption struct {
	ID       int64
	Label    string
	Body     string
	Open     bool // the form sent back with a mistake
	Params   []templateParam
	Selected bool
}

type templateParam struct {
	N     int
	Value string
}

// hoursMinutes renders a duration as h:mm.
func hoursMinutes(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int(d / time.Minute)
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

// windowPanel fills the page's window section for a conversation on a
// channel with a free-reply window; when it has closed, free replies give
// way to the template picker (notes stay possible).
func (c *Console) windowPanel(ctx context.Context, a *desk.Actor, conv *model.Conversation, data *conversationPage, form convForm) error {
	win := c.desk.WindowOf(conv)
	if !win.Applies {
		return nil
	}
	v := &windowView{Open: win.Open, Action: conversationURL(conv.ID) + "/template", Error: form.templateErr, CSRF: data.CSRF}
	if win.Open {
		v.EndsAt, v.EndsMS = win.EndsAt.UTC().Format(time.RFC3339), win.EndsAt.UnixMilli()
		v.Left = hoursMinutes(win.Remaining(time.Now()))
	}
	data.Window = v
	if !a.Can(model.PermConversationsReply) {
		return nil
	}
	if !win.Open {
		data.Can.Reply = false
	}
	list, err := c.desk.ConversationTemplates(ctx, a, conv.ID)
	if err != nil {
		return err
	}
	for _, t := range list {
		opt := templateOption{ID: t.ID, Label: t.Name + " · " + t.Language, Body: t.Body, Open: t.ID == form.templateID}
		for i := 1; i <= t.Params; i++ {
			p := templateParam{N: i}
			if opt.Open && i <= len(form.params) {
				p.Value = form.params[i-1]
			}
			opt.Params = append(opt.Params, p)
		}
		v.Templates = append(v.Templates, opt)
	}
	return nil
}

// sendTemplate sends an approved template, its parameters filled from
// the form (p1, p2…). A mistake comes back with the values kept.
func (c *Console) sendTemplate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	f := r.PostForm
	tid, _ := strconv.ParseInt(f.Get("template_id"), 10, 64)
	var params []string
	for i := 1; f.Has("p" + strconv.Itoa(i)); i++ {
		params = append(params, f.Get("p"+strconv.Itoa(i)))
	}
	if _, err := c.desk.SendTemplate(r.Context(), a, id, tid, params); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			c.fail(w, r, err)
			return
		}
		conv, cerr := c.desk.Conversation(r.Context(), a, id)
		if cerr != nil {
			c.fail(w, r, cerr)
			return
		}
		c.renderConversation(w, r, conv, convForm{status: web.Status(err), mode: "note", templateID: tid, params: params,
			templateErr: strings.TrimSpace(errorText(c.printer(r), err))})
		return
	}
	http.Redirect(w, r, conversationURL(id)+"?ok=reply", http.StatusSeeOther)
}
