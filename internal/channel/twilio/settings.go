package twilio

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// checkURL wants an absolute http(s) address with no query: Twilio signs
// the address exactly, so a wrong one refuses every webhook.
func checkURL(s channel.Settings, key string) error {
	v := strings.TrimSpace(s[key])
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return model.Invalid("settings", "twilio.url_invalid", key+" must be a full address like https://desk.example.org", map[string]any{"Value": key})
	}
	s[key] = strings.TrimRight(v, "/")
	return nil
}

// checkPhone wants a phone number in E.164 and stores it so.
func checkPhone(s channel.Settings, key string) error {
	v := strings.TrimSpace(s[key])
	if v == "" {
		return nil
	}
	id, err := model.NormalizeIdentity(model.Identity{Kind: model.IdentityPhone, Value: v})
	if err != nil {
		return model.Invalid("settings", "twilio.phone_invalid", key+" must be a phone number with the country code", map[string]any{"Value": key})
	}
	s[key] = id.Value
	return nil
}

func checkSeconds(s channel.Settings, key string, lo, hi int) error {
	n, err := strconv.Atoi(strings.TrimSpace(s[key]))
	if s[key] != "" && (err != nil || n < lo || n > hi) {
		return model.Invalid("settings", "twilio.seconds_invalid", key+" is out of range", map[string]any{"Value": key, "Min": lo, "Max": hi})
	}
	return nil
}

func checkCommon(s channel.Settings) error {
	if !strings.HasPrefix(s["account_sid"], "AC") {
		return model.Invalid("settings", "twilio.account_invalid", "account_sid starts with AC", nil)
	}
	for _, k := range []string{"public_url", "api_base_url"} {
		if err := checkURL(s, k); err != nil {
			return err
		}
	}
	return checkPhone(s, "from")
}

func validateSMS(s channel.Settings) error {
	if err := checkCommon(s); err != nil {
		return err
	}
	if s["from"] == "" && strings.TrimSpace(s["messaging_service_sid"]) == "" {
		return model.Invalid("settings", "twilio.sender_required", "set from or messaging_service_sid", nil)
	}
	return nil
}

var topicCode = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

func validateVoice(s channel.Settings) error {
	if err := checkCommon(s); err != nil {
		return err
	}
	for _, k := range []string{"forward_to", "sms_from"} {
		if err := checkPhone(s, k); err != nil {
			return err
		}
	}
	langs := List(s["languages"])
	if len(langs) == 0 || len(langs) > 9 {
		return model.Invalid("settings", "twilio.languages_invalid", "languages: 1 to 9 language codes", nil)
	}
	for _, l := range langs {
		if !model.ValidLanguage(l) {
			return model.Invalid("settings", "twilio.languages_invalid", "languages: "+l+" is not a language code", nil)
		}
	}
	topics := List(s["topics"])
	if len(topics) > 9 {
		return model.Invalid("settings", "twilio.topics_invalid", "topics: at most 9", nil)
	}
	for _, t := range topics {
		if !topicCode.MatchString(t) {
			return model.Invalid("settings", "twilio.topics_invalid", "topics: "+t+" is not a short code", nil)
		}
	}
	s["languages"], s["topics"] = strings.Join(langs, ","), strings.Join(topics, ",")
	if s["topics"] == "" {
		delete(s, "topics")
	}
	if err := checkSeconds(s, "dial_timeout", 5, 120); err != nil {
		return err
	}
	if err := checkSeconds(s, "voicemail_max", 10, 600); err != nil {
		return err
	}
	for _, item := range List(s["audio_urls"]) {
		k, v, ok := strings.Cut(item, "=")
		u, err := url.Parse(strings.TrimSpace(v))
		if !ok || !strings.Contains(k, ".") || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return model.Invalid("settings", "twilio.audio_invalid", "audio_urls: lang.prompt=https://… separated by commas", nil)
		}
	}
	return nil
}
