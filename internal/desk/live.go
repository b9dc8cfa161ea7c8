package desk

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
)

// TypingEvent is the data of a "typing" event. On a conversation's staff
// topic it names the operator (or says the citizen is typing); on the
// citizen's topic it only says that an operator is, never who.
type TypingEvent struct {
	UserID   int64  `json:"user_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Note     bool   `json:"note,omitempty"`     // writing an internal note
	Citizen  bool   `json:"citizen,omitempty"`  // the citizen is typing
	Operator bool   `json:"operator,omitempty"` // for the citizen: someone at the desk is typing
}

// Typing tells that the actor is writing in a conversation they may see:
// the operators looking at it hear who; the citizen hears only that an
// operator is typing, and nothing at all about a note. Callers throttle.
func (d *Service) Typing(ctx context.Context, a *Actor, conversationID int64, note bool) error {
	perm := model.PermConversationsReply
	if note {
		perm = model.PermConversationsNote
	}
	if !a.Can(perm) {
		return errForbidden
	}
	c, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return err
	}
	staff, _ := json.Marshal(TypingEvent{UserID: a.User.ID, Name: a.User.Name, Note: note})
	d.pub.Publish(staffTopic(c.ID), realtime.Event{Type: "typing", OrgID: c.OrgID, ConversationID: c.ID, Data: staff})
	if !note {
		citizen, _ := json.Marshal(TypingEvent{Operator: true})
		d.pub.Publish(realtime.ConversationTopic(c.ID), realtime.Event{Type: "typing", OrgID: c.OrgID, ConversationID: c.ID, Data: citizen})
	}
	return nil
}

// CitizenTyping tells the operators looking at a conversation that the
// citizen is typing. The citizen's chat calls it for its own conversation
// (it has no actor); it reaches staff only.
func (d *Service) CitizenTyping(orgID, conversationID int64) {
	data, _ := json.Marshal(TypingEvent{Citizen: true})
	d.pub.Publish(staffTopic(conversationID), realtime.Event{Type: "typing", OrgID: orgID, ConversationID: conversationID, Data: data})
}

// LiveActor checks a session again for a long-lived connection. Unlike
// SessionActor it does not extend the session: an open tab is not a
// person at work, so an idle session still ends on time.
func (d *Service) LiveActor(ctx context.Context, token, ip string) (*Actor, *model.Session, error) {
	if token == "" {
		return nil, nil, ErrUnauthenticated
	}
	se, u, err := d.st.Session(ctx, auth.HashToken(token))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil, ErrUnauthenticated
		}
		return nil, nil, err
	}
	if !se.ExpiresAt.After(d.now()) || !u.Active {
		return nil, nil, ErrUnauthenticated
	}
	a, err := d.actor(ctx, u, "session", ip)
	return a, se, err
}

// activeStatuses are the statuses that count against a person's limit of
// concurrent chats: snoozed, resolved and closed ones do not.
var activeStatuses = []model.Status{model.StatusOpen, model.StatusPending}

// ActiveChats counts the conversations assigned to a user that count
// against their limit.
func (d *Service) ActiveChats(ctx context.Context, orgID, userID int64) (int, error) {
	counts, err := d.st.CountConversations(ctx, orgID, store.ConversationFilter{AssigneeID: userID})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range activeStatuses {
		n += counts[s]
	}
	return n, nil
}

type overLimitKey struct{}

// UpdateOverLimit is Update for a coordinator who assigns a conversation
// to someone already at their limit of chats, knowingly. It is audited.
func (d *Service) UpdateOverLimit(ctx context.Context, a *Actor, id int64, p store.ConversationPatch) (*model.Conversation, error) {
	if !a.Can(model.PermConversationsOverLimit) {
		return nil, errForbidden
	}
	return d.Update(context.WithValue(ctx, overLimitKey{}, true), a, id, p)
}

// ChatLimitError is the error of an assignment beyond a person's limit of
// concurrent chats (model.User.MaxChats).
func ChatLimitError(name string, limit int) error {
	return &model.Error{
		Code: model.CodeConflict, Key: "error.max_chats", Field: "assignee_id",
		Args:    map[string]any{"Name": name, "Count": limit},
		Message: name + " already has " + strconv.Itoa(limit) + " open conversations, their limit",
	}
}

// checkChatLimit refuses to assign a conversation to someone who already
// has as many open conversations as their limit, unless the caller went
// through UpdateOverLimit. Two assignments racing may both pass: the limit
// is a guide for a desk, not an invariant worth a lock.
func (d *Service) checkChatLimit(ctx context.Context, a *Actor, id int64, p store.ConversationPatch) error {
	if p.AssigneeID == nil || *p.AssigneeID == 0 {
		return nil
	}
	u, err := d.st.User(ctx, a.OrgID(), *p.AssigneeID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil // the store refuses a stranger with a field error
		}
		return err
	}
	if u.MaxChats <= 0 {
		return nil
	}
	c, err := d.st.Conversation(ctx, a.OrgID(), id)
	if err != nil {
		return err
	}
	if c.AssigneeID == u.ID {
		return nil
	}
	n, err := d.ActiveChats(ctx, a.OrgID(), u.ID)
	if err != nil || n < u.MaxChats {
		return err
	}
	if over, _ := ctx.Value(overLimitKey{}).(bool); over && a.Can(model.PermConversationsOverLimit) {
		d.audit(ctx, a.OrgID(), a.User.ID, "assign_over_limit", "conversation", id,
			"assignee="+strconv.FormatInt(u.ID, 10)+" active="+strconv.Itoa(n)+" limit="+strconv.Itoa(u.MaxChats), a.IP)
		return nil
	}
	return ChatLimitError(u.Name, u.MaxChats)
}
