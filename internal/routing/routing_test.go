package routing_test

import (
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
)

// The teams of these tests: first contact (1) shares work among Chiara
// (10, Italian and English), Luca (11, Italian and French) and Karim (12,
// Arabic, French and Italian, a mediator); legal (2) has Marco (20) and
// Karim.
func desk() routing.Input {
	return routing.Input{
		Rules: []routing.Rule{
			{ID: 1, Name: "off", Language: "it", TeamID: 2, Disabled: true},
			{ID: 2, Name: "eviction", Keywords: []string{"Sfratto", "eviction"}, TeamID: 2},
			{ID: 3, Name: "permit topic", Topic: "permit", TeamID: 2},
			{ID: 4, Name: "whatsapp", Channel: model.ChannelWhatsApp, TeamID: 2},
			{ID: 5, Name: "web", Channel: model.ChannelWeb, TeamID: 1},
			{ID: 6, Name: "french", Language: "fr", TeamID: 1},
		},
		Teams: []routing.Team{
			{ID: 1, Strategy: routing.LeastLoaded, MemberIDs: []int64{12, 10, 11}},
			{ID: 2, Strategy: routing.RoundRobin, MemberIDs: []int64{20, 12}},
		},
		Operators: []routing.Operator{
			{ID: 10, Languages: []string{"it", "en"}, Presence: routing.Online, Load: 2, MaxChats: 8},
			{ID: 11, Languages: []string{"it", "fr"}, Presence: routing.Online, Load: 1, MaxChats: 8},
			{ID: 12, Languages: []string{"ar", "fr", "it"}, Presence: routing.Online, Load: 3, MaxChats: 6},
			{ID: 20, Languages: []string{"it", "en"}, Presence: routing.Online, Load: 0},
		},
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name   string
		conv   routing.Conversation
		change func(*routing.Input)
		want   routing.Decision
	}{
		{
			name: "keyword in the text, any case, picks legal; round robin starts at its lowest id",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "it", Text: "Ho ricevuto uno SFRATTO ieri"},
			want: routing.Decision{TeamID: 2, RuleID: 2, OperatorID: 12},
		},
		{
			name:   "round robin goes on after the last one assigned",
			conv:   routing.Conversation{Channel: model.ChannelWeb, Language: "it", Text: "sfratto"},
			change: func(in *routing.Input) { in.Teams[1].LastAssigned = 12 },
			want:   routing.Decision{TeamID: 2, RuleID: 2, OperatorID: 20},
		},
		{
			name: "a topic matches by id",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "it", Topic: "PERMIT"},
			want: routing.Decision{TeamID: 2, RuleID: 3, OperatorID: 12},
		},
		{
			name: "a topic matches by the subject set from it",
			conv: routing.Conversation{Channel: model.ChannelEmail, Language: "it", Subject: "permit"},
			want: routing.Decision{TeamID: 2, RuleID: 3, OperatorID: 12},
		},
		{
			name: "channel rule; least loaded among Italian speakers",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "it", Text: "buongiorno"},
			want: routing.Decision{TeamID: 1, RuleID: 5, OperatorID: 11},
		},
		{
			name: "Arabic goes to the only Arabic speaker, though busier",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "ar", Text: "مرحبا"},
			want: routing.Decision{TeamID: 1, RuleID: 5, OperatorID: 12},
		},
		{
			name: "a regional tag matches its language",
			conv: routing.Conversation{Channel: model.ChannelSMS, Language: "fr-CA"},
			want: routing.Decision{TeamID: 1, RuleID: 6, OperatorID: 11},
		},
		{
			name:   "the Arabic speaker away: needs a mediator",
			conv:   routing.Conversation{Channel: model.ChannelWeb, Language: "ar", DeskLanguage: "it"},
			change: func(in *routing.Input) { in.Operators[2].Presence = routing.Away },
			want:   routing.Decision{TeamID: 1, RuleID: 5, Waiting: routing.NeedsMediator, Language: "ar"},
		},
		{
			name:   "the Arabic speaker at the limit: all busy, no mediator needed",
			conv:   routing.Conversation{Channel: model.ChannelWeb, Language: "ar", DeskLanguage: "it"},
			change: func(in *routing.Input) { in.Operators[2].Load = 6 },
			want:   routing.Decision{TeamID: 1, RuleID: 5, Waiting: routing.AllBusy},
		},
		{
			name:   "the one going offline is excluded",
			conv:   routing.Conversation{Channel: model.ChannelWeb, Language: "ar", DeskLanguage: "it", Exclude: 12},
			want:   routing.Decision{TeamID: 1, RuleID: 5, Waiting: routing.NeedsMediator, Language: "ar"},
			change: func(in *routing.Input) {},
		},
		{
			name: "nobody online in the team",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "it", DeskLanguage: "it"},
			change: func(in *routing.Input) {
				for i := range in.Operators {
					in.Operators[i].Presence = routing.Offline
				}
			},
			want: routing.Decision{TeamID: 1, RuleID: 5, Waiting: routing.NobodyPresent},
		},
		{
			name: "nobody at all at night, in Arabic: needs a mediator",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "ar", DeskLanguage: "it"},
			change: func(in *routing.Input) {
				for i := range in.Operators {
					in.Operators[i].Presence = routing.Offline
				}
			},
			want: routing.Decision{TeamID: 1, RuleID: 5, Waiting: routing.NeedsMediator, Language: "ar"},
		},
		{
			name: "no rule matches: the general queue",
			conv: routing.Conversation{Channel: model.ChannelEmail, Language: "it", DeskLanguage: "it"},
			want: routing.Decision{Waiting: routing.NoTeam},
		},
		{
			name: "no rule matches, in a language nobody online speaks",
			conv: routing.Conversation{Channel: model.ChannelEmail, Language: "wo", DeskLanguage: "it"},
			want: routing.Decision{Waiting: routing.NeedsMediator, Language: "wo"},
		},
		{
			name: "a team set by hand is kept; rules are not asked",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "it", TeamID: 2, Text: "buongiorno"},
			want: routing.Decision{TeamID: 2, OperatorID: 12},
		},
		{
			name: "a manual assignment always wins",
			conv: routing.Conversation{Channel: model.ChannelWeb, Language: "ar", AssigneeID: 10, TeamID: 2},
			want: routing.Decision{TeamID: 2, OperatorID: 10, Waiting: routing.AlreadyAssigned},
		},
		{
			name:   "a manual team waits for someone to take it",
			conv:   routing.Conversation{Channel: model.ChannelWeb, Language: "it"},
			change: func(in *routing.Input) { in.Teams[0].Strategy = routing.Manual },
			want:   routing.Decision{TeamID: 1, RuleID: 5, Waiting: routing.ManualTeam},
		},
		{
			name:   "a rule's team deleted meanwhile: no team",
			conv:   routing.Conversation{Channel: model.ChannelWeb, Language: "it", DeskLanguage: "it"},
			change: func(in *routing.Input) { in.Teams = in.Teams[1:] },
			want:   routing.Decision{Waiting: routing.NoTeam},
		},
		{
			name: "unknown language: anyone present",
			conv: routing.Conversation{Channel: model.ChannelWeb},
			want: routing.Decision{TeamID: 1, RuleID: 5, OperatorID: 11},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := desk()
			if tt.change != nil {
				tt.change(&in)
			}
			in.Conversation = tt.conv
			if got := routing.Decide(in); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLeastLoadedTiesGoRound(t *testing.T) {
	in := routing.Input{
		Teams: []routing.Team{{ID: 1, MemberIDs: []int64{3, 1, 2}}},
		Operators: []routing.Operator{
			{ID: 1, Presence: routing.Online}, {ID: 2, Presence: routing.Online}, {ID: 3, Presence: routing.Online},
		},
		Conversation: routing.Conversation{TeamID: 1},
	}
	var got []int64
	for range 4 {
		d := routing.Decide(in)
		got = append(got, d.OperatorID)
		in.Teams[0].LastAssigned = d.OperatorID
	}
	if want := []int64{1, 2, 3, 1}; !equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name  string
		rule  routing.Rule
		field string
	}{
		{"no name", routing.Rule{TeamID: 1}, "name"},
		{"no team", routing.Rule{Name: "x"}, "team_id"},
		{"bad channel", routing.Rule{Name: "x", TeamID: 1, Channel: "fax"}, "channel"},
		{"bad language", routing.Rule{Name: "x", TeamID: 1, Language: "arabic!"}, "language"},
		{"too many keywords", routing.Rule{Name: "x", TeamID: 1, Keywords: make([]string, 51)}, "keywords"},
		{"long keyword", routing.Rule{Name: "x", TeamID: 1, Keywords: []string{string(make([]rune, 101))}}, "keywords"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Normalize()
			e, ok := model.AsError(err)
			if !ok || e.Field != tt.field {
				t.Errorf("got %v, want an error on %s", err, tt.field)
			}
		})
	}
	r := routing.Rule{Name: "  Casa ", TeamID: 1, Language: "FR-ca", Keywords: []string{" Sfratto ", "sfratto", "", "affitto  non pagato"}}
	if err := r.Normalize(); err != nil {
		t.Fatal(err)
	}
	if r.Name != "Casa" || r.Language != "fr-ca" || !equalS(r.Keywords, []string{"sfratto", "affitto non pagato"}) {
		t.Errorf("normalized %+v", r)
	}
	if err := routing.CheckStrategy("random"); err == nil {
		t.Error("an unknown strategy passed")
	}
}

func equalS(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
