-- Web chat: the server's own secrets, shared by every instance on this
-- database, and what web chat visitors told the desk before chatting.
-- Times are Unix milliseconds (UTC).

CREATE TABLE secrets (
    name        TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL, -- hex
    created_at  INTEGER NOT NULL
);

-- One row per visitor (the random id in their signed token) who filled in
-- the pre-chat form. The contact exists from then on: the consent given in
-- the form is recorded against it.
CREATE TABLE webchat_visitors (
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    visitor_id       TEXT    NOT NULL,
    contact_id       INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    name             TEXT    NOT NULL DEFAULT '',
    reply_to         TEXT    NOT NULL DEFAULT '', -- a phone (E.164) or an e-mail, for a later answer
    topic            TEXT    NOT NULL DEFAULT '',
    language         TEXT    NOT NULL DEFAULT '',
    consent_version  TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (org_id, visitor_id)
);
CREATE INDEX webchat_visitors_contact ON webchat_visitors (contact_id);
