-- E-mail channels: how far each mailbox has been read (the folder's
-- UIDVALIDITY and the last UID handled), and which app instance reads it
-- now (a lease, so that several instances never read one mailbox twice).
CREATE TABLE email_mailboxes (
    channel_id   INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    uid_validity INTEGER NOT NULL DEFAULT 0,
    last_uid     INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT    NOT NULL DEFAULT '',
    lease_until  INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);

-- A message that reached a certified (PEC) mailbox in a provider's
-- transport envelope: what the provider certified. The envelope itself is
-- one of the message's attachments.
CREATE TABLE message_certificates (
    message_id   INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    transport    TEXT    NOT NULL,
    provider     TEXT    NOT NULL DEFAULT '',
    identifier   TEXT    NOT NULL DEFAULT '',
    certified_at INTEGER
);

-- PEC receipts about our messages: the legal delivery status of each
-- recipient. The receipt itself is an attachment of the message.
CREATE TABLE message_receipts (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    recipient   TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    provider    TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX message_receipts_message ON message_receipts (message_id, org_id);

-- What an e-mail's conversation folds away: the quoted history of earlier
-- messages and the signature, shown on demand.
CREATE TABLE message_quotes (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    body        TEXT    NOT NULL
);
