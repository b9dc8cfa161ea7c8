-- Canned responses: ready answers operators insert into a reply. A response
-- belongs to the whole organisation (team_id NULL) or to one team, and is
-- written in one language ('' when it suits any). Deleting a team deletes
-- its responses rather than widening them to everyone.

CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    team_id     INTEGER REFERENCES teams(id) ON DELETE CASCADE,
    language    TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX canned_responses_org ON canned_responses (org_id, language, title);
