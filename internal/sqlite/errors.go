package sqlite

import (
	"errors"
	"fmt"
	"strings"

	"github.com/herald-feeds/herald/internal/herald"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errArticleNotFound is returned for a missing id or slug.
func errArticleNotFound() error {
	return herald.Errorf(herald.ENotFound, "article not found")
}

// conflict turns a uniqueness violation on articles into EConflict naming
// the field. It decides on the driver's extended result code, which is
// stable, and reads the message only to tell the two unique columns apart,
// since SQLite reports both as "UNIQUE constraint failed: table.column".
// Any other error is returned as nil.
func conflict(err error, a *herald.Article) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return idTaken(err, a)
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		msg := se.Error()
		switch {
		case strings.Contains(msg, "articles.slug"):
			return &herald.Error{Code: herald.EConflict, Field: "slug", Message: fmt.Sprintf("slug %q is already taken", a.Slug), Err: err}
		case strings.Contains(msg, "articles.id"):
			return idTaken(err, a)
		}
	}
	return nil
}

func idTaken(err error, a *herald.Article) error {
	return &herald.Error{Code: herald.EConflict, Field: "id", Message: fmt.Sprintf("id %q is already taken", a.ID), Err: err}
}
