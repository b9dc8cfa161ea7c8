// Package hooks is the providers' surface: the webhooks WhatsApp,
// Telegram, Twilio and Meta call at /hooks/{provider}/{channelID}. Each
// handler loads the channel named in the path, checks the provider's
// signature or secret against that channel's settings before it trusts
// anything in the request, parses the delivery with the channel's
// adapter, hands the events to the desk, and answers only once they are
// durably stored. A redelivery stores nothing new and still gets 200.
package hooks

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
)

// Hooks serves the providers' webhooks.
type Hooks struct {
	d   *desk.Service
	log *slog.Logger
}

// New returns the webhook surface over the desk.
func New(d *desk.Service, log *slog.Logger) *Hooks {
	return &Hooks{d: d, log: log}
}

// Routes registers every webhook. The permission of each is the
// provider's signature, checked in the handler against the channel.
func (h *Hooks) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /hooks/twilio/{channel}/sms", h.twilioSMS)
	mux.HandleFunc("POST /hooks/twilio/{channel}/status", h.twilioStatus)
	mux.HandleFunc("POST /hooks/twilio/{channel}/voice", h.twilioVoice)
	mux.HandleFunc("POST /hooks/twilio/{channel}/voice/status", h.twilioCallStatus)
	mux.HandleFunc("POST /hooks/telegram/{channel}", h.telegram)
	mux.HandleFunc("GET /hooks/whatsapp/{channel}", h.metaVerify(model.ChannelWhatsApp))
	mux.HandleFunc("POST /hooks/whatsapp/{channel}", h.whatsApp)
	mux.HandleFunc("GET /hooks/meta/{channel}", h.metaVerify(model.ChannelMessenger))
	mux.HandleFunc("POST /hooks/meta/{channel}", h.meta)
}

// errNoChannel answers a path naming no active channel of the kind.
var errNoChannel = errors.New("no such channel")

// channelOf loads the active channel of kind named by the path's
// {channel}, with its settings. The channel id is no credential: callers
// verify the request against the settings before trusting it.
func (h *Hooks) channelOf(r *http.Request, kind model.ChannelKind) (*model.Channel, channel.Settings, error) {
	id, err := strconv.ParseInt(r.PathValue("channel"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, errNoChannel
	}
	c, err := h.d.Store().ChannelByID(r.Context(), id)
	if err != nil {
		if model.ErrorIs(err, model.CodeNotFound) {
			return nil, nil, errNoChannel
		}
		return nil, nil, err
	}
	if c.Kind != kind || !c.Active {
		return nil, nil, errNoChannel
	}
	s, err := channel.ParseSettings(c.Settings)
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

// body reads a delivery's raw body (signatures are over the raw bytes),
// refusing one over channel.MaxWebhookBody.
func body(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, channel.MaxWebhookBody))
}

// fail answers a provider with a status and a short plain-text reason.
// Providers read statuses, not text: 401/403 for a bad signature (they
// stop or alert), 400 for a payload that will never parse, 404 for an
// unknown channel, 500 when we could not store it (they retry).
func (h *Hooks) fail(w http.ResponseWriter, r *http.Request, status int, reason string, err error) {
	if status >= 500 {
		h.log.Error("webhook", "path", r.URL.Path, "err", err)
	} else {
		h.log.Info("webhook refused", "path", r.URL.Path, "status", status, "reason", reason)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, reason+"\n")
}

// receive hands parsed events to the desk and answers: 200 once stored,
// 500 (the provider retries) when storing failed.
func (h *Hooks) receive(w http.ResponseWriter, r *http.Request, c *model.Channel, evs []channel.Event) bool {
	if err := h.d.ReceiveEvents(r.Context(), c, evs); err != nil {
		if model.ErrorIs(err, model.CodeInvalid) {
			// Retrying the same payload cannot help.
			h.fail(w, r, http.StatusBadRequest, "invalid message: "+err.Error(), err)
			return false
		}
		h.fail(w, r, http.StatusInternalServerError, "not stored, try again", err)
		return false
	}
	return true
}
