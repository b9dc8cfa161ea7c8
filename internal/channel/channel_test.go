package channel_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

var spec = channel.Spec{Kind: model.ChannelTelegram, Keys: []channel.Key{
	{Name: "bot_token", Required: true, Secret: true},
	{Name: "mode", Default: "webhook", Choices: []string{"webhook", "polling"}},
	{Name: "api_base_url", Default: "https://api.telegram.org"},
}}

func TestSpecCheck(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   channel.Settings
		key  string // the error's translation key, "" for none
	}{
		{"defaults filled", channel.Settings{"bot_token": "x"}, ""},
		{"unknown key", channel.Settings{"bot_token": "x", "token": "y"}, "error.validation.channel_key"},
		{"missing required", channel.Settings{"mode": "polling"}, "error.validation.channel_key_required"},
		{"blank required", channel.Settings{"bot_token": "  "}, "error.validation.channel_key_required"},
		{"outside the choices", channel.Settings{"bot_token": "x", "mode": "push"}, "error.validation.channel_key_choice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := spec.Check(tt.in)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if tt.in["mode"] != "webhook" || tt.in["api_base_url"] != "https://api.telegram.org" {
					t.Errorf("defaults not filled: %v", tt.in)
				}
				return
			}
			me, ok := model.AsError(err)
			if !ok || me.Key != tt.key || me.Code != model.CodeInvalid {
				t.Errorf("Check: %v, want %s", err, tt.key)
			}
		})
	}
}

func TestSecretsAreMasked(t *testing.T) {
	s := channel.Settings{"bot_token": "123:secret", "mode": "polling"}
	pub := spec.Public(s)
	if pub["bot_token"] != channel.Masked || pub["mode"] != "polling" {
		t.Errorf("public settings %v", pub)
	}
	if s["bot_token"] != "123:secret" {
		t.Errorf("Public changed the stored settings")
	}
	if got := spec.Public(channel.Settings{"mode": "webhook"})["bot_token"]; got != "" {
		t.Errorf("an unset secret shows %q", got)
	}
}

func TestParseSettings(t *testing.T) {
	s, err := channel.ParseSettings(`{"bot_token": "x", "pec": true, "limit": 5}`)
	if err != nil || s["bot_token"] != "x" || s["pec"] != "true" || s["limit"] != "5" {
		t.Errorf("ParseSettings: %v, %v", s, err)
	}
	if s, err := channel.ParseSettings(" "); err != nil || len(s) != 0 {
		t.Errorf("empty settings: %v, %v", s, err)
	}
	if _, err := channel.ParseSettings(`[1]`); err == nil {
		t.Error("a JSON array was taken as settings")
	}
	back, _ := channel.ParseSettings(s.JSON())
	if len(back) != len(s) {
		t.Errorf("round trip through JSON: %v", back)
	}
}

func TestCheckResponse(t *testing.T) {
	for _, tt := range []struct {
		status         int
		wantErr, retry bool
	}{
		{200, false, false}, {204, false, false},
		{400, true, false}, {401, true, false}, {403, true, false}, {404, true, false},
		{408, true, true}, {429, true, true}, {500, true, true}, {503, true, true},
	} {
		resp := &http.Response{StatusCode: tt.status, Body: io.NopCloser(strings.NewReader(`{"error": "why"}`))}
		err := channel.CheckResponse(resp)
		if (err != nil) != tt.wantErr {
			t.Errorf("%d: %v", tt.status, err)
			continue
		}
		if err == nil {
			continue
		}
		if channel.IsPermanent(err) == tt.retry {
			t.Errorf("%d: permanent %v, want retryable %v", tt.status, channel.IsPermanent(err), tt.retry)
		}
		var he *channel.HTTPError
		if !errors.As(err, &he) || !strings.Contains(he.Body, "why") {
			t.Errorf("%d: the provider's answer is lost: %v", tt.status, err)
		}
	}
	if channel.Permanent(nil) != nil {
		t.Error("Permanent(nil) is an error")
	}
}

func TestSplitText(t *testing.T) {
	long := strings.Repeat("parola ", 10) + "fine"
	parts := channel.SplitText(long, 20)
	for _, p := range parts {
		if n := len([]rune(p)); n > 20 || p == "" || strings.HasPrefix(p, " ") || strings.HasSuffix(p, " ") {
			t.Errorf("piece %q (%d runes)", p, n)
		}
	}
	if got := strings.Join(parts, " "); got != long {
		t.Errorf("pieces give back %q", got)
	}
	if got := channel.SplitText("مرحبا بكم", 4); len(got) != 3 || got[0] != "مرحب" {
		t.Errorf("runes, not bytes: %q", got)
	}
	if got := channel.SplitText("  ", 10); got != nil {
		t.Errorf("blank text gives %q", got)
	}
}
