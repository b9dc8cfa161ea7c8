-- Core of the desk: organisations, people, contacts, conversations, messages.
-- Times are Unix milliseconds (UTC). Booleans are 0/1.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    time_zone   TEXT    NOT NULL DEFAULT 'Europe/Rome',
    language    TEXT    NOT NULL DEFAULT 'it',
    settings    TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    languages     TEXT    NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    max_chats     INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX users_email ON users (email);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, slug)
);

CREATE TABLE team_members (
    org_id   INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    settings    TEXT    NOT NULL DEFAULT '{}',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);
CREATE INDEX channels_org ON channels (org_id, kind);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    display_name  TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    notes         TEXT    NOT NULL DEFAULT '',
    merged_into   INTEGER REFERENCES contacts(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX contacts_org ON contacts (org_id, updated_at DESC, id DESC);

CREATE TABLE contact_identities (
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, value)
);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    purpose       TEXT    NOT NULL,
    text_version  TEXT    NOT NULL,
    source        TEXT    NOT NULL DEFAULT '',
    given_at      INTEGER NOT NULL,
    withdrawn_at  INTEGER
);
CREATE INDEX consents_contact ON consents (contact_id);

CREATE TABLE conversations (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    contact_id         INTEGER NOT NULL REFERENCES contacts(id),
    channel_id         INTEGER NOT NULL REFERENCES channels(id),
    channel            TEXT    NOT NULL,
    language           TEXT    NOT NULL DEFAULT '',
    subject            TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL DEFAULT 'open',
    priority           INTEGER NOT NULL DEFAULT 1,
    team_id            INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    assignee_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    restricted         INTEGER NOT NULL DEFAULT 0,
    snoozed_until      INTEGER,
    created_at         INTEGER NOT NULL,
    first_response_at  INTEGER,
    last_activity_at   INTEGER NOT NULL,
    resolved_at        INTEGER,
    last_seq           INTEGER NOT NULL DEFAULT 0,
    preview            TEXT    NOT NULL DEFAULT ''
);
-- The inbox: newest activity first, filtered by status, team or assignee.
CREATE INDEX conversations_inbox          ON conversations (org_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_inbox_team     ON conversations (org_id, team_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_inbox_assignee ON conversations (org_id, assignee_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_all            ON conversations (org_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_contact        ON conversations (contact_id, channel_id, status);

CREATE TABLE conversation_tags (
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    tag              TEXT    NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (org_id, tag);

CREATE TABLE messages (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id      INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq                  INTEGER NOT NULL,
    direction            TEXT    NOT NULL,
    body                 TEXT    NOT NULL DEFAULT '',
    author_user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    channel_id           INTEGER NOT NULL,
    provider_message_id  TEXT,
    delivery_status      TEXT    NOT NULL DEFAULT '',
    error                TEXT    NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (channel_id, provider_message_id)
);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    message_id    INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    storage_key   TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    hash          TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);

CREATE TABLE sessions (
    hash        TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    csrf        TEXT    NOT NULL,
    ip          TEXT    NOT NULL DEFAULT '',
    user_agent  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    actor_id     INTEGER,
    action       TEXT    NOT NULL,
    target_type  TEXT    NOT NULL DEFAULT '',
    target_id    INTEGER,
    detail       TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, created_at DESC, id DESC);
