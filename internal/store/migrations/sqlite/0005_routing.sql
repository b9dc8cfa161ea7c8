-- Routing, opening hours, SLAs and machine translation (issue #4). Times are
-- Unix milliseconds (UTC). Booleans are 0/1.

-- Opening hours of a team or a channel: an hours.Calendar as JSON. The
-- organisation's own calendar stays in its settings under "hours". The
-- most specific one applies: the channel's, else the team's, else the
-- organisation's.
CREATE TABLE hours_calendars (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    team_id     INTEGER REFERENCES teams(id) ON DELETE CASCADE,
    channel_id  INTEGER REFERENCES channels(id) ON DELETE CASCADE,
    calendar    TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((team_id IS NULL) <> (channel_id IS NULL))
);
CREATE UNIQUE INDEX hours_calendars_team ON hours_calendars (team_id) WHERE team_id IS NOT NULL;
CREATE UNIQUE INDEX hours_calendars_channel ON hours_calendars (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX hours_calendars_org ON hours_calendars (org_id);

-- Ordered rules that pick a team for a new conversation; the first whose
-- conditions all match wins. Empty conditions match anything; keywords are
-- one per line.
CREATE TABLE routing_rules (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    channel     TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL DEFAULT '',
    topic       TEXT    NOT NULL DEFAULT '',
    keywords    TEXT    NOT NULL DEFAULT '',
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX routing_rules_org ON routing_rules (org_id, position, id);

-- How a team shares its conversations. No row: least loaded, and chats of
-- an operator who goes offline are handed on.
CREATE TABLE team_routing (
    team_id           INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    org_id            INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    strategy          TEXT    NOT NULL DEFAULT 'least_loaded',
    reassign_offline  INTEGER NOT NULL DEFAULT 1,
    last_assigned     INTEGER, -- the member who got the last conversation, for round robin
    updated_at        INTEGER NOT NULL
);

-- Service levels per team (NULL: any team) and priority (-1: any), in
-- business minutes of the applicable calendar; 0 sets no target. A warning
-- comes when warn_percent of the time is used.
CREATE TABLE sla_policies (
    id                      INTEGER PRIMARY KEY,
    org_id                  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    team_id                 INTEGER REFERENCES teams(id) ON DELETE CASCADE,
    priority                INTEGER NOT NULL DEFAULT -1,
    first_response_minutes  INTEGER NOT NULL DEFAULT 0,
    resolution_minutes      INTEGER NOT NULL DEFAULT 0,
    warn_percent            INTEGER NOT NULL DEFAULT 80,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE UNIQUE INDEX sla_policies_scope ON sla_policies (org_id, COALESCE(team_id, 0), priority);

-- What routing, the opening hours and the SLAs record on a conversation.
ALTER TABLE conversations ADD COLUMN arrived_closed_at INTEGER;       -- arrived while the desk was closed
ALTER TABLE conversations ADD COLUMN closed_reply_period INTEGER;     -- start of the closed period last auto-replied to
ALTER TABLE conversations ADD COLUMN needs_mediator TEXT NOT NULL DEFAULT ''; -- the language nobody present speaks
ALTER TABLE conversations ADD COLUMN language_source TEXT NOT NULL DEFAULT ''; -- chosen, detected or operator
ALTER TABLE conversations ADD COLUMN auto_assigned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN routed_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_response_due_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_response_warn_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_response_warned_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_response_breached_at INTEGER;
ALTER TABLE conversations ADD COLUMN resolution_due_at INTEGER;
ALTER TABLE conversations ADD COLUMN resolution_warn_at INTEGER;
ALTER TABLE conversations ADD COLUMN resolution_warned_at INTEGER;
ALTER TABLE conversations ADD COLUMN resolution_breached_at INTEGER;
CREATE INDEX conversations_closed_queue ON conversations (org_id, arrived_closed_at, id) WHERE arrived_closed_at IS NOT NULL;
CREATE INDEX conversations_waiting ON conversations (org_id, team_id) WHERE assignee_id IS NULL AND status = 'open';
CREATE INDEX conversations_sla_first ON conversations (org_id, first_response_warn_at) WHERE first_response_breached_at IS NULL AND first_response_due_at IS NOT NULL;
CREATE INDEX conversations_sla_resolution ON conversations (org_id, resolution_warn_at) WHERE resolution_breached_at IS NULL AND resolution_due_at IS NOT NULL;

ALTER TABLE contacts ADD COLUMN language_source TEXT NOT NULL DEFAULT '';

-- Machine translations of messages, one per language. original marks the
-- text the author wrote when the message's body is its translation (a
-- reply sent in the citizen's language).
CREATE TABLE message_translations (
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    language    TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    original    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, language)
);
