package sqlite

import (
	"context"
	"database/sql"

	"github.com/herald-feeds/herald/internal/herald"
)

// MarkUndelivered records each of scopes under its current revision.
func (s *Store) MarkUndelivered(ctx context.Context, scopes []herald.Scope) error {
	if len(scopes) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, sc := range scopes {
			if _, err := tx.ExecContext(ctx, `UPDATE scopes SET undelivered = revision WHERE key = ?`, sc.Key()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail("mark undelivered", err)
	}
	return nil
}

// Undelivered lists up to max recorded scopes.
func (s *Store) Undelivered(ctx context.Context, max int) ([]herald.Undelivered, error) {
	var out []herald.Undelivered
	var key string
	var mark int64
	err := eachRow(ctx, s.db, `SELECT key, undelivered FROM scopes WHERE undelivered IS NOT NULL ORDER BY key LIMIT ?`, max,
		[]any{&key, &mark}, func() error {
			sc, err := herald.ParseScopeKey(key)
			out = append(out, herald.Undelivered{Scope: sc, Mark: mark})
			return err
		})
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
