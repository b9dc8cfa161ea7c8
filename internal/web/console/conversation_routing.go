package console

import (
	"context"
	"net/http"
	"time"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// What routing, the opening hours, the SLAs and translation add to a
// conversation's page: the due times (highlighted when near or past), a
// "needs a mediator" notice, the language with a form to correct a
// guessed one, the citizen's messages in the reader's language, and a
// reply translated into the citizen's.

// slaFact is a due time as the page shows it.
type slaFact struct {
	Label, Value, ISO string
	State             string // "", "warning" or "breached"
	StateLabel        string
}

// routingPanel is the conversation page's routing section.
type routingPanel struct {
	CSRF, Action string
	SLA          []slaFact
	Mediator     string // the language a mediator is needed for, by name
	Arrived      string // when it came in while the desk was closed
	Language     string // the language's name
	LanguageCode string
	Guessed      bool // detected from the text: a hint to correct
	CanLanguage  bool
	Languages    []option
	Error        string
}

// slaState says where a conversation stands against one target at now.
func slaState(due, warn, breached *time.Time, met bool, now time.Time) string {
	switch {
	case due == nil || met:
		return ""
	case breached != nil || !now.Before(*due):
		return "breached"
	case warn != nil && !now.Before(*warn):
		return "warning"
	}
	return ""
}

// conversationSLA is the worst state of a conversation's open targets,
// for the inbox's highlight.
func conversationSLA(cv *model.Conversation, now time.Time) string {
	states := []string{
		slaState(cv.FirstResponseDueAt, cv.FirstResponseWarnAt, cv.FirstResponseBreachedAt, cv.FirstResponseAt != nil, now),
		slaState(cv.ResolutionDueAt, cv.ResolutionWarnAt, cv.ResolutionBreachedAt, cv.ResolvedAt != nil, now),
	}
	worst := ""
	for _, s := range states {
		if s == "breached" || s == "warning" && worst == "" {
			worst = s
		}
	}
	return worst
}

func slaStateLabel(p *locale.Printer, state string) string {
	switch state {
	case "warning":
		return p.T("sla.due_soon", nil)
	case "breached":
		return p.T("sla.overdue", nil)
	}
	return ""
}

// routingPanelFor builds the section for conv, read by a at now.
func (c *Console) routingPanelFor(p *locale.Printer, a *desk.Actor, pg *page, conv *model.Conversation, loc *time.Location, now time.Time, langErr string) routingPanel {
	rp := routingPanel{CSRF: pg.CSRF, Action: conversationURL(conv.ID), Language: c.languageName(conv.Language), LanguageCode: conv.Language,
		Guessed: conv.LanguageSource == store.LanguageDetected, CanLanguage: a.Can(model.PermConversationsUpdate), Error: langErr}
	add := func(key string, due, warn, breached *time.Time, met bool) {
		if due == nil {
			return
		}
		st := slaState(due, warn, breached, met, now)
		rp.SLA = append(rp.SLA, slaFact{Label: p.T(key, nil), Value: p.FormatDateTime(*due, loc), ISO: due.UTC().Format(time.RFC3339),
			State: st, StateLabel: slaStateLabel(p, st)})
	}
	add("sla.first_response_due", conv.FirstResponseDueAt, conv.FirstResponseWarnAt, conv.FirstResponseBreachedAt, conv.FirstResponseAt != nil)
	add("sla.resolution_due", conv.ResolutionDueAt, conv.ResolutionWarnAt, conv.ResolutionBreachedAt, conv.ResolvedAt != nil)
	if conv.NeedsMediator != "" {
		rp.Mediator = c.languageName(conv.NeedsMediator)
	}
	if conv.ArrivedClosedAt != nil && conv.FirstResponseAt == nil {
		rp.Arrived = p.FormatDateTime(*conv.ArrivedClosedAt, loc)
	}
	for _, lang := range c.bundle.Languages() {
		rp.Languages = append(rp.Languages, option{Value: lang, Label: c.languageName(lang)})
	}
	return rp
}

// translateFor fills the translations of msgs into the reader's
// language where the organisation translates and the reader does not
// speak the conversation's; a failing service leaves the originals.
func (c *Console) translateFor(ctx context.Context, a *desk.Actor, conv *model.Conversation, msgs []*model.Message, lang string) {
	if !desk.NeedsTranslation(a, conv, lang) {
		return
	}
	if err := c.desk.TranslateMessages(ctx, a, conv.ID, msgs, lang); err != nil {
		c.log.WarnContext(ctx, "console: translate", "conversation", conv.ID, "err", err)
	}
}

// translateReply is the name of the language a reply is translated into
// from the reader's, or "" when there is nothing to translate or no
// service.
func (c *Console) translateReply(r *http.Request, a *desk.Actor, conv *model.Conversation, lang string) string {
	if !desk.NeedsTranslation(a, conv, lang) || !c.desk.TranslationOn(r.Context(), conv.OrgID) {
		return ""
	}
	return c.languageName(conv.Language)
}
