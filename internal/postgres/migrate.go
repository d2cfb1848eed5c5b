package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/schema"
)

// migrationFiles holds the schema, one file per step, applied in name order.
//
//go:embed migrations/*.up.sql
var migrationFiles embed.FS

// migrationLock is the key of the transaction-scoped advisory lock every
// migration step holds: replicas starting at once on a fresh database queue
// on it, and each step is applied by exactly one of them. ("herald" in
// ASCII, so it is unlikely to collide with another application's key.)
const migrationLock int64 = 0x68_65_72_61_6c_64

// Migration is one applied schema step.
type Migration = schema.Applied

// KnownMigrations lists the versions this build embeds, in order.
func KnownMigrations() []string {
	steps, err := loadMigrations()
	if err != nil {
		return nil
	}
	return schema.Versions(steps)
}

// loadMigrations returns the embedded migrations in order.
func loadMigrations() ([]schema.Step, error) {
	return schema.Load(migrationFiles, "migrations")
}

// Migrate applies every embedded migration not yet recorded, in order, and
// returns the versions it applied (none when the schema is current).
//
// Each step runs in one transaction that first takes the advisory lock,
// then checks the record, applies the step and records it: a crash leaves
// the database before or after a step, and concurrent openers apply each
// step once. A database that records a step this build does not know is
// refused, since this build's queries would run against an unknown schema.
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
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	if err := s.ensureLedger(ctx); err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
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
			return applied, fmt.Errorf("postgres: migrate %s: %w", m.Version, err)
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

// ensureLedger creates schema_migrations under the advisory lock, since
// two concurrent CREATE TABLE IF NOT EXISTS can still collide in
// PostgreSQL's catalog.
func (s *Store) ensureLedger(ctx context.Context) error {
	return s.writeOnce(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    text COLLATE "C" NOT NULL PRIMARY KEY,
			applied_at timestamptz NOT NULL
		)`)
		return err
	})
}

func (s *Store) applyMigration(ctx context.Context, m schema.Step) (applied bool, err error) {
	err = s.writeOnce(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		var done bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.Version).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil // applied earlier, maybe by another replica
		}
		// Exec without arguments uses the simple protocol, which runs a
		// file of several statements.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", m.Version, s.clock()); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}

// checkKnown refuses a database migrated by a newer build.
func (s *Store) checkKnown(ctx context.Context, steps []schema.Step) error {
	applied, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if err := schema.CheckKnown(steps, applied); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// KnownMigrations lists the versions this build embeds, in order, as the
// package function of the same name does; `herald migrate status` reaches
// it through the store.
func (s *Store) KnownMigrations() []string { return KnownMigrations() }

// MigrationStatus lists the migrations recorded in the database, oldest
// first; none when the database has never been migrated.
func (s *Store) MigrationStatus(ctx context.Context) ([]Migration, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Migration, error) {
		var m Migration
		err := r.Scan(&m.Version, &m.AppliedAt)
		m.AppliedAt = m.AppliedAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", err)
	}
	return out, nil
}
