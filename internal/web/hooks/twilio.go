package hooks

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/model"
)

// twilioRequest loads the channel of one of kinds named in the path,
// reads the form Twilio posted and checks X-Twilio-Signature over the
// URL Twilio called (the channel's public_url, then our path and query)
// and the form. It answers the request itself and returns ok false when
// anything is wrong; nothing has been stored then.
func (h *Hooks) twilioRequest(w http.ResponseWriter, r *http.Request, kinds ...model.ChannelKind) (*model.Channel, channel.Settings, url.Values, bool) {
	var (
		c   *model.Channel
		s   channel.Settings
		err error
	)
	for _, k := range kinds {
		if c, s, err = h.channelOf(r, k); !errors.Is(err, errNoChannel) {
			break
		}
	}
	if errors.Is(err, errNoChannel) {
		h.fail(w, r, http.StatusNotFound, "no such channel", err)
		return nil, nil, nil, false
	}
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "try again", err)
		return nil, nil, nil, false
	}
	raw, err := body(w, r)
	if err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "body too large", err)
		return nil, nil, nil, false
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "malformed form", err)
		return nil, nil, nil, false
	}
	full := strings.TrimRight(s["public_url"], "/") + r.URL.RequestURI()
	if !twilio.Valid(s["auth_token"], full, form, r.Header.Get(twilio.SignatureHeader)) {
		h.fail(w, r, http.StatusForbidden, "bad signature", nil)
		return nil, nil, nil, false
	}
	return c, s, form, true
}

// twiml answers Twilio with a TwiML document.
func twiml(w http.ResponseWriter, resp *twilio.Response) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(resp.Marshal())
}

// twilioSMS receives an SMS or MMS: stored, then answered with an empty
// TwiML document (replies go out later through the REST API).
func (h *Hooks) twilioSMS(w http.ResponseWriter, r *http.Request) {
	c, _, form, ok := h.twilioRequest(w, r, model.ChannelSMS)
	if !ok {
		return
	}
	evs, err := twilio.ParseSMS(form)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error(), err)
		return
	}
	if h.receive(w, r, c, evs) {
		twiml(w, &twilio.Response{})
	}
}

// twilioStatus receives delivery reports on our SMS, from an SMS channel
// or a voice channel's replies by SMS.
func (h *Hooks) twilioStatus(w http.ResponseWriter, r *http.Request) {
	c, _, form, ok := h.twilioRequest(w, r, model.ChannelSMS, model.ChannelVoice)
	if !ok {
		return
	}
	evs, err := twilio.ParseStatus(form)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error(), err)
		return
	}
	if h.receive(w, r, c, evs) {
		twiml(w, &twilio.Response{})
	}
}
