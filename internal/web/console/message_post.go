package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

// postMessage adds a reply to the citizen or an internal note. On a
// mistake the page comes back with the draft kept and the error by the
// field.
func (c *Console) postMessage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	body, mode := r.PostForm.Get("body"), r.PostForm.Get("direction")
	var dir model.Direction
	switch mode {
	case "reply", "":
		dir, mode = model.DirectionOutbound, "reply"
	case "note":
		dir = model.DirectionNote
	default:
		c.fail(w, r, model.Invalid("direction", "error.validation.direction", "a message is a reply or a note", nil))
		return
	}
	back := func(status int, field, msg string) {
		conv, err := c.desk.Conversation(r.Context(), a, id)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		c.renderConversation(w, r, conv, convForm{status: status, draft: body, mode: mode, errors: map[string]string{field: msg}})
	}
	if r.PostForm.Has("insert") {
		// Without JavaScript, "Insert" comes back with the canned response
		// added to the draft; nothing is sent.
		conv, err := c.desk.Conversation(r.Context(), a, id)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		cannedID, _ := strconv.ParseInt(r.PostForm.Get("canned"), 10, 64)
		c.renderConversation(w, r, conv, convForm{status: http.StatusOK, draft: body, mode: mode, cannedID: cannedID})
		return
	}
	if r.PostForm.Has("kb_search") || r.PostForm.Has("kb_insert") {
		// Without JavaScript, the help article search and "Insert link"
		// come back with the draft kept; nothing is sent.
		conv, err := c.desk.Conversation(r.Context(), a, id)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		c.renderConversation(w, r, conv, convForm{status: http.StatusOK, draft: body, mode: mode,
			kbQuery: r.PostForm.Get("kbq"), kbSearched: r.PostForm.Has("kb_search"), kbSlug: r.PostForm.Get("kb_insert")})
		return
	}
	if strings.TrimSpace(body) == "" {
		back(http.StatusBadRequest, "body", c.printer(r).T("conversation.body_required", nil))
		return
	}
	m := &model.Message{Direction: dir, Body: body}
	post := c.desk.Post
	if dir == model.DirectionOutbound && r.PostForm.Get("translate") == "1" {
		// Written in the console's language, sent in the citizen's.
		from := c.printer(r).Lang()
		post = func(ctx context.Context, a *desk.Actor, id int64, m *model.Message) error {
			return c.desk.PostTranslated(ctx, a, id, m, from)
		}
	}
	if err := post(r.Context(), a, id, m); err != nil {
		// A translation service down keeps the draft too.
		if !model.ErrorIs(err, model.CodeInvalid) && !model.ErrorIs(err, model.CodeUnavailable) {
			c.fail(w, r, err)
			return
		}
		field := fieldOf(err)
		if field != "body" {
			field = ""
		}
		back(web.Status(err), field, errorText(c.printer(r), err))
		return
	}
	http.Redirect(w, r, conversationURL(id)+"?ok="+mode+"#m-"+strconv.FormatInt(m.Seq, 10), http.StatusSeeOther)
}
