-- 0006_scope_counts: how many articles each scope holds, kept by
-- triggers, so that a feed read learns its scope's visible total without
-- counting the scope's rows of article_scopes: that count was a scan of
-- every article of the scope at every feed miss, about 25 ms for a site
-- of 200,000 articles (docs/PERFORMANCE.md, item 46). The visible total is
-- articles minus the scope's scheduled ones (published_at after now),
-- which a read counts from the newest end of the scope's range: few.
--
-- Triggers keep the count on every insert and delete of article_scopes,
-- the cascades of an article's delete included, whatever process writes:
-- a process still on the build before this migration keeps it right too.

CREATE TABLE scope_counts (
    key      TEXT    NOT NULL PRIMARY KEY,
    articles INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO scope_counts (key, articles)
    SELECT scope_key, count(*) FROM article_scopes GROUP BY scope_key;

CREATE TRIGGER scope_counts_on_insert AFTER INSERT ON article_scopes
BEGIN
    INSERT INTO scope_counts (key, articles) VALUES (NEW.scope_key, 1)
        ON CONFLICT (key) DO UPDATE SET articles = articles + 1;
END;

CREATE TRIGGER scope_counts_on_delete AFTER DELETE ON article_scopes
BEGIN
    UPDATE scope_counts SET articles = articles - 1 WHERE key = OLD.scope_key;
END;

-- The writers never change a row's scope in place (they delete and
-- insert), but an update that does keeps the counts right as well.
CREATE TRIGGER scope_counts_on_update AFTER UPDATE OF scope_key ON article_scopes
WHEN NEW.scope_key <> OLD.scope_key
BEGIN
    UPDATE scope_counts SET articles = articles - 1 WHERE key = OLD.scope_key;
    INSERT INTO scope_counts (key, articles) VALUES (NEW.scope_key, 1)
        ON CONFLICT (key) DO UPDATE SET articles = articles + 1;
END;
