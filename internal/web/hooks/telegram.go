package hooks

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sportello/sportello/internal/channel/telegram"
	"github.com/sportello/sportello/internal/model"
)

// telegram receives one Update of a Telegram bot. Telegram sends the
// secret_token given to setWebhook in a header; nothing is read before it
// matches. An inline keyboard press is answered in the response itself
// (the Bot API runs a method named in a webhook's answer), which stops
// the button's spinner on the citizen's phone.
func (h *Hooks) telegram(w http.ResponseWriter, r *http.Request) {
	c, s, err := h.channelOf(r, model.ChannelTelegram)
	if errors.Is(err, errNoChannel) {
		h.fail(w, r, http.StatusNotFound, "no such channel", err)
		return
	}
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "channel unavailable", err)
		return
	}
	if !telegram.VerifySecret(s, r.Header.Get(telegram.SecretHeader)) {
		h.fail(w, r, http.StatusForbidden, "bad secret token", nil)
		return
	}
	b, err := body(w, r)
	if err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "update too large", err)
		return
	}
	p, err := telegram.ParseUpdate(b)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "malformed update", err)
		return
	}
	if !h.receive(w, r, c, p.Events) {
		return
	}
	if p.CallbackID != "" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"method": "answerCallbackQuery", "callback_query_id": p.CallbackID})
		return
	}
	w.WriteHeader(http.StatusOK)
}
