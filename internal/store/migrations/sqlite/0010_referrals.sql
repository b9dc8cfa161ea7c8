-- Referrals of a case to a partner organisation (docs/DIRECTORY.md): on
-- this instance (partner_org_id) or outside it (partner_email, answered
-- through a link whose token's SHA-256 is token_hash). A referral always
-- points at the consent the citizen gave for it. fields holds, as JSON,
-- only what the operator chose to share. Every change of status, with its
-- note, is a referral_events row; the referring case gets a note too.

CREATE TABLE referrals (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    consent_id      INTEGER NOT NULL REFERENCES consents(id),
    service_id      TEXT    NOT NULL DEFAULT '',
    service_name    TEXT    NOT NULL DEFAULT '',
    partner_org_id  INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
    partner_email   TEXT    NOT NULL DEFAULT '',
    fields          TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL DEFAULT '',
    email_subject   TEXT    NOT NULL DEFAULT '',
    email_body      TEXT    NOT NULL DEFAULT '',
    due_at          INTEGER NOT NULL,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX referrals_org ON referrals (org_id, status, due_at);
CREATE INDEX referrals_partner ON referrals (partner_org_id, status, due_at);
CREATE INDEX referrals_conversation ON referrals (conversation_id, org_id);
CREATE UNIQUE INDEX referrals_token ON referrals (token_hash) WHERE token_hash <> '';

CREATE TABLE referral_events (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
    status      TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    by_org_id   INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
    by_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    by_label    TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, at);
