-- Knowledge base: categories, articles, their translations and every
-- earlier version of each translation. An article has one status for all
-- its languages (draft, published, internal) and an owner who reviews it
-- by review_by: benefits change every January, so answers expire.
--
-- kb_search is the full-text index of the translations (rowid = the
-- translation's id), contentless: the text lives in kb_translations and
-- the store writes both in one transaction. Its scope column holds one
-- token per organisation, language and status (k12itpublished), so a
-- search touches only what it may show. Text is folded (lower case, no
-- accents) and cut to stems before it is indexed.

CREATE TABLE kb_categories (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    slug        TEXT    NOT NULL,
    names       TEXT    NOT NULL DEFAULT '{}', -- {"it": "Identità digitale", "en": "Digital identity"}
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (org_id, slug)
);

CREATE TABLE kb_articles (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    category_id  INTEGER REFERENCES kb_categories(id) ON DELETE SET NULL,
    slug         TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'draft',
    shared       INTEGER NOT NULL DEFAULT 0,
    owner_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    review_by    INTEGER,
    sources      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (org_id, slug)
);
CREATE INDEX kb_articles_category ON kb_articles (category_id, org_id);
CREATE INDEX kb_articles_review ON kb_articles (org_id, review_by);
CREATE INDEX kb_articles_shared ON kb_articles (shared, status);

CREATE TABLE kb_translations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    language    TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (article_id, language)
);
CREATE INDEX kb_translations_org ON kb_translations (org_id, language);

CREATE TABLE kb_versions (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    translation_id  INTEGER NOT NULL REFERENCES kb_translations(id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    summary         TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL,
    edited_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (translation_id, version)
);

CREATE VIRTUAL TABLE kb_search USING fts5(
    scope, title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
