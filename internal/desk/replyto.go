package desk

import (
	"context"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// quoteLen bounds the quoted start of the message a reply answers.
const quoteLen = 80

// quoteReplied shows what a citizen's message answers (a reply to one of
// our messages, a reaction) by quoting the start of that message, when
// the desk has it: a provider's message id means nothing to an operator.
func (d *Service) quoteReplied(ctx context.Context, c *model.Channel, ev channel.Event) channel.Event {
	if ev.ReplyTo == "" {
		return ev
	}
	m, err := d.st.MessageByProviderID(ctx, c.OrgID, c.ID, ev.ReplyTo)
	if err != nil || strings.TrimSpace(m.Body) == "" {
		return ev
	}
	q := []rune(strings.Join(strings.Fields(m.Body), " "))
	quote := string(q)
	if len(q) > quoteLen {
		quote = string(q[:quoteLen-1]) + "…"
	}
	if ev.Kind == "reaction" {
		ev.Text += " · “" + quote + "”"
	} else {
		ev.Text = "↩ “" + quote + "”\n" + ev.Text
	}
	return ev
}
