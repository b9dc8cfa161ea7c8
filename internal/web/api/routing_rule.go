package api

import (
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
)

// ruleJSON is a routing rule as the API shows it: the conditions a new
// conversation must all meet (empty ones match anything) and the team it
// then goes to. Rules are tried by position, 1 first.
type ruleJSON struct {
	ID       int64    `json:"id"`
	Position int      `json:"position"`
	Name     string   `json:"name"`
	Channel  string   `json:"channel"`
	Language string   `json:"language"`
	Topic    string   `json:"topic"`
	Keywords []string `json:"keywords"`
	TeamID   int64    `json:"team_id"`
	Disabled bool     `json:"disabled"`
}

func ruleOut(r routing.Rule, position int) ruleJSON {
	return ruleJSON{ID: r.ID, Position: position, Name: r.Name, Channel: string(r.Channel), Language: r.Language, Topic: r.Topic,
		Keywords: r.Keywords, TeamID: r.TeamID, Disabled: r.Disabled}
}

// ruleBody is the body of POST and PATCH /api/v1/routing/rules: on PATCH
// a field left out, or null, stays as it is.
type ruleBody struct {
	Name     *string   `json:"name"`
	Channel  *string   `json:"channel"`
	Language *string   `json:"language"`
	Topic    *string   `json:"topic"`
	Keywords *[]string `json:"keywords"`
	TeamID   *int64    `json:"team_id"`
	Disabled *bool     `json:"disabled"`
	Position *int      `json:"position"` // move the rule there (PATCH)
}

// apply sets the body's fields on r; the store checks them.
func (b ruleBody) apply(r *routing.Rule) error {
	if b.Name != nil {
		if err := checkText("name", *b.Name, routing.MaxNameLen); err != nil {
			return err
		}
		r.Name = *b.Name
	}
	if b.Channel != nil {
		if *b.Channel != "" && !model.ValidChannelKind(model.ChannelKind(*b.Channel)) {
			return model.Invalid("channel", "error.api.channel", "channel must be one of "+joinKinds(model.ChannelKinds), nil)
		}
		r.Channel = model.ChannelKind(*b.Channel)
	}
	if b.Language != nil {
		r.Language = *b.Language
	}
	if b.Topic != nil {
		if err := checkText("topic", *b.Topic, routing.MaxTopicLen); err != nil {
			return err
		}
		r.Topic = *b.Topic
	}
	if b.Keywords != nil {
		for _, k := range *b.Keywords {
			if err := checkText("keywords", k, routing.MaxKeywordLen); err != nil {
				return err
			}
		}
		r.Keywords = *b.Keywords
	}
	if b.TeamID != nil {
		r.TeamID = *b.TeamID
	}
	if b.Disabled != nil {
		r.Disabled = *b.Disabled
	}
	if b.Position != nil && *b.Position < 1 {
		return model.Invalid("position", "error.api.position", "position must be 1 or more", nil)
	}
	return nil
}
