-- The directory of services (Open Referral HSDS 3.0, docs/DIRECTORY.md).
-- directory_records keeps every HSDS record of an organisation as written,
-- in its flat tabular form (foreign keys included) as a JSON object, so an
-- import followed by an export gives back the same records. The two other
-- tables are derived from it in the same transaction, for search:
-- directory_services one row per service, directory_sites one row per
-- place a service is given (a service at a location; a service with no
-- location gets one row without a position). A site carries its
-- service's status, words and categories, so that a search near a point
-- reads only the places in the box and joins the service of a match.

CREATE TABLE directory_records (
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    modified_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, id)
);

CREATE TABLE directory_services (
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    verified_on TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    modified_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX directory_services_modified ON directory_services (org_id, modified_at);
CREATE INDEX directory_services_verified ON directory_services (org_id, verified_on);

CREATE TABLE directory_sites (
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    service_id   TEXT    NOT NULL,
    location_id  TEXT    NOT NULL,
    lat          REAL,
    lon          REAL,
    confidential INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    search       TEXT    NOT NULL,
    categories   TEXT    NOT NULL,
    languages    TEXT    NOT NULL,
    place        TEXT    NOT NULL,
    hours        TEXT    NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX directory_sites_service ON directory_sites (org_id, service_id);
CREATE INDEX directory_sites_position ON directory_sites (org_id, lat, lon);

-- Bumped by every write to a directory, so that instances know when their
-- copy in memory is out of date.
CREATE TABLE directory_revisions (
    org_id   INTEGER NOT NULL PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    revision INTEGER NOT NULL
);
