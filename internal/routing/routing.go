// Package routing decides where a new conversation goes: which team, by
// the organisation's ordered rules, and which operator of that team, among
// those at the desk who speak the conversation's language and have room
// for one more chat. When nobody can take it, the decision says why it
// waits, so the desk can flag it ("needs a mediator for Arabic") and tell
// the right people.
//
// The decision is a pure function of its input: rules, teams, operators
// with their languages, presence and load. It does no I/O and keeps no
// state; the round-robin position of a team comes in with the team and
// the caller stores the operator chosen. The desk gathers the input and
// applies the output.
package routing

import (
	"strings"

	"github.com/sportello/sportello/internal/model"
)

// Strategy is how a team shares its work among its members.
type Strategy string

const (
	// LeastLoaded gives the conversation to the eligible member with the
	// fewest open chats; ties go round the team.
	LeastLoaded Strategy = "least_loaded"
	// RoundRobin gives it to the next eligible member after the one who
	// got the last one.
	RoundRobin Strategy = "round_robin"
	// Manual leaves it in the team's queue for someone to take.
	Manual Strategy = "manual"
)

// Strategies lists every strategy, in the order forms offer them.
var Strategies = []Strategy{LeastLoaded, RoundRobin, Manual}

// ValidStrategy reports whether s is a known strategy.
func ValidStrategy(s Strategy) bool {
	for _, x := range Strategies {
		if x == s {
			return true
		}
	}
	return false
}

// Presence is whether an operator is at the desk, as the console reports
// it. Only online operators receive conversations.
type Presence string

const (
	Online  Presence = "online"
	Away    Presence = "away"
	Offline Presence = "offline"
)

// Rule sends new conversations that match every condition it sets to a
// team. Empty conditions match anything; rules are tried in order and the
// first that matches wins.
type Rule struct {
	ID       int64
	Name     string
	Channel  model.ChannelKind // "" any channel
	Language string            // "" any; "fr" matches "fr" and "fr-CA"
	Topic    string            // "" any; the pre-chat topic's id or its label, case-insensitive
	Keywords []string          // any one of them in the text or subject; none: any text
	TeamID   int64
	Disabled bool
}

// Team is a team as routing sees it.
type Team struct {
	ID        int64
	Strategy  Strategy // "": LeastLoaded
	MemberIDs []int64
	// LastAssigned is the member who got the team's last conversation;
	// round robin starts after them.
	LastAssigned int64
}

// Operator is a user who may receive conversations.
type Operator struct {
	ID        int64
	Languages []string
	Presence  Presence
	Load      int // open and pending conversations assigned to them
	MaxChats  int // 0: no limit
}

// Conversation is what routing knows of the conversation to place.
type Conversation struct {
	Channel  model.ChannelKind
	Language string // "" unknown
	Topic    string // the topic the citizen chose (pre-chat form, phone menu)
	Subject  string
	Text     string // the citizen's first message
	// TeamID is the team already set (by hand, or by an earlier decision):
	// rules are not asked again.
	TeamID int64
	// AssigneeID is who already has it: nothing is decided, since a
	// manual assignment always wins.
	AssigneeID int64
	// DeskLanguage is the organisation's language: when nobody present
	// speaks a conversation's language and it is not this one, it needs a
	// mediator.
	DeskLanguage string
	// Exclude is an operator who must not get it (the one going offline).
	Exclude int64
}

// Input is everything one decision looks at.
type Input struct {
	Conversation Conversation
	Rules        []Rule
	Teams        []Team
	Operators    []Operator
}

// Reason says why a conversation waits.
type Reason string

const (
	Assigned        Reason = ""                 // an operator was chosen
	AlreadyAssigned Reason = "already_assigned" // someone has it: left alone
	NoTeam          Reason = "no_team"          // no rule matched: the desk's general queue
	ManualTeam      Reason = "manual"           // the team assigns by hand
	NobodyPresent   Reason = "nobody_present"   // no member of the team is online
	AllBusy         Reason = "all_busy"         // members who could take it are at their limit
	NeedsMediator   Reason = "needs_mediator"   // nobody present speaks the language
)

// Decision is where the conversation goes.
type Decision struct {
	TeamID     int64  // 0: no team
	RuleID     int64  // the rule that chose the team, 0 when none did
	OperatorID int64  // 0: it waits, see Waiting
	Waiting    Reason // Assigned when OperatorID is set
	// Language is the language a mediator is needed for, with
	// NeedsMediator.
	Language string
}

// Decide places a conversation. It is a pure function of in: the same
// input gives the same decision.
func Decide(in Input) Decision {
	c := in.Conversation
	if c.AssigneeID != 0 {
		return Decision{TeamID: c.TeamID, OperatorID: c.AssigneeID, Waiting: AlreadyAssigned}
	}
	d := Decision{TeamID: c.TeamID}
	if d.TeamID == 0 {
		if r, ok := Match(in.Rules, c); ok {
			d.TeamID, d.RuleID = r.TeamID, r.ID
		}
	}
	var team *Team
	for i := range in.Teams {
		if in.Teams[i].ID == d.TeamID {
			team = &in.Teams[i]
			break
		}
	}
	if team == nil {
		// No team, or a rule's team deleted meanwhile: nobody is chosen,
		// but a language nobody at the desk speaks still needs a mediator.
		if d.RuleID != 0 {
			d.TeamID, d.RuleID = 0, 0
		}
		d.Waiting = NoTeam
		if needsMediator(c, in.Operators, nil) {
			d.Waiting, d.Language = NeedsMediator, c.Language
		}
		return d
	}
	if team.Strategy == Manual {
		d.Waiting = ManualTeam
		if needsMediator(c, in.Operators, team.MemberIDs) {
			d.Waiting, d.Language = NeedsMediator, c.Language
		}
		return d
	}
	d.OperatorID, d.Waiting = pick(*team, in.Operators, c)
	if d.Waiting == NeedsMediator {
		d.Language = c.Language
	}
	return d
}

// Match returns the first enabled rule that c matches.
func Match(rules []Rule, c Conversation) (Rule, bool) {
	var text string // lower-cased once, only if a rule has keywords
	for _, r := range rules {
		if r.Disabled || r.TeamID == 0 {
			continue
		}
		if r.Channel != "" && r.Channel != c.Channel {
			continue
		}
		if r.Language != "" && !SameLanguage(r.Language, c.Language) {
			continue
		}
		if r.Topic != "" && !strings.EqualFold(r.Topic, c.Topic) && !strings.EqualFold(r.Topic, c.Subject) {
			continue
		}
		if len(r.Keywords) > 0 {
			if text == "" {
				text = strings.ToLower(c.Subject + "\n" + c.Text)
			}
			if !containsAny(text, r.Keywords) {
				continue
			}
		}
		return r, true
	}
	return Rule{}, false
}

func containsAny(text string, keywords []string) bool {
	for _, k := range keywords {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" && strings.Contains(text, k) {
			return true
		}
	}
	return false
}

// SameLanguage reports whether two language tags name the same language
// for routing: their primary subtags are equal ("fr" and "fr-CA"). An
// empty tag matches nothing.
func SameLanguage(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return strings.EqualFold(primary(a), primary(b))
}

func primary(tag string) string {
	if i := strings.IndexByte(tag, '-'); i > 0 {
		return tag[:i]
	}
	return tag
}

// Speaks reports whether o speaks lang; everyone speaks an unknown
// language.
func (o *Operator) Speaks(lang string) bool {
	if lang == "" {
		return true
	}
	for _, l := range o.Languages {
		if SameLanguage(l, lang) {
			return true
		}
	}
	return false
}

func (o *Operator) hasRoom() bool { return o.MaxChats <= 0 || o.Load < o.MaxChats }

// pick chooses a member of team for c by the team's strategy.
func pick(team Team, ops []Operator, c Conversation) (int64, Reason) {
	byID := make(map[int64]*Operator, len(team.MemberIDs))
	for _, id := range team.MemberIDs {
		byID[id] = nil
	}
	for i := range ops {
		if _, member := byID[ops[i].ID]; member {
			byID[ops[i].ID] = &ops[i]
		}
	}
	// Members in id order, starting after the last one assigned, so that
	// round robin and the ties of least loaded go round the team.
	members := sortedIDs(team.MemberIDs)
	start := 0
	for i, id := range members {
		if id > team.LastAssigned {
			start = i
			break
		}
	}
	var best *Operator
	present, speakers := false, false
	for k := range members {
		o := byID[members[(start+k)%len(members)]]
		if o == nil || o.Presence != Online || o.ID == c.Exclude {
			continue
		}
		present = true
		if !o.Speaks(c.Language) {
			continue
		}
		speakers = true
		if !o.hasRoom() {
			continue
		}
		if team.Strategy == RoundRobin {
			return o.ID, Assigned
		}
		if best == nil || o.Load < best.Load {
			best = o
		}
	}
	switch {
	case best != nil:
		return best.ID, Assigned
	case speakers:
		return 0, AllBusy
	case c.Language != "" && !SameLanguage(c.Language, c.DeskLanguage):
		return 0, NeedsMediator
	case present:
		// Present, but none speaks the desk's own language: the desk
		// still has to answer it, it does not need a mediator.
		return 0, AllBusy
	}
	return 0, NobodyPresent
}

// needsMediator reports whether nobody present among members (nil: every
// operator) speaks c's language, and it is not the desk's own.
func needsMediator(c Conversation, ops []Operator, members []int64) bool {
	if c.Language == "" || SameLanguage(c.Language, c.DeskLanguage) {
		return false
	}
	var in map[int64]bool
	if members != nil {
		in = make(map[int64]bool, len(members))
		for _, id := range members {
			in[id] = true
		}
	}
	for i := range ops {
		o := &ops[i]
		if (in == nil || in[o.ID]) && o.Presence == Online && o.ID != c.Exclude && o.Speaks(c.Language) {
			return false
		}
	}
	return true
}

// sortedIDs returns ids in increasing order without changing the input.
func sortedIDs(ids []int64) []int64 {
	out := make([]int64, len(ids))
	copy(out, ids)
	// Teams are small: insertion sort avoids the sort package's closure.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
