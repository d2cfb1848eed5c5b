package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storetest"
)

// mustOpen opens a store in a fresh directory and closes it at the end of
// the test.
func mustOpen(tb testing.TB, now func() time.Time) *Store {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "data", "herald.db"), Options{Now: now})
}

// mustOpenPath opens a store on the database at path with opts and closes
// it at the end of the test.
func mustOpenPath(tb testing.TB, path string, opts Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path, opts)
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
		return mustOpenPath(t, filepath.Join(t.TempDir(), "herald.db"), Options{Now: now, ArticleCache: artcache.DefaultMaxArticles})
	})
	storetest.RunPair(t, func(t *testing.T, now func() time.Time) (a, b herald.Store) {
		path := filepath.Join(t.TempDir(), "herald.db")
		opts := Options{Now: now, ArticleCache: artcache.DefaultMaxArticles}
		return mustOpenPath(t, path, opts), mustOpenPath(t, path, opts)
	})
	storetest.RunPacks(t, func(t *testing.T, now func() time.Time) storetest.PackStores {
		path := filepath.Join(t.TempDir(), "herald.db")
		s := mustOpenPath(t, path, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles})
		old := mustOpenPath(t, path, Options{Now: now})
		old.packless = true
		ctx := context.Background()
		return storetest.PackStores{
			Store: s, Packless: old,
			Pack: func(id string) (int64, int, []byte, bool) {
				var v int64
				var f int
				var p []byte
				err := s.db.QueryRowContext(ctx, "SELECT version, format, pack FROM article_packs WHERE article_id = ?", id).Scan(&v, &f, &p)
				if errors.Is(err, sql.ErrNoRows) {
					return 0, 0, nil, false
				}
				if err != nil {
					t.Fatalf("reading the pack of %s: %v", id, err)
				}
				return v, f, p, true
			},
			SetPack: func(id string, format int, pack []byte) {
				if _, err := s.db.ExecContext(ctx, "UPDATE article_packs SET format = ?, pack = ? WHERE article_id = ?", format, pack, id); err != nil {
					t.Fatalf("setting the pack of %s: %v", id, err)
				}
			},
		}
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
		path := filepath.Join(t.TempDir(), "herald.db")
		before, err := Open(ctx, path, Options{Now: now, SkipMigrate: true})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := before.migrateThrough(ctx, "0002_episodes"); err != nil {
			t.Fatalf("migrate through 0002: %v", err)
		}
		before.unmarked = true // the schema has no undelivered column yet
		before.packless = true // nor article_packs
		return before, func() herald.Store {
			after, err := Open(ctx, path, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
			if err != nil {
				t.Fatalf("Open after the upgrade: %v", err)
			}
			return after
		}
	})
}
