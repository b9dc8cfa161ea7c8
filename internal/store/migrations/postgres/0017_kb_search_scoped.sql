-- The search index keeps each word of a translation as a lexeme of its
-- scope (organisation, language, status): scope || '_t_' || stem for the
-- words of the title, scope || '_b_' || stem for every word of title,
-- summary and text; no positions, no weights. A GIN posting list then
-- holds one organisation's texts in one language and status, so a common
-- word no longer costs the whole instance's list of it on every search,
-- and the title is matched in the index without reading the rows.
--
-- kb_terms lists the lexemes of the index (every organisation and
-- language; it never shrinks: a word nobody uses any more completes to
-- nothing). An unfinished last word of a search (suggestions as a citizen
-- types) stands for a few of the words it begins, asked for by name: a
-- prefix query (:*) would merge the whole posting list of every such
-- word before answering. The store writes it with kb_search.
--
-- Existing entries are rewritten from what 0008 stored: title lexemes at
-- weight A, text lexemes at weight B, the scope token at weight D.

CREATE TABLE kb_terms (
    term  TEXT COLLATE "C" PRIMARY KEY
);

INSERT INTO kb_terms (term)
    SELECT DISTINCT u.lexeme FROM kb_search s, unnest(s.tsv) u WHERE NOT 'D' = ANY (u.weights);

DROP INDEX kb_search_tsv;

UPDATE kb_search s SET tsv = array_to_tsvector(ARRAY(
        SELECT x.scope || '_t_' || u.lexeme FROM unnest(s.tsv) u
        WHERE 'A' = ANY (u.weights) AND NOT 'D' = ANY (u.weights)
        UNION
        SELECT x.scope || '_b_' || u.lexeme FROM unnest(s.tsv) u
        WHERE ('A' = ANY (u.weights) OR 'B' = ANY (u.weights)) AND NOT 'D' = ANY (u.weights)))
    FROM (SELECT translation_id, (SELECT lexeme FROM unnest(tsv) WHERE 'D' = ANY (weights) LIMIT 1) AS scope FROM kb_search) x
    WHERE x.translation_id = s.translation_id AND x.scope IS NOT NULL;

-- Without a pending list (fastupdate): a search would read the whole of
-- it until vacuum merged it, and knowledge bases are written seldom.
CREATE INDEX kb_search_tsv ON kb_search USING GIN (tsv) WITH (fastupdate = off);
ANALYZE kb_search;
ANALYZE kb_terms;
