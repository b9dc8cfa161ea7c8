package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// Inbound is a citizen's message as a channel received it.
type Inbound struct {
	OrgID             int64
	ChannelID         int64
	Channel           model.ChannelKind
	From              model.Identity // who wrote: finds or creates the contact
	DisplayName       string         // the name the channel gave, for a new contact
	Language          string         // the conversation's language, if known
	ProviderMessageID string         // for idempotency: a redelivery creates nothing
	Body              string
	Attachments       []model.Attachment // already stored, linked by id
	// Media are files the provider holds, fetched later by a job
	// (JobFetchMedia) that stores them as the message's attachments.
	Media []Media
	At    time.Time // when the provider received it; zero means now
	// Topic is what the citizen chose before writing (the web chat's
	// pre-chat topic, a phone menu's choice), for routing; it is not
	// stored but in a deferred message's route job.
	Topic string
	// Deferred queues what follows storing (JobRoute) in the same
	// transaction, for the job runner, instead of leaving it to the
	// caller: a provider's webhook answers sooner, and a crash between
	// the two loses nothing.
	Deferred bool
	// E-mail. ConversationID is the conversation a reply names (by its
	// headers or subject token): the message joins it when it is the
	// contact's on this channel, reopening it. NewThread opens a new
	// conversation rather than joining the contact's open one (a new
	// e-mail is a new case). Subject names a new conversation.
	// Certificate is a certified mailbox's proof, stored with the message.
	ConversationID int64
	NewThread      bool
	Subject        string
	Certificate    *model.Certificate
	Quoted         string // an e-mail's quoted history and signature, left out of Body
	// Automated is a message sent by a machine (an auto-reply, a mailing
	// list): the desk answers nothing to it automatically. Not stored.
	Automated bool
}

// RoutePayload is a JobRoute's payload.
type RoutePayload struct {
	NewConversation bool   `json:"new_conversation,omitempty"`
	Topic           string `json:"topic,omitempty"`
}

// Media is a file a provider holds for an inbound message: Ref is what
// its adapter needs to download it (a media id, a URL).
type Media struct {
	Ref         string `json:"ref"`
	ContentType string `json:"content_type,omitempty"`
	Filename    string `json:"filename,omitempty"`
	Size        int64  `json:"size,omitempty"`
}

// InboundResult tells what recording an inbound message did.
type InboundResult struct {
	ContactID       int64
	ConversationID  int64
	MessageID       int64
	Seq             int64
	Duplicate       bool // the provider id was seen before: nothing was written
	NewContact      bool
	NewConversation bool
	// Message is what was stored (nil for a duplicate), so the caller can
	// announce it without reading it back.
	Message *model.Message
}

// RecordInbound stores an inbound message in one transaction: it finds or
// creates the contact by channel identity, finds the contact's open
// conversation on that channel or opens one, and appends the message. When
// it returns nil the message is durably stored. On SQLite concurrent calls
// share one commit (see committer).
func (s *Store) RecordInbound(ctx context.Context, in Inbound) (InboundResult, error) {
	from, err := model.NormalizeIdentity(in.From)
	if err != nil {
		return InboundResult{}, err
	}
	if err := model.CheckText("body", in.Body, len(in.Attachments) == 0 && len(in.Media) == 0, MaxBody); err != nil {
		return InboundResult{}, err
	}
	if err := model.CheckText("display_name", in.DisplayName, false, 200); err != nil {
		return InboundResult{}, err
	}
	if in.Language != "" && !model.ValidLanguage(in.Language) {
		in.Language = ""
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var res InboundResult
	err = s.inTx(ctx, func(tx q) error {
		res = InboundResult{}
		if in.ProviderMessageID != "" {
			err := tx.row(ctx, "SELECT id, conversation_id, seq FROM messages WHERE channel_id = ? AND provider_message_id = ?",
				in.ChannelID, in.ProviderMessageID).Scan(&res.MessageID, &res.ConversationID, &res.Seq)
			if err == nil {
				res.Duplicate = true
				return nil
			}
			if err := notFound(err, "message"); !model.ErrorIs(err, model.CodeNotFound) {
				return err
			}
		}
		if err := findOrCreateContact(ctx, tx, in, from, now, &res); err != nil {
			return err
		}
		if err := appendInbound(ctx, tx, in, from, now, &res); err != nil || !in.Deferred {
			return err
		}
		payload, err := json.Marshal(RoutePayload{NewConversation: res.NewConversation, Topic: in.Topic})
		if err != nil {
			return err
		}
		return insertJob(ctx, tx, &Job{OrgID: in.OrgID, Kind: JobRoute, Payload: string(payload), MessageID: res.MessageID}, now)
	})
	return res, err
}

func findOrCreateContact(ctx context.Context, tx q, in Inbound, from model.Identity, now time.Time, res *InboundResult) error {
	var merged nullInt
	err := tx.row(ctx, `SELECT c.id, c.merged_into FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
		WHERE i.org_id = ? AND i.kind = ? AND i.value = ?`, in.OrgID, string(from.Kind), from.Value).Scan(&res.ContactID, &merged)
	if err == nil {
		if merged.Int64 != 0 {
			res.ContactID = merged.Int64
		}
		return nil
	}
	if err := notFound(err, "contact"); !model.ErrorIs(err, model.CodeNotFound) {
		return err
	}
	c := &model.Contact{OrgID: in.OrgID, DisplayName: in.DisplayName, Language: in.Language,
		Identities: []model.Identity{from}, CreatedAt: now, UpdatedAt: now}
	if err := insertContact(ctx, tx, c); err != nil {
		return err
	}
	res.ContactID, res.NewContact = c.ID, true
	return nil
}

func appendInbound(ctx context.Context, tx q, in Inbound, from model.Identity, now time.Time, res *InboundResult) error {
	at := now
	if !in.At.IsZero() && in.At.Before(now) {
		at = in.At.UTC().Truncate(time.Millisecond)
	}
	var lastSeq int64
	var err error
	switch {
	case in.ConversationID != 0:
		err = tx.row(ctx, `SELECT id, last_seq FROM conversations WHERE id = ? AND contact_id = ? AND channel_id = ? AND org_id = ?`,
			in.ConversationID, res.ContactID, in.ChannelID, in.OrgID).Scan(&res.ConversationID, &lastSeq)
		if err == nil || !in.NewThread {
			break
		}
		fallthrough
	case in.NewThread:
		err = sql.ErrNoRows
	default:
		err = tx.row(ctx, `SELECT id, last_seq FROM conversations
		WHERE contact_id = ? AND channel_id = ? AND status IN ('open', 'pending', 'snoozed') AND org_id = ?
		ORDER BY last_activity_at DESC LIMIT 1`, res.ContactID, in.ChannelID, in.OrgID).Scan(&res.ConversationID, &lastSeq)
	}
	switch {
	case err == nil:
	case model.ErrorIs(notFound(err, "conversation"), model.CodeNotFound):
		lang, source, err := conversationLanguage(ctx, tx, in, res.ContactID)
		if err != nil {
			return err
		}
		if err := tx.row(ctx, `INSERT INTO conversations (org_id, contact_id, channel_id, channel, language, language_source, status, created_at, last_activity_at, subject)
			VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id`,
			in.OrgID, res.ContactID, in.ChannelID, string(in.Channel), lang, source, ms(at), ms(at), clipText(in.Subject, 200)).Scan(&res.ConversationID); err != nil {
			return mapError(err)
		}
		res.NewConversation = true
	default:
		return err
	}
	m := &model.Message{OrgID: in.OrgID, ConversationID: res.ConversationID, Seq: lastSeq + 1, Direction: model.DirectionInbound,
		Body: in.Body, ProviderMessageID: in.ProviderMessageID, Attachments: in.Attachments, CreatedAt: at}
	if err := insertMessage(ctx, tx, m, in.ChannelID); err != nil {
		return err
	}
	if err := linkAttachments(ctx, tx, in.OrgID, m); err != nil {
		return err
	}
	if err := insertCertificate(ctx, tx, in.OrgID, m.ID, in.Certificate); err != nil {
		return err
	}
	if in.Quoted != "" {
		if _, err := tx.exec(ctx, "INSERT INTO message_quotes (message_id, org_id, body) VALUES (?, ?, ?)", m.ID, in.OrgID, clipText(in.Quoted, MaxBody)); err != nil {
			return err
		}
	}
	res.MessageID, res.Seq, res.Message = m.ID, m.Seq, m
	// A citizen writing again wakes a pending or snoozed conversation.
	// Replies go where the citizen last wrote from. A message the
	// provider delivers late (written before the last one stored) moves
	// neither the reply window (WhatsApp's 24 hours run from the latest)
	// nor the address back.
	_, err = tx.exec(ctx, `UPDATE conversations SET last_seq = ?, last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END,
		preview = ?, status = 'open', snoozed_until = NULL,
		address_kind = CASE WHEN last_inbound_at IS NULL OR last_inbound_at <= ? THEN ? ELSE address_kind END,
		address = CASE WHEN last_inbound_at IS NULL OR last_inbound_at <= ? THEN ? ELSE address END,
		last_inbound_at = CASE WHEN last_inbound_at IS NULL OR last_inbound_at < ? THEN ? ELSE last_inbound_at END WHERE id = ?`,
		m.Seq, ms(at), ms(at), preview(in.Body), ms(at), string(from.Kind), ms(at), from.Value, ms(at), ms(at), res.ConversationID)
	if err != nil {
		return err
	}
	for i := range in.Media {
		md := &in.Media[i]
		payload, err := json.Marshal(md)
		if err != nil {
			return err
		}
		if err := insertJob(ctx, tx, &Job{OrgID: in.OrgID, Kind: JobFetchMedia, Payload: string(payload), MessageID: m.ID}, now); err != nil {
			return err
		}
	}
	return nil
}
