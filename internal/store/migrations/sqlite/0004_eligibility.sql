-- Benefit screening (issue #8): screener runs in progress, results recorded
-- on a case with their outcomes, the applications that follow them, each
-- organisation's overlay on the built-in questionnaire, and the quick
-- replies a message offers. Times are Unix milliseconds (UTC).

-- A result recorded on a case: which questionnaire (and version) said what,
-- on which date, from which answers. result is the engine's whole result as
-- JSON, in the language it was recorded in, so the explanation shown later
-- is the one given then, whatever the rules say today.
CREATE TABLE screenings (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    contact_id       INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    questionnaire    TEXT    NOT NULL,
    version          TEXT    NOT NULL,
    evaluated_on     TEXT    NOT NULL, -- YYYY-MM-DD, the date whose rules applied
    language         TEXT    NOT NULL DEFAULT '',
    source           TEXT    NOT NULL, -- console, portal, chat, api
    answers          TEXT    NOT NULL DEFAULT '{}',
    result           TEXT    NOT NULL DEFAULT '{}',
    created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX screenings_conversation ON screenings (org_id, conversation_id, created_at DESC);
CREATE INDEX screenings_contact ON screenings (org_id, contact_id);

-- One row per benefit of a recorded result, for counting and reporting.
CREATE TABLE screening_outcomes (
    org_id            INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    screening_id      INTEGER NOT NULL REFERENCES screenings(id) ON DELETE CASCADE,
    benefit           TEXT    NOT NULL,
    outcome           TEXT    NOT NULL, -- likely_eligible, not_eligible, need_more_info
    period            TEXT    NOT NULL DEFAULT '',
    amount_min_cents  INTEGER,
    amount_max_cents  INTEGER,
    PRIMARY KEY (screening_id, benefit)
);
CREATE INDEX screening_outcomes_benefit ON screening_outcomes (org_id, benefit, outcome);

-- A screener being filled in: by a citizen on the portal (found again by
-- the hash of a short resume code), by an operator from a case, or in a
-- chat. state holds the answers so far (JSON); it is deleted when it
-- expires.
CREATE TABLE screening_runs (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    code_hash        TEXT    NOT NULL,
    questionnaire    TEXT    NOT NULL,
    language         TEXT    NOT NULL DEFAULT '',
    source           TEXT    NOT NULL, -- portal, console, chat
    conversation_id  INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    state            TEXT    NOT NULL DEFAULT '{}',
    screening_id     INTEGER REFERENCES screenings(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    done_at          INTEGER,
    UNIQUE (org_id, code_hash)
);
CREATE INDEX screening_runs_open ON screening_runs (org_id, conversation_id, source) WHERE done_at IS NULL;
CREATE INDEX screening_runs_expiry ON screening_runs (expires_at);

-- An application started after a result: one per benefit of a result,
-- with the documents to gather (JSON [{"text", "done"}]) and its status.
CREATE TABLE benefit_applications (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    screening_id     INTEGER NOT NULL REFERENCES screenings(id) ON DELETE CASCADE,
    benefit          TEXT    NOT NULL,
    benefit_name     TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'started', -- started, submitted, granted, refused
    checklist        TEXT    NOT NULL DEFAULT '[]',
    created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (screening_id, benefit)
);
CREATE INDEX benefit_applications_conversation ON benefit_applications (org_id, conversation_id);

-- An organisation's changes to a built-in questionnaire: dated parameter
-- values added, local parameters and benefits (JSON). revision grows by
-- one on every save, so a stale form cannot overwrite a newer one.
CREATE TABLE eligibility_overlays (
    org_id      INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    base        TEXT    NOT NULL,
    document    TEXT    NOT NULL DEFAULT '{}',
    revision    INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL
);

-- Answers a message suggests (JSON array of texts): the web chat shows
-- them as buttons that send the text; the body lists them too, for
-- channels and pages without buttons.
CREATE TABLE message_quick_replies (
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    replies          TEXT    NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
