package model

import "time"

// Organization is one tenant: an association, a municipality's desk, a
// partner. One instance hosts a network of them.
type Organization struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	TimeZone  string    `json:"time_zone"`
	Language  string    `json:"language"` // default language of the desk
	CreatedAt time.Time `json:"created_at"`
}

// User is an operator account of one organisation.
type User struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Languages    []string  `json:"languages"`
	Active       bool      `json:"active"`
	MaxChats     int       `json:"max_chats"` // concurrent chats limit, 0 = no limit
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Speaks reports whether the user speaks lang.
func (u *User) Speaks(lang string) bool {
	for _, l := range u.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Team groups users by area of work: first contact, legal, labour…
type Team struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	MemberIDs []int64   `json:"member_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// IdentityKind is the kind of address a contact is reached at.
type IdentityKind string

const (
	IdentityPhone    IdentityKind = "phone"    // E.164
	IdentityEmail    IdentityKind = "email"    // lower-cased
	IdentityWhatsApp IdentityKind = "whatsapp" // WhatsApp id (the phone in digits)
	IdentityTelegram IdentityKind = "telegram" // Telegram user id
	IdentityWeb      IdentityKind = "web"      // web visitor id
	IdentityMeta     IdentityKind = "meta"     // Messenger/Instagram scoped id
	IdentityExternal IdentityKind = "external" // an API client's own id
)

// Identity is one way to reach a contact. One person on several channels
// is one contact with several identities.
type Identity struct {
	Kind  IdentityKind `json:"kind"`
	Value string       `json:"value"`
}

// Contact is a citizen. DisplayName may be a pseudonym.
type Contact struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	DisplayName string     `json:"display_name"`
	Language    string     `json:"language"`
	Identities  []Identity `json:"identities"`
	MergedInto  int64      `json:"merged_into,omitempty"`
	Notes       string     `json:"notes"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Consent records a contact's agreement to a purpose, with the exact
// version of the text they saw.
type Consent struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	ContactID   int64      `json:"contact_id"`
	Purpose     string     `json:"purpose"` // "data_processing", "referral", …
	TextVersion string     `json:"text_version"`
	Source      string     `json:"source"` // channel or operator that recorded it
	GivenAt     time.Time  `json:"given_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// ChannelKind names a channel type.
type ChannelKind string

const (
	ChannelWeb       ChannelKind = "web"
	ChannelEmail     ChannelKind = "email"
	ChannelWhatsApp  ChannelKind = "whatsapp"
	ChannelTelegram  ChannelKind = "telegram"
	ChannelSMS       ChannelKind = "sms"
	ChannelVoice     ChannelKind = "voice"
	ChannelMessenger ChannelKind = "messenger"
	ChannelForm      ChannelKind = "form"
	ChannelAPI       ChannelKind = "api"
)

// ChannelKinds lists every kind, in display order.
var ChannelKinds = []ChannelKind{ChannelWeb, ChannelEmail, ChannelWhatsApp, ChannelTelegram, ChannelSMS, ChannelVoice, ChannelMessenger, ChannelForm, ChannelAPI}

// Queued reports whether replies on channels of kind k go out through the
// durable job queue to a provider. The web chat's replies do not: the
// citizen's page reads them from the database.
func (k ChannelKind) Queued() bool { return k != ChannelWeb }

// Channel is one configured entry point of an organisation.
type Channel struct {
	ID        int64       `json:"id"`
	OrgID     int64       `json:"org_id"`
	Kind      ChannelKind `json:"kind"`
	Name      string      `json:"name"`
	Settings  string      `json:"-"` // JSON, may hold secrets
	Active    bool        `json:"active"`
	CreatedAt time.Time   `json:"created_at"`

	// Health, as traffic passes.
	LastInboundAt  *time.Time `json:"last_inbound_at"`
	LastOutboundAt *time.Time `json:"last_outbound_at"`
	LastError      string     `json:"last_error"`
	LastErrorAt    *time.Time `json:"last_error_at"`
	Queued         int        `json:"queued"` // replies waiting to go out (filled by health views)
	Failed         int        `json:"failed"` // replies given up on
}

// Status is a conversation's state in its lifecycle.
type Status string

const (
	StatusOpen     Status = "open"
	StatusPending  Status = "pending"
	StatusSnoozed  Status = "snoozed"
	StatusResolved Status = "resolved"
	StatusClosed   Status = "closed"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusOpen, StatusPending, StatusSnoozed, StatusResolved, StatusClosed}

// Priority orders conversations within a queue.
type Priority int

const (
	PriorityLow    Priority = 0
	PriorityNormal Priority = 1
	PriorityHigh   Priority = 2
	PriorityUrgent Priority = 3
)

// Conversation is a case: the exchange with one contact on one channel.
type Conversation struct {
	ID              int64       `json:"id"`
	OrgID           int64       `json:"org_id"`
	ContactID       int64       `json:"contact_id"`
	ChannelID       int64       `json:"channel_id"`
	Channel         ChannelKind `json:"channel"`
	Language        string      `json:"language"`
	Subject         string      `json:"subject"`
	Status          Status      `json:"status"`
	Priority        Priority    `json:"priority"`
	TeamID          int64       `json:"team_id,omitempty"`
	AssigneeID      int64       `json:"assignee_id,omitempty"`
	Tags            []string    `json:"tags"`
	Restricted      bool        `json:"restricted"` // sensitive case: opening it is audited
	SnoozedUntil    *time.Time  `json:"snoozed_until,omitempty"`
	CreatedAt       time.Time   `json:"created_at"`
	FirstResponseAt *time.Time  `json:"first_response_at,omitempty"`
	LastActivityAt  time.Time   `json:"last_activity_at"`
	ResolvedAt      *time.Time  `json:"resolved_at,omitempty"`
	LastSeq         int64       `json:"last_seq"` // sequence of the newest message

	// Routing, opening hours and service levels (internal/routing,
	// internal/hours). Due times are in business time of the calendar
	// that applies; null when no policy sets one.
	ArrivedClosedAt         *time.Time `json:"arrived_closed_at,omitempty"` // came in while the desk was closed
	NeedsMediator           string     `json:"needs_mediator,omitempty"`    // a language nobody present speaks
	LanguageSource          string     `json:"language_source,omitempty"`   // chosen, detected or operator
	AutoAssigned            bool       `json:"auto_assigned,omitempty"`     // routing chose the assignee
	FirstResponseDueAt      *time.Time `json:"first_response_due_at"`
	ResolutionDueAt         *time.Time `json:"resolution_due_at"`
	FirstResponseBreachedAt *time.Time `json:"first_response_breached_at,omitempty"`
	ResolutionBreachedAt    *time.Time `json:"resolution_breached_at,omitempty"`
	FirstResponseWarnAt     *time.Time `json:"-"` // when the warning is due
	ResolutionWarnAt        *time.Time `json:"-"`

	// Where replies go: the identity the citizen last wrote from, and
	// when (a WhatsApp conversation may be answered freely for 24 hours
	// after that).
	Address       Identity   `json:"address"`
	LastInboundAt *time.Time `json:"last_inbound_at,omitempty"`

	// Filled on list views.
	ContactName string `json:"contact_name,omitempty"`
	Preview     string `json:"preview,omitempty"`
}

// Direction says who a message comes from and who sees it.
type Direction string

const (
	DirectionInbound  Direction = "inbound"  // from the citizen
	DirectionOutbound Direction = "outbound" // to the citizen
	DirectionNote     Direction = "note"     // internal, never shown to the citizen
	DirectionEvent    Direction = "event"    // system event: assignment, status…
)

// DeliveryStatus tracks an outbound message through the provider.
type DeliveryStatus string

const (
	DeliveryNone      DeliveryStatus = ""          // inbound, notes, events
	DeliveryQueued    DeliveryStatus = "queued"    // waiting in the outbound queue
	DeliverySent      DeliveryStatus = "sent"      // accepted by the provider
	DeliveryDelivered DeliveryStatus = "delivered" // reached the device
	DeliveryRead      DeliveryStatus = "read"      // seen by the citizen
	DeliveryFailed    DeliveryStatus = "failed"    // given up; Error says why
)

// Message is one entry of a conversation's timeline.
type Message struct {
	ID                int64          `json:"id"`
	OrgID             int64          `json:"org_id"`
	ConversationID    int64          `json:"conversation_id"`
	Seq               int64          `json:"seq"` // 1, 2, 3… within the conversation
	Direction         Direction      `json:"direction"`
	Body              string         `json:"body"`
	AuthorUserID      int64          `json:"author_user_id,omitempty"`
	ProviderMessageID string         `json:"provider_message_id,omitempty"`
	DeliveryStatus    DeliveryStatus `json:"delivery_status,omitempty"`
	Error             string         `json:"error,omitempty"`
	Attachments       []Attachment   `json:"attachments"`
	// QuickReplies are answers the message suggests (a screener's
	// options): a channel that can shows them as buttons that send the
	// text; the body lists them too, for those that cannot.
	QuickReplies []string  `json:"quick_replies,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// Template is the provider-approved template a reply goes out as
	// (WhatsApp outside its 24-hour window); Body shows it filled.
	Template *MessageTemplate `json:"template,omitempty"`

	// Machine translation, where the organisation turned it on. Original
	// is what the author wrote when Body is its translation (a reply sent
	// in the citizen's language); Translation is Body in the reader's
	// language, filled for a reader.
	Original    *Translation `json:"original,omitempty"`
	Translation *Translation `json:"translation,omitempty"`

	// E-mail: the quoted history and signature left out of Body, shown
	// on demand.
	Quoted string `json:"quoted,omitempty"`

	// Certified e-mail (PEC): the provider's certificate of an inbound
	// message, the receipts about an outbound one.
	Certificate *Certificate `json:"certificate,omitempty"`
	Receipts    []Receipt    `json:"receipts,omitempty"`
}

// MessageTemplate names an approved template and its parameters, in
// order ({{1}}, {{2}}…).
type MessageTemplate struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Params   []string `json:"params"`
}

// Translation is a message's text in another language.
type Translation struct {
	Language string `json:"language"`
	Body     string `json:"body"`
}

// Attachment is a file stored under the data directory.
type Attachment struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	MessageID   int64     `json:"message_id,omitempty"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	StorageKey  string    `json:"-"` // path relative to the attachments directory
	CreatedAt   time.Time `json:"created_at"`
}

// APIToken is a long random secret; only its SHA-256 is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	OrgID      int64      `json:"org_id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters, to recognise it in a list
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Session is a logged-in browser. The cookie holds the secret; the store
// keeps its hash.
type Session struct {
	Hash      string
	UserID    int64
	OrgID     int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
	IP        string
	UserAgent string
}

// AuditEntry records a security-relevant action.
type AuditEntry struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"org_id"`
	ActorID    int64     `json:"actor_id,omitempty"` // user; 0 for the system or the command line
	Action     string    `json:"action"`             // "login", "login_failed", "role_change", …
	TargetType string    `json:"target_type,omitempty"`
	TargetID   int64     `json:"target_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	IP         string    `json:"ip,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}
