package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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
	rows, err := s.db.QueryContext(ctx, `SELECT key, undelivered FROM scopes WHERE undelivered IS NOT NULL ORDER BY key LIMIT ?`, max)
	if err != nil {
		return nil, fail("undelivered", err)
	}
	defer rows.Close()
	var out []herald.Undelivered
	for rows.Next() {
		var key string
		var u herald.Undelivered
		if err := rows.Scan(&key, &u.Mark); err != nil {
			return nil, fail("undelivered", err)
		}
		if u.Scope, err = herald.ParseScopeKey(key); err != nil {
			return nil, fmt.Errorf("sqlite: undelivered: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
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
