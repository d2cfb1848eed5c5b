package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// Feed returns one page of q.Scope's feed at q.Now, read from one snapshot:
// the page itself, the visible total, the scope's revision and change time,
// the next scheduled publication and the scope's display name. A limit of
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
// order: scope key, now, limit, offset.
const feedPageQuery = "SELECT " + articleColumns + ` FROM article_scopes s
	JOIN articles a ON a.id = s.article_id
	WHERE s.scope_key = ? AND s.published_at <= ?
	ORDER BY s.published_at DESC, s.article_id
	LIMIT ? OFFSET ?`

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

	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM article_scopes WHERE scope_key = ? AND published_at <= ?",
		key, now).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	next, ok, err := scanOptionalInt(tx.QueryRowContext(ctx,
		"SELECT min(published_at) FROM article_scopes WHERE scope_key = ? AND published_at > ?", key, now))
	if err != nil {
		return nil, fmt.Errorf("next publish: %w", err)
	}
	if ok {
		page.NextPublish = fromUnix(next)
	}
	var changed int64
	switch err := tx.QueryRowContext(ctx, "SELECT revision, changed_at FROM scopes WHERE key = ?", key).
		Scan(&page.Revision, &changed); {
	case err == nil:
		page.ChangedAt = fromUnix(changed)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("revision: %w", err)
	}

	page.Articles, err = queryArticles(ctx, tx, feedPageQuery, key, now, sqlLimit(q.Limit), max(q.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("page: %w", err)
	}
	return page, nil
}

// scopeName picks the display name of a category, tag or author scope:
// the name given by its newest visible article or, when every article of
// the scope is scheduled, by the next one to appear. Both choices are
// fixed by the data, so every replica picks the same name. ok is false when
// no article belongs to the scope.
func scopeName(ctx context.Context, tx queryer, key string, now int64) (name string, ok bool, err error) {
	queries := [...]string{
		`SELECT name FROM article_scopes WHERE scope_key = ? AND published_at <= ?
			ORDER BY published_at DESC, article_id LIMIT 1`,
		`SELECT name FROM article_scopes WHERE scope_key = ? AND published_at > ?
			ORDER BY published_at, article_id LIMIT 1`,
	}
	for _, query := range queries {
		err := tx.QueryRowContext(ctx, query, key, now).Scan(&name)
		if err == nil {
			return name, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, fmt.Errorf("scope name: %w", err)
		}
	}
	return "", false, nil
}
