-- 0005_article_packs: each article also kept whole, compressed, in one
-- column, its pack (herald.PackArticle), so that reading an article no
-- process holds in memory costs one row of one table instead of a row of
-- sixteen columns and its three lists (docs/PERFORMANCE.md, item 43).
--
-- A pack is valid only for the article version it names: a read takes it
-- when version equals the article row's version and reads the rows
-- otherwise. Every write of an article rewrites its row, and the version
-- triggers of 0003 give the row a new version, so a pack can never stand
-- for content it does not hold: a process of the build before this
-- migration, which knows nothing of packs, leaves a stale one behind that
-- no read uses until a later write or the background packing at start
-- replaces it. Deleting an article deletes its pack.
--
-- format is the pack's format (herald.PackFormat, also its first byte),
-- in a column of its own ahead of the pack, so that finding the packs of
-- an older format reads no pack.

CREATE TABLE article_packs (
    article_id TEXT    NOT NULL PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    format     INTEGER NOT NULL,
    pack       BLOB    NOT NULL
) STRICT;
