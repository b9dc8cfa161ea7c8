-- Transcripts of conversations e-mailed to the citizen, asked for from
-- the chat or sent by an operator. A row is written with its job in one
-- transaction; the job renders the conversation up to until_seq (what
-- there was when it was asked for) and marks the row sent or failed.
-- The rows of the last hour bound how many one conversation may send.
CREATE TABLE transcripts (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    recipient       TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    until_seq       INTEGER NOT NULL,
    requested_by    INTEGER REFERENCES users(id) ON DELETE SET NULL, -- NULL: the citizen
    state           TEXT    NOT NULL DEFAULT 'queued',              -- queued, sent, failed
    error           TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX transcripts_conversation ON transcripts (org_id, conversation_id, created_at);
