package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// scopesQuery lists every non-site scope with a visible article, its
// visible count and the name its newest visible article gives it (ties by
// article id, as scopeName picks it). It reads article_scopes' primary key
// in order, so the newest row of each scope comes first in its group.
const scopesQuery = `SELECT scope_key, name, n FROM (
	SELECT scope_key, name,
		count(*) OVER (PARTITION BY scope_key) AS n,
		row_number() OVER (PARTITION BY scope_key ORDER BY published_at DESC, article_id) AS rn
	FROM article_scopes
	WHERE scope_key <> 'site' AND published_at <= ?
) WHERE rn = 1`

// Scopes lists every category, tag and author with at least one article
// visible at now, ordered by kind (category, tag, author) then slug.
func (s *Store) Scopes(ctx context.Context, now time.Time) ([]herald.ScopeInfo, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: scopes: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, scopesQuery, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("sqlite: scopes: %w", err)
	}
	defer rows.Close()
	var out []herald.ScopeInfo
	for rows.Next() {
		var key string
		var info herald.ScopeInfo
		if err := rows.Scan(&key, &info.Name, &info.Articles); err != nil {
			return nil, fmt.Errorf("sqlite: scopes: %w", err)
		}
		if info.Scope, err = herald.ParseScopeKey(key); err != nil {
			return nil, fmt.Errorf("sqlite: scopes: %w", err)
		}
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: scopes: %w", err)
	}
	herald.SortScopes(out)
	return out, nil
}
