package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// navItem is one entry of the main navigation.
type navItem struct {
	Key, URL, Label string
}

// adminNav is the administration part of the navigation: each page the
// actor's role may open.
func adminNav(p *locale.Printer, a *desk.Actor) []navItem {
	if a == nil {
		return nil
	}
	var out []navItem
	for _, it := range []struct {
		key, url, label string
		perm            model.Permission
	}{
		{"kb", kbURL, "kb.title", model.PermKBRead},
		{"users", usersURL, "nav.users", model.PermUsersRead},
		{"teams", teamsURL, "nav.teams", model.PermTeamsManage},
		{"tokens", tokensURL, "tokens.title", model.PermTokensManage},
		{"audit", auditURL, "audit.title", model.PermAuditRead},
		{"channels", channelsURL, "channels.title", model.PermChannelsRead},
		{"routing", routingURL, "routing.title", model.PermSettingsManage}, // with hours, SLAs, translation
		{"templates", templatesURL, "template.nav", model.PermChannelsManage},
		{"directory", directoryURL, "directory.title", model.PermDirectoryRead},
		{"referrals", "/referrals", "referral.title", model.PermReferralsManage},
	} {
		if a.Can(it.perm) {
			out = append(out, navItem{Key: it.key, URL: it.url, Label: p.T(it.label, nil)})
		}
	}
	return out
}

// secretPage shows a password or token once: it is not stored in a way
// that could show it again, and the page is never cached.
type secretPage struct {
	*page
	Heading, Intro, Label string
	Secret                string
	Back, BackLabel       string
}

// renderSecret answers the page that shows secret once, after what made it.
func (c *Console) renderSecret(w http.ResponseWriter, r *http.Request, status int, pg *page, sp secretPage) {
	sp.page = pg
	pg.Title = sp.Heading
	c.render(w, r, status, "secret", pg, sp)
}

// formField maps an error to the form field it concerns, or "" for the
// page's alert.
func formField(err error, fields ...string) string {
	if e, ok := model.AsError(err); ok && slices.Contains(fields, e.Field) {
		return e.Field
	}
	return ""
}

// roleOptions are the roles to choose from, current selected.
func roleOptions(p *locale.Printer, current model.Role) []option {
	out := make([]option, 0, len(model.Roles))
	for _, r := range model.Roles {
		out = append(out, option{Value: string(r), Label: roleLabel(p, r), Selected: r == current})
	}
	return out
}

func roleLabel(p *locale.Printer, r model.Role) string {
	return labelOr(p, "role."+string(r), string(r))
}

// splitLanguages reads "it, ar fr" into language tags; the store checks
// and normalises them.
func splitLanguages(s string) []string {
	return append([]string{}, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })...)
}

// formInt reads a whole number of a form, "" being 0.
func formInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
