package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"
)

// migrationFiles holds the schema, one file per step, applied in name order.
//
//go:embed migrations/*.up.sql
var migrationFiles embed.FS

// migrationName matches the files the runner accepts: a zero-padded
// sequence number, an underscore and a description.
var migrationName = regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+\.up\.sql$`)

// Migration is one applied schema step.
type Migration struct {
	// Version is the migration's file name without ".up.sql", e.g. "0001_init".
	Version   string
	AppliedAt time.Time
}

// migration is a step this build knows, read from migrationFiles.
type migration struct {
	version string
	sql     string
}

// loadMigrations returns the embedded migrations in order.
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.up.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		if !migrationName.MatchString(base) {
			return nil, fmt.Errorf("bad migration file name %q", base)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: strings.TrimSuffix(base, ".up.sql"), sql: string(b)})
	}
	return out, nil
}

// ledgerTable records the applied migrations.
const ledgerTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    TEXT    NOT NULL PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`

// migrate applies every embedded migration not yet recorded, in order.
//
// Each migration and the row recording it commit in one transaction, so a
// crash leaves the database either before or after a step, never in
// between. The transaction is IMMEDIATE (see dsn): the check for "already
// applied" happens under the write lock, so two processes opening a fresh
// file at once apply each step once.
func (s *Store) migrate(ctx context.Context) error {
	_, err := s.Migrate(ctx)
	return err
}

// Migrate applies pending migrations as Open does and returns the versions
// it applied (none when the schema is current), for `herald migrate up`.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	steps, err := loadMigrations()
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrate: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, ledgerTable); err != nil {
		return nil, fmt.Errorf("sqlite: migrate: %w", err)
	}
	if err := s.checkKnown(ctx, steps); err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range steps {
		did, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("sqlite: migrate %s: %w", m.version, err)
		}
		if did {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// KnownMigrations lists the versions this build embeds, in order.
func KnownMigrations() []string {
	steps, err := loadMigrations()
	if err != nil {
		return nil
	}
	out := make([]string, len(steps))
	for i, m := range steps {
		out[i] = m.version
	}
	return out
}

func (s *Store) applyMigration(ctx context.Context, m migration) (applied bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var one int
	switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.version).Scan(&one); {
	case err == nil:
		return false, tx.Commit() // applied earlier, maybe by another process
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.version, s.clock().Unix()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// checkKnown refuses a database migrated by a newer build: this build's
// queries would run against a schema it does not know.
func (s *Store) checkKnown(ctx context.Context, steps []migration) error {
	applied, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(steps))
	for _, m := range steps {
		known[m.version] = true
	}
	for _, a := range applied {
		if !known[a.Version] {
			return fmt.Errorf("sqlite: migrate: the database has migration %s, which this build does not know; run a newer herald", a.Version)
		}
	}
	return nil
}

// MigrationStatus lists the migrations recorded in the database, oldest
// first.
func (s *Store) MigrationStatus(ctx context.Context) ([]Migration, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	defer rows.Close()
	var out []Migration
	for rows.Next() {
		var m Migration
		var at int64
		if err := rows.Scan(&m.Version, &at); err != nil {
			return nil, fmt.Errorf("sqlite: migration status: %w", err)
		}
		m.AppliedAt = fromUnix(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	return out, nil
}
