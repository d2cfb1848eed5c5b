package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// scopesQuery lists every non-site scope with a visible article, its
// visible count and the name its newest visible article gives it (ties by
// article id, as a feed's name is picked).
const scopesQuery = `SELECT DISTINCT ON (scope_key) scope_key, name,
		count(*) OVER (PARTITION BY scope_key)
	FROM article_scopes
	WHERE scope_key <> 'site' AND published_at <= $1
	ORDER BY scope_key, published_at DESC, article_id`

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
