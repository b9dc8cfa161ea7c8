package web

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// The screener's questions as plain HTML forms, shared by the citizens'
// portal and the operators' console, which each lay them out their own
// way. Field names:
//
//	q            the ids of the page's questions, in order (repeated)
//	page         the page's place in the run
//	a.ID         yes_no: yes, no; choice: an option's value; number, money,
//	             age: the number as typed. skipAnswer means "I don't know".
//	a.ID.day, a.ID.month, a.ID.year       a date, as three numbers
//	a.ID.size, .minors, .over_60, .disabled  a household
//	skip         ids of number, date and household questions not known
//
// An option value is an identifier starting with a letter, so skipAnswer
// cannot be one.
const skipAnswer = "_skip"

// householdParts are a household's numbers, in the order asked.
var householdParts = []string{"size", "minors", "over_60", "disabled"}

// HouseholdKeys name a household's numbers for a reader.
var HouseholdKeys = map[string]string{"size": "screen.household_size", "minors": "screen.household_minors",
	"over_60": "screen.household_over_60", "disabled": "screen.household_disabled"}

// ScreenField is one question of a page, ready for a template.
type ScreenField struct {
	ID        string
	Name      string // the a.ID field name
	Type      string // yes_no, choice, number, money, age, date, household
	Text      string
	Help      string
	Sensitive bool
	Options   []ScreenOption // yes_no and choice, "I don't know" last
	Value     string         // number, money, age as typed
	Day       string
	Month     string
	Year      string
	Household []ScreenPart
	Skipped   bool
	Error     string
	// Read is the text to read out in another language (the operator's
	// console), with its language and direction; empty otherwise.
	Read, ReadLang, ReadDir string
	ReadHelp                string
	ReadOptions             []string
}

// ScreenOption is one radio button.
type ScreenOption struct {
	Value, Label string
	Checked      bool
	Skip         bool // the "I don't know" choice
}

// ScreenPart is one number of a household.
type ScreenPart struct {
	Name, Label, Value string
}

// ScreenFields lays out a page's questions in pr's language, filled with
// the answers so far (or, after a refused post, the values posted, whose
// problems errs holds by question id).
func ScreenFields(pr *locale.Printer, pg desk.Page, posted url.Values, errs map[string]string) []ScreenField {
	out := make([]ScreenField, 0, len(pg.Questions))
	for _, p := range pg.Questions {
		f := ScreenField{ID: p.ID, Name: "a." + p.ID, Type: string(p.Type), Text: p.Text, Help: p.Help, Sensitive: p.Sensitive,
			Skipped: pg.Skipped[p.ID], Error: errs[p.ID]}
		v := pg.Values[p.ID]
		if posted != nil {
			f.Skipped = slices.Contains(posted["skip"], p.ID) || posted.Get(f.Name) == skipAnswer
		}
		current := func(suffix string, fromAnswer string) string {
			if posted != nil {
				return posted.Get(f.Name + suffix)
			}
			return fromAnswer
		}
		switch p.Type {
		case eligibility.YesNo:
			cur := ""
			if b, ok := v.(bool); ok {
				cur = map[bool]string{true: "yes", false: "no"}[b]
			}
			cur = current("", cur)
			f.Options = []ScreenOption{
				{Value: "yes", Label: pr.T("screen.yes", nil), Checked: cur == "yes"},
				{Value: "no", Label: pr.T("screen.no", nil), Checked: cur == "no"},
			}
		case eligibility.Choice:
			cur, _ := v.(string)
			cur = current("", cur)
			for _, o := range p.Options {
				f.Options = append(f.Options, ScreenOption{Value: o.Value, Label: o.Text, Checked: cur == o.Value})
			}
		case eligibility.Date:
			var y, m, d string
			if s, ok := v.(string); ok && len(s) == 10 {
				y, m, d = s[:4], strings.TrimLeft(s[5:7], "0"), strings.TrimLeft(s[8:], "0")
			}
			f.Day, f.Month, f.Year = current(".day", d), current(".month", m), current(".year", y)
		case eligibility.Household:
			hh, _ := v.(map[string]any)
			for _, part := range householdParts {
				s := ""
				if n, ok := hh[part].(float64); ok {
					s = strconv.FormatFloat(n, 'f', -1, 64)
				}
				f.Household = append(f.Household, ScreenPart{Name: f.Name + "." + part, Label: pr.T(HouseholdKeys[part], nil), Value: current("."+part, s)})
			}
		default:
			s := ""
			if n, ok := v.(float64); ok {
				s = pr.FormatFloat(n, -1)
			}
			f.Value = current("", s)
		}
		if f.Options != nil {
			f.Options = append(f.Options, ScreenOption{Value: skipAnswer, Label: pr.T("screen.dont_know", nil), Checked: f.Skipped, Skip: true})
		}
		out = append(out, f)
	}
	return out
}

// ReadScreenForm reads the answers to prompts from a posted form. It
// returns the answers, the questions not known, and the problems by
// question id (a question left empty, a number or date that is none).
func ReadScreenForm(pr *locale.Printer, form url.Values, prompts []eligibility.Prompt) (eligibility.Answers, []string, map[string]string) {
	answers := eligibility.Answers{}
	var skipped []string
	errs := map[string]string{}
	lang := pr.Lang()
	for _, p := range prompts {
		name := "a." + p.ID
		if form.Get(name) == skipAnswer || slices.Contains(form["skip"], p.ID) {
			skipped = append(skipped, p.ID)
			continue
		}
		required := pr.T("error.screen.answer_required", nil)
		switch p.Type {
		case eligibility.YesNo:
			switch form.Get(name) {
			case "yes":
				answers[p.ID] = true
			case "no":
				answers[p.ID] = false
			default:
				errs[p.ID] = required
			}
		case eligibility.Choice:
			v := form.Get(name)
			if v == "" {
				errs[p.ID] = required
			} else {
				answers[p.ID] = v // the engine refuses a value not in the list
			}
		case eligibility.Date:
			d, m, y := strings.TrimSpace(form.Get(name+".day")), strings.TrimSpace(form.Get(name+".month")), strings.TrimSpace(form.Get(name+".year"))
			if d == "" && m == "" && y == "" {
				errs[p.ID] = required
				continue
			}
			dn, ok1 := eligibility.ParseNumber(d, lang)
			mn, ok2 := eligibility.ParseNumber(m, lang)
			yn, ok3 := eligibility.ParseNumber(y, lang)
			s, ok := "", ok1 && ok2 && ok3 && len(strings.TrimSpace(y)) == 4
			if ok {
				s, ok = eligibility.DateOf(int(yn), int(mn), int(dn))
			}
			if !ok {
				errs[p.ID] = pr.T("error.screen.date", nil)
				continue
			}
			answers[p.ID] = s
		case eligibility.Household:
			hh := map[string]any{}
			bad := false
			for _, part := range householdParts {
				s := strings.TrimSpace(form.Get(name + "." + part))
				if s == "" {
					if part == "size" {
						errs[p.ID] = required
						bad = true
						break
					}
					s = "0"
				}
				n, ok := eligibility.ParseNumber(s, lang)
				if !ok || n != math.Trunc(n) {
					errs[p.ID] = pr.T("error.screen.whole_number", nil)
					bad = true
					break
				}
				hh[part] = n
			}
			if !bad {
				answers[p.ID] = hh
			}
		default:
			s := strings.TrimSpace(form.Get(name))
			if s == "" {
				errs[p.ID] = required
				continue
			}
			n, ok := eligibility.ParseNumber(s, lang)
			if !ok {
				errs[p.ID] = pr.T("error.screen.number", nil)
				continue
			}
			answers[p.ID] = n
		}
	}
	return answers, skipped, errs
}

// ScreenError is an engine's refusal of an answer in pr's language: a
// consistency rule's own sentence when it has one, otherwise the
// error's translation.
func ScreenError(pr *locale.Printer, err error) string {
	if e, ok := model.AsError(err); ok && e.Key == "error.eligibility.inconsistent" {
		if msg, _ := e.Args["Message"].(string); msg != "" {
			return msg
		}
	}
	return pr.Error(err)
}

// ScreenPageIDs reads the page's question ids and its place from a posted
// form.
func ScreenPageIDs(form url.Values) ([]string, int) {
	index, err := strconv.Atoi(form.Get("page"))
	if err != nil || index < 0 {
		index = -1
	}
	ids := form["q"]
	if len(ids) > 20 {
		ids = ids[:20]
	}
	return ids, index
}
