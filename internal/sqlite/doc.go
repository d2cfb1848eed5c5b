// Package sqlite is Herald's embedded store: herald.Store on a single SQLite
// file through the pure Go driver modernc.org/sqlite, so the binary builds
// with CGO_ENABLED=0.
//
// The schema lives in embedded migrations applied at Open, followed by the
// data rewrites a migration may leave owed, which SQL cannot express
// (rewrite.go: the articles filed under slugs of an older Slugify). Every
// write runs in one IMMEDIATE transaction that changes the article rows
// and bumps the revision of every scope the article touches; every read
// that needs more than one statement runs in one read transaction, which
// in WAL mode is a consistent snapshot that does not block writers.
//
// Empty lists (authors, categories, tags, enclosures) come back as nil.
package sqlite
