package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/herald-feeds/herald/internal/herald"
)

// Undelivered lists up to max recorded scopes, in key order.
func (s *Store) Undelivered(ctx context.Context, max int) ([]herald.Undelivered, error) {
	out, err := undelivered(ctx, s.db, `SELECT key, undelivered FROM scopes WHERE undelivered IS NOT NULL ORDER BY key LIMIT ?`, max)
	if err != nil {
		return nil, fail("undelivered", err)
	}
	return out, nil
}

// undelivered runs query, which selects a scope key and its mark, with arg.
func undelivered(ctx context.Context, q queryer, query string, arg any) ([]herald.Undelivered, error) {
	var out []herald.Undelivered
	var key string
	var mark int64
	err := eachRow(ctx, q, query, arg, []any{&key, &mark}, func() error {
		sc, err := herald.ParseScopeKey(key)
		out = append(out, herald.Undelivered{Scope: sc, Mark: mark})
		return err
	})
	return out, err
}

// UndeliveredOf lists the records of scopes, in key order.
func (s *Store) UndeliveredOf(ctx context.Context, scopes []herald.Scope) ([]herald.Undelivered, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	keys := herald.Keys(scopes)
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, fail("undelivered", err)
	}
	out, err := undelivered(ctx, s.db, `SELECT s.key, s.undelivered FROM json_each(?) j JOIN scopes s ON s.key = j.value
		WHERE s.undelivered IS NOT NULL ORDER BY s.key`, string(list))
	if err != nil {
		return nil, fail("undelivered", err)
	}
	return out, nil
}

// ClearUndelivered forgets each record of list that still holds its mark.
func (s *Store) ClearUndelivered(ctx context.Context, list []herald.Undelivered) error {
	if len(list) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, u := range list {
			if _, err := tx.ExecContext(ctx, `UPDATE scopes SET undelivered = NULL WHERE key = ? AND undelivered = ?`, u.Scope.Key(), u.Mark); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail("clear undelivered", err)
	}
	return nil
}

// Revisions returns the revisions of scopes, or of every written scope
// when scopes is nil (herald.Store).
func (s *Store) Revisions(ctx context.Context, scopes []herald.Scope) (map[herald.Scope]int64, error) {
	query, arg := `SELECT key, revision FROM scopes WHERE ? IS NULL`, any(nil)
	if scopes != nil {
		list, err := json.Marshal(herald.Keys(scopes))
		if err != nil {
			return nil, fail("revisions", err)
		}
		query, arg = `SELECT s.key, s.revision FROM json_each(?) j JOIN scopes s ON s.key = j.value`, string(list)
	}
	out := map[herald.Scope]int64{}
	var key string
	var rev int64
	err := eachRow(ctx, s.db, query, arg, []any{&key, &rev}, func() error {
		sc, err := herald.ParseScopeKey(key)
		out[sc] = rev
		return err
	})
	if err != nil {
		return nil, fail("revisions", err)
	}
	return out, nil
}
