-- 0007_slug_marks: from this build on, herald.Slugify keeps the combining
-- marks that follow a letter or digit (Devanagari, Bengali and Tamil vowel
-- signs and viramas, Thai vowels and tone marks, Arabic harakat, Hebrew
-- niqqud). Earlier builds dropped them as punctuation, so the slugs they
-- stored for such names (article_authors.slug, article_terms.slug and the
-- scope keys of article_scopes: "category:ह-न-द" for "हिन्दी") are not
-- those this build derives, and a new write of the same name would file
-- it under another scope than the articles already stored.
--
-- SQL cannot compute Slugify, so this step only records that a rewrite is
-- owed. Once every step is applied, the store (rewrite.go) writes again,
-- through its own write path and in transactions of a bounded number of
-- articles, each article whose stored slugs differ from those of its
-- names, and sets done_at here. A rewrite whose done_at is NULL runs at
-- the next open until it completes; each batch looks again at what it
-- writes, so two processes running it at once only repeat the search.
-- Articles' own slugs (their permalinks) are left as they are.

CREATE TABLE data_rewrites (
    name    TEXT    NOT NULL PRIMARY KEY,
    done_at INTEGER
) STRICT;

INSERT INTO data_rewrites (name) VALUES ('slug_marks');
