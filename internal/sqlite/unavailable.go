package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-feeds/herald/internal/herald"
)

// fail wraps err with the operation's name and, when the database itself
// is out of reach (locked by another process past the busy timeout, the
// disk failing or full, the file unreadable or unwritable, the pool
// closed, or the request's time running out while waiting for it), codes
// it EUnavailable: the client did nothing wrong, and trying again later may
// work, which a 503 with Retry-After tells it. Nothing was written: every
// write runs in one transaction that is rolled back on any error.
func fail(op string, err error) error {
	wrapped := fmt.Errorf("sqlite: %s: %w", op, err)
	if !unreachable(err) {
		return wrapped
	}
	return &herald.Error{Code: herald.EUnavailable, Message: "the database is unavailable; try again shortly", Err: wrapped}
}

// unreachable reports whether err says the database could not be used,
// as opposed to a bug or a constraint the data violated.
func unreachable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT,
			sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	// database/sql does not export its "database is closed" error.
	return strings.Contains(err.Error(), "sql: database is closed")
}
