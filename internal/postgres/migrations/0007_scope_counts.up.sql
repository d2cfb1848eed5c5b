-- 0007_scope_counts: how many articles each scope holds, kept by a
-- trigger, so that a feed read learns its scope's visible total without
-- counting the scope's rows of article_scopes: that count was a scan of
-- every article of the scope at every feed miss (docs/PERFORMANCE.md,
-- item 46). The visible total is articles minus the scope's scheduled
-- ones (published_at after now), which a read counts from the newest end
-- of the scope's range: few. The same table as the SQLite store's
-- migration 0006.
--
-- The trigger keeps the count on every insert and delete of
-- article_scopes, the cascades of an article's delete included, whatever
-- replica writes: one still on the build before this migration keeps it
-- right too. Concurrent writes to one scope serialize on its row here as
-- they already do on its row of scopes, whose revision every write bumps
-- first.

-- Writers wait until the migration commits, so that no write is missed
-- between the count below and the trigger: one in progress is counted
-- once it commits (the lock waits for it), and later ones meet the
-- trigger. Reads go on.
LOCK TABLE article_scopes IN SHARE MODE;

CREATE TABLE scope_counts (
    key      text COLLATE "C" NOT NULL,
    articles bigint NOT NULL,
    CONSTRAINT scope_counts_pkey PRIMARY KEY (key)
);

INSERT INTO scope_counts (key, articles)
    SELECT scope_key, count(*) FROM article_scopes GROUP BY scope_key;

CREATE FUNCTION scope_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE scope_counts SET articles = articles - 1 WHERE key = OLD.scope_key;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO scope_counts (key, articles) VALUES (NEW.scope_key, 1)
            ON CONFLICT (key) DO UPDATE SET articles = scope_counts.articles + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER scope_counts_follow AFTER INSERT OR DELETE OR UPDATE OF scope_key ON article_scopes
    FOR EACH ROW EXECUTE FUNCTION scope_counts_follow();
