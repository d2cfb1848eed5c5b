package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
)

// Feed returns one page of q.Scope's feed at q.Now, read from one snapshot:
// the page itself, the visible total, the scope's revision and change time,
// the next scheduled publication, the page's horizon (herald.FeedPage) and
// the scope's display name. A limit of
// zero or less means no limit.
//
// Every query is a range scan of article_scopes' primary key (scope,
// published_at DESC, article_id), which is the feed's order.
func (s *Store) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	page, err := s.feed(ctx, q)
	if err != nil && !herald.IsNotFound(err) {
		return nil, fail("feed "+q.Scope.Key(), err)
	}
	return page, err
}

// feedPageQuery selects one page of a scope's visible articles in feed
// order: scope key, now, limit, offset. For a page further on,
// pageQuery picks feedPageDeepQuery.
const feedPageQuery = "SELECT " + articleColumns + ` FROM article_scopes s
	JOIN articles a ON a.id = s.article_id
	WHERE s.scope_key = ? AND s.published_at <= ?
	ORDER BY s.published_at DESC, s.article_id
	LIMIT ? OFFSET ?`

// feedKeysQuery selects the id and version of each article of one page of
// a scope, in feed order: scope key, now, limit, offset. The version comes
// from the index articles_version, without reading the rows (the planner,
// left alone, picks the primary key's index and reads each row). For a
// page further on, pageQuery picks feedKeysDeepQuery.
const feedKeysQuery = `SELECT s.article_id, a.version FROM article_scopes s
	JOIN articles a INDEXED BY articles_version ON a.id = s.article_id
	WHERE s.scope_key = ? AND s.published_at <= ?
	ORDER BY s.published_at DESC, s.article_id
	LIMIT ? OFFSET ?`

// pageScopes is one page of a scope's visible articles, in feed order,
// from article_scopes alone: scope key, now, limit, offset. The deep
// queries cut the page there before joining articles, so that a page far
// into the history (RFC 5005 archives) looks up its own articles only:
// the join above looks up every article before the page too (the
// eleventh page of 100, BenchmarkFeedDeepPage, made 1,100 lookups). On
// the first page the join stops at its limit anyway, and the deep form
// measured slower there (BenchmarkFeed100/warm 0.17-0.21 ms against
// 0.12-0.18).
const pageScopes = `(SELECT article_id, published_at FROM article_scopes
	WHERE scope_key = ? AND published_at <= ?
	ORDER BY published_at DESC, article_id
	LIMIT ? OFFSET ?) s`

// feedPageDeepQuery is feedPageQuery for a page after the first.
const feedPageDeepQuery = "SELECT " + articleColumns + " FROM " + pageScopes + `
	JOIN articles a ON a.id = s.article_id
	ORDER BY s.published_at DESC, s.article_id`

// feedKeysDeepQuery is feedKeysQuery for a page after the first.
const feedKeysDeepQuery = "SELECT s.article_id, a.version FROM " + pageScopes + `
	JOIN articles a INDEXED BY articles_version ON a.id = s.article_id
	ORDER BY s.published_at DESC, s.article_id`

// pageQuery is first for the first page, deep for a later one.
func pageQuery(first, deep string, offset int) string {
	if offset > 0 {
		return deep
	}
	return first
}

// articlesByIndexQuery selects the articles whose ids are in a JSON
// array, each row led by the id's index in the array (see the list
// queries in read.go), in no particular order.
const articlesByIndexQuery = "SELECT j.key, " + articleFields + " FROM json_each(?) j JOIN articles a ON a.id = j.value"

// pageArticles reads one page of a scope inside tx. Without an article
// cache it reads the page's rows and lists at once. With one it first reads
// the page's (id, version) pairs, then the rows and lists of only the
// articles whose version is not cached, all in the same snapshot, and
// caches those.
func (s *Store) pageArticles(ctx context.Context, tx queryer, key string, now int64, limit, offset int) ([]*herald.Article, error) {
	if s.articles == nil {
		return queryArticles(ctx, tx, pageQuery(feedPageQuery, feedPageDeepQuery, offset), key, now, limit, offset)
	}
	keys, err := pageKeys(ctx, tx, key, now, limit, offset)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return s.articles.Page(keys, func(missing []string) (map[string]*herald.Article, error) {
		byID, unpacked, err := packedArticles(ctx, tx, keys, missing)
		if err != nil {
			return nil, err
		}
		if len(unpacked) == 0 {
			return byID, nil
		}
		s.rowReads.Add(uint64(len(unpacked)))
		fetched, err := articlesByID(ctx, tx, unpacked)
		if err != nil {
			return nil, err
		}
		for _, a := range fetched {
			byID[a.ID] = a
		}
		return byID, nil
	})
}

// packsByIndexQuery selects the packs of a format of the articles whose
// ids are in a JSON array, each row led by the id's index in the array,
// with the version each pack was made from: ids, format.
const packsByIndexQuery = `SELECT j.key, p.version, p.pack
	FROM json_each(?) j JOIN article_packs p ON p.article_id = j.value AND p.format = ?`

// packedArticles reads the articles with ids from their packs, taking a
// pack only when it was made from the version keys name for its article
// (the version the page's snapshot holds). It returns the ids it found no
// such pack for, in their order: articles written before packs existed, or
// last written by a build that does not make them, or whose pack does not
// unpack. Those are read from their rows.
func packedArticles(ctx context.Context, tx queryer, keys []artcache.Key, ids []string) (map[string]*herald.Article, []string, error) {
	want := make(map[string]int64, len(keys))
	for _, k := range keys {
		want[k.ID] = k.Version
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, packsByIndexQuery, string(idList), herald.PackFormat)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byID := make(map[string]*herald.Article, len(ids))
	var i int
	var version int64
	var pack sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&i, &version, &pack); err != nil {
			return nil, nil, err
		}
		if i < 0 || i >= len(ids) || version != want[ids[i]] {
			continue
		}
		if a, err := herald.UnpackArticle(pack); err == nil && a.ID == ids[i] {
			byID[a.ID] = a
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var unpacked []string
	for _, id := range ids {
		if byID[id] == nil {
			unpacked = append(unpacked, id)
		}
	}
	return byID, unpacked, nil
}

// articlesByID reads the articles with ids, with their lists, in the order
// of ids.
func articlesByID(ctx context.Context, tx queryer, ids []string) ([]*herald.Article, error) {
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, articlesByIndexQuery, string(idList))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	arts := make([]*herald.Article, len(ids))
	var i int
	sc := newArticleScanner(&i)
	for rows.Next() {
		a, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(arts) || arts[i] != nil {
			return nil, fmt.Errorf("unexpected row for article %d of %d", i, len(arts))
		}
		a.ID = ids[i]
		arts[i] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i, a := range arts {
		if a == nil {
			// Impossible within one snapshot; never assemble a page with a hole.
			return nil, fmt.Errorf("article %s of the page is missing from its own snapshot", ids[i])
		}
	}
	if err := loadLists(ctx, tx, arts, string(idList)); err != nil {
		return nil, err
	}
	return arts, nil
}

// pageKeys reads the (id, version) of each article of a page, in order.
func pageKeys(ctx context.Context, tx queryer, key string, now int64, limit, offset int) ([]artcache.Key, error) {
	rows, err := tx.QueryContext(ctx, pageQuery(feedKeysQuery, feedKeysDeepQuery, offset), key, now, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []artcache.Key
	for rows.Next() {
		var k artcache.Key
		if err := rows.Scan(&k.ID, &k.Version); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// scopeStateQuery reads, in one statement, a scope's visible total, its
// next scheduled publication (NULL for none), and its revision (NULL
// before its first write) and change time (NULL before its first write
// that changed what it shows, stored as 0): scope key, now. The total is
// the scope's count of articles, which triggers keep (migration 0006),
// less its scheduled ones, counted from the newest end of its range.
const scopeStateQuery = `SELECT
	coalesce((SELECT articles FROM scope_counts WHERE key = ?1), 0) -
		(SELECT count(*) FROM article_scopes WHERE scope_key = ?1 AND published_at > ?2),
	(SELECT min(published_at) FROM article_scopes WHERE scope_key = ?1 AND published_at > ?2),
	(SELECT revision FROM scopes WHERE key = ?1),
	(SELECT NULLIF(changed_at, 0) FROM scopes WHERE key = ?1)`

func (s *Store) feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	key := q.Scope.Key()
	// Stored times are whole seconds; flooring Now keeps an article visible
	// from the first instant of its second.
	now := q.Now.Unix()
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	page := &herald.FeedPage{}
	if q.Scope.Kind != herald.ScopeSite {
		name, ok, err := scopeName(ctx, tx, key, now)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, herald.Errorf(herald.ENotFound, "%s %q not found", q.Scope.Kind, q.Scope.Slug)
		}
		page.Name = name
	}

	var next, revision, changed sql.NullInt64
	if err := tx.QueryRowContext(ctx, scopeStateQuery, key, now).Scan(&page.Total, &next, &revision, &changed); err != nil {
		return nil, fmt.Errorf("scope state: %w", err)
	}
	if next.Valid {
		page.NextPublish = fromUnix(next.Int64)
	}
	if revision.Valid {
		page.Revision = revision.Int64
	}
	if changed.Valid { // the epoch: created by writes that showed nothing
		page.ChangedAt = fromUnix(changed.Int64)
	}

	page.Articles, err = s.pageArticles(ctx, tx, key, now, sqlLimit(q.Limit), max(q.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("page: %w", err)
	}
	if q.Offset <= 0 {
		// The page starts at the newest end: its first article is the
		// horizon, and the feeds read most cost no statement more.
		if len(page.Articles) > 0 {
			page.Horizon = page.Articles[0].PublishedAt
		}
		return page, nil
	}
	var at int64
	switch err := tx.QueryRowContext(ctx, horizonQuery, key, now, horizonOffset(q)).Scan(&at); {
	case err == nil:
		page.Horizon = fromUnix(at)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("horizon: %w", err)
	}
	return page, nil
}

// horizonQuery selects the publication time of the visible article at an
// offset of a scope's feed order, from article_scopes' primary key alone:
// scope key, now, offset.
const horizonQuery = `SELECT published_at FROM article_scopes
	WHERE scope_key = ? AND published_at <= ?
	ORDER BY published_at DESC, article_id
	LIMIT 1 OFFSET ?`

// horizonOffset is where FeedPage.Horizon is read for q: Limit articles
// before the page, or the newest end.
func horizonOffset(q herald.FeedQuery) int {
	if q.Limit <= 0 {
		return 0
	}
	return max(0, q.Offset-q.Limit)
}

// scopeName picks the display name of a category, tag or author scope:
// the name given by its newest visible article, a choice fixed by the
// data, so every replica picks the same name. ok is false when no visible
// article belongs to the scope: a scope whose articles are all scheduled
// does not exist yet, so neither its feed nor its name shows before its
// first article does.
func scopeName(ctx context.Context, tx queryer, key string, now int64) (name string, ok bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT name FROM article_scopes WHERE scope_key = ? AND published_at <= ?
		ORDER BY published_at DESC, article_id LIMIT 1`, key, now).Scan(&name)
	switch {
	case err == nil:
		return name, true, nil
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	}
	return "", false, fmt.Errorf("scope name: %w", err)
}
