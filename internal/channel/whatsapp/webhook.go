package whatsapp

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
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID      string   `json:"id"`
	Changes []change `json:"changes"`
}

type change struct {
	Field string `json:"field"`
	Value value  `json:"value"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID   string `json:"wa_id"`
		UserID string `json:"user_id"`
	} `json:"contacts"`
	Messages []message `json:"messages"`
	Statuses []status  `json:"statuses"`
}

type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type message struct {
	From      string `json:"from"`
	UserID    string `json:"user_id"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Context   *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *media `json:"image"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Document *media `json:"document"`
	Sticker  *media `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Errors []graphErrorItem `json:"errors"`
}

type status struct {
	ID          string           `json:"id"`
	Status      string           `json:"status"`
	Timestamp   string           `json:"timestamp"`
	RecipientID string           `json:"recipient_id"`
	Errors      []graphErrorItem `json:"errors"`
}

type graphErrorItem struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e graphErrorItem) text() string {
	parts := []string{}
	if e.Code != 0 {
		parts = append(parts, strconv.Itoa(e.Code))
	}
	for _, s := range []string{e.Title, e.Message, e.ErrorData.Details} {
		if s != "" && !containsStr(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ErrMalformed is a delivery that is not a WhatsApp webhook.
var ErrMalformed = errors.New("not a WhatsApp webhook delivery")

// Parse reads a delivery's events: every citizen's message and every
// status of our messages, in order. Changes for another phone number
// than phoneNumberID (one Meta app may serve several) are skipped and
// counted in skipped; an empty phoneNumberID takes all.
func Parse(body []byte, phoneNumberID string) (evs []channel.Event, skipped int, err error) {
	var d Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if d.Object != "whatsapp_business_account" {
		return nil, 0, fmt.Errorf("%w: object %q", ErrMalformed, d.Object)
	}
	for _, e := range d.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				continue
			}
			v := c.Value
			if phoneNumberID != "" && v.Metadata.PhoneNumberID != "" && v.Metadata.PhoneNumberID != phoneNumberID {
				skipped += len(v.Messages) + len(v.Statuses)
				continue
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[ct.WaID] = ct.Profile.Name
				if ct.UserID != "" {
					names[ct.UserID] = ct.Profile.Name
				}
			}
			for _, m := range v.Messages {
				ev, err := messageEvent(m, names)
				if err != nil {
					return nil, 0, err
				}
				evs = append(evs, ev)
			}
			for _, s := range v.Statuses {
				ev, ok, err := statusEvent(s)
				if err != nil {
					return nil, 0, err
				}
				if ok {
					evs = append(evs, ev)
				}
			}
		}
	}
	return evs, skipped, nil
}

func unixSeconds(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func messageEvent(m message, names map[string]string) (channel.Event, error) {
	if m.ID == "" {
		return channel.Event{}, fmt.Errorf("%w: a message without id", ErrMalformed)
	}
	ev := channel.Event{Type: channel.EventMessage, ProviderID: m.ID, Kind: m.Type, At: unixSeconds(m.Timestamp)}
	switch {
	case m.From != "" && isDigits(m.From):
		ev.From = PhoneIdentity(m.From)
		ev.Name = names[m.From]
	case m.UserID != "":
		// A citizen who chose a username and hides the number: the
		// business-scoped id is all there is.
		ev.From = model.Identity{Kind: model.IdentityWhatsApp, Value: m.UserID}
		ev.Name = names[m.UserID]
	default:
		return channel.Event{}, fmt.Errorf("%w: message %s without a sender", ErrMalformed, m.ID)
	}
	if m.Context != nil {
		ev.ReplyTo = m.Context.ID
	}
	switch m.Type {
	case "text":
		if m.Text != nil {
			ev.Text = m.Text.Body
		}
	case "image", "audio", "video", "document", "sticker":
		md := map[string]*media{"image": m.Image, "audio": m.Audio, "video": m.Video, "document": m.Document, "sticker": m.Sticker}[m.Type]
		if md == nil || md.ID == "" {
			return unsupported(ev, m.Type), nil
		}
		ev.Text = md.Caption
		ev.Media = []channel.Media{{Ref: md.ID, ContentType: md.MimeType, Filename: md.Filename}}
	case "location":
		if m.Location == nil {
			return unsupported(ev, m.Type), nil
		}
		l := m.Location
		ev.Text = LocationText(strings.Join(nonEmpty(l.Name, l.Address), ", "), l.Latitude, l.Longitude)
	case "interactive":
		switch {
		case m.Interactive != nil && m.Interactive.ButtonReply != nil:
			ev.Text = m.Interactive.ButtonReply.Title
		case m.Interactive != nil && m.Interactive.ListReply != nil:
			ev.Text = m.Interactive.ListReply.Title
		default:
			return unsupported(ev, "interactive"), nil
		}
	case "button":
		if m.Button == nil {
			return unsupported(ev, m.Type), nil
		}
		ev.Text = m.Button.Text
		if ev.Text == "" {
			ev.Text = m.Button.Payload
		}
	case "reaction":
		if m.Reaction == nil {
			return unsupported(ev, m.Type), nil
		}
		if m.Reaction.Emoji == "" {
			ev.Text = "(reaction removed)"
		} else {
			ev.Text = "reacted " + m.Reaction.Emoji
		}
		ev.ReplyTo = m.Reaction.MessageID
	case "contacts":
		var cs []string
		for _, c := range m.Contacts {
			line := c.Name.FormattedName
			for _, p := range c.Phones {
				line += " " + p.Phone
			}
			cs = append(cs, "👤 "+strings.TrimSpace(line))
		}
		if len(cs) == 0 {
			return unsupported(ev, m.Type), nil
		}
		ev.Text = strings.Join(cs, "\n")
	default:
		return unsupported(ev, m.Type), nil
	}
	return ev, nil
}

// unsupported keeps a message the adapter cannot render, so that the
// operator sees that something came.
func unsupported(ev channel.Event, typ string) channel.Event {
	if typ == "" {
		typ = "unknown"
	}
	ev.Kind = "unsupported"
	ev.Text = "unsupported message (" + typ + ")"
	ev.Media = nil
	return ev
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func statusEvent(s status) (channel.Event, bool, error) {
	if s.ID == "" {
		return channel.Event{}, false, fmt.Errorf("%w: a status without id", ErrMalformed)
	}
	ev := channel.Event{Type: channel.EventStatus, ProviderID: s.ID, At: unixSeconds(s.Timestamp)}
	switch s.Status {
	case "sent":
		ev.Status = model.DeliverySent
	case "delivered":
		ev.Status = model.DeliveryDelivered
	case "read", "played":
		ev.Status = model.DeliveryRead
	case "failed":
		ev.Status = model.DeliveryFailed
		var texts []string
		for _, e := range s.Errors {
			texts = append(texts, e.text())
		}
		ev.Error = strings.Join(texts, "; ")
		if ev.Error == "" {
			ev.Error = "failed"
		}
	default:
		return ev, false, nil // "deleted", "warning" and what comes later: nothing to record
	}
	return ev, true, nil
}

// LocationText renders a shared location as a line an operator reads and
// a map link they can open.
func LocationText(label string, lat, lon float64) string {
	link := fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", lat, lon, lat, lon)
	if label == "" {
		return "📍 " + link
	}
	return "📍 " + label + "\n" + link
}
