package hooks

import (
	"errors"
	"io"
	"net/http"

	"github.com/sportello/sportello/internal/channel/messenger"
	"github.com/sportello/sportello/internal/channel/whatsapp"
	"github.com/sportello/sportello/internal/model"
)

// metaVerify answers Meta's subscription check for a WhatsApp or
// Messenger channel: the challenge when the verify token matches the
// channel's, 403 otherwise.
func (h *Hooks) metaVerify(kind model.ChannelKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, s, err := h.channelOf(r, kind)
		if err != nil {
			h.noChannel(w, r, err)
			return
		}
		challenge, ok := whatsapp.Challenge(r.URL.Query(), s.Get("verify_token", ""))
		if !ok {
			h.fail(w, r, http.StatusForbidden, "verify token does not match", nil)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, challenge)
	}
}

// noChannel answers a path naming no usable channel.
func (h *Hooks) noChannel(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNoChannel) {
		h.fail(w, r, http.StatusNotFound, "no such channel", err)
		return
	}
	h.fail(w, r, http.StatusInternalServerError, "try again", err)
}

// whatsApp receives a WhatsApp Cloud API delivery: messages and the
// statuses of our messages.
func (h *Hooks) whatsApp(w http.ResponseWriter, r *http.Request) {
	c, s, err := h.channelOf(r, model.ChannelWhatsApp)
	if err != nil {
		h.noChannel(w, r, err)
		return
	}
	raw, err := body(w, r)
	if err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "body too large", err)
		return
	}
	if !whatsapp.Verify(s.Get("app_secret", ""), raw, r.Header.Get(whatsapp.SignatureHeader)) {
		h.fail(w, r, http.StatusUnauthorized, "bad signature", nil)
		return
	}
	evs, skipped, err := whatsapp.Parse(raw, s.Get("phone_number_id", ""))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "malformed delivery", err)
		return
	}
	if skipped > 0 {
		h.log.Warn("whatsapp delivery for another phone number skipped: give each number its own app or channel", "channel", c.ID, "events", skipped)
	}
	if h.receive(w, r, c, evs) {
		w.WriteHeader(http.StatusOK)
	}
}

// meta receives a Messenger or Instagram delivery.
func (h *Hooks) meta(w http.ResponseWriter, r *http.Request) {
	c, s, err := h.channelOf(r, model.ChannelMessenger)
	if err != nil {
		h.noChannel(w, r, err)
		return
	}
	raw, err := body(w, r)
	if err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "body too large", err)
		return
	}
	if !messenger.Verify(s.Get("app_secret", ""), raw, r.Header.Get(messenger.SignatureHeader)) {
		h.fail(w, r, http.StatusUnauthorized, "bad signature", nil)
		return
	}
	evs, err := messenger.Parse(raw)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "malformed delivery", err)
		return
	}
	if h.receive(w, r, c, evs) {
		w.WriteHeader(http.StatusOK)
	}
}
