package store

import (
	"context"
	"encoding/json"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
)

// Limits of a message's quick replies: WhatsApp lists hold ten rows, and a
// button's text is short.
const (
	MaxQuickReplies   = 10
	MaxQuickReplyLen  = 80
	quickRepliesLimit = MaxQuickReplies * (MaxQuickReplyLen*4 + 8)
)

// checkQuickReplies refuses more replies, or longer ones, than a channel
// can show.
func checkQuickReplies(replies []string) error {
	if len(replies) > MaxQuickReplies {
		return model.Invalid("quick_replies", "error.validation.too_many", "too many quick replies",
			map[string]any{"Field": "quick_replies", "Limit": MaxQuickReplies})
	}
	for _, r := range replies {
		if err := model.CheckText("quick_replies", r, true, MaxQuickReplyLen); err != nil {
			return err
		}
	}
	return nil
}

// insertQuickReplies stores the replies m suggests, in the transaction
// that adds m.
func insertQuickReplies(ctx context.Context, tx q, m *model.Message) error {
	if len(m.QuickReplies) == 0 {
		return nil
	}
	if err := checkQuickReplies(m.QuickReplies); err != nil {
		return err
	}
	data, err := json.Marshal(m.QuickReplies)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO message_quick_replies (org_id, conversation_id, seq, replies) VALUES (?, ?, ?, ?)",
		m.OrgID, m.ConversationID, m.Seq, string(data))
	return err
}

// fillQuickReplies adds their quick replies to messages of one
// conversation, in one query over their range of seq.
func (s *Store) fillQuickReplies(ctx context.Context, r q, orgID, conversationID int64, ms []*model.Message) error {
	if len(ms) == 0 {
		return nil
	}
	bySeq := make(map[int64]*model.Message, len(ms))
	for _, m := range ms {
		bySeq[m.Seq] = m
	}
	rows, err := r.query(ctx, "SELECT seq, replies FROM message_quick_replies WHERE org_id = ? AND conversation_id = ? AND seq >= ? AND seq <= ?",
		orgID, conversationID, ms[0].Seq, ms[len(ms)-1].Seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var data string
		if err := rows.Scan(&seq, &data); err != nil {
			return err
		}
		m := bySeq[seq]
		if m == nil || len(data) > quickRepliesLimit || !utf8.ValidString(data) {
			continue
		}
		var replies []string
		if json.Unmarshal([]byte(data), &replies) == nil {
			m.QuickReplies = replies
		}
	}
	return rows.Err()
}
