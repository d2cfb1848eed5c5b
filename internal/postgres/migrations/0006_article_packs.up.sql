-- 0006_article_packs: each article also kept whole, compressed, in one
-- column, its pack (herald.PackArticle), so that reading an article no
-- replica holds in memory costs one row of one table instead of its row
-- and three lists (docs/PERFORMANCE.md, item 43). The same table as the
-- SQLite store's migration 0005.
--
-- A pack is valid only for the article version it names: a read takes it
-- when version equals the article row's version and reads the rows
-- otherwise. Every write of an article rewrites its row, and the version
-- trigger of 0003 gives the row a new version, so a pack can never stand
-- for content it does not hold: a replica of the build before this
-- migration, which knows nothing of packs, leaves a stale one behind that
-- no read uses until a later write or the background packing at start
-- replaces it. Deleting an article deletes its pack.
--
-- format is the pack's format (herald.PackFormat, also its first byte),
-- in a column of its own, so that finding the packs of an older format
-- reads no pack.

CREATE TABLE article_packs (
    article_id text COLLATE "C" NOT NULL,
    version    bigint   NOT NULL,
    format     smallint NOT NULL,
    pack       bytea    NOT NULL,
    CONSTRAINT article_packs_pkey PRIMARY KEY (article_id),
    CONSTRAINT article_packs_article_id_fkey FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE
);

-- Packs are compressed already (S2): PostgreSQL should not try again, and
-- should keep a pack in its row up to a row of nearly a page, since one
-- moved out of line costs its read a second lookup. (By default a row past
-- about 2 kB has its values compressed, then moved out.)
ALTER TABLE article_packs ALTER COLUMN pack SET STORAGE EXTERNAL;
ALTER TABLE article_packs SET (toast_tuple_target = 8160);
