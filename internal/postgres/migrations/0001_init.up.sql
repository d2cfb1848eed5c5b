-- 0001_init: the same tables as the SQLite store's first migration, in
-- PostgreSQL's types. Times are timestamptz holding whole seconds in UTC.
-- Identifiers, slugs and scope keys use the "C" collation so that ordering
-- by them is byte order, as in SQLite: ties in a feed are broken by id, and
-- every replica must list them in the same order whatever the database's
-- locale.

CREATE TABLE articles (
    id           text COLLATE "C" NOT NULL,
    slug         text COLLATE "C" NOT NULL,
    title        text        NOT NULL,
    url          text        NOT NULL,
    summary      text        NOT NULL,
    content_html text        NOT NULL,
    language     text        NOT NULL,
    image        text        NOT NULL,
    published_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT articles_pkey PRIMARY KEY (id),
    CONSTRAINT articles_slug_key UNIQUE (slug)
);

-- The admin listing: newest first, ties by id.
CREATE INDEX articles_by_published ON articles (published_at DESC, id);

-- Lists keep the publisher's order through position.
CREATE TABLE article_authors (
    article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    name       text    NOT NULL,
    email      text    NOT NULL,
    url        text    NOT NULL,
    slug       text    NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE article_terms (
    article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       text    NOT NULL CHECK (kind IN ('category', 'tag')),
    position   integer NOT NULL,
    name       text    NOT NULL,
    slug       text    NOT NULL,
    PRIMARY KEY (article_id, kind, position)
);

CREATE TABLE article_enclosures (
    article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    url        text    NOT NULL,
    type       text    NOT NULL,
    length     bigint  NOT NULL,
    duration   bigint  NOT NULL,
    PRIMARY KEY (article_id, position)
);

-- Feed membership: one row per article and scope it belongs to, the site
-- included (herald.Article.Scopes()). published_at is copied from the
-- article so that a page, its count and the next scheduled time are range
-- scans of article_scopes_feed, which is in feed order (a primary key
-- cannot mix sort directions).
CREATE TABLE article_scopes (
    scope_key    text COLLATE "C" NOT NULL,
    published_at timestamptz NOT NULL,
    article_id   text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    name         text NOT NULL,
    PRIMARY KEY (scope_key, article_id)
);

CREATE INDEX article_scopes_feed ON article_scopes (scope_key, published_at DESC, article_id);
CREATE INDEX article_scopes_by_article ON article_scopes (article_id);

-- One row per scope ever written: how many writes touched it and when the
-- last one happened. Rows outlive the scope's last article on purpose.
CREATE TABLE scopes (
    key        text COLLATE "C" NOT NULL PRIMARY KEY,
    revision   bigint      NOT NULL,
    changed_at timestamptz NOT NULL
);
