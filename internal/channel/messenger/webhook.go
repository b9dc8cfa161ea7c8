package messenger

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// Delivery is the body of a webhook POST.
type Delivery struct {
	Object string  `json:"object"` // "page" or "instagram"
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID        string      `json:"id"`
	Time      int64       `json:"time"`
	Messaging []messaging `json:"messaging"`
}

type party struct {
	ID string `json:"id"`
}

type messaging struct {
	Sender    party `json:"sender"`
	Recipient party `json:"recipient"`
	Timestamp int64 `json:"timestamp"` // Unix ms
	Message   *struct {
		Mid         string       `json:"mid"`
		Text        string       `json:"text"`
		IsEcho      bool         `json:"is_echo"`
		IsDeleted   bool         `json:"is_deleted"`
		Attachments []attachment `json:"attachments"`
		QuickReply  *struct {
			Payload string `json:"payload"`
		} `json:"quick_reply"`
		ReplyTo *struct {
			Mid string `json:"mid"`
		} `json:"reply_to"`
	} `json:"message"`
	Postback *struct {
		Mid     string `json:"mid"`
		Title   string `json:"title"`
		Payload string `json:"payload"`
	} `json:"postback"`
	Delivery *struct {
		Mids      []string `json:"mids"`
		Watermark int64    `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Mid       string `json:"mid"` // Instagram names the message
		Watermark int64  `json:"watermark"`
	} `json:"read"`
	Reaction *struct {
		Mid    string `json:"mid"`
		Action string `json:"action"` // react, unreact
		Emoji  string `json:"emoji"`
	} `json:"reaction"`
}

type attachment struct {
	Type    string `json:"type"` // image, video, audio, file, location, fallback, template, share, story_mention…
	Payload struct {
		URL         string `json:"url"`
		Title       string `json:"title"`
		StickerID   int64  `json:"sticker_id"`
		Coordinates *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates"`
	} `json:"payload"`
}

// ErrMalformed is a delivery that is not a Messenger or Instagram
// webhook.
var ErrMalformed = errors.New("not a Messenger webhook delivery")

// Parse reads a delivery's events in order: the citizens' messages,
// postbacks and reactions as messages; delivery and read receipts that
// name our messages as statuses. Echoes of the page's own messages are
// skipped.
func Parse(body []byte) ([]channel.Event, error) {
	var d Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if d.Object != "page" && d.Object != "instagram" {
		return nil, fmt.Errorf("%w: object %q", ErrMalformed, d.Object)
	}
	var evs []channel.Event
	for _, e := range d.Entry {
		for _, m := range e.Messaging {
			got, err := events(m)
			if err != nil {
				return nil, err
			}
			evs = append(evs, got...)
		}
	}
	return evs, nil
}

func events(m messaging) ([]channel.Event, error) {
	at := time.Time{}
	if m.Timestamp > 0 {
		at = time.UnixMilli(m.Timestamp).UTC()
	}
	from := model.Identity{Kind: model.IdentityMeta, Value: m.Sender.ID}
	msg := func(id, kind, text string) (channel.Event, error) {
		if m.Sender.ID == "" || id == "" {
			return channel.Event{}, fmt.Errorf("%w: a message without sender or id", ErrMalformed)
		}
		return channel.Event{Type: channel.EventMessage, ProviderID: id, From: from, Kind: kind, Text: text, At: at}, nil
	}
	switch {
	case m.Message != nil:
		mm := m.Message
		if mm.IsEcho || mm.IsDeleted {
			return nil, nil
		}
		ev, err := msg(mm.Mid, "text", mm.Text)
		if err != nil {
			return nil, err
		}
		if mm.ReplyTo != nil {
			ev.ReplyTo = mm.ReplyTo.Mid
		}
		var lines []string
		if ev.Text != "" {
			lines = append(lines, ev.Text)
		}
		for _, a := range mm.Attachments {
			switch a.Type {
			case "image", "video", "audio", "file":
				if a.Payload.URL == "" {
					lines = append(lines, "unsupported message ("+a.Type+")")
					continue
				}
				ev.Kind = a.Type
				if a.Payload.StickerID != 0 {
					ev.Kind = "sticker"
				}
				ev.Media = append(ev.Media, channel.Media{Ref: a.Payload.URL})
			case "location":
				if c := a.Payload.Coordinates; c != nil {
					ev.Kind = "location"
					lines = append(lines, locationText(a.Payload.Title, c.Lat, c.Long))
				}
			case "fallback", "share", "story_mention", "ig_reel", "reel", "template":
				// Links and shared posts: the link is what the operator needs.
				label := strings.TrimSpace(a.Payload.Title + " " + a.Payload.URL)
				if label == "" {
					label = "unsupported message (" + a.Type + ")"
				}
				lines = append(lines, "🔗 "+label)
			default:
				ev.Kind = "unsupported"
				lines = append(lines, "unsupported message ("+a.Type+")")
			}
		}
		ev.Text = strings.Join(lines, "\n")
		if ev.Text == "" && len(ev.Media) == 0 {
			ev.Kind, ev.Text = "unsupported", "unsupported message (empty)"
		}
		return []channel.Event{ev}, nil
	case m.Postback != nil:
		id := m.Postback.Mid
		if id == "" {
			id = "postback-" + m.Sender.ID + "-" + strconv.FormatInt(m.Timestamp, 10)
		}
		text := m.Postback.Title
		if text == "" {
			text = m.Postback.Payload
		}
		ev, err := msg(id, "postback", text)
		return []channel.Event{ev}, err
	case m.Reaction != nil:
		r := m.Reaction
		text := "reacted " + r.Emoji
		if r.Action == "unreact" {
			text = "(reaction removed)"
		}
		ev, err := msg("reaction-"+r.Mid+"-"+m.Sender.ID+"-"+strconv.FormatInt(m.Timestamp, 10), "reaction", text)
		ev.ReplyTo = r.Mid
		return []channel.Event{ev}, err
	case m.Delivery != nil:
		var evs []channel.Event
		for _, mid := range m.Delivery.Mids {
			if mid != "" {
				evs = append(evs, channel.Event{Type: channel.EventStatus, ProviderID: mid, Status: model.DeliveryDelivered, At: at})
			}
		}
		return evs, nil
	case m.Read != nil:
		// Messenger says only "everything before the watermark was
		// read", which names no message; Instagram names it.
		if m.Read.Mid == "" {
			return nil, nil
		}
		return []channel.Event{{Type: channel.EventStatus, ProviderID: m.Read.Mid, Status: model.DeliveryRead, At: at}}, nil
	}
	return nil, nil // opt-ins, referrals, handovers: nothing for the desk
}

func locationText(label string, lat, lon float64) string {
	link := fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", lat, lon, lat, lon)
	if label == "" {
		return "📍 " + link
	}
	return "📍 " + label + "\n" + link
}
