package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/storetest"
)

// mustOpen opens a store on a fresh database and closes it at the end of
// the test.
func mustOpen(tb testing.TB, now func() time.Time) *Store {
	tb.Helper()
	return mustOpenURL(tb, pgtest.NewDatabase(tb), Options{Now: now})
}

// mustOpenURL opens a store on the database at dbURL with opts and closes
// it at the end of the test.
func mustOpenURL(tb testing.TB, dbURL string, opts Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dbURL, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the suite on stores configured as `herald serve`
// opens them, with an article cache.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) herald.Store {
		return mustOpenURL(t, pgtest.NewDatabase(t), Options{Now: now, ArticleCache: artcache.DefaultMaxArticles})
	})
	storetest.RunPair(t, func(t *testing.T, now func() time.Time) (a, b herald.Store) {
		dbURL := pgtest.NewDatabase(t)
		opts := Options{Now: now, ArticleCache: artcache.DefaultMaxArticles}
		return mustOpenURL(t, dbURL, opts), mustOpenURL(t, dbURL, opts)
	})
}

// TestConformanceNoArticleCache runs the suite on stores without an
// article cache, the path `herald copy` and `herald migrate` take.
func TestConformanceNoArticleCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) herald.Store {
		return mustOpen(t, now)
	})
}

// TestUpgrade: migration 0003 on a database that already holds articles.
func TestUpgrade(t *testing.T) {
	storetest.RunUpgrade(t, func(t *testing.T, now func() time.Time) (herald.Store, func() herald.Store) {
		ctx := context.Background()
		dbURL := pgtest.NewDatabase(t)
		before, err := Open(ctx, dbURL, Options{Now: now, SkipMigrate: true})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := before.migrateThrough(ctx, "0002_episodes"); err != nil {
			t.Fatalf("migrate through 0002: %v", err)
		}
		return before, func() herald.Store {
			after, err := Open(ctx, dbURL, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
			if err != nil {
				t.Fatalf("Open after the upgrade: %v", err)
			}
			return after
		}
	})
}
