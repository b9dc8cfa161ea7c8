package desk

import (
	"context"

	"github.com/sportello/sportello/internal/langdetect"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// routeInbound does, for every citizen's message just stored, what comes
// after storing: the conversation's language (the one the citizen chose,
// else a guess from the text), routing of a new conversation, its due
// times, and the "we are closed" handling. It never fails the message,
// which is stored already: problems are logged.
func (d *Service) routeInbound(ctx context.Context, in store.Inbound, res store.InboundResult) {
	if res.Duplicate {
		return
	}
	c, err := d.st.Conversation(ctx, in.OrgID, res.ConversationID)
	if err != nil {
		d.log.Warn("routing: load conversation", "conversation", res.ConversationID, "err", err)
		return
	}
	d.routeConversation(ctx, in, res, c)
}

// routeConversation is routeInbound with the conversation read already;
// it may change c.
func (d *Service) routeConversation(ctx context.Context, in store.Inbound, res store.InboundResult, c *model.Conversation) {
	changed := false
	if lang, source := languageOf(c, in, res); lang != "" {
		if err := d.st.SetLanguageHint(ctx, c.OrgID, c.ID, lang, source); err != nil {
			d.log.Warn("routing: language", "conversation", c.ID, "err", err)
		} else if source != store.LanguageDetected || c.Language == "" {
			c.Language, c.LanguageSource, changed = lang, source, true
		}
	}
	if res.NewConversation {
		if nc, err := d.route(ctx, c, in.Topic, in.Body); err != nil {
			d.log.Warn("routing: place", "conversation", c.ID, "err", err)
		} else {
			changed = changed || nc != c
			c = nc
		}
		if c.FirstResponseDueAt == nil && c.ResolutionDueAt == nil {
			if nc, err := d.applySLA(ctx, c); err != nil {
				d.log.Warn("sla: due times", "conversation", c.ID, "err", err)
			} else {
				changed = changed || nc != c
				c = nc
			}
		}
	}
	at := in.At
	if at.IsZero() || at.After(d.now()) {
		at = d.now()
	}
	// Mail sent by a machine is never answered automatically: two
	// auto-responders would loop.
	if !in.Automated {
		if _, err := d.closedReply(ctx, c, at); err != nil {
			d.log.Warn("out of hours", "conversation", c.ID, "err", err)
		}
	}
	if changed {
		if nc, err := d.st.Conversation(ctx, c.OrgID, c.ID); err == nil {
			d.publishConversation(nc)
		}
	}
}

// languageOf says which language to record for c after a message: a
// guess from the text when none is known yet. (A new conversation has
// its language from the store already: the one the citizen chose, the
// contact's, or a guess from its first message.)
func languageOf(c *model.Conversation, in store.Inbound, res store.InboundResult) (string, string) {
	if c.Language != "" || res.NewConversation {
		return "", ""
	}
	if g := langdetect.Detect(in.Body); g.Language != "" {
		return g.Language, store.LanguageDetected
	}
	return "", ""
}

// rememberLanguage keeps a language an operator set on a conversation as
// the contact's, for their next conversations.
func (d *Service) rememberLanguage(ctx context.Context, c *model.Conversation) {
	if c.Language == "" {
		return
	}
	if err := d.st.SetLanguageHint(ctx, c.OrgID, c.ID, c.Language, store.LanguageOperator); err != nil {
		d.log.Warn("remember language", "conversation", c.ID, "err", err)
	}
}
