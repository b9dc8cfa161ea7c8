-- Two helpers of the knowledge base's search index (kb_search), so that
-- every search reads a bounded part of the index, however common its
-- words:
--
-- kb_search_titles indexes the titles alone (rowid = the translation's
-- id, the same scope token): asking which texts hold the words in their
-- title no longer walks every text that holds them anywhere.
--
-- kb_terms lists the words of the index (every organisation and
-- language; never shrinks: a word nobody uses any more completes to
-- nothing). An unfinished last word of a search (suggestions as a
-- citizen types) stands for a few of the words it begins, asked for by
-- name: an FTS5 prefix query would merge, before answering, the whole
-- list of every such word.
--
-- Both are filled here from kb_search itself, through fts5vocab, with the
-- very words the store indexed; afterwards the store writes them with
-- kb_search, in the same transaction.

CREATE VIRTUAL TABLE kb_search_titles USING fts5(
    scope, title,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE kb_terms (
    term  TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.kb_search_words USING fts5vocab(main, kb_search, 'row');
INSERT INTO kb_terms (term) SELECT term FROM temp.kb_search_words WHERE term NOT GLOB 'k[0-9]*';
DROP TABLE temp.kb_search_words;

CREATE VIRTUAL TABLE temp.kb_search_places USING fts5vocab(main, kb_search, 'instance');
INSERT INTO kb_search_titles (rowid, scope, title)
    SELECT doc, max(CASE WHEN col = 'scope' THEN term END), coalesce(group_concat(CASE WHEN col = 'title' THEN term END, ' '), '')
    FROM temp.kb_search_places WHERE col IN ('scope', 'title')
    GROUP BY doc HAVING max(CASE WHEN col = 'scope' THEN term END) IS NOT NULL;
DROP TABLE temp.kb_search_places;
