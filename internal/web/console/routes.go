package console

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
)

// access is what a route asks of the request: nothing, a session, or a
// session whose actor holds at least one of perms.
type access struct {
	session bool
	perms   []model.Permission
}

var (
	public   = access{}              // no session needed
	signedIn = access{session: true} // any signed-in user
)

// anyOf needs a session whose actor holds at least one of perms.
func anyOf(perms ...model.Permission) access { return access{session: true, perms: perms} }

// Routes registers the console. Each route names what it needs; handlers
// of routes with a session also get a valid CSRF field on every POST. The
// desk checks the finer rules again (reply or note, assigning others).
func (c *Console) Routes(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		access  access
		handler http.HandlerFunc
	}{
		{"GET /{$}", public, c.home},
		{"GET /login", public, c.loginForm},
		{"POST /login", public, c.login},
		{"POST /logout", signedIn, c.logout},
		{"GET /inbox", anyOf(model.PermConversationsReadAssigned), c.inbox},
		{"GET /conversations/{id}", anyOf(model.PermConversationsReadAssigned), c.conversation},
		{"POST /conversations/{id}/messages", anyOf(model.PermConversationsReply, model.PermConversationsNote), c.postMessage},
		{"POST /conversations/{id}", anyOf(model.PermConversationsUpdate), c.updateConversation},
		{"GET /conversations/{id}/files/{file}", anyOf(model.PermConversationsReadAssigned), c.file},               // the desk checks the conversation is visible
		{"POST /conversations/{id}/messages/{message}/retry", anyOf(model.PermConversationsReply), c.retryMessage}, // a failed reply, queued again
		{"POST /conversations/{id}/template", anyOf(model.PermConversationsReply), c.sendTemplate},                 // WhatsApp outside its window
		{"POST /conversations/{id}/transcript", anyOf(model.PermConversationsReply), c.sendTranscript},             // e-mailed to the contact
		{"GET /admin/templates", anyOf(model.PermChannelsManage), c.templatesList},
		{"POST /admin/templates", anyOf(model.PermChannelsManage), c.templateCreate},
		{"POST /admin/templates/{id}/delete", anyOf(model.PermChannelsManage), c.templateDelete},
		{"GET /live", anyOf(model.PermConversationsReadAssigned), c.live},
		{"GET /canned", anyOf(model.PermCannedManage), c.cannedList},
		{"GET /canned/new", anyOf(model.PermCannedManage), c.cannedNew},
		{"POST /canned", anyOf(model.PermCannedManage), c.cannedCreate},
		{"GET /canned/{id}", anyOf(model.PermCannedManage), c.cannedEdit},
		{"POST /canned/{id}", anyOf(model.PermCannedManage), c.cannedUpdate},
		{"POST /canned/{id}/delete", anyOf(model.PermCannedManage), c.cannedDelete},
		{"GET /kb", anyOf(model.PermKBRead), c.kbList},
		{"GET /kb/new", anyOf(model.PermKBManage), c.kbNew},
		{"POST /kb", anyOf(model.PermKBManage), c.kbCreate},
		{"GET /kb/search", anyOf(model.PermKBRead), c.kbSearch}, // ?conv=&q=, published articles for a reply (console.js)
		{"POST /kb/categories", anyOf(model.PermKBManage), c.kbCategoryCreate},
		{"GET /kb/shared", anyOf(model.PermKBRead), c.kbShared},            // other organisations' shared, published articles
		{"POST /kb/shared/{id}/copy", anyOf(model.PermKBManage), c.kbCopy}, // copied here as a draft due for review
		{"GET /kb/{id}", anyOf(model.PermKBRead), c.kbEdit},
		{"POST /kb/{id}", anyOf(model.PermKBManage), c.kbUpdate},
		{"POST /kb/{id}/translations", anyOf(model.PermKBManage), c.kbSaveTranslation}, // the previous text goes to the history
		{"POST /kb/{id}/delete", anyOf(model.PermKBManage), c.kbDelete},
		{"GET /contacts/{id}", anyOf(model.PermContactsRead), c.contactPage},
		{"POST /contacts/{id}/merge", anyOf(model.PermContactsMerge), c.contactMerge},
		{"GET /admin/users", anyOf(model.PermUsersRead), c.usersList},
		{"GET /admin/users/new", anyOf(model.PermUsersManage), c.userNew},
		{"POST /admin/users", anyOf(model.PermUsersManage), c.userCreate},
		{"GET /admin/users/{id}", anyOf(model.PermUsersManage), c.userEdit},
		{"POST /admin/users/{id}", anyOf(model.PermUsersManage), c.userUpdate},                 // the desk keeps an active admin
		{"POST /admin/users/{id}/password", anyOf(model.PermUsersManage), c.userResetPassword}, // shows the new password once
		{"GET /admin/teams", anyOf(model.PermTeamsManage), c.teamsList},
		{"GET /admin/teams/new", anyOf(model.PermTeamsManage), c.teamNew},
		{"POST /admin/teams", anyOf(model.PermTeamsManage), c.teamCreate},
		{"GET /admin/teams/{id}", anyOf(model.PermTeamsManage), c.teamEdit},
		{"POST /admin/teams/{id}", anyOf(model.PermTeamsManage), c.teamUpdate},
		{"GET /admin/tokens", anyOf(model.PermTokensManage), c.tokensList},
		{"POST /admin/tokens", anyOf(model.PermTokensManage), c.tokenCreate}, // shows the secret once
		{"POST /admin/tokens/{id}/revoke", anyOf(model.PermTokensManage), c.tokenRevoke},
		{"GET /admin/audit", anyOf(model.PermAuditRead), c.auditLog},
		{"GET /admin/channels", anyOf(model.PermChannelsRead), c.channelsList}, // with their health
		{"GET /admin/channels/new", anyOf(model.PermChannelsManage), c.channelNew},
		{"POST /admin/channels", anyOf(model.PermChannelsManage), c.channelCreate},
		{"GET /admin/channels/{id}", anyOf(model.PermChannelsManage), c.channelEdit}, // settings (secrets masked), webhook URLs
		{"POST /admin/channels/{id}", anyOf(model.PermChannelsManage), c.channelUpdate},
		{"GET /conversations/{id}/screen", anyOf(model.PermConversationsNote), c.screenForm},
		{"POST /conversations/{id}/screen", anyOf(model.PermConversationsNote), c.screenAnswer},
		{"POST /conversations/{id}/screen/start", anyOf(model.PermConversationsNote), c.screenStart},
		{"POST /conversations/{id}/screen/record", anyOf(model.PermConversationsNote), c.screenRecord},
		{"POST /conversations/{id}/screen/chat", anyOf(model.PermConversationsReply), c.screenChat},
		{"POST /screenings/{id}/applications", anyOf(model.PermConversationsNote), c.applicationStart},
		{"POST /applications/{id}", anyOf(model.PermConversationsNote), c.applicationUpdate},
		{"GET /admin/screener", anyOf(model.PermSettingsManage), c.screenerAdmin},
		{"POST /admin/screener", anyOf(model.PermSettingsManage), c.screenerAdminPost},       // check, preview or save the overlay
		{"POST /admin/screener/values", anyOf(model.PermSettingsManage), c.screenerAddValue}, // the January update
		{"GET /admin/screener/aids/new", anyOf(model.PermSettingsManage), c.aidNew},          // a local aid as a form
		{"GET /admin/screener/aids/{id}", anyOf(model.PermSettingsManage), c.aidEdit},
		{"POST /admin/screener/aids", anyOf(model.PermSettingsManage), c.aidPost}, // preview or save the form
		{"POST /admin/screener/aids/{id}/delete", anyOf(model.PermSettingsManage), c.aidRemove},
		{"GET /admin/routing", anyOf(model.PermSettingsManage), c.routingSettings},
		{"POST /admin/routing/teams/{id}", anyOf(model.PermSettingsManage), c.teamRoutingSave},
		{"GET /admin/routing/rules/new", anyOf(model.PermSettingsManage), c.ruleNew},
		{"POST /admin/routing/rules", anyOf(model.PermSettingsManage), c.ruleSave},
		{"GET /admin/routing/rules/{id}", anyOf(model.PermSettingsManage), c.ruleEdit},
		{"GET /directory", anyOf(model.PermDirectoryRead), c.directorySearch},
		{"GET /directory/stale", anyOf(model.PermDirectoryRead), c.directoryStale},
		{"GET /directory/services/{id}", anyOf(model.PermDirectoryRead), c.directoryCard}, // confidential addresses: directory:confidential
		{"POST /directory/services/{id}/verify", anyOf(model.PermDirectoryManage), c.directoryVerify},
		{"POST /conversations/{id}/service-card", anyOf(model.PermConversationsReply), c.sendServiceCard},
		{"GET /referrals", anyOf(model.PermReferralsManage), c.referralsList},
		{"POST /referrals/{id}/{side}", anyOf(model.PermReferralsManage), c.referralAnswer},
		{"GET /conversations/{id}/refer", anyOf(model.PermReferralsManage), c.referralForm},
		{"POST /conversations/{id}/refer", anyOf(model.PermReferralsManage), c.referralCreate}, // needs the citizen's consent
		{"POST /admin/routing/rules/{id}", anyOf(model.PermSettingsManage), c.ruleSave},
		{"POST /admin/routing/rules/{id}/move", anyOf(model.PermSettingsManage), c.ruleMove},
		{"POST /admin/routing/rules/{id}/delete", anyOf(model.PermSettingsManage), c.ruleDelete},
		{"GET /admin/hours", anyOf(model.PermSettingsManage), c.hoursSettings},
		{"POST /admin/hours/out-of-hours", anyOf(model.PermSettingsManage), c.outOfHoursSave},
		{"GET /admin/hours/edit", anyOf(model.PermSettingsManage), c.calendarEdit},  // ?team= or ?channel=; neither: the organisation's
		{"POST /admin/hours/edit", anyOf(model.PermSettingsManage), c.calendarSave}, // validated: overlaps, inverted shifts, zones, dates
		{"POST /admin/hours/clear", anyOf(model.PermSettingsManage), c.calendarClear},
		{"GET /admin/sla", anyOf(model.PermSettingsManage), c.slaSettings},
		{"POST /admin/sla", anyOf(model.PermSettingsManage), c.slaSave},
		{"POST /admin/sla/{id}", anyOf(model.PermSettingsManage), c.slaSave},
		{"POST /admin/sla/{id}/delete", anyOf(model.PermSettingsManage), c.slaDelete},
		{"GET /admin/translation", anyOf(model.PermSettingsManage), c.translationSettings},
		{"POST /admin/translation", anyOf(model.PermSettingsManage), c.translationSave},
		{"GET /account/password", signedIn, c.passwordForm},
		{"POST /account/password", signedIn, c.changePassword},
		{"GET " + staticPrefix + "{hash}/{file}", public, c.static},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, c.guard(rt.access, rt.handler))
	}
}
