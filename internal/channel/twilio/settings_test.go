package twilio_test

import (
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/twilio"
	"github.com/sportello/sportello/internal/model"
)

func TestSettingsChecked(t *testing.T) {
	base := func(extra ...string) channel.Settings {
		s := channel.Settings{"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "t", "public_url": "https://desk.example.org/"}
		for i := 0; i+1 < len(extra); i += 2 {
			s[extra[i]] = extra[i+1]
		}
		return s
	}
	sms := base("from", "+39 06 1234 5678")
	if err := twilio.SMSSpec.Check(sms); err != nil {
		t.Fatal(err)
	}
	if sms["from"] != "+390612345678" || sms["public_url"] != "https://desk.example.org" || sms["api_base_url"] != twilio.DefaultAPIBaseURL {
		t.Errorf("normalised settings %v", sms)
	}
	voice := base("languages", " it, en ,ar", "topics", "lavoro,casa", "forward_to", "+39 333 000 1111")
	if err := twilio.VoiceSpec.Check(voice); err != nil {
		t.Fatal(err)
	}
	if voice["languages"] != "it,en,ar" || voice["forward_to"] != "+393330001111" || voice["dial_timeout"] != "20" {
		t.Errorf("normalised voice settings %v", voice)
	}
	for name, tt := range map[string]struct {
		spec channel.Spec
		s    channel.Settings
	}{
		"no sender":        {twilio.SMSSpec, base()},
		"not an account":   {twilio.SMSSpec, base("from", "+390612345678", "account_sid", "SK123")},
		"relative URL":     {twilio.SMSSpec, base("from", "+390612345678", "public_url", "desk.example.org")},
		"URL with a query": {twilio.SMSSpec, base("from", "+390612345678", "public_url", "https://desk.example.org/?x=1")},
		"local number":     {twilio.SMSSpec, base("from", "06 1234 5678")},
		"no token":         {twilio.SMSSpec, channel.Settings{"account_sid": "AC1", "public_url": "https://desk.example.org", "from": "+390612345678"}},
		"bad language":     {twilio.VoiceSpec, base("languages", "it,klingon!")},
		"ten languages":    {twilio.VoiceSpec, base("languages", "it,en,fr,ar,es,de,pt,ro,ru,tr")},
		"bad topic":        {twilio.VoiceSpec, base("topics", "Lavoro e casa")},
		"forward to text":  {twilio.VoiceSpec, base("forward_to", "the office")},
		"dial too long":    {twilio.VoiceSpec, base("dial_timeout", "600")},
		"audio not a URL":  {twilio.VoiceSpec, base("audio_urls", "wo.lang=file.mp3")},
		"unknown setting":  {twilio.VoiceSpec, base("greeting", "hello")},
	} {
		if err := tt.spec.Check(tt.s); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}
