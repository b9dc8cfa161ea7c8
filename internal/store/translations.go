package store

import (
	"context"

	"github.com/sportello/sportello/internal/langdetect"
	"github.com/sportello/sportello/internal/model"
)

// Language sources: where a conversation's or a contact's language came
// from.
const (
	LanguageChosen   = "chosen"   // the citizen picked it (the web chat's language)
	LanguageDetected = "detected" // guessed from the text: a hint
	LanguageOperator = "operator" // set or corrected by an operator
)

// SetLanguageHint sets a conversation's language and where it came from,
// and remembers it on the contact, without a timeline event. A detected
// language never replaces one chosen or set by an operator; the others
// replace anything.
func (s *Store) SetLanguageHint(ctx context.Context, orgID, convID int64, lang, source string) error {
	langs, err := model.NormalizeLanguages("language", []string{lang})
	if err != nil || len(langs) == 0 {
		return model.Invalid("language", "error.validation.language", "not a valid language code", map[string]any{"Value": lang})
	}
	lang = langs[0]
	guard := ""
	if source == LanguageDetected {
		guard = " AND (language = '' OR language_source = 'detected')"
	}
	return s.inTx(ctx, func(tx q) error {
		var contactID int64
		if err := tx.row(ctx, "SELECT contact_id FROM conversations WHERE org_id = ? AND id = ?", orgID, convID).Scan(&contactID); err != nil {
			return notFound(err, "conversation")
		}
		if _, err := tx.exec(ctx, "UPDATE conversations SET language = ?, language_source = ? WHERE org_id = ? AND id = ?"+guard,
			lang, source, orgID, convID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "UPDATE contacts SET language = ?, language_source = ? WHERE org_id = ? AND id = ?"+guard,
			lang, source, orgID, contactID)
		return err
	})
}

// SaveTranslation keeps a machine translation of a message.
func (s *Store) SaveTranslation(ctx context.Context, orgID, messageID int64, t model.Translation) error {
	return s.inTx(ctx, func(tx q) error {
		if err := mustExist(ctx, tx, "messages", orgID, messageID, "message_id"); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO message_translations (org_id, message_id, language, body, original, created_at)
			VALUES (?, ?, ?, ?, FALSE, ?) ON CONFLICT (message_id, language) DO UPDATE SET body = excluded.body
			WHERE message_translations.original = FALSE`, orgID, messageID, t.Language, t.Body, ms(s.now()))
		return err
	})
}

// Translations returns the stored texts of messages in lang, by message
// id: machine translations, and what an author wrote in lang before it
// was translated.
func (s *Store) Translations(ctx context.Context, orgID int64, messageIDs []int64, lang string) (map[int64]model.Translation, error) {
	out := map[int64]model.Translation{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	args := []any{orgID, lang}
	for _, id := range messageIDs {
		args = append(args, id)
	}
	rows, err := s.reader().query(ctx, "SELECT message_id, body FROM message_translations WHERE org_id = ? AND language = ? AND message_id IN ("+
		placeholders(len(messageIDs))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		out[id] = model.Translation{Language: lang, Body: body}
	}
	return out, rows.Err()
}

// insertOriginal keeps, with a message whose body is a machine
// translation, the text its author wrote. AddMessage calls it.
func insertOriginal(ctx context.Context, tx q, m *model.Message) error {
	if m.Original == nil || m.Original.Body == "" {
		return nil
	}
	if err := model.CheckText("body", m.Original.Body, true, MaxBody); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO message_translations (org_id, message_id, language, body, original, created_at)
		VALUES (?, ?, ?, ?, TRUE, ?)`, m.OrgID, m.ID, m.Original.Language, m.Original.Body, ms(m.CreatedAt))
	return err
}

// fillOriginals adds to messages their authors' texts before translation.
// Messages calls it.
func (s *Store) fillOriginals(ctx context.Context, r q, orgID, conversationID int64, msgs []*model.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	rows, err := r.query(ctx, `SELECT t.message_id, t.language, t.body FROM message_translations t JOIN messages m ON m.id = t.message_id
		WHERE t.org_id = ? AND m.conversation_id = ? AND m.seq >= ? AND m.seq <= ? AND t.original = TRUE`,
		orgID, conversationID, msgs[0].Seq, msgs[len(msgs)-1].Seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t model.Translation
		if err := rows.Scan(&id, &t.Language, &t.Body); err != nil {
			return err
		}
		if m := byID[id]; m != nil {
			m.Original = &t
		}
	}
	return rows.Err()
}

// conversationLanguage is the language of a conversation the message in
// opens, and where it came from: the one the citizen chose on the
// channel, else the contact's, else a guess from the text, which the
// contact then remembers too.
func conversationLanguage(ctx context.Context, tx q, in Inbound, contactID int64) (string, string, error) {
	if in.Language != "" {
		return in.Language, LanguageChosen, nil
	}
	var lang, source string
	if err := tx.row(ctx, "SELECT language, language_source FROM contacts WHERE id = ?", contactID).Scan(&lang, &source); err != nil {
		return "", "", err
	}
	if lang != "" {
		return lang, source, nil
	}
	g := langdetect.Detect(in.Body)
	if g.Language == "" {
		return "", "", nil
	}
	_, err := tx.exec(ctx, "UPDATE contacts SET language = ?, language_source = ? WHERE id = ? AND language = ''", g.Language, LanguageDetected, contactID)
	return g.Language, LanguageDetected, err
}
