package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/postgres"
	"github.com/herald-feeds/herald/internal/schema"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// schemaStore is what `herald migrate` needs of a store, whichever it is.
type schemaStore interface {
	herald.Store
	// Migrate applies pending migrations and returns their versions.
	Migrate(ctx context.Context) ([]string, error)
	// MigrationStatus lists the migrations the database records.
	MigrationStatus(ctx context.Context) ([]schema.Applied, error)
	// KnownMigrations lists the versions the build embeds, in order.
	KnownMigrations() []string
}

// migrationState is one migration as `herald migrate status` shows it.
type migrationState struct {
	Version   string
	AppliedAt time.Time // zero while pending
	Unknown   bool      // recorded in the database, not embedded in this build
}

// storeOptions are what the subcommands choose about the store they open.
type storeOptions struct {
	// skipMigrate leaves the schema as it is: for `herald migrate`, which
	// applies or lists migrations itself, and the source of `herald copy`,
	// which is only read.
	skipMigrate bool
	// mustExist refuses an SQLite file that does not exist instead of
	// creating it: a store only read from (`herald copy --from`, `herald
	// migrate status`) is never new, and a mistyped path must say so.
	mustExist bool
	// articleCache is how many decoded articles the store keeps for feed
	// reads (cache.max_articles), in at most articleCacheBytes
	// (cache.max_article_bytes); only `herald serve` reads feeds.
	articleCache, articleCacheBytes int
	// log receives the warnings of the store's background work (nil
	// discards them).
	log *slog.Logger
}

// openStoreURL opens the store a database URL names: sqlite:PATH or a
// postgres:// (postgresql://) URL.
func openStoreURL(ctx context.Context, dbURL string, opts storeOptions) (schemaStore, error) {
	driver, dsn := (&config.Config{DatabaseURL: dbURL}).DatabaseDriver()
	switch driver {
	case config.DriverSQLite:
		if dsn == "" {
			return nil, fmt.Errorf("open store: sqlite: needs a file path, as in sqlite:data/herald.db")
		}
		if opts.mustExist {
			path, _, _ := strings.Cut(dsn, "?")
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("open store: sqlite: %w", err)
			}
		}
		s, err := sqlite.Open(ctx, dsn, sqlite.Options{SkipMigrate: opts.skipMigrate, ArticleCache: opts.articleCache, ArticleCacheBytes: opts.articleCacheBytes})
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return s, nil
	case config.DriverPostgres:
		s, err := postgres.Open(ctx, dsn, postgres.Options{SkipMigrate: opts.skipMigrate, ArticleCache: opts.articleCache, ArticleCacheBytes: opts.articleCacheBytes,
			Logger: opts.log})
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("open store: %q is not a sqlite:PATH, postgres:// or postgresql:// URL", redactURL(dbURL))
}

// migrationStates lists every migration the store's build knows, each
// with the time it was applied or zero when pending, followed by any the
// database records that this build does not know.
func migrationStates(ctx context.Context, s schemaStore) ([]migrationState, error) {
	known := s.KnownMigrations()
	ms, err := s.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	applied := map[string]time.Time{}
	var order []string
	for _, m := range ms {
		applied[m.Version] = m.AppliedAt
		order = append(order, m.Version)
	}
	seen := map[string]bool{}
	var out []migrationState
	for _, v := range known {
		seen[v] = true
		out = append(out, migrationState{Version: v, AppliedAt: applied[v]})
	}
	for _, v := range order {
		if !seen[v] {
			out = append(out, migrationState{Version: v, AppliedAt: applied[v], Unknown: true})
		}
	}
	return out, nil
}

// redactURL hides a password in a database URL for messages.
func redactURL(dbURL string) string { return postgres.Redact(dbURL) }
