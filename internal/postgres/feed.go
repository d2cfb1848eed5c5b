package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// Feed returns one page of q.Scope's feed at q.Now, read from one snapshot:
// the page itself, the visible total, the scope's revision and change time,
// the next scheduled publication and the scope's display name. A limit of
// zero or less means no limit.
func (s *Store) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	var page *herald.FeedPage
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		page, err = feed(ctx, tx, q)
		return err
	})
	if err != nil && !herald.IsNotFound(err) {
		return nil, storeError("feed "+q.Scope.Key(), err)
	}
	return page, err
}

// feedPageQuery selects one page of a scope's visible articles in feed
// order: scope key, now, limit, offset.
const feedPageQuery = "SELECT " + articleColumns + ` FROM article_scopes s
	JOIN articles a ON a.id = s.article_id
	WHERE s.scope_key = $1 AND s.published_at <= $2
	ORDER BY s.published_at DESC, s.article_id
	LIMIT $3 OFFSET $4`

func feed(ctx context.Context, tx pgx.Tx, q herald.FeedQuery) (*herald.FeedPage, error) {
	key := q.Scope.Key()
	// Stored times are whole seconds; flooring Now keeps an article visible
	// from the first instant of its second.
	now := seconds(q.Now)
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

	var next *time.Time
	err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE published_at <= $2), min(published_at) FILTER (WHERE published_at > $2)
		FROM article_scopes WHERE scope_key = $1`, key, now).Scan(&page.Total, &next)
	if err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	if next != nil {
		page.NextPublish = next.UTC()
	}
	switch err := tx.QueryRow(ctx, "SELECT revision, changed_at FROM scopes WHERE key = $1", key).
		Scan(&page.Revision, &page.ChangedAt); {
	case err == nil:
		page.ChangedAt = page.ChangedAt.UTC()
	case !isNoRows(err):
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
// the scope is scheduled, by the next one to appear. ok is false when no
// article belongs to the scope.
func scopeName(ctx context.Context, tx pgx.Tx, key string, now time.Time) (name string, ok bool, err error) {
	queries := [...]string{
		`SELECT name FROM article_scopes WHERE scope_key = $1 AND published_at <= $2
			ORDER BY published_at DESC, article_id LIMIT 1`,
		`SELECT name FROM article_scopes WHERE scope_key = $1 AND published_at > $2
			ORDER BY published_at, article_id LIMIT 1`,
	}
	for _, query := range queries {
		err := tx.QueryRow(ctx, query, key, now).Scan(&name)
		if err == nil {
			return name, true, nil
		}
		if !isNoRows(err) {
			return "", false, fmt.Errorf("scope name: %w", err)
		}
	}
	return "", false, nil
}
