package web

import (
	"time"

	"github.com/sportello/sportello/internal/eligibility"
	"github.com/sportello/sportello/internal/locale"
)

// ResultView is a screener's result laid out for a page: the benefits
// likely to be granted first, then those still to check, then the others,
// each with why, how much, what to bring and where to go.
type ResultView struct {
	Lang, Dir string // of the result's texts, which may not be the page's
	Date      string
	Notice    string
	Version   string
	Groups    []ResultGroup
	Counts    map[eligibility.Outcome]int
}

// ResultGroup is the benefits of one outcome.
type ResultGroup struct {
	Outcome  string
	Heading  string
	Benefits []BenefitView
}

// BenefitView is one benefit's outcome, explained.
type BenefitView struct {
	ID, Name, Summary string
	Outcome           string
	OutcomeLabel      string
	Lines             []LineView
	Amount            string
	AmountNote        string
	Other             []string
	Documents         []string
	Steps             []eligibility.StepResult
	Sources           []eligibility.Citation
	ToVerify          bool
	Places            []Place // where to do the steps, from the organisation's directory
}

// Place is a service of the directory where a step can be done.
type Place struct {
	Name, URL string
}

// placesPerBenefit bounds the places a benefit lists.
const placesPerBenefit = 3

// FillPlaces lists, under each benefit that is not ruled out, the places
// of the organisation's directory where its steps are done: find returns
// the places matching one step's words. A place is listed once per
// benefit; a search that fails lists nothing.
func (v *ResultView) FillPlaces(find func(words string) []Place) {
	cache := map[string][]Place{}
	for gi := range v.Groups {
		g := &v.Groups[gi]
		if g.Outcome == string(eligibility.NotEligible) {
			continue
		}
		for bi := range g.Benefits {
			b := &g.Benefits[bi]
			seen := map[string]bool{}
			for _, st := range b.Steps {
				for _, w := range st.Directory {
					ps, ok := cache[w]
					if !ok {
						ps = find(w)
						cache[w] = ps
					}
					for _, p := range ps {
						if !seen[p.URL] && len(b.Places) < placesPerBenefit {
							seen[p.URL] = true
							b.Places = append(b.Places, p)
						}
					}
				}
			}
		}
	}
}

// LineView is one reason.
type LineView struct {
	Status, StatusLabel, Text string
	Parameters                []eligibility.Citation
}

var outcomeOrder = []eligibility.Outcome{eligibility.LikelyEligible, eligibility.NeedMoreInfo, eligibility.NotEligible}

// The words for outcomes and reasons, by outcome and line status.
var (
	groupKeys = map[eligibility.Outcome]string{eligibility.LikelyEligible: "screen.group_likely_eligible",
		eligibility.NeedMoreInfo: "screen.group_need_more_info", eligibility.NotEligible: "screen.group_not_eligible"}
	outcomeKeys = map[eligibility.Outcome]string{eligibility.LikelyEligible: "screen.outcome_likely_eligible",
		eligibility.NeedMoreInfo: "screen.outcome_need_more_info", eligibility.NotEligible: "screen.outcome_not_eligible"}
	lineKeys = map[string]string{eligibility.Met: "screen.line_met", eligibility.NotMet: "screen.line_not_met", eligibility.Unknown: "screen.line_unknown"}
)

// NewResultView lays out res with pr's words for the outcomes and the
// headings; the benefits' own texts are in res's language, whose
// direction b knows.
func NewResultView(pr *locale.Printer, b *locale.Bundle, res eligibility.Result) *ResultView {
	v := &ResultView{Lang: res.Lang, Dir: pr.Dir(), Date: res.Date, Notice: res.Notice, Version: res.Version,
		Counts: map[eligibility.Outcome]int{}}
	if b.Supported(res.Lang) {
		v.Dir = b.Printer(res.Lang).Dir()
	}
	if d, err := time.Parse(time.DateOnly, res.Date); err == nil {
		v.Date = pr.FormatDate(d)
	}
	for _, o := range outcomeOrder {
		g := ResultGroup{Outcome: string(o), Heading: pr.T(groupKeys[o], nil)}
		for _, b := range res.Benefits {
			if b.Outcome != o {
				continue
			}
			bv := BenefitView{ID: b.ID, Name: b.Name, Summary: b.Summary, Outcome: string(o),
				OutcomeLabel: pr.T(outcomeKeys[o], nil), Other: b.OtherRequirements, Documents: b.Documents,
				Steps: b.NextSteps, Sources: b.Sources, ToVerify: b.ToVerify}
			if b.Amount != nil {
				bv.Amount, bv.AmountNote = b.Amount.Text, b.Amount.Note
			}
			for _, l := range b.Explanation {
				bv.Lines = append(bv.Lines, LineView{Status: l.Status, StatusLabel: pr.T(lineKeys[l.Status], nil), Text: l.Text, Parameters: l.Parameters})
			}
			g.Benefits = append(g.Benefits, bv)
		}
		v.Counts[o] = len(g.Benefits)
		if len(g.Benefits) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return v
}
