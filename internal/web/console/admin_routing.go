package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/routing"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// The routing pages, for administrators: the rules that pick a team for a
// new conversation and how each team shares its work (this file), the
// opening hours and the out-of-hours reply (admin_hours.go), the service
// levels (admin_sla.go) and machine translation (admin_translation.go).
// They share a row of tabs.

const (
	routingURL     = "/admin/routing"
	routingRuleURL = "/admin/routing/rules"
	hoursURL       = "/admin/hours"
	slaURL         = "/admin/sla"
	translationURL = "/admin/translation"
)

func ruleURL(id int64) string { return routingRuleURL + "/" + strconv.FormatInt(id, 10) }

// routingTabs are the tabs of the routing pages, current marked.
func routingTabs(p *locale.Printer, current string) []link {
	var out []link
	for _, t := range []struct{ url, key string }{
		{routingURL, "routing.title"}, {hoursURL, "hours.title"}, {slaURL, "sla.title"}, {translationURL, "translation.title"},
	} {
		out = append(out, link{Label: p.T(t.key, nil), URL: t.url, Current: t.url == current})
	}
	return out
}

type ruleRow struct {
	ID                  int64
	Position            int
	Name, Conditions    string
	Team                string
	Disabled            bool
	EditURL, ActionBase string
	First, Last         bool
	Up, Down            int // the positions one place earlier and later
}

type teamRoutingRow struct {
	ID              int64
	Name            string
	Strategies      []option
	ReassignOffline bool
	Action          string
}

type routingPage struct {
	*page
	Tabs  []link
	Rules []ruleRow
	Teams []teamRoutingRow
}

// routingSettings shows the rules in order, with their conditions, and
// each team's way of sharing work.
func (c *Console) routingSettings(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	pg := c.newPage(r, routingURL, "routing.title")
	pg.Nav = "routing"
	p := pg.p
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = p.T("routing.saved", nil)
	case "deleted":
		pg.Notice = p.T("routing.deleted", nil)
	}
	rules, err := c.desk.RoutingRules(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	trs, err := c.desk.TeamRoutings(ctx, a)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	teams, err := c.desk.Store().Teams(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n := newNames(p, nil, teams)
	data := routingPage{page: pg, Tabs: routingTabs(p, routingURL)}
	for i, rule := range rules {
		data.Rules = append(data.Rules, ruleRow{ID: rule.ID, Position: i + 1, Name: rule.Name, Conditions: c.conditions(p, rule),
			Team: n.team(rule.TeamID), Disabled: rule.Disabled, EditURL: ruleURL(rule.ID), ActionBase: ruleURL(rule.ID),
			First: i == 0, Last: i == len(rules)-1, Up: i, Down: i + 2})
	}
	for _, t := range teams {
		tr, ok := trs[t.ID]
		if !ok {
			tr = store.DefaultTeamRouting(t.ID)
		}
		row := teamRoutingRow{ID: t.ID, Name: t.Name, ReassignOffline: tr.ReassignOffline, Action: routingURL + "/teams/" + strconv.FormatInt(t.ID, 10)}
		for _, s := range routing.Strategies {
			row.Strategies = append(row.Strategies, option{Value: string(s), Label: p.T(strategyKeys[s], nil), Selected: s == tr.Strategy})
		}
		data.Teams = append(data.Teams, row)
	}
	c.render(w, r, http.StatusOK, "routing", pg, data)
}

// conditions says in words what a rule asks of a conversation.
func (c *Console) conditions(p *locale.Printer, r routing.Rule) string {
	var parts []string
	if r.Channel != "" {
		parts = append(parts, p.T("conversation.channel", nil)+": "+channelLabel(p, r.Channel))
	}
	if r.Language != "" {
		parts = append(parts, p.T("conversation.language", nil)+": "+c.languageName(r.Language))
	}
	if r.Topic != "" {
		parts = append(parts, p.T("routing.topic", nil)+": "+r.Topic)
	}
	if len(r.Keywords) > 0 {
		parts = append(parts, p.T("routing.keywords", nil)+": "+strings.Join(r.Keywords, ", "))
	}
	if len(parts) == 0 {
		return p.T("routing.any_conversation", nil)
	}
	return strings.Join(parts, " · ")
}

// teamRoutingSave saves how a team shares its work.
func (c *Console) teamRoutingSave(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	tr := store.TeamRouting{TeamID: id, Strategy: routing.Strategy(r.PostForm.Get("strategy")), ReassignOffline: r.PostForm.Get("reassign_offline") == "1"}
	if err := c.desk.SetTeamRouting(r.Context(), web.ActorFrom(r), tr); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, routingURL+"?ok=saved", http.StatusSeeOther)
}

type ruleFormPage struct {
	*page
	Tabs      []link
	Action    string
	DeleteURL string
	Rule      routing.Rule
	Keywords  string
	Channels  []option
	Teams     []option
	Languages []option
	Topics    []option
	Errors    map[string]string
}

// ruleFields are the rule form's fields that show their own errors.
var ruleFields = []string{"name", "channel", "language", "topic", "keywords", "team_id"}

// ruleNew shows the form for a new rule.
func (c *Console) ruleNew(w http.ResponseWriter, r *http.Request) {
	c.renderRuleForm(w, r, http.StatusOK, routing.Rule{}, "", nil)
}

// ruleEdit shows a rule's form.
func (c *Console) ruleEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	rule, err := c.desk.RoutingRule(r.Context(), web.ActorFrom(r), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderRuleForm(w, r, http.StatusOK, rule, strings.Join(rule.Keywords, "\n"), nil)
}

// ruleSave creates or changes a rule from the form; a mistake comes back
// with the form as typed and the error by its field.
func (c *Console) ruleSave(w http.ResponseWriter, r *http.Request) {
	a := web.ActorFrom(r)
	var rule routing.Rule
	if id, ok := pathID(r); ok {
		var err error
		if rule, err = c.desk.RoutingRule(r.Context(), a, id); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	f := r.PostForm
	rule.Name, rule.Channel, rule.Language, rule.Topic = f.Get("name"), model.ChannelKind(f.Get("channel")), f.Get("language"), f.Get("topic")
	rule.Disabled = f.Get("disabled") == "1"
	keywords := strings.ReplaceAll(f.Get("keywords"), "\r\n", "\n")
	rule.Keywords = strings.FieldsFunc(keywords, func(r rune) bool { return r == '\n' || r == ',' })
	team, err := strconv.ParseInt(f.Get("team_id"), 10, 64)
	if err != nil || team <= 0 {
		c.renderRuleForm(w, r, http.StatusBadRequest, rule, keywords, map[string]string{"team_id": c.printer(r).T("console.choose_from_list", nil)})
		return
	}
	rule.TeamID = team
	if err := c.desk.SaveRoutingRule(r.Context(), a, &rule); err != nil {
		if !model.ErrorIs(err, model.CodeInvalid) {
			c.fail(w, r, err)
			return
		}
		c.renderRuleForm(w, r, http.StatusBadRequest, rule, keywords, map[string]string{formField(err, ruleFields...): errorText(c.printer(r), err)})
		return
	}
	http.Redirect(w, r, routingURL+"?ok=saved", http.StatusSeeOther)
}

// ruleMove moves a rule to the position the form names.
func (c *Console) ruleMove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	position, err := strconv.Atoi(r.PostForm.Get("position"))
	if !ok || err != nil {
		c.notFound(w, r)
		return
	}
	if err := c.desk.MoveRoutingRule(r.Context(), web.ActorFrom(r), id, position); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, routingURL+"?ok=saved", http.StatusSeeOther)
}

// ruleDelete removes a rule.
func (c *Console) ruleDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	if err := c.desk.DeleteRoutingRule(r.Context(), web.ActorFrom(r), id); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, routingURL+"?ok=deleted", http.StatusSeeOther)
}

func (c *Console) renderRuleForm(w http.ResponseWriter, r *http.Request, status int, rule routing.Rule, keywords string, errs map[string]string) {
	a := web.ActorFrom(r)
	ctx := r.Context()
	self, titleKey := routingRuleURL+"/new", "routing.new_title"
	if rule.ID != 0 {
		self, titleKey = ruleURL(rule.ID), "routing.edit_title"
	}
	pg := c.newPage(r, self, titleKey)
	pg.Nav = "routing"
	p := pg.p
	data := ruleFormPage{page: pg, Tabs: routingTabs(p, routingURL), Action: routingRuleURL, Rule: rule, Keywords: keywords, Errors: errs}
	if rule.ID != 0 {
		data.Action, data.DeleteURL = ruleURL(rule.ID), ruleURL(rule.ID)+"/delete"
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	data.Channels = append(data.Channels, option{Value: "", Label: p.T("routing.any_channel", nil)})
	for _, k := range model.ChannelKinds {
		data.Channels = append(data.Channels, option{Value: string(k), Label: channelLabel(p, k), Selected: k == rule.Channel})
	}
	teams, err := c.desk.Store().Teams(ctx, a.OrgID())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Teams = append(data.Teams, option{Value: "", Label: p.T("routing.choose_team", nil)})
	for _, t := range teams {
		data.Teams = append(data.Teams, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == rule.TeamID})
	}
	for _, lang := range c.bundle.Languages() {
		data.Languages = append(data.Languages, option{Value: lang, Label: c.languageName(lang)})
	}
	data.Topics = c.prechatTopics(r, a, p)
	if len(data.Errors) > 0 {
		pg.failed()
		if msg, ok := data.Errors[""]; ok {
			pg.Alert = msg
		}
	}
	c.render(w, r, status, "routing_rule", pg, data)
}

// prechatTopics are the web chat's pre-chat topics, to pick from in a
// rule: the value is the topic's id, the label its name.
func (c *Console) prechatTopics(r *http.Request, a *desk.Actor, p *locale.Printer) []option {
	raw, err := c.desk.Store().OrganizationSetting(r.Context(), a.OrgID(), "webchat")
	if err != nil || len(raw) == 0 {
		return nil
	}
	var s struct {
		Prechat *struct {
			Topics []struct {
				ID    string            `json:"id"`
				Label map[string]string `json:"label"`
			} `json:"topics"`
		} `json:"prechat"`
	}
	if decodeSetting(raw, &s) != nil || s.Prechat == nil {
		return nil
	}
	var out []option
	for _, t := range s.Prechat.Topics {
		label := t.Label[p.Lang()]
		if label == "" {
			label = t.ID
		}
		out = append(out, option{Value: t.ID, Label: label})
	}
	return out
}

// strategyKeys name the ways a team shares its work.
var strategyKeys = map[routing.Strategy]string{
	routing.LeastLoaded: "routing.strategy_least_loaded",
	routing.RoundRobin:  "routing.strategy_round_robin",
	routing.Manual:      "routing.strategy_manual",
}
