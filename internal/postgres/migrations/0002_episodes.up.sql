-- 0002_episodes: the optional podcast episode fields of an article, as in
-- the SQLite store's 0002. Zero and the empty string mean "not given", so
-- existing rows need no backfill.

ALTER TABLE articles
    ADD COLUMN episode         integer NOT NULL DEFAULT 0 CHECK (episode >= 0),
    ADD COLUMN season          integer NOT NULL DEFAULT 0 CHECK (season >= 0),
    ADD COLUMN episode_type    text    NOT NULL DEFAULT '',
    ADD COLUMN transcript_url  text    NOT NULL DEFAULT '',
    ADD COLUMN transcript_type text    NOT NULL DEFAULT '',
    ADD COLUMN chapters_url    text    NOT NULL DEFAULT '';
