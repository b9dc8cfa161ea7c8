package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// The Bot API's types, as far as the channel reads them
// (https://core.telegram.org/bots/api#available-types).

type update struct {
	UpdateID        *int64          `json:"update_id"`
	Message         *message        `json:"message"`
	EditedMessage   *message        `json:"edited_message"`
	CallbackQuery   *callbackQuery  `json:"callback_query"`
	MessageReaction *messageReacted `json:"message_reaction"`
}

type user struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Username     string `json:"username"`
	LanguageCode string `json:"language_code"`
}

type chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // private, group, supergroup, channel
	Title     string `json:"title"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type photoSize struct {
	FileID   string `json:"file_id"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	FileSize int64  `json:"file_size"`
}

type fileRef struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
	FileSize int64  `json:"file_size"`
	Title    string `json:"title"`       // audio
	Emoji    string `json:"emoji"`       // sticker
	Animated bool   `json:"is_animated"` // sticker
	Video    bool   `json:"is_video"`    // sticker
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type venue struct {
	Location location `json:"location"`
	Title    string   `json:"title"`
	Address  string   `json:"address"`
}

type contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
}

type message struct {
	MessageID      int64       `json:"message_id"`
	Date           int64       `json:"date"`
	EditDate       int64       `json:"edit_date"`
	From           *user       `json:"from"`
	Chat           chat        `json:"chat"`
	Text           string      `json:"text"`
	Caption        string      `json:"caption"`
	Photo          []photoSize `json:"photo"`
	Document       *fileRef    `json:"document"`
	Voice          *fileRef    `json:"voice"`
	Audio          *fileRef    `json:"audio"`
	Video          *fileRef    `json:"video"`
	VideoNote      *fileRef    `json:"video_note"`
	Sticker        *fileRef    `json:"sticker"`
	Location       *location   `json:"location"`
	Venue          *venue      `json:"venue"`
	Contact        *contact    `json:"contact"`
	ReplyToMessage *message    `json:"reply_to_message"`
	ReplyMarkup    *struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	} `json:"reply_markup"`

	raw map[string]json.RawMessage // to name a type we do not read
}

func (m *message) UnmarshalJSON(b []byte) error {
	type plain message
	if err := json.Unmarshal(b, (*plain)(m)); err != nil {
		return err
	}
	return json.Unmarshal(b, &m.raw)
}

type callbackQuery struct {
	ID      string   `json:"id"`
	From    user     `json:"from"`
	Message *message `json:"message"`
	Data    string   `json:"data"`
}

type reactionType struct {
	Type          string `json:"type"` // emoji, custom_emoji, paid
	Emoji         string `json:"emoji"`
	CustomEmojiID string `json:"custom_emoji_id"`
}

type messageReacted struct {
	Chat        chat           `json:"chat"`
	MessageID   int64          `json:"message_id"`
	User        *user          `json:"user"`
	Date        int64          `json:"date"`
	NewReaction []reactionType `json:"new_reaction"`
}

// Parsed is what one update carries.
type Parsed struct {
	UpdateID int64
	Events   []channel.Event
	// CallbackID names an inline keyboard press, which Telegram wants
	// answered (answerCallbackQuery) to stop the button's spinner.
	CallbackID string
}

// ErrMalformed is an update that is not one.
var ErrMalformed = errors.New("telegram: malformed update")

// Languages are the languages a citizen's Telegram app language is taken
// as a hint for: those the desk's pages and replies are written in.
// Another app language says little about the language the citizen writes.
var Languages = []string{"it", "en", "fr", "ar", "es"}

// ParseUpdate reads one Update, as a webhook call or getUpdates carries
// it. Messages and edits become message events (edits as new messages,
// marked); inline keyboard presses become the button's text; reactions
// become text. Update kinds the channel does not ask for (a user blocking
// the bot, group membership) carry no event.
func ParseUpdate(body []byte) (Parsed, error) {
	var u update
	if err := json.Unmarshal(body, &u); err != nil {
		return Parsed{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if u.UpdateID == nil {
		return Parsed{}, fmt.Errorf("%w: no update_id", ErrMalformed)
	}
	p := Parsed{UpdateID: *u.UpdateID}
	switch {
	case u.Message != nil:
		ev, err := messageEvent(u.Message, false)
		if err != nil {
			return Parsed{}, err
		}
		p.Events = append(p.Events, ev)
	case u.EditedMessage != nil:
		ev, err := messageEvent(u.EditedMessage, true)
		if err != nil {
			return Parsed{}, err
		}
		p.Events = append(p.Events, ev)
	case u.CallbackQuery != nil:
		ev, err := callbackEvent(u.CallbackQuery)
		if err != nil {
			return Parsed{}, err
		}
		p.Events = append(p.Events, ev)
		p.CallbackID = u.CallbackQuery.ID
	case u.MessageReaction != nil:
		if ev, ok := reactionEvent(u.MessageReaction); ok {
			p.Events = append(p.Events, ev)
		}
	}
	for i := range p.Events {
		clean(&p.Events[i])
	}
	return p, nil
}

// clean makes an event's text storable: valid UTF-8 without NUL bytes,
// and never blank without a file. Telegram checks little of what clients
// send, and one update the desk refuses would stall a polling bot.
func clean(ev *channel.Event) {
	fix := func(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "") }
	ev.Text, ev.Name = fix(ev.Text), fix(ev.Name)
	if strings.TrimSpace(ev.Text) == "" {
		ev.Text = ""
		if len(ev.Media) == 0 {
			ev.Text = "(empty message)"
		}
	}
}

// messageEvent turns a message (or its edit) into an event.
func messageEvent(m *message, edited bool) (channel.Event, error) {
	if m.MessageID == 0 || m.Chat.ID == 0 {
		return channel.Event{}, fmt.Errorf("%w: message without message_id or chat", ErrMalformed)
	}
	ev := channel.Event{
		Type:       channel.EventMessage,
		ProviderID: ProviderID(m.Chat.ID, m.MessageID),
		From:       model.Identity{Kind: model.IdentityTelegram, Value: strconv.FormatInt(m.Chat.ID, 10)},
		Name:       displayName(m.Chat, m.From),
		Language:   language(m.From),
		At:         unix(m.Date),
	}
	ev.Text, ev.Kind, ev.Media = content(m)
	if m.ReplyToMessage != nil && m.ReplyToMessage.MessageID != 0 {
		ev.ReplyTo = ProviderID(m.Chat.ID, m.ReplyToMessage.MessageID)
		quoted, _, _ := content(m.ReplyToMessage)
		ev.Text = "> " + clip(oneLine(quoted), 120) + "\n" + ev.Text
	}
	if edited {
		// An edit is a new version of the message: each is kept, named by
		// its edit time so that a redelivered edit stores nothing.
		ev.ProviderID += ":edit:" + strconv.FormatInt(m.EditDate, 10)
		ev.Text = "(edited) " + ev.Text
		if m.EditDate != 0 {
			ev.At = unix(m.EditDate)
		}
	}
	return ev, nil
}

// content renders a message's content as text, with its kind and the
// file it holds, if any.
func content(m *message) (string, string, []channel.Media) {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	media := func(f *fileRef, kind, ctype, name string) (string, string, []channel.Media) {
		if f.MimeType != "" {
			ctype = f.MimeType
		}
		if f.FileName != "" {
			name = f.FileName
		}
		return text, kind, []channel.Media{{Ref: f.FileID, ContentType: ctype, Filename: name, Size: f.FileSize}}
	}
	switch {
	case len(m.Photo) > 0:
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height > best.Width*best.Height || p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize {
				best = p
			}
		}
		return text, "image", []channel.Media{{Ref: best.FileID, ContentType: "image/jpeg", Size: best.FileSize}}
	case m.Document != nil:
		return media(m.Document, "document", "application/octet-stream", "")
	case m.Voice != nil:
		return media(m.Voice, "audio", "audio/ogg", "voice.ogg")
	case m.Audio != nil:
		return media(m.Audio, "audio", "audio/mpeg", "")
	case m.Video != nil:
		return media(m.Video, "video", "video/mp4", "")
	case m.VideoNote != nil:
		return media(m.VideoNote, "video", "video/mp4", "video-note.mp4")
	case m.Sticker != nil:
		t := strings.TrimSpace("[sticker " + m.Sticker.Emoji + "]")
		if m.Sticker.Animated || m.Sticker.Video {
			return t, "sticker", nil // Lottie or WebM: nothing a browser shows as a picture
		}
		return t, "sticker", []channel.Media{{Ref: m.Sticker.FileID, ContentType: "image/webp", Filename: "sticker.webp", Size: m.Sticker.FileSize}}
	case m.Venue != nil:
		v := m.Venue
		return strings.TrimSpace(fmt.Sprintf("Place: %s, %s\n%s", v.Title, v.Address, mapLink(v.Location))), "location", nil
	case m.Location != nil:
		return "Location: " + mapLink(*m.Location), "location", nil
	case m.Contact != nil:
		c := m.Contact
		return strings.TrimSpace(fmt.Sprintf("Contact: %s %s %s", c.FirstName, c.LastName, c.PhoneNumber)), "contact", nil
	case m.Text != "":
		return text, "text", nil
	}
	return fmt.Sprintf("unsupported message (%s)", unknownType(m.raw)), "unsupported", nil
}

// contentKeys are a message's fields that say what it holds, in the
// order they are looked for, to name a type the channel does not read.
var contentKeys = []string{"poll", "dice", "game", "story", "invoice", "animation", "paid_media", "giveaway",
	"successful_payment", "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
	"pinned_message", "checklist", "web_app_data", "write_access_allowed", "forum_topic_created"}

func unknownType(raw map[string]json.RawMessage) string {
	for _, k := range contentKeys {
		if _, ok := raw[k]; ok {
			return k
		}
	}
	skip := map[string]bool{"message_id": true, "date": true, "from": true, "chat": true, "edit_date": true, "entities": true,
		"reply_to_message": true, "message_thread_id": true, "sender_chat": true, "forward_origin": true, "reply_markup": true,
		"is_topic_message": true, "has_protected_content": true, "via_bot": true, "author_signature": true, "caption_entities": true}
	// JSON field names match without regard to case, as encoding/json
	// reads them; the first unknown one in sorted order names the type.
	var names []string
	for k := range raw {
		if k != "" && !skip[strings.ToLower(k)] {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return "empty"
	}
	slices.Sort(names)
	return clip(strings.ToValidUTF8(names[0], "?"), 40)
}

// callbackEvent turns an inline keyboard press into the text of the
// button pressed.
func callbackEvent(q *callbackQuery) (channel.Event, error) {
	if q.ID == "" || q.From.ID == 0 {
		return channel.Event{}, fmt.Errorf("%w: callback_query without id or from", ErrMalformed)
	}
	c := chat{ID: q.From.ID, Type: "private"}
	if q.Message != nil && q.Message.Chat.ID != 0 {
		c = q.Message.Chat
	}
	ev := channel.Event{
		Type:       channel.EventMessage,
		ProviderID: "callback:" + q.ID,
		From:       model.Identity{Kind: model.IdentityTelegram, Value: strconv.FormatInt(c.ID, 10)},
		Name:       displayName(c, &q.From),
		Language:   language(&q.From),
		Kind:       "interactive",
		Text:       q.Data, // At stays zero: now
	}
	if q.Message != nil {
		if q.Message.MessageID != 0 {
			ev.ReplyTo = ProviderID(c.ID, q.Message.MessageID)
		}
		if q.Message.ReplyMarkup != nil {
			for _, row := range q.Message.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.CallbackData == q.Data && b.Text != "" {
						ev.Text = b.Text
					}
				}
			}
		}
	}
	if strings.TrimSpace(ev.Text) == "" {
		ev.Text = "(button pressed)"
	}
	return ev, nil
}

// reactionEvent renders a reaction to a message as text. A reaction
// taken back (no new reaction) or one from a group's anonymous admin
// carries nothing to answer.
func reactionEvent(r *messageReacted) (channel.Event, bool) {
	if r.Chat.ID == 0 || r.MessageID == 0 || len(r.NewReaction) == 0 || r.User == nil {
		return channel.Event{}, false
	}
	var marks []string
	for _, x := range r.NewReaction {
		switch {
		case x.Emoji != "":
			marks = append(marks, x.Emoji)
		case x.Type != "":
			marks = append(marks, "("+clip(x.Type, 20)+")")
		}
	}
	msg := ProviderID(r.Chat.ID, r.MessageID)
	return channel.Event{
		Type:       channel.EventMessage,
		ProviderID: fmt.Sprintf("reaction:%s:%d:%d", msg, r.User.ID, r.Date),
		From:       model.Identity{Kind: model.IdentityTelegram, Value: strconv.FormatInt(r.Chat.ID, 10)},
		Name:       displayName(r.Chat, r.User),
		Language:   language(r.User),
		Kind:       "reaction",
		Text:       "Reacted " + strings.Join(marks, " "),
		ReplyTo:    msg,
		At:         unix(r.Date),
	}, true
}

// displayName is the chat's title for a group, else the person's name.
func displayName(c chat, u *user) string {
	if c.Type != "" && c.Type != "private" && c.Title != "" {
		return c.Title
	}
	first, last, handle := c.FirstName, c.LastName, c.Username
	if u != nil && !u.IsBot {
		first, last, handle = u.FirstName, u.LastName, u.Username
	}
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n
	}
	if handle != "" {
		return "@" + handle
	}
	return ""
}

// language returns the person's app language when it is one of
// Languages.
func language(u *user) string {
	if u == nil {
		return ""
	}
	code := strings.ToLower(u.LanguageCode)
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	for _, l := range Languages {
		if l == code {
			return l
		}
	}
	return ""
}

func mapLink(l location) string {
	return fmt.Sprintf("%.6f, %.6f https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f", l.Latitude, l.Longitude, l.Latitude, l.Longitude)
}

func unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
