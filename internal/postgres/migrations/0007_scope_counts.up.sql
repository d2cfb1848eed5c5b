-- 0007_scope_counts: how many articles each scope holds, so that a feed
-- read learns its scope's visible total without counting the scope's rows
-- of article_scopes: that count was a scan of every article of the scope
-- at every feed miss (docs/PERFORMANCE.md, item 47). The visible total is
-- articles minus the scope's scheduled ones (published_at after now),
-- which a read counts from the newest end of the scope's range: few.
--
-- A count is kept in two parts: scope_counts, a total per scope, and
-- scope_count_changes, one row of +1 or -1 per row inserted into or
-- deleted from article_scopes, written by a trigger whatever replica
-- writes (one still on the build before this migration too). A read adds
-- the scope's changes to its total; the servers fold the changes into
-- the totals now and then (one at a time, under an advisory lock). A
-- writer only ever inserts rows of its own here: it takes no lock that
-- another writer waits for, in any order, so the counts add no deadlock
-- to the writes, whatever builds write together. (A total kept by the
-- trigger in place deadlocked writers: item 46.)

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

CREATE TABLE scope_count_changes (
    scope_key text COLLATE "C" NOT NULL,
    change    integer NOT NULL
);

CREATE INDEX scope_count_changes_scope ON scope_count_changes (scope_key);

INSERT INTO scope_counts (key, articles)
    SELECT scope_key, count(*) FROM article_scopes GROUP BY scope_key;

CREATE FUNCTION scope_count_changes_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.scope_key = OLD.scope_key THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO scope_count_changes (scope_key, change) VALUES (OLD.scope_key, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO scope_count_changes (scope_key, change) VALUES (NEW.scope_key, 1);
    END IF;
    RETURN NULL;
END
$$;

-- The writers never change a row's scope in place (they delete and
-- insert), but an update that does is followed as well.
CREATE TRIGGER scope_count_changes_follow
    AFTER INSERT OR DELETE OR UPDATE OF scope_key ON article_scopes
    FOR EACH ROW EXECUTE FUNCTION scope_count_changes_follow();
