-- The durable job queue: slow or fallible work (sending a reply through a
-- provider, downloading a provider's media) runs from here, so that a
-- crash or a provider down for an hour loses nothing. A job is claimed by
-- moving its run_at past a lease; a worker that dies lets the lease run
-- out and the job is claimed again. Done jobs are deleted; failed ones
-- stay, with their last error, until someone retries them.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL DEFAULT '{}',
    state        TEXT    NOT NULL DEFAULT 'queued', -- queued, running, failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,                  -- due, or lease end while running
    last_error   TEXT    NOT NULL DEFAULT '',
    message_id   INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_message ON jobs (message_id);

-- Channel health, written as traffic passes.
ALTER TABLE channels ADD COLUMN last_inbound_at  INTEGER;
ALTER TABLE channels ADD COLUMN last_outbound_at INTEGER;
ALTER TABLE channels ADD COLUMN last_error       TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN last_error_at    INTEGER;

-- Queued and failed replies per channel, for its health.
CREATE INDEX messages_channel_delivery ON messages (channel_id, delivery_status)
    WHERE delivery_status IN ('queued', 'failed');

-- Message templates a provider approved (WhatsApp): outside the 24-hour
-- window only these may be sent. Body holds {{1}}, {{2}}… placeholders.
CREATE TABLE channel_templates (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    params      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    UNIQUE (channel_id, name, language)
);

-- Where replies go: the identity the citizen last wrote from on this
-- conversation's channel, and when (WhatsApp's 24-hour window).
ALTER TABLE conversations ADD COLUMN address_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN last_inbound_at INTEGER;
