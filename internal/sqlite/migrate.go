package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/herald-feeds/herald/internal/schema"
)

// migrationFiles holds the schema, one file per step, applied in name order.
//
//go:embed migrations/*.up.sql
var migrationFiles embed.FS

// Migration is one applied schema step.
type Migration = schema.Applied

// loadMigrations returns the embedded migrations in order.
func loadMigrations() ([]schema.Step, error) {
	return schema.Load(migrationFiles, "migrations")
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
// Then it runs the data rewrites those migrations left owed (rewrite.go).
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	return s.migrateThrough(ctx, "")
}

// migrateThrough is Migrate stopping after the step named last (every
// step when last is empty); tests use it to build a database as an older
// build left it.
func (s *Store) migrateThrough(ctx context.Context, last string) ([]string, error) {
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
		if last != "" && m.Version > last {
			break
		}
		did, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("sqlite: migrate %s: %w", m.Version, err)
		}
		if did {
			applied = append(applied, m.Version)
		}
	}
	if last == "" {
		// The schema is this build's: the rewrites may use its write path.
		if err := s.runDataRewrites(ctx); err != nil {
			return applied, err
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
	return schema.Versions(steps)
}

func (s *Store) applyMigration(ctx context.Context, m schema.Step) (applied bool, err error) {
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
	switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.Version).Scan(&one); {
	case err == nil:
		return false, tx.Commit() // applied earlier, maybe by another process
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.Version, s.clock().Unix()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// checkKnown refuses a database migrated by a newer build.
func (s *Store) checkKnown(ctx context.Context, steps []schema.Step) error {
	applied, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if err := schema.CheckKnown(steps, applied); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// KnownMigrations lists the versions this build embeds, in order, as the
// package function of the same name does; `herald migrate status` reaches
// it through the store.
func (s *Store) KnownMigrations() []string { return KnownMigrations() }

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
