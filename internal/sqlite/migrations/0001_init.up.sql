-- 0001_init: articles with their ordered lists, feed membership and the
-- per-scope bookkeeping that drives cache invalidation and Last-Modified.
-- Times are Unix seconds in UTC.

CREATE TABLE articles (
    id           TEXT    NOT NULL PRIMARY KEY,
    slug         TEXT    NOT NULL UNIQUE,
    title        TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    content_html TEXT    NOT NULL,
    language     TEXT    NOT NULL,
    image        TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- The admin listing: newest first, ties by id.
CREATE INDEX articles_by_published ON articles (published_at DESC, id);

-- Lists keep the publisher's order through position. The slug columns are
-- kept for the admin side and for scopes derived later; feeds read
-- article_scopes instead.
CREATE TABLE article_authors (
    article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    slug       TEXT    NOT NULL,
    PRIMARY KEY (article_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE article_terms (
    article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('category', 'tag')),
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    slug       TEXT    NOT NULL,
    PRIMARY KEY (article_id, kind, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE article_enclosures (
    article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    length     INTEGER NOT NULL,
    duration   INTEGER NOT NULL,
    PRIMARY KEY (article_id, position)
) STRICT, WITHOUT ROWID;

-- Feed membership: one row per article and scope it belongs to (the site
-- included), exactly herald.Article.Scopes(). published_at is copied from
-- the article so that a feed page, its count and the next scheduled time are
-- all range scans of the primary key, already in feed order; name is the
-- display name this article gives the scope.
CREATE TABLE article_scopes (
    scope_key    TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    article_id   TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    PRIMARY KEY (scope_key, published_at DESC, article_id)
) STRICT, WITHOUT ROWID;

-- Finding an article's scopes on replace and delete, and the cascade.
CREATE INDEX article_scopes_by_article ON article_scopes (article_id);

-- One row per scope ever written: how many writes touched it and when the
-- last one happened. Rows outlive the scope's last article on purpose, so a
-- scope that comes back keeps counting upwards.
CREATE TABLE scopes (
    key        TEXT    NOT NULL PRIMARY KEY,
    revision   INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
