package desk

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/translate"
)

// Machine translation, when an organisation turns it on: an operator
// reads a citizen's messages in their own language, with the original one
// click away, and may send a reply translated into the citizen's language
// (both texts are kept). The service is any LibreTranslate-compatible
// server the organisation names in its settings under "translation".

// TranslationSettings are an organisation's settings under
// "translation".
type TranslationSettings struct {
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
	APIKey  string `json:"api_key,omitempty"`
}

// maxTranslations bounds the calls to the service for one page.
const maxTranslations = 50

// translateTimeout bounds the calls for one page or one reply.
const translateTimeout = 20 * time.Second

func (d *Service) translationSettings(ctx context.Context, orgID int64) (TranslationSettings, error) {
	var s TranslationSettings
	raw, err := d.st.OrganizationSetting(ctx, orgID, "translation")
	if err != nil || len(raw) == 0 {
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		d.log.Warn("settings: translation", "org", orgID, "err", err)
		return TranslationSettings{}, nil
	}
	return s, nil
}

// provider returns the organisation's translation service, nil when it
// has none turned on.
func (d *Service) provider(ctx context.Context, orgID int64) (translate.Provider, error) {
	s, err := d.translationSettings(ctx, orgID)
	if err != nil || !s.Enabled || s.URL == "" {
		return nil, err
	}
	return translate.NewLibreTranslate(s.URL, s.APIKey, d.routes.client)
}

// TranslationOn reports whether the organisation translates messages.
func (d *Service) TranslationOn(ctx context.Context, orgID int64) bool {
	p, err := d.provider(ctx, orgID)
	return err == nil && p != nil
}

// TranslationSettings returns the organisation's settings, for
// administrators.
func (d *Service) TranslationSettings(ctx context.Context, a *Actor) (TranslationSettings, error) {
	if !a.Can(model.PermSettingsManage) {
		return TranslationSettings{}, errForbidden
	}
	return d.translationSettings(ctx, a.OrgID())
}

// SetTranslationSettings saves them; an empty key keeps the one stored.
func (d *Service) SetTranslationSettings(ctx context.Context, a *Actor, s TranslationSettings) error {
	if !a.Can(model.PermSettingsManage) {
		return errForbidden
	}
	s.URL, s.APIKey = strings.TrimSpace(s.URL), strings.TrimSpace(s.APIKey)
	if s.URL != "" || s.Enabled {
		if _, err := translate.NewLibreTranslate(s.URL, s.APIKey, nil); err != nil {
			return err
		}
	}
	if err := model.CheckText("api_key", s.APIKey, false, 500); err != nil {
		return err
	}
	if s.APIKey == "" {
		old, err := d.translationSettings(ctx, a.OrgID())
		if err != nil {
			return err
		}
		s.APIKey = old.APIKey
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := d.st.SetOrganizationSetting(ctx, a.OrgID(), "translation", raw); err != nil {
		return err
	}
	d.audit(ctx, a.OrgID(), a.User.ID, "translation_change", "organization", a.OrgID(), "enabled="+boolStr(s.Enabled), a.IP)
	return nil
}

// NeedsTranslation reports whether the actor reading in lang would want
// conv's messages translated: its language is known, is not lang, and
// the actor does not speak it.
func NeedsTranslation(a *Actor, conv *model.Conversation, lang string) bool {
	if conv.Language == "" || lang == "" || routing.SameLanguage(conv.Language, lang) {
		return false
	}
	for _, l := range a.User.Languages {
		if routing.SameLanguage(l, conv.Language) {
			return false
		}
	}
	return true
}

// TranslateMessages fills the Translation of the citizen's messages in
// msgs (of a conversation the actor may see) into lang, from the stored
// translations or the service, and of the desk's replies written in lang
// from what their authors wrote. Without a service it does nothing; a
// failing service is logged and leaves the rest untranslated: the
// originals are always there.
func (d *Service) TranslateMessages(ctx context.Context, a *Actor, conversationID int64, msgs []*model.Message, lang string) error {
	conv, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return err
	}
	prov, err := d.provider(ctx, conv.OrgID)
	if err != nil || prov == nil || lang == "" {
		return err
	}
	var ids []int64
	for _, m := range msgs {
		switch {
		case m.Direction == model.DirectionOutbound && m.Original != nil && routing.SameLanguage(m.Original.Language, lang):
			t := *m.Original
			m.Translation = &t
		case m.Direction == model.DirectionInbound && strings.TrimSpace(m.Body) != "" && !routing.SameLanguage(conv.Language, lang):
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	stored, err := d.st.Translations(ctx, conv.OrgID, ids, lang)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, translateTimeout)
	defer cancel()
	calls := 0
	// The newest first: on a long conversation those are read.
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Direction != model.DirectionInbound || m.Translation != nil {
			continue
		}
		if t, ok := stored[m.ID]; ok {
			m.Translation = &t
			continue
		}
		if strings.TrimSpace(m.Body) == "" || routing.SameLanguage(conv.Language, lang) || calls >= maxTranslations {
			continue
		}
		calls++
		out, err := prov.Translate(ctx, m.Body, conv.Language, lang)
		if err != nil {
			d.log.Warn("translate", "conversation", conv.ID, "message", m.ID, "err", err)
			return nil
		}
		t := model.Translation{Language: lang, Body: out}
		if err := d.st.SaveTranslation(ctx, conv.OrgID, m.ID, t); err != nil {
			d.log.Warn("translate: keep", "message", m.ID, "err", err)
		}
		m.Translation = &t
	}
	return nil
}

// errNoLanguage refuses to translate a reply when the citizen's language
// is not known.
var errNoLanguage = &model.Error{Code: model.CodeInvalid, Key: "error.translate.no_language", Field: "language",
	Message: "set the conversation's language first: the reply is translated into it"}

// errTranslationOff refuses a translated reply where the organisation has
// no translation service.
var errTranslationOff = &model.Error{Code: model.CodeConflict, Key: "error.translate.off",
	Message: "machine translation is not turned on for this organisation"}

// PostTranslated sends a reply written in from, translated into the
// conversation's language by the organisation's service; the author's
// text is kept with it. A reply already in the conversation's language is
// sent as it is.
func (d *Service) PostTranslated(ctx context.Context, a *Actor, conversationID int64, m *model.Message, from string) error {
	if m.Direction != model.DirectionOutbound {
		return model.Invalid("direction", "error.validation.direction", "only replies to the citizen are translated", nil)
	}
	if !a.Can(model.PermConversationsReply) {
		return errForbidden
	}
	conv, err := d.visible(ctx, a, conversationID)
	if err != nil {
		return err
	}
	if conv.Language == "" {
		return errNoLanguage
	}
	if from == "" || routing.SameLanguage(from, conv.Language) {
		return d.Post(ctx, a, conversationID, m)
	}
	if !model.ValidLanguage(from) {
		return model.Invalid("translate_from", "error.validation.language", "not a valid language code", map[string]any{"Value": from})
	}
	prov, err := d.provider(ctx, conv.OrgID)
	if err != nil {
		return err
	}
	if prov == nil {
		return errTranslationOff
	}
	if err := model.CheckText("body", m.Body, true, translate.MaxText); err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, translateTimeout)
	defer cancel()
	out, err := prov.Translate(tctx, m.Body, from, conv.Language)
	if err != nil {
		return err
	}
	m.Original = &model.Translation{Language: from, Body: m.Body}
	m.Body = out
	return d.Post(ctx, a, conversationID, m)
}
