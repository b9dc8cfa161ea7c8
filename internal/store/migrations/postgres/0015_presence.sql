-- Operators' presence shared between app instances on one PostgreSQL
-- database: each instance writes the status of the operators whose
-- console tabs it holds, and refreshes seen_at while they stay; a row not
-- refreshed for a while is an instance gone. Routing reads every
-- instance's rows. (On SQLite there is one instance and this stays empty.)
CREATE TABLE operator_presence (
    instance  TEXT    NOT NULL,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id    BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    status    TEXT    NOT NULL,
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (instance, user_id)
);
CREATE INDEX operator_presence_org ON operator_presence (org_id, seen_at);
