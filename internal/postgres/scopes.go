package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// scopesQuery lists every non-site scope with a visible article, its
// visible count and the name its newest visible article gives it (ties by
// article id, as a feed's name is picked): now. It goes scope by scope
// (every scope written has a row in scopes), each a few probes of indexes
// from the newest end of its range and its kept count (counts.go), rather
// than through every row of every scope (seconds for a large archive, at
// every request for the directory or the OPML file).
const scopesQuery = `SELECT k.key, n.name,
		coalesce(c.articles, 0) +
		coalesce((SELECT sum(d.change) FROM scope_count_changes d WHERE d.scope_key = k.key), 0) -
		(SELECT count(*) FROM article_scopes s WHERE s.scope_key = k.key AND s.published_at > $1)
	FROM scopes k
	CROSS JOIN LATERAL (SELECT s.name FROM article_scopes s WHERE s.scope_key = k.key AND s.published_at <= $1
		ORDER BY s.published_at DESC, s.article_id LIMIT 1) n
	LEFT JOIN scope_counts c ON c.key = k.key
	WHERE k.key <> 'site'`

// Scopes lists every category, tag and author with at least one article
// visible at now, ordered by kind (category, tag, author) then slug.
func (s *Store) Scopes(ctx context.Context, now time.Time) ([]herald.ScopeInfo, error) {
	var out []herald.ScopeInfo
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, scopesQuery, seconds(now))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (herald.ScopeInfo, error) {
			var key string
			var info herald.ScopeInfo
			if err := r.Scan(&key, &info.Name, &info.Articles); err != nil {
				return info, err
			}
			info.Scope, err = herald.ParseScopeKey(key)
			return info, err
		})
		return err
	})
	if err != nil {
		return nil, storeError("scopes", err)
	}
	herald.SortScopes(out)
	return out, nil
}
