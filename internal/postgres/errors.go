package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/herald-feeds/herald/internal/herald"
)

// SQLSTATE codes the store reacts to.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// errArticleNotFound is returned for a missing id or slug.
func errArticleNotFound() error {
	return herald.Errorf(herald.ENotFound, "article not found")
}

// conflict turns a uniqueness violation on articles into EConflict naming
// the field, telling the columns apart by the constraint names the
// migration gives them. Any other error is returned as nil.
func conflict(err error, a *herald.Article) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != codeUniqueViolation {
		return nil
	}
	switch pe.ConstraintName {
	case "articles_slug_key":
		return &herald.Error{Code: herald.EConflict, Field: "slug", Message: fmt.Sprintf("slug %q is already taken", a.Slug), Err: err}
	case "articles_pkey":
		return &herald.Error{Code: herald.EConflict, Field: "id", Message: fmt.Sprintf("id %q is already taken", a.ID), Err: err}
	}
	return nil
}

// isRetryable reports whether err aborted a transaction that may succeed
// when run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == codeDeadlockDetected || pe.Code == codeSerializationFailure)
}
