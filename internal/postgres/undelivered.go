package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// Undelivered lists up to max recorded scopes, in key order.
func (s *Store) Undelivered(ctx context.Context, max int) ([]herald.Undelivered, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, undelivered FROM scopes WHERE undelivered IS NOT NULL ORDER BY key LIMIT $1`, max)
	return collectUndelivered(rows, err)
}

// UndeliveredOf lists the records of scopes, in key order.
func (s *Store) UndeliveredOf(ctx context.Context, scopes []herald.Scope) ([]herald.Undelivered, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	keys := herald.Keys(scopes)
	rows, err := s.pool.Query(ctx, `SELECT key, undelivered FROM scopes WHERE key = ANY($1) AND undelivered IS NOT NULL ORDER BY key`, keys)
	return collectUndelivered(rows, err)
}

// collectUndelivered reads rows of a scope key and its mark.
func collectUndelivered(rows pgx.Rows, err error) ([]herald.Undelivered, error) {
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

// ClearUndelivered forgets each record of list that still holds its mark.
// It locks the scopes' rows in key order first, the order in which writes
// bump them, so that a clear and a write never wait on each other in a
// cycle (an UPDATE joined with the list locked them in whatever order its
// plan met them, and deadlocked now and then with writes: the clear lost
// and its records stayed for a sweep to deliver again).
func (s *Store) ClearUndelivered(ctx context.Context, list []herald.Undelivered) error {
	if len(list) == 0 {
		return nil
	}
	keys := make([]string, len(list))
	marks := make([]int64, len(list))
	for i, u := range list {
		keys[i], marks[i] = u.Scope.Key(), u.Mark
	}
	err := s.writeOnce(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM scopes WHERE key = ANY($1) ORDER BY key FOR UPDATE`, keys); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE scopes SET undelivered = NULL
			FROM unnest($1::text[], $2::bigint[]) AS c(key, mark)
			WHERE scopes.key = c.key AND scopes.undelivered = c.mark`, keys, marks)
		return err
	})
	if err != nil {
		return storeError("clear undelivered", err)
	}
	return nil
}

// Revisions returns the revisions of scopes, or of every written scope
// when scopes is nil (herald.Store).
func (s *Store) Revisions(ctx context.Context, scopes []herald.Scope) (map[herald.Scope]int64, error) {
	var rows pgx.Rows
	var err error
	if scopes == nil {
		rows, err = s.pool.Query(ctx, `SELECT key, revision FROM scopes`)
	} else {
		rows, err = s.pool.Query(ctx, `SELECT key, revision FROM scopes WHERE key = ANY($1)`, herald.Keys(scopes))
	}
	if err != nil {
		return nil, storeError("revisions", err)
	}
	out := map[herald.Scope]int64{}
	var key string
	var rev int64
	_, err = pgx.ForEachRow(rows, []any{&key, &rev}, func() error {
		sc, err := herald.ParseScopeKey(key)
		out[sc] = rev
		return err
	})
	if err != nil {
		return nil, storeError("revisions", err)
	}
	return out, nil
}
