package api

import (
	"net/http"

	"github.com/sportello/sportello/internal/model"
)

// route is one endpoint: a method and path pattern, the permission its
// token's user needs, and its handler.
type route struct {
	pattern string
	perm    model.Permission
	handler http.HandlerFunc
}

// routes is the one table of the API's endpoints. The desk narrows the
// permission further: which conversations a role sees, reply or note,
// assigning, restricting. Keep openapi.json in step; the tests check that
// every route is in it and that none leaks another organisation's data.
func (a *API) routes() []route {
	return []route{
		{"GET /api/v1/openapi.json", public, a.openAPI},

		{"GET /api/v1/conversations", model.PermConversationsReadAssigned, a.listConversations},
		{"GET /api/v1/conversations/{id}", model.PermConversationsReadAssigned, a.getConversation},
		{"PATCH /api/v1/conversations/{id}", model.PermConversationsUpdate, a.patchConversation},
		{"GET /api/v1/conversations/{id}/messages", model.PermConversationsReadAssigned, a.listMessages},
		{"POST /api/v1/conversations/{id}/messages", model.PermConversationsReadAssigned, a.postMessage},                  // reply or note: desk.Post
		{"GET /api/v1/conversations/{id}/attachments/{attachment}", model.PermConversationsReadAssigned, a.getAttachment}, // a file's bytes
		{"POST /api/v1/conversations/{id}/messages/{message}/retry", model.PermConversationsReply, a.retryMessage},        // a failed reply, queued again
		// Transcripts e-mailed to the contact; the desk checks visibility.
		{"POST /api/v1/conversations/{id}/transcript", model.PermConversationsReply, a.postTranscript},
		{"GET /api/v1/conversations/{id}/transcripts", model.PermConversationsReadAssigned, a.listTranscripts},

		{"GET /api/v1/channels", model.PermChannelsRead, a.listChannels},
		{"POST /api/v1/channels", model.PermChannelsManage, a.postChannel},
		{"PATCH /api/v1/channels/{id}", model.PermChannelsManage, a.patchChannel},
		{"POST /api/v1/channels/{id}/messages", model.PermChannelsInbound, a.postInbound}, // a citizen's message through an API channel
		// WhatsApp's 24-hour window and approved templates; the desk checks reply.
		{"GET /api/v1/conversations/{id}/templates", model.PermConversationsReadAssigned, a.listConversationTemplates},
		{"POST /api/v1/conversations/{id}/templates", model.PermConversationsReadAssigned, a.postConversationTemplate},
		{"GET /api/v1/channels/{id}/templates", model.PermChannelsRead, a.listTemplates},
		{"POST /api/v1/channels/{id}/templates", model.PermChannelsManage, a.postTemplate},
		{"DELETE /api/v1/templates/{id}", model.PermChannelsManage, a.deleteTemplate},

		{"GET /api/v1/screenings", model.PermConversationsReadAssigned, a.listScreenings}, // ?conversation_id=, one the caller may see
		{"POST /api/v1/screenings", model.PermConversationsNote, a.postScreening},         // evaluate and record on a conversation
		// The organisation's screener rules, as /admin/screener edits them.
		{"GET /api/v1/screener/overlay", model.PermSettingsManage, a.getScreenerOverlay},
		{"PUT /api/v1/screener/overlay", model.PermSettingsManage, a.putScreenerOverlay},          // only what validates; audited
		{"POST /api/v1/screener/overlay/check", model.PermSettingsManage, a.checkScreenerOverlay}, // validate and try on a sample person
		{"POST /api/v1/screener/values", model.PermSettingsManage, a.postScreenerValue},           // the January update; audited
		{"GET /api/v1/screener/aids", model.PermSettingsManage, a.listLocalAids},
		{"POST /api/v1/screener/aids", model.PermSettingsManage, a.postLocalAid}, // audited
		{"POST /api/v1/screener/aids/check", model.PermSettingsManage, a.checkLocalAid},
		{"PUT /api/v1/screener/aids/{aid}", model.PermSettingsManage, a.putLocalAid},       // audited
		{"DELETE /api/v1/screener/aids/{aid}", model.PermSettingsManage, a.deleteLocalAid}, // audited

		{"GET /api/v1/routing/rules", model.PermSettingsManage, a.listRoutingRules},
		{"POST /api/v1/routing/rules", model.PermSettingsManage, a.postRoutingRule},
		{"PATCH /api/v1/routing/rules/{id}", model.PermSettingsManage, a.patchRoutingRule},
		{"DELETE /api/v1/routing/rules/{id}", model.PermSettingsManage, a.deleteRoutingRule},
		{"GET /api/v1/hours", model.PermConversationsReadAssigned, a.getHours}, // ?team=&channel=&at=

		{"GET /api/v1/contacts", model.PermContactsRead, a.listContacts},
		{"GET /api/v1/contacts/{id}", model.PermContactsRead, a.getContact},
		{"POST /api/v1/contacts/{id}/merge", model.PermContactsMerge, a.mergeContact},

		{"GET /api/v1/teams", model.PermTeamsRead, a.listTeams},
		{"POST /api/v1/teams", model.PermTeamsManage, a.postTeam},
		{"PATCH /api/v1/teams/{id}", model.PermTeamsManage, a.patchTeam},

		{"GET /api/v1/users", model.PermUsersRead, a.listUsers},
		{"POST /api/v1/users", model.PermUsersManage, a.postUser},
		{"PATCH /api/v1/users/{id}", model.PermUsersManage, a.patchUser}, // role changes and deactivation: audited, last admin kept

		{"GET /api/v1/tokens", model.PermTokensManage, a.listTokens},
		{"POST /api/v1/tokens", model.PermTokensManage, a.postToken}, // the secret is answered once
		{"DELETE /api/v1/tokens/{id}", model.PermTokensManage, a.deleteToken},

		{"GET /api/v1/audit", model.PermAuditRead, a.listAudit},

		{"GET /api/v1/kb/articles", model.PermKBRead, a.listKBArticles},
		{"POST /api/v1/kb/articles", model.PermKBManage, a.postKBArticle},
		{"GET /api/v1/kb/articles/{id}", model.PermKBRead, a.getKBArticle},
		{"PATCH /api/v1/kb/articles/{id}", model.PermKBManage, a.patchKBArticle},                         // a new status reaches search at once
		{"PUT /api/v1/kb/articles/{id}/translations/{language}", model.PermKBManage, a.putKBTranslation}, // the previous text goes to the history
		{"GET /api/v1/kb/articles/{id}/translations/{language}/versions", model.PermKBRead, a.listKBVersions},
		{"DELETE /api/v1/kb/articles/{id}", model.PermKBManage, a.deleteKBArticle},
		{"GET /api/v1/kb/search", model.PermKBRead, a.searchKB}, // ?q=&language=
		{"GET /api/v1/kb/categories", model.PermKBRead, a.listKBCategories},
		{"POST /api/v1/kb/categories", model.PermKBManage, a.postKBCategory},
		{"GET /api/v1/kb/shared", model.PermKBRead, a.listKBShared},                    // other organisations' shared, published articles
		{"POST /api/v1/kb/shared/{id}/copy", model.PermKBManage, a.copyKBShared},       // copied here as a draft due for review; audited
		{"GET /api/v1/directory/services", model.PermDirectoryRead, a.searchDirectory}, // confidential positions need directory:confidential
		{"GET /api/v1/directory/services/{id}", model.PermDirectoryRead, a.getServiceCard},
		{"POST /api/v1/directory/services/{id}/verify", model.PermDirectoryManage, a.verifyService},
		{"GET /api/v1/directory/stale", model.PermDirectoryRead, a.staleServices},
		{"POST /api/v1/directory/import", model.PermDirectoryManage, a.importDirectory}, // refused whole with every problem; audited
		{"GET /api/v1/directory/export", model.PermDirectoryManage, a.exportDirectory},  // audited
		{"POST /api/v1/conversations/{id}/service-card", model.PermConversationsReply, a.postServiceCard},
		{"GET /api/v1/referrals", model.PermReferralsManage, a.listReferrals},
		{"POST /api/v1/referrals", model.PermReferralsManage, a.postReferral}, // needs the citizen's consent; audited
		{"GET /api/v1/referrals/{id}", model.PermReferralsManage, a.getReferral},
		{"POST /api/v1/referrals/{id}/status", model.PermReferralsManage, a.postReferralStatus},
	}
}

// Routes registers the API on mux, and a JSON 404 or 405 for any other
// request under /api/v1/.
func (a *API) Routes(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		a.handle(mux, rt.pattern, rt.perm, rt.handler)
	}
	mux.Handle("/api/v1/", a.noRoute(mux))
}
