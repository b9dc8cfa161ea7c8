package model

// Role is a user's job at the desk; it decides their permissions.
type Role string

const (
	RoleAdmin       Role = "admin"       // configures the organisation and its people
	RoleCoordinator Role = "coordinator" // runs the desk: every conversation, reports
	RoleOperator    Role = "operator"    // answers citizens
	RoleMediator    Role = "mediator"    // cultural mediator: answers in their languages
	RoleVolunteer   Role = "volunteer"   // restricted view: only what is assigned to them
)

// Roles lists every role from most to least powerful.
var Roles = []Role{RoleAdmin, RoleCoordinator, RoleOperator, RoleMediator, RoleVolunteer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Permission is one thing a role may do. Every handler checks one.
type Permission string

const (
	PermConversationsReadAll      Permission = "conversations:read_all"      // every conversation of the organisation
	PermConversationsReadTeam     Permission = "conversations:read_team"     // conversations of one's teams and unassigned ones
	PermConversationsReadAssigned Permission = "conversations:read_assigned" // only those assigned to oneself
	PermConversationsReply        Permission = "conversations:reply"
	PermConversationsNote         Permission = "conversations:note"
	PermConversationsUpdate       Permission = "conversations:update"     // status, priority, tags
	PermConversationsAssign       Permission = "conversations:assign"     // assign to anyone
	PermConversationsRestricted   Permission = "conversations:restricted" // open restricted cases
	PermConversationsOverLimit    Permission = "conversations:over_limit" // assign beyond a person's chat limit
	PermContactsRead              Permission = "contacts:read"
	PermContactsWrite             Permission = "contacts:write"
	PermContactsMerge             Permission = "contacts:merge"
	PermTeamsRead                 Permission = "teams:read"
	PermTeamsManage               Permission = "teams:manage"
	PermUsersRead                 Permission = "users:read"
	PermUsersManage               Permission = "users:manage"
	PermSettingsManage            Permission = "settings:manage"
	PermAuditRead                 Permission = "audit:read"
	PermDataExport                Permission = "data:export"
	PermDataDelete                Permission = "data:delete"
	PermTokensManage              Permission = "tokens:manage"
	PermCannedManage              Permission = "canned:manage"    // write the canned responses of the organisation and its teams
	PermChannelsRead              Permission = "channels:read"    // see channels and their health
	PermChannelsManage            Permission = "channels:manage"  // add and configure channels (their secrets)
	PermChannelsInbound           Permission = "channels:inbound" // post citizens' messages through an API channel (the app, partners)
	PermKBRead                    Permission = "kb:read"          // read the knowledge base, internal articles included
	PermKBManage                  Permission = "kb:manage"        // write the knowledge base: articles, translations, categories
)

// The directory of services and referrals between organisations.
const (
	PermDirectoryRead         Permission = "directory:read"         // search the directory of services, send service cards
	PermDirectoryConfidential Permission = "directory:confidential" // see the addresses of confidential locations
	PermDirectoryManage       Permission = "directory:manage"       // import, export, edit and verify the directory
	PermReferralsManage       Permission = "referrals:manage"       // refer cases to partners, answer referrals received
)

// permissions is the matrix: what each role may do. Admins may do
// everything; the others are listed.
var permissions = map[Role][]Permission{
	RoleCoordinator: {
		PermConversationsReadAll, PermConversationsReadTeam, PermConversationsReadAssigned,
		PermConversationsReply, PermConversationsNote, PermConversationsUpdate, PermConversationsAssign,
		PermConversationsRestricted, PermConversationsOverLimit, PermContactsRead, PermContactsWrite, PermContactsMerge,
		PermTeamsRead, PermTeamsManage, PermUsersRead, PermAuditRead, PermDataExport, PermCannedManage, PermChannelsRead, PermChannelsInbound,
		PermKBRead, PermKBManage,
		PermDirectoryRead, PermDirectoryConfidential, PermDirectoryManage, PermReferralsManage,
	},
	RoleOperator: {
		PermConversationsReadTeam, PermConversationsReadAssigned, PermConversationsReply,
		PermConversationsNote, PermConversationsUpdate, PermConversationsAssign,
		PermContactsRead, PermContactsWrite, PermTeamsRead, PermUsersRead, PermKBRead,
		PermDirectoryRead, PermDirectoryConfidential, PermReferralsManage,
	},
	RoleMediator: {
		PermConversationsReadTeam, PermConversationsReadAssigned, PermConversationsReply,
		PermConversationsNote, PermConversationsUpdate, PermContactsRead, PermTeamsRead, PermUsersRead, PermKBRead,
		PermDirectoryRead,
	},
	RoleVolunteer: {
		PermConversationsReadAssigned, PermConversationsReply, PermConversationsNote, PermTeamsRead, PermKBRead,
		PermDirectoryRead,
	},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	if r == RoleAdmin {
		return true
	}
	for _, x := range permissions[r] {
		if x == p {
			return true
		}
	}
	return false
}

// AllPermissions lists every permission, for the matrix in the docs and
// the console.
var AllPermissions = []Permission{
	PermConversationsReadAll, PermConversationsReadTeam, PermConversationsReadAssigned,
	PermConversationsReply, PermConversationsNote, PermConversationsUpdate, PermConversationsAssign,
	PermConversationsRestricted, PermContactsRead, PermContactsWrite, PermContactsMerge,
	PermTeamsRead, PermTeamsManage, PermUsersRead, PermUsersManage, PermSettingsManage,
	PermAuditRead, PermDataExport, PermDataDelete, PermTokensManage, PermConversationsOverLimit, PermCannedManage,
	PermChannelsRead, PermChannelsManage, PermChannelsInbound,
	PermKBRead, PermKBManage,
	PermDirectoryRead, PermDirectoryConfidential, PermDirectoryManage, PermReferralsManage,
}
