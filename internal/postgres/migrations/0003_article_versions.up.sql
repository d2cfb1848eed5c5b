-- 0003_article_versions: a version on every article row, as in the SQLite
-- store's 0003, so that a process keeping decoded articles in memory
-- (internal/artcache) can tell which rows of a feed page changed since it
-- read them. Times are whole seconds and cannot serve: two writes in one
-- second would look alike.
--
-- Versions come from one sequence for the whole database, so a pair
-- (id, version) is never reused, even for an article deleted and created
-- again under the same id. Existing rows start at 1; the sequence hands
-- out 2 and up. A trigger assigns the version on every insert and update
-- of a row, inside the writing transaction, so no write path can forget
-- it, including a replica still running the build before this migration
-- during a rolling upgrade. Every write of an article's lists also
-- rewrites its row, so the row's version covers the lists too.

ALTER TABLE articles ADD COLUMN version bigint NOT NULL DEFAULT 1;

CREATE SEQUENCE article_versions AS bigint START WITH 2;

CREATE FUNCTION articles_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('article_versions');
    RETURN NEW;
END
$$;

CREATE TRIGGER articles_version BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_next_version();
