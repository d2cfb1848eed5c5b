-- 0003_article_versions: a version on every article row, so that a process
-- keeping decoded articles in memory (internal/artcache) can tell which rows
-- of a feed page changed since it read them. Times are whole seconds and
-- cannot serve: two writes in one second would look alike.
--
-- Versions come from one counter for the whole database rather than from
-- each row's previous value, so a pair (id, version) is never reused: an
-- article deleted and created again under the same id gets a version no
-- process has seen. Existing rows start at 1; the counter hands out 2 and
-- up.
--
-- Triggers assign the version on every insert and update of an articles
-- row, inside the writing statement's transaction, so no write path can
-- forget it, including a process still running the build before this
-- migration during a rolling upgrade. Every write of an article's lists
-- also rewrites its row (ReplaceArticle updates it, PutArticle deletes and
-- inserts it), so the row's version covers the lists too.

ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A feed read looks up only (id, version) per article of the page; this
-- index answers it without reading the rows, whose content may spill onto
-- overflow pages.
CREATE INDEX articles_version ON articles (id, version);

CREATE TABLE article_version_counter (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
) STRICT;

INSERT INTO article_version_counter (id, last) VALUES (1, 1);

CREATE TRIGGER articles_version_on_insert AFTER INSERT ON articles
BEGIN
    UPDATE article_version_counter SET last = last + 1 WHERE id = 1;
    UPDATE articles SET version = (SELECT last FROM article_version_counter WHERE id = 1)
        WHERE rowid = NEW.rowid;
END;

-- The WHEN clause skips the trigger's own update (it changes version), and
-- an update that sets version itself.
CREATE TRIGGER articles_version_on_update AFTER UPDATE ON articles
WHEN NEW.version = OLD.version
BEGIN
    UPDATE article_version_counter SET last = last + 1 WHERE id = 1;
    UPDATE articles SET version = (SELECT last FROM article_version_counter WHERE id = 1)
        WHERE rowid = NEW.rowid;
END;
