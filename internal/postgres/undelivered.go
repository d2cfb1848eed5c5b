package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// MarkUndelivered records each of scopes under its current revision.
func (s *Store) MarkUndelivered(ctx context.Context, scopes []herald.Scope) error {
	if len(scopes) == 0 {
		return nil
	}
	keys := make([]string, len(scopes))
	for i, sc := range scopes {
		keys[i] = sc.Key()
	}
	if _, err := s.pool.Exec(ctx, `UPDATE scopes SET undelivered = revision WHERE key = ANY($1)`, keys); err != nil {
		return storeError("mark undelivered", err)
	}
	return nil
}

// Undelivered lists up to max recorded scopes.
func (s *Store) Undelivered(ctx context.Context, max int) ([]herald.Undelivered, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, undelivered FROM scopes WHERE undelivered IS NOT NULL ORDER BY key LIMIT $1`, max)
	if err != nil {
		return nil, storeError("undelivered", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (herald.Undelivered, error) {
		var key string
		var u herald.Undelivered
		if err := r.Scan(&key, &u.Mark); err != nil {
			return u, err
		}
		u.Scope, err = herald.ParseScopeKey(key)
		return u, err
	})
	if err != nil {
		return nil, storeError("undelivered", err)
	}
	return out, nil
}

// ClearUndelivered forgets each record of list that still holds its mark,
// in one statement.
func (s *Store) ClearUndelivered(ctx context.Context, list []herald.Undelivered) error {
	if len(list) == 0 {
		return nil
	}
	keys := make([]string, len(list))
	marks := make([]int64, len(list))
	for i, u := range list {
		keys[i], marks[i] = u.Scope.Key(), u.Mark
	}
	_, err := s.pool.Exec(ctx, `UPDATE scopes SET undelivered = NULL
		FROM unnest($1::text[], $2::bigint[]) AS c(key, mark)
		WHERE scopes.key = c.key AND scopes.undelivered = c.mark`, keys, marks)
	if err != nil {
		return storeError("clear undelivered", err)
	}
	return nil
}
