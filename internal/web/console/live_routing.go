package console

import (
	"context"
	"encoding/json"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/routing"
)

// onAlert tells the operators who should know: a conversation needs a
// mediator for a language they speak ("mediator"), or one they may see
// nears or misses its service level ("sla": the assignee, or everyone who
// sees it when nobody has it). The tab notifies as for a new message.
func (lc *liveConn) onAlert(ctx context.Context, ev realtime.Event) {
	if ev.OrgID != lc.a.OrgID() {
		return
	}
	conv, err := lc.conversationOf(ctx, ev)
	if err != nil || !lc.a.CanSee(conv) {
		return
	}
	name := contactName(lc.p, conv.ContactName, conv.ContactID)
	var text string
	switch ev.Type {
	case "mediator":
		var m desk.MediatorEvent
		if json.Unmarshal(ev.Data, &m) != nil || !speaks(lc.a.User.Languages, m.Language) {
			return
		}
		text = lc.p.T("live.needs_mediator", map[string]any{"Name": name, "Value": lc.c.languageName(m.Language)})
	case "sla":
		var s desk.SLAEvent
		if json.Unmarshal(ev.Data, &s) != nil || conv.AssigneeID != 0 && conv.AssigneeID != lc.a.User.ID {
			return
		}
		key := "live.sla_warning"
		if s.Mark == "first_response_breached" || s.Mark == "resolution_breached" {
			key = "live.sla_breached"
		}
		text = lc.p.T(key, map[string]any{"Name": name})
	default:
		return
	}
	out := liveOut{Type: "alert", ConversationID: conv.ID, Seq: conv.LastSeq, Notify: true, Announce: text}
	lc.rowInto(ctx, &out, conv, false)
	lc.send(ctx, out)
}

func speaks(langs []string, lang string) bool {
	for _, l := range langs {
		if routing.SameLanguage(l, lang) {
			return true
		}
	}
	return false
}
