package desk

import (
	"context"
	"encoding/json"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
)

// Receive records a citizen's message from any channel and tells the live
// connections. It returns once the message is durably stored; a redelivery
// of a provider message id stores and publishes nothing.
func (d *Service) Receive(ctx context.Context, in store.Inbound) (store.InboundResult, error) {
	res, err := d.st.RecordInbound(ctx, in)
	if err != nil || res.Duplicate {
		return res, err
	}
	// One read of the conversation serves every console tab of this
	// process (their inbox rows) and the routing below.
	c, err := d.st.Conversation(ctx, in.OrgID, res.ConversationID)
	if err != nil {
		d.log.Warn("load conversation after a message", "conversation", res.ConversationID, "err", err)
		c = nil
	}
	d.announce(ctx, in, res, c)
	if c != nil {
		cc := *c                               // routing changes its own copy; the event's is shared
		d.routeConversation(ctx, in, res, &cc) // language, routing, due times, out of hours (inbound.go)
	}
	if !in.Automated {
		d.afterInbound(ctx, in, res) // the screener's chat flow (screenchat.go)
	}
	return res, nil
}

// announce publishes a message just stored, with its conversation when
// at hand (c may be nil). What was stored is announced as stored, unless
// the store adds to it (files, a PEC envelope, quoted text): then it is
// read back. When that read fails the event is only a signal: clients
// resync from the database, so nothing is lost.
func (d *Service) announce(ctx context.Context, in store.Inbound, res store.InboundResult, c *model.Conversation) {
	m := res.Message
	if m == nil || len(in.Attachments) > 0 || in.Certificate != nil || in.Quoted != "" {
		msgs, err := d.st.Messages(ctx, in.OrgID, res.ConversationID, res.Seq-1, 1)
		if err != nil || len(msgs) == 0 {
			d.log.Warn("load message for event", "conversation", res.ConversationID, "err", err)
			d.publishSignal(in.OrgID, res.ConversationID, res.Seq, res.NewConversation)
			return
		}
		m = msgs[0]
	}
	if m.Attachments == nil {
		m.Attachments = []model.Attachment{}
	}
	d.publishMessageOf(m, c, res.NewConversation)
}

// receiveDeferred records a provider's message as Receive does, but
// leaves what follows storing — language, routing, due times, the
// out-of-hours reply, the screener's chat flow — to a route job queued in
// the same transaction: the webhook answers as soon as the message is
// durable and announced. (Files the provider holds come later, announced
// by their job.)
func (d *Service) receiveDeferred(ctx context.Context, in store.Inbound) (store.InboundResult, error) {
	in.Deferred = true
	res, err := d.st.RecordInbound(ctx, in)
	if err != nil || res.Duplicate {
		return res, err
	}
	d.kickJobs()
	d.announce(ctx, in, res, nil)
	return res, nil
}

// routeJob runs a deferred message's route job.
func (d *Service) routeJob(ctx context.Context, j *store.Job) error {
	var p store.RoutePayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	m, err := d.st.Message(ctx, j.OrgID, j.MessageID)
	if model.ErrorIs(err, model.CodeNotFound) {
		return nil // gone with its conversation
	}
	if err != nil {
		return err
	}
	in := store.Inbound{OrgID: m.OrgID, Body: m.Body, At: m.CreatedAt, Topic: p.Topic}
	res := store.InboundResult{ConversationID: m.ConversationID, MessageID: m.ID, Seq: m.Seq, NewConversation: p.NewConversation}
	d.routeInbound(ctx, in, res)
	d.afterInbound(ctx, in, res)
	return nil
}

// publishMessage tells the organisation's consoles and the conversation's
// viewers about a new message. Internal notes never reach the citizen's
// topic.
func (d *Service) publishMessage(m *model.Message, newConversation bool) {
	d.publishMessageOf(m, nil, newConversation)
}

// publishMessageOf is publishMessage with the conversation as it stands
// after m (nil when not at hand), handed to the consoles of this process
// with the event so that none of them reads it again. The citizen's topic
// never gets it.
func (d *Service) publishMessageOf(m *model.Message, c *model.Conversation, newConversation bool) {
	data, _ := json.Marshal(m)
	ev := realtime.Event{Type: "message", OrgID: m.OrgID, ConversationID: m.ConversationID, Seq: m.Seq, Data: data, Message: m}
	staff := ev
	if c != nil && c.ID == m.ConversationID && c.OrgID == m.OrgID {
		staff.Conversation = c
	}
	if newConversation {
		d.pub.Publish(realtime.OrgTopic(m.OrgID), realtime.Event{Type: "conversation", OrgID: m.OrgID, ConversationID: m.ConversationID, Seq: m.Seq, Conversation: staff.Conversation})
	}
	d.pub.Publish(realtime.OrgTopic(m.OrgID), staff)
	if m.Direction == model.DirectionNote {
		d.pub.Publish(staffTopic(m.ConversationID), staff)
		return
	}
	d.pub.Publish(realtime.ConversationTopic(m.ConversationID), ev)
}

func (d *Service) publishSignal(orgID, conversationID, seq int64, newConversation bool) {
	typ := "message"
	if newConversation {
		typ = "conversation"
	}
	ev := realtime.Event{Type: typ, OrgID: orgID, ConversationID: conversationID, Seq: seq}
	d.pub.Publish(realtime.OrgTopic(orgID), ev)
	d.pub.Publish(realtime.ConversationTopic(conversationID), ev)
}

// publishConversation tells consoles that a conversation's fields changed.
func (d *Service) publishConversation(c *model.Conversation) {
	data, _ := json.Marshal(c)
	d.pub.Publish(realtime.OrgTopic(c.OrgID), realtime.Event{Type: "conversation", OrgID: c.OrgID, ConversationID: c.ID, Seq: c.LastSeq, Data: data})
}

// staffTopic carries what only operators looking at a conversation may
// see (internal notes, who else is viewing).
func staffTopic(conversationID int64) string {
	return "staff:" + realtime.ConversationTopic(conversationID)
}

// StaffTopic is exported for the console's live connection.
func StaffTopic(conversationID int64) string { return staffTopic(conversationID) }

// publishMessageUpdate tells consoles (and the citizen's page) that a
// message changed after it was first announced: its delivery status, an
// attachment fetched later.
func (d *Service) publishMessageUpdate(m *model.Message) {
	data, _ := json.Marshal(m)
	ev := realtime.Event{Type: "message_update", OrgID: m.OrgID, ConversationID: m.ConversationID, Seq: m.Seq, Data: data}
	d.pub.Publish(realtime.OrgTopic(m.OrgID), ev)
	if m.Direction != model.DirectionNote {
		d.pub.Publish(realtime.ConversationTopic(m.ConversationID), ev)
	}
}
