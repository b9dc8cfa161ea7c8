package telegram_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/telegram"
	"github.com/sportello/sportello/internal/model"
)

// examples are Update objects shaped as in the Bot API documentation
// (https://core.telegram.org/bots/api#update and the types it names).
var examples = map[string]string{
	"text": `{"update_id":812345678,"message":{"message_id":42,"date":1763800000,
		"from":{"id":111,"is_bot":false,"first_name":"Awa","last_name":"Diop","username":"awadiop","language_code":"fr"},
		"chat":{"id":111,"first_name":"Awa","last_name":"Diop","username":"awadiop","type":"private"},
		"text":"Bonjour, j'ai besoin d'aide","entities":[]}}`,
	"photo": `{"update_id":812345679,"message":{"message_id":43,"date":1763800060,
		"from":{"id":111,"is_bot":false,"first_name":"Awa","language_code":"it-IT"},
		"chat":{"id":111,"first_name":"Awa","type":"private"},
		"photo":[{"file_id":"AgACsmall","file_unique_id":"AQADs","file_size":1234,"width":90,"height":67},
			{"file_id":"AgAClarge","file_unique_id":"AQADl","file_size":48211,"width":800,"height":600},
			{"file_id":"AgACmedium","file_unique_id":"AQADm","file_size":15312,"width":320,"height":240}],
		"caption":"il mio permesso"}}`,
	"document": `{"update_id":812345680,"message":{"message_id":44,"date":1763800120,
		"from":{"id":111,"is_bot":false,"username":"awadiop"},"chat":{"id":111,"username":"awadiop","type":"private"},
		"document":{"file_name":"contratto.pdf","mime_type":"application/pdf","file_id":"BQACdoc","file_unique_id":"AgADdoc","file_size":230000}}}`,
	"voice": `{"update_id":812345681,"message":{"message_id":45,"date":1763800180,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"voice":{"duration":7,"mime_type":"audio/ogg","file_id":"AwACvoice","file_unique_id":"AgADvoice","file_size":25000}}}`,
	"audio": `{"update_id":812345682,"message":{"message_id":46,"date":1763800200,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"audio":{"duration":60,"file_name":"song.mp3","mime_type":"audio/mpeg","title":"Song","file_id":"CQACaudio","file_unique_id":"AgADaudio","file_size":900000}}}`,
	"video": `{"update_id":812345683,"message":{"message_id":47,"date":1763800220,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"video":{"duration":5,"width":640,"height":360,"mime_type":"video/mp4","file_id":"BAACvideo","file_unique_id":"AgADvideo","file_size":700000},
		"caption":"guarda"}}`,
	"sticker": `{"update_id":812345684,"message":{"message_id":48,"date":1763800240,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"sticker":{"width":512,"height":512,"emoji":"👍","set_name":"Hands","is_animated":false,"is_video":false,"type":"regular",
			"file_id":"CAACsticker","file_unique_id":"AgADsticker","file_size":18000}}}`,
	"location": `{"update_id":812345685,"message":{"message_id":49,"date":1763800260,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"location":{"latitude":41.902782,"longitude":12.496366}}}`,
	"venue": `{"update_id":812345686,"message":{"message_id":50,"date":1763800280,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"location":{"latitude":41.9,"longitude":12.5},
		"venue":{"location":{"latitude":41.9,"longitude":12.5},"title":"Caritas","address":"Via Marsala 97, Roma"}}}`,
	"contact": `{"update_id":812345687,"message":{"message_id":51,"date":1763800300,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"contact":{"phone_number":"+393331234567","first_name":"Moussa","last_name":"Ba","user_id":222}}}`,
	"reply": `{"update_id":812345688,"message":{"message_id":52,"date":1763800320,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"reply_to_message":{"message_id":1001,"date":1763800310,"from":{"id":123456,"is_bot":true,"first_name":"Sportello"},
			"chat":{"id":111,"type":"private"},"text":"Può venire martedì alle 10?"},
		"text":"Sì, va bene"}}`,
	"edited": `{"update_id":812345689,"edited_message":{"message_id":42,"date":1763800000,"edit_date":1763800400,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},"text":"Bonjour, j'ai besoin d'aide urgente"}}`,
	"callback": `{"update_id":812345690,"callback_query":{"id":"4382bfdwdsb323b2d9","chat_instance":"-8123456789",
		"from":{"id":111,"is_bot":false,"first_name":"Awa","language_code":"ar"},
		"message":{"message_id":1002,"date":1763800500,"chat":{"id":111,"type":"private"},
			"from":{"id":123456,"is_bot":true,"first_name":"Sportello"},"text":"Scegli",
			"reply_markup":{"inline_keyboard":[[{"text":"Permesso di soggiorno","callback_data":"topic:permit"}],[{"text":"Lavoro","callback_data":"topic:work"}]]}},
		"data":"topic:work"}}`,
	"poll": `{"update_id":812345691,"message":{"message_id":53,"date":1763800600,
		"from":{"id":111,"is_bot":false,"first_name":"Awa"},"chat":{"id":111,"type":"private"},
		"poll":{"id":"5","question":"?","options":[],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}}`,
	"reaction": `{"update_id":812345692,"message_reaction":{"chat":{"id":111,"type":"private"},"message_id":1001,
		"user":{"id":111,"is_bot":false,"first_name":"Awa"},"date":1763800700,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"❤"}]}}`,
	"group": `{"update_id":812345693,"message":{"message_id":7,"date":1763800800,
		"from":{"id":333,"is_bot":false,"first_name":"Lamin"},"chat":{"id":-1001234567890,"title":"Sportello Torino","type":"supergroup"},"text":"ciao"}}`,
	"my_chat_member": `{"update_id":812345694,"my_chat_member":{"chat":{"id":111,"type":"private"},"from":{"id":111,"is_bot":false,"first_name":"Awa"},
		"date":1763800900,"old_chat_member":{"status":"member","user":{"id":123456,"is_bot":true,"first_name":"Sportello"}},
		"new_chat_member":{"status":"kicked","until_date":0,"user":{"id":123456,"is_bot":true,"first_name":"Sportello"}}}}`,
}

func tg(v string) model.Identity { return model.Identity{Kind: model.IdentityTelegram, Value: v} }

func TestParseUpdate(t *testing.T) {
	at := func(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
	awa := tg("111")
	tests := []struct {
		name     string
		want     []channel.Event
		callback string
	}{
		{"text", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:42", From: awa, Name: "Awa Diop", Language: "fr",
			Text: "Bonjour, j'ai besoin d'aide", Kind: "text", At: at(1763800000)}}, ""},
		{"photo", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:43", From: awa, Name: "Awa", Language: "it",
			Text: "il mio permesso", Kind: "image", At: at(1763800060),
			Media: []channel.Media{{Ref: "AgAClarge", ContentType: "image/jpeg", Size: 48211}}}}, ""},
		{"document", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:44", From: awa, Name: "@awadiop",
			Kind: "document", At: at(1763800120),
			Media: []channel.Media{{Ref: "BQACdoc", ContentType: "application/pdf", Filename: "contratto.pdf", Size: 230000}}}}, ""},
		{"voice", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:45", From: awa, Name: "Awa", Kind: "audio", At: at(1763800180),
			Media: []channel.Media{{Ref: "AwACvoice", ContentType: "audio/ogg", Filename: "voice.ogg", Size: 25000}}}}, ""},
		{"audio", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:46", From: awa, Name: "Awa", Kind: "audio", At: at(1763800200),
			Media: []channel.Media{{Ref: "CQACaudio", ContentType: "audio/mpeg", Filename: "song.mp3", Size: 900000}}}}, ""},
		{"video", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:47", From: awa, Name: "Awa", Text: "guarda", Kind: "video", At: at(1763800220),
			Media: []channel.Media{{Ref: "BAACvideo", ContentType: "video/mp4", Size: 700000}}}}, ""},
		{"sticker", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:48", From: awa, Name: "Awa", Text: "[sticker 👍]", Kind: "sticker", At: at(1763800240),
			Media: []channel.Media{{Ref: "CAACsticker", ContentType: "image/webp", Filename: "sticker.webp", Size: 18000}}}}, ""},
		{"location", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:49", From: awa, Name: "Awa", Kind: "location", At: at(1763800260),
			Text: "Location: 41.902782, 12.496366 https://www.openstreetmap.org/?mlat=41.902782&mlon=12.496366"}}, ""},
		{"venue", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:50", From: awa, Name: "Awa", Kind: "location", At: at(1763800280),
			Text: "Place: Caritas, Via Marsala 97, Roma\n41.900000, 12.500000 https://www.openstreetmap.org/?mlat=41.900000&mlon=12.500000"}}, ""},
		{"contact", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:51", From: awa, Name: "Awa", Kind: "contact", At: at(1763800300),
			Text: "Contact: Moussa Ba +393331234567"}}, ""},
		{"reply", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:52", From: awa, Name: "Awa", Kind: "text", At: at(1763800320),
			ReplyTo: "111:1001", Text: "> Può venire martedì alle 10?\nSì, va bene"}}, ""},
		{"edited", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:42:edit:1763800400", From: awa, Name: "Awa", Kind: "text", At: at(1763800400),
			Text: "(edited) Bonjour, j'ai besoin d'aide urgente"}}, ""},
		{"callback", []channel.Event{{Type: channel.EventMessage, ProviderID: "callback:4382bfdwdsb323b2d9", From: awa, Name: "Awa", Language: "ar",
			Kind: "interactive", Text: "Lavoro", ReplyTo: "111:1002"}}, "4382bfdwdsb323b2d9"},
		{"poll", []channel.Event{{Type: channel.EventMessage, ProviderID: "111:53", From: awa, Name: "Awa", Kind: "unsupported", At: at(1763800600),
			Text: "unsupported message (poll)"}}, ""},
		{"reaction", []channel.Event{{Type: channel.EventMessage, ProviderID: "reaction:111:1001:111:1763800700", From: awa, Name: "Awa", Kind: "reaction",
			At: at(1763800700), Text: "Reacted ❤", ReplyTo: "111:1001"}}, ""},
		{"group", []channel.Event{{Type: channel.EventMessage, ProviderID: "-1001234567890:7", From: tg("-1001234567890"), Name: "Sportello Torino",
			Kind: "text", At: at(1763800800), Text: "ciao"}}, ""},
		{"my_chat_member", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := telegram.ParseUpdate([]byte(examples[tt.name]))
			if err != nil {
				t.Fatal(err)
			}
			if got.UpdateID == 0 {
				t.Errorf("update_id not read")
			}
			if !reflect.DeepEqual(got.Events, tt.want) {
				t.Errorf("events\n got %+v\nwant %+v", got.Events, tt.want)
			}
			if got.CallbackID != tt.callback {
				t.Errorf("callback id %q, want %q", got.CallbackID, tt.callback)
			}
		})
	}
	if len(tests) != len(examples) {
		t.Errorf("%d examples, %d tested", len(examples), len(tests))
	}
}

func TestParseUpdateMalformed(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"message":{"message_id":1,"chat":{"id":1},"text":"x"}}`, `{"update_id":"x"}`,
		`{"update_id":1,"message":{"chat":{"id":1},"text":"no id"}}`, `{"update_id":1,"message":{"message_id":1,"text":"no chat"}}`,
		`{"update_id":1,"callback_query":{"data":"x"}}`, `{"update_id":1,"message":"text"}`} {
		if _, err := telegram.ParseUpdate([]byte(body)); !errors.Is(err, telegram.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", body, err)
		}
	}
}

func FuzzParseUpdate(f *testing.F) {
	for _, ex := range examples {
		f.Add([]byte(ex))
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1},"reply_to_message":{"message_id":2,"reply_to_message":{}}}}`))
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1},"text":" \u0000 "}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := telegram.ParseUpdate(body)
		if err != nil {
			if len(p.Events) > 0 {
				t.Fatalf("error with events")
			}
			return
		}
		for _, ev := range p.Events {
			if ev.ProviderID == "" || ev.From.Kind != model.IdentityTelegram || ev.From.Value == "" {
				t.Fatalf("event without provider id or sender: %+v", ev)
			}
			if err := model.CheckText("body", ev.Text, len(ev.Media) == 0, 1<<20); err != nil {
				t.Fatalf("the desk would refuse %+v: %v", ev, err)
			}
			if ev.Language != "" && !model.ValidLanguage(ev.Language) {
				t.Fatalf("language %q", ev.Language)
			}
		}
		again, err := telegram.ParseUpdate(body)
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("parsing twice differs")
		}
	})
}

func BenchmarkParseUpdate(b *testing.B) {
	body := []byte(examples["photo"])
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := telegram.ParseUpdate(body); err != nil {
			b.Fatal(err)
		}
	}
}
