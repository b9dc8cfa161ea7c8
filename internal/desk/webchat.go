package desk

import (
	"context"
	"encoding/json"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/realtime"
	"github.com/sportello/sportello/internal/store"
)

// The web chat's live events, besides "message":
//
//   - "typing": the citizen's typing goes to staff (CitizenTyping), the
//     operators' to the citizen's topic (Typing), which their page shows.
//   - "delivery" on realtime.OrgTopic, Seq and Data {"direction",
//     "status", "up_to_seq"}: messages of that direction up to that seq
//     now have that status. A delivery of inbound messages (the desk has
//     read the citizen) goes on ConversationTopic too, so the citizen's
//     page can show "seen".

// deliveryData is the payload of a "delivery" event.
type deliveryData struct {
	Direction model.Direction      `json:"direction"`
	Status    model.DeliveryStatus `json:"status"`
	UpToSeq   int64                `json:"up_to_seq"`
}

// ReceiveWeb records a web chat visitor's message as Receive does, and
// gives a conversation it opens the subject the visitor chose before
// chatting (a topic, in the desk's language). The message is stored and
// announced even if setting the subject fails: that is logged.
func (d *Service) ReceiveWeb(ctx context.Context, in store.Inbound, subject string) (store.InboundResult, error) {
	res, err := d.Receive(ctx, in)
	if err != nil || !res.NewConversation || subject == "" {
		return res, err
	}
	c, err := d.st.UpdateConversation(ctx, in.OrgID, res.ConversationID, 0, store.ConversationPatch{Subject: &subject})
	if err != nil {
		d.log.Warn("web chat: set the subject of a new conversation", "conversation", res.ConversationID, "err", err)
		return res, nil
	}
	d.publishConversation(c)
	return res, nil
}

// VisitorReceived records that the citizen's page has shown the replies of
// a conversation up to seq upTo.
func (d *Service) VisitorReceived(ctx context.Context, orgID, conversationID, upTo int64) error {
	return d.markDelivery(ctx, orgID, conversationID, model.DirectionOutbound, upTo, model.DeliveryDelivered)
}

// VisitorRead records that the citizen has seen the replies of a
// conversation up to seq upTo.
func (d *Service) VisitorRead(ctx context.Context, orgID, conversationID, upTo int64) error {
	return d.markDelivery(ctx, orgID, conversationID, model.DirectionOutbound, upTo, model.DeliveryRead)
}

// markDelivery moves delivery statuses forward and, when any changed,
// tells the consoles (and, for the citizen's own messages, their page).
// The caller has checked that the conversation is the one it may touch.
func (d *Service) markDelivery(ctx context.Context, orgID, conversationID int64, dir model.Direction, upTo int64, st model.DeliveryStatus) error {
	n, err := d.st.SetDeliveryUpTo(ctx, orgID, conversationID, dir, upTo, st)
	if err != nil || n == 0 {
		return err
	}
	data, _ := json.Marshal(deliveryData{Direction: dir, Status: st, UpToSeq: upTo})
	ev := realtime.Event{Type: "delivery", OrgID: orgID, ConversationID: conversationID, Seq: upTo, Data: data}
	d.pub.Publish(realtime.OrgTopic(orgID), ev)
	if dir == model.DirectionInbound {
		d.pub.Publish(realtime.ConversationTopic(conversationID), ev)
	}
	return nil
}

// MessagesRead records that the actor has read the citizen's messages of a
// conversation up to seq upTo; the citizen's page then shows them as seen.
func (d *Service) MessagesRead(ctx context.Context, a *Actor, conversationID, upTo int64) error {
	if _, err := d.visible(ctx, a, conversationID); err != nil {
		return err
	}
	return d.markDelivery(ctx, a.OrgID(), conversationID, model.DirectionInbound, upTo, model.DeliveryRead)
}
