package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// updateConversation applies one of the details forms: assign, team,
// status (with snooze time), priority or tags. Only the fields the form
// sent and that differ from the conversation are changed, so the timeline
// records real changes only.
func (c *Console) updateConversation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	a := web.ActorFrom(r)
	conv, err := c.desk.Conversation(r.Context(), a, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := c.printer(r)
	patch, errs := c.readPatch(r, p, r.PostForm, conv)
	status, overLimit := http.StatusBadRequest, false
	if len(errs) == 0 && patch != (store.ConversationPatch{}) {
		update := c.desk.Update
		if r.PostForm.Get("over_limit") == "1" && a.Can(model.PermConversationsOverLimit) {
			update = c.desk.UpdateOverLimit
		}
		_, err = update(r.Context(), a, id, patch)
		switch {
		case err == nil:
		case model.ErrorIs(err, model.CodeInvalid):
			errs = map[string]string{fieldOf(err): errorText(p, err)}
		case model.ErrorIs(err, model.CodeConflict) && fieldOf(err) == "assignee_id":
			// Over the person's chat limit: said by the field, with the
			// choice to assign anyway for those who may.
			errs = map[string]string{"assignee_id": errorText(p, err)}
			status, overLimit = http.StatusConflict, true
		default:
			c.fail(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		form := convForm{status: status, errors: errs, overLimit: overLimit}
		if overLimit {
			form.assignee = *patch.AssigneeID
		}
		c.renderConversation(w, r, conv, form)
		return
	}
	http.Redirect(w, r, conversationURL(id)+"?ok=updated", http.StatusSeeOther)
}

// readPatch builds the patch from the fields present in the form.
func (c *Console) readPatch(r *http.Request, p *locale.Printer, f url.Values, conv *model.Conversation) (store.ConversationPatch, map[string]string) {
	var patch store.ConversationPatch
	errs := map[string]string{}
	id := func(field string, current int64) *int64 {
		if !f.Has(field) {
			return nil
		}
		n, err := strconv.ParseInt(f.Get(field), 10, 64)
		if err != nil || n < 0 {
			errs[field] = p.T("console.choose_from_list", nil)
			return nil
		}
		if n == current {
			return nil
		}
		return &n
	}
	patch.AssigneeID = id("assignee_id", conv.AssigneeID)
	patch.TeamID = id("team_id", conv.TeamID)
	if f.Has("status") {
		s := model.Status(f.Get("status"))
		switch {
		case !model.ValidStatus(s):
			errs["status"] = p.T("console.choose_from_list", nil)
		case s != conv.Status || s == model.StatusSnoozed:
			patch.Status = &s
		}
	}
	if v := strings.TrimSpace(f.Get("snoozed_until")); v != "" && patch.Status != nil && *patch.Status == model.StatusSnoozed {
		t, err := parseSnooze(v, c.orgLocation(r, conv.OrgID))
		if err != nil {
			errs["snoozed_until"] = p.T("conversation.snooze_invalid", nil)
		} else {
			patch.SnoozedUntil = &t
		}
	}
	if patch.Status != nil && *patch.Status == model.StatusSnoozed && patch.SnoozedUntil == nil && errs["snoozed_until"] == "" {
		errs["snoozed_until"] = p.T("conversation.snooze_required", nil)
	}
	if f.Has("priority") {
		n, err := strconv.Atoi(f.Get("priority"))
		pr := model.Priority(n)
		switch {
		case err != nil || !model.ValidPriority(pr):
			errs["priority"] = p.T("console.choose_from_list", nil)
		case pr != conv.Priority:
			patch.Priority = &pr
		}
	}
	if f.Has("language") { // a guess corrected, or a language set by hand
		if lang := strings.TrimSpace(f.Get("language")); lang != "" && lang != conv.Language {
			patch.Language = &lang
		}
	}
	if f.Has("tags") {
		tags := []string{}
		for t := range strings.SplitSeq(f.Get("tags"), ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		slices.Sort(tags)
		if !slices.Equal(tags, conv.Tags) {
			patch.Tags = &tags
		}
	}
	return patch, errs
}
