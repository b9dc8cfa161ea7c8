package twilio

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// maxMedia is the most media Twilio attaches to one message.
const maxMedia = 10

// ErrMalformed is a webhook delivery missing what every one carries.
var ErrMalformed = errors.New("malformed Twilio request")

// phone turns Twilio's From/To ("+393331234567", "whatsapp:+39…") into a
// phone identity in E.164, the same on SMS, WhatsApp and voice.
func phone(v string) (model.Identity, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "whatsapp:")
	id, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityPhone, Value: v})
	if err != nil {
		return model.Identity{}, fmt.Errorf("%w: From %q is not a phone number", ErrMalformed, v)
	}
	return id, nil
}

// ParseSMS reads an incoming SMS or MMS: MessageSid (the provider id),
// From, Body and NumMedia pictures at MediaUrl{N} of MediaContentType{N}.
func ParseSMS(form url.Values) ([]channel.Event, error) {
	sid := strings.TrimSpace(form.Get("MessageSid"))
	if sid == "" {
		sid = strings.TrimSpace(form.Get("SmsSid"))
	}
	if sid == "" {
		return nil, fmt.Errorf("%w: no MessageSid", ErrMalformed)
	}
	from, err := phone(form.Get("From"))
	if err != nil {
		return nil, err
	}
	ev := channel.Event{Type: channel.EventMessage, ProviderID: sid, From: from, Text: form.Get("Body"), Kind: "text"}
	n, _ := strconv.Atoi(form.Get("NumMedia"))
	for i := range min(max(n, 0), maxMedia) {
		ref := strings.TrimSpace(form.Get("MediaUrl" + strconv.Itoa(i)))
		if ref == "" {
			continue
		}
		ev.Media = append(ev.Media, channel.Media{Ref: ref, ContentType: form.Get("MediaContentType" + strconv.Itoa(i))})
	}
	if len(ev.Media) > 0 {
		ev.Kind = kindOf(ev.Media[0].ContentType)
	}
	if strings.TrimSpace(ev.Text) == "" && len(ev.Media) == 0 {
		ev.Text, ev.Kind = "unsupported message (empty)", "unsupported"
	}
	return []channel.Event{ev}, nil
}

func kindOf(ctype string) string {
	switch {
	case strings.HasPrefix(ctype, "image/"):
		return "image"
	case strings.HasPrefix(ctype, "audio/"):
		return "audio"
	case strings.HasPrefix(ctype, "video/"):
		return "video"
	}
	return "document"
}

// ParseStatus reads a delivery report on one of our messages:
// MessageSid, MessageStatus and, when it failed, ErrorCode. Intermediate
// states (queued, sending) and unknown ones report nothing.
func ParseStatus(form url.Values) ([]channel.Event, error) {
	sid := strings.TrimSpace(form.Get("MessageSid"))
	if sid == "" {
		sid = strings.TrimSpace(form.Get("SmsSid"))
	}
	status := form.Get("MessageStatus")
	if status == "" {
		status = form.Get("SmsStatus")
	}
	if sid == "" || status == "" {
		return nil, fmt.Errorf("%w: no MessageSid or MessageStatus", ErrMalformed)
	}
	ev := channel.Event{Type: channel.EventStatus, ProviderID: sid}
	switch status {
	case "sent":
		ev.Status = model.DeliverySent
	case "delivered":
		ev.Status = model.DeliveryDelivered
	case "read":
		ev.Status = model.DeliveryRead
	case "undelivered", "failed", "canceled":
		ev.Status = model.DeliveryFailed
		ev.Error = "Twilio: " + status
		if code := strings.TrimSpace(form.Get("ErrorCode")); code != "" {
			ev.Error += " (error " + code + ")"
		}
		if msg := strings.TrimSpace(form.Get("ErrorMessage")); msg != "" {
			ev.Error += ": " + msg
		}
	default:
		return nil, nil
	}
	return []channel.Event{ev}, nil
}
