package desk

import (
	"context"
	"os"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

var errForbidden = &model.Error{Code: model.CodeForbidden, Key: "error.forbidden", Message: "you may not do this"}

// Forbidden is the error for a missing permission.
func Forbidden() error { return errForbidden }

// Conversations lists what the actor may see under filter f.
func (d *Service) Conversations(ctx context.Context, a *Actor, f store.ConversationFilter) ([]*model.Conversation, string, error) {
	f.Visibility = a.Visibility()
	return d.st.Conversations(ctx, a.OrgID(), f)
}

// Conversation opens one conversation. One the actor may not see is
// reported as not found, so ids cannot be probed; opening a restricted
// case is audited.
func (d *Service) Conversation(ctx context.Context, a *Actor, id int64) (*model.Conversation, error) {
	c, err := d.st.Conversation(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	if !a.CanSee(c) {
		return nil, model.NotFound("conversation")
	}
	if c.Restricted {
		d.audit(ctx, a.OrgID(), a.User.ID, "restricted_open", "conversation", c.ID, "", a.IP)
	}
	return c, nil
}

// visible loads a conversation the actor may see, without auditing: for
// writes and follow-up reads that come after the audited opening.
func (d *Service) visible(ctx context.Context, a *Actor, id int64) (*model.Conversation, error) {
	c, err := d.st.Conversation(ctx, a.OrgID(), id)
	if err != nil {
		return nil, err
	}
	if !a.CanSee(c) {
		return nil, model.NotFound("conversation")
	}
	return c, nil
}

// CountConversations counts per status what the actor may see under f.
func (d *Service) CountConversations(ctx context.Context, a *Actor, f store.ConversationFilter) (map[model.Status]int, error) {
	f.Visibility = a.Visibility()
	return d.st.CountConversations(ctx, a.OrgID(), f)
}

// Messages returns the messages after afterSeq of a conversation the
// actor may see.
func (d *Service) Messages(ctx context.Context, a *Actor, conversationID, afterSeq int64, limit int) ([]*model.Message, error) {
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, err
	}
	return d.st.Messages(ctx, a.OrgID(), conversationID, afterSeq, limit)
}

// Post adds a reply (to the citizen) or an internal note.
func (d *Service) Post(ctx context.Context, a *Actor, conversationID int64, m *model.Message) error {
	switch m.Direction {
	case model.DirectionOutbound:
		if !a.Can(model.PermConversationsReply) {
			return errForbidden
		}
	case model.DirectionNote:
		if !a.Can(model.PermConversationsNote) {
			return errForbidden
		}
	default:
		return model.Invalid("direction", "error.validation.direction", "a message is a reply or a note", nil)
	}
	conv, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return err
	}
	if m.Direction == model.DirectionOutbound && !d.WindowOf(conv).Open {
		return errWindowClosed()
	}
	m.AuthorUserID = a.User.ID
	m.Template = nil // SendTemplate's
	m.ProviderMessageID, m.DeliveryStatus, m.Error = "", "", ""
	m.CreatedAt = time.Time{} // replies are stamped now; only imports keep their time
	if err := d.st.AddMessage(ctx, a.OrgID(), conversationID, m); err != nil {
		return err
	}
	d.publishMessage(m, false)
	return nil
}

// Update changes a conversation. Status, priority, tags and language need
// the update permission; assigning to someone else, a team or restricting
// needs more; anyone who may update may take a conversation themselves.
func (d *Service) Update(ctx context.Context, a *Actor, id int64, p store.ConversationPatch) (*model.Conversation, error) {
	if _, err := d.visible(ctx, a, id); err != nil {
		return nil, err
	}
	if !a.Can(model.PermConversationsUpdate) {
		return nil, errForbidden
	}
	selfAssign := p.AssigneeID != nil && (*p.AssigneeID == a.User.ID || *p.AssigneeID == 0)
	if (p.AssigneeID != nil && !selfAssign || p.TeamID != nil) && !a.Can(model.PermConversationsAssign) {
		return nil, errForbidden
	}
	if p.Restricted != nil && !a.Can(model.PermConversationsRestricted) {
		return nil, errForbidden
	}
	if err := d.checkChatLimit(ctx, a, id, p); err != nil {
		return nil, err
	}
	c, err := d.st.UpdateConversation(ctx, a.OrgID(), id, a.User.ID, p)
	if err != nil {
		return nil, err
	}
	c = d.afterUpdate(ctx, c, p) // due times, the contact's language (sla.go, inbound.go)
	d.publishConversation(c)
	if p.Restricted != nil {
		d.audit(ctx, a.OrgID(), a.User.ID, "restricted_change", "conversation", id, "restricted="+boolStr(*p.Restricted), a.IP)
	}
	return c, nil
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// OpenAttachment opens a file of a message of a conversation the actor
// may see. The caller closes it.
func (d *Service) OpenAttachment(ctx context.Context, a *Actor, conversationID, attachmentID int64) (*model.Attachment, *os.File, error) {
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return nil, nil, err
	}
	at, err := d.st.Attachment(ctx, a.OrgID(), attachmentID)
	if err != nil {
		return nil, nil, err
	}
	if at.MessageID == 0 {
		return nil, nil, model.NotFound("attachment")
	}
	m, err := d.st.Message(ctx, a.OrgID(), at.MessageID)
	if err != nil || m.ConversationID != conversationID || m.Direction == model.DirectionNote && !a.Can(model.PermConversationsNote) {
		return nil, nil, model.NotFound("attachment")
	}
	if d.files == nil {
		return nil, nil, model.NotFound("attachment")
	}
	f, err := d.files.Open(at.StorageKey)
	if err != nil {
		return nil, nil, err
	}
	return at, f, nil
}
