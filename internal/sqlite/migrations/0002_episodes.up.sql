-- 0002_episodes: the optional podcast episode fields of an article. Zero and
-- the empty string mean "not given", as in the API, so existing rows need no
-- backfill.

ALTER TABLE articles ADD COLUMN episode         INTEGER NOT NULL DEFAULT 0 CHECK (episode >= 0);
ALTER TABLE articles ADD COLUMN season          INTEGER NOT NULL DEFAULT 0 CHECK (season >= 0);
ALTER TABLE articles ADD COLUMN episode_type    TEXT    NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN transcript_url  TEXT    NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN transcript_type TEXT    NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN chapters_url    TEXT    NOT NULL DEFAULT '';
