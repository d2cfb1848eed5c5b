package sqlite

import (
	"context"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// scopesQuery lists every non-site scope with a visible article, its
// visible count and the name its newest visible article gives it (ties by
// article id, as scopeName picks it): now. It goes scope by scope through
// the kept counts (migration 0006), each a few seeks of article_scopes'
// primary key from the newest end of its range, rather than through every
// row of every scope (which took seconds for a large archive, at every
// request for the directory or the OPML file).
const scopesQuery = `SELECT key, name, n FROM (
	SELECT c.key,
		(SELECT s.name FROM article_scopes s WHERE s.scope_key = c.key AND s.published_at <= ?1
			ORDER BY s.published_at DESC, s.article_id LIMIT 1) AS name,
		c.articles - (SELECT count(*) FROM article_scopes s WHERE s.scope_key = c.key AND s.published_at > ?1) AS n
	FROM scope_counts c
	WHERE c.key <> 'site' AND c.articles > 0
) WHERE name IS NOT NULL`

// Scopes lists every category, tag and author with at least one article
// visible at now, ordered by kind (category, tag, author) then slug.
func (s *Store) Scopes(ctx context.Context, now time.Time) ([]herald.ScopeInfo, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fail("scopes", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, scopesQuery, now.Unix())
	if err != nil {
		return nil, fail("scopes", err)
	}
	defer rows.Close()
	var out []herald.ScopeInfo
	for rows.Next() {
		var key string
		var info herald.ScopeInfo
		if err := rows.Scan(&key, &info.Name, &info.Articles); err != nil {
			return nil, fail("scopes", err)
		}
		if info.Scope, err = herald.ParseScopeKey(key); err != nil {
			return nil, fail("scopes", err)
		}
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("scopes", err)
	}
	herald.SortScopes(out)
	return out, nil
}
