package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

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

// storeError wraps err with the operation's name. An error that means the
// database could not be reached becomes EUnavailable, which the API
// answers with 503 and Retry-After rather than 500: a replica that lost
// PostgreSQL is not broken, and the client should try again.
func storeError(op string, err error) error {
	wrapped := fmt.Errorf("postgres: %s: %w", op, err)
	if unreachable(err) {
		return &herald.Error{Code: herald.EUnavailable, Message: "the database is unavailable", Err: wrapped}
	}
	return wrapped
}

// unreachable reports whether err says the server could not be reached or
// dropped the connection, as opposed to rejecting a statement.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pe):
		// Class 08 is "connection exception"; 57P01-57P03 are the server
		// shutting down or starting up.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return false
}
