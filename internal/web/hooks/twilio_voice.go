package hooks

import (
	"net/http"

	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/model"
)

// twilioVoice answers every step of a call on the phone line: the call
// itself, the menus' key presses, the forwarded call's outcome and the
// voicemail. The step and the caller's choices are in the query, which
// Twilio's signature covers.
func (h *Hooks) twilioVoice(w http.ResponseWriter, r *http.Request) {
	c, s, form, ok := h.twilioRequest(w, r, model.ChannelVoice)
	if !ok {
		return
	}
	call, err := twilio.ParseCall(form)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error(), err)
		return
	}
	resp, evs, err := h.d.VoiceCall(r.Context(), c, s, twilio.ParseState(r.URL.Query()), call)
	if err != nil {
		status := http.StatusInternalServerError
		if model.ErrorIs(err, model.CodeInvalid) {
			status = http.StatusBadRequest
		}
		h.fail(w, r, status, "cannot answer the call", err)
		return
	}
	if len(evs) > 0 && !h.receive(w, r, c, evs) {
		return
	}
	twiml(w, resp)
}

// twilioCallStatus receives a call's final status: a call that ended in
// the menus or before the beep is logged as missed.
func (h *Hooks) twilioCallStatus(w http.ResponseWriter, r *http.Request) {
	c, s, form, ok := h.twilioRequest(w, r, model.ChannelVoice)
	if !ok {
		return
	}
	call, err := twilio.ParseCall(form)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error(), err)
		return
	}
	evs, err := h.d.VoiceStatus(r.Context(), c, s, call)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "not stored, try again", err)
		return
	}
	if len(evs) > 0 && !h.receive(w, r, c, evs) {
		return
	}
	twiml(w, &twilio.Response{})
}
