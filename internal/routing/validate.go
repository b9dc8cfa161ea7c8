package routing

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
)

// Limits of a rule.
const (
	MaxKeywords   = 50
	MaxKeywordLen = 100
	MaxTopicLen   = 100
	MaxNameLen    = 200
	MaxRules      = 500
)

// Normalize checks a rule an administrator wrote and tidies it: trimmed
// name and topic, keywords lower-cased without blanks or repeats, the
// language's primary subtag lower-cased. Errors name the field at fault.
func (r *Rule) Normalize() error {
	r.Name = strings.TrimSpace(r.Name)
	if err := model.CheckText("name", r.Name, true, MaxNameLen); err != nil {
		return err
	}
	if r.TeamID <= 0 {
		return model.Invalid("team_id", "error.routing.team_required", "a rule needs the team it sends conversations to", nil)
	}
	if r.Channel != "" && !model.ValidChannelKind(r.Channel) {
		return model.Invalid("channel", "error.validation.channel", "unknown channel", map[string]any{"Value": string(r.Channel)})
	}
	if r.Language = strings.TrimSpace(r.Language); r.Language != "" {
		langs, err := model.NormalizeLanguages("language", []string{r.Language})
		if err != nil {
			return err
		}
		r.Language = langs[0]
	}
	r.Topic = strings.TrimSpace(r.Topic)
	if err := model.CheckText("topic", r.Topic, false, MaxTopicLen); err != nil {
		return err
	}
	if len(r.Keywords) > MaxKeywords {
		return model.Invalid("keywords", "error.validation.too_many", fmt.Sprintf("at most %d keywords", MaxKeywords),
			map[string]any{"Field": "keywords", "Limit": MaxKeywords})
	}
	kws := make([]string, 0, len(r.Keywords))
	for _, k := range r.Keywords {
		k = strings.ToLower(strings.Join(strings.Fields(k), " "))
		if k == "" {
			continue
		}
		if !utf8.ValidString(k) || utf8.RuneCountInString(k) > MaxKeywordLen || strings.IndexByte(k, 0) >= 0 {
			return model.Invalid("keywords", "error.routing.keyword", "a keyword is up to 100 characters of text", map[string]any{"Value": k})
		}
		if !contains(kws, k) {
			kws = append(kws, k)
		}
	}
	r.Keywords = kws
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckStrategy validates a team's strategy; "" is the default.
func CheckStrategy(s Strategy) error {
	if s != "" && !ValidStrategy(s) {
		return model.Invalid("strategy", "error.routing.strategy", "the strategy is least_loaded, round_robin or manual",
			map[string]any{"Value": string(s)})
	}
	return nil
}
