package postgres

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

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
	storetest.RunWriteThrough(t, func(t *testing.T, now func() time.Time) herald.Store {
		return mustOpenURL(t, pgtest.NewDatabase(t), Options{Now: now, ArticleCache: artcache.DefaultMaxArticles})
	})
	storetest.RunPair(t, func(t *testing.T, now func() time.Time) (a, b herald.Store) {
		dbURL := pgtest.NewDatabase(t)
		opts := Options{Now: now, ArticleCache: artcache.DefaultMaxArticles}
		return mustOpenURL(t, dbURL, opts), mustOpenURL(t, dbURL, opts)
	})
	storetest.RunPacks(t, func(t *testing.T, now func() time.Time) storetest.PackStores {
		dbURL := pgtest.NewDatabase(t)
		s := mustOpenURL(t, dbURL, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles})
		old := mustOpenURL(t, dbURL, Options{Now: now})
		old.packless = true
		ctx := context.Background()
		return storetest.PackStores{
			Store: s, Packless: old,
			Pack: func(id string) (int64, int, []byte, bool) {
				var v int64
				var f int
				var p []byte
				err := s.pool.QueryRow(ctx, "SELECT version, format, pack FROM article_packs WHERE article_id = $1", id).Scan(&v, &f, &p)
				if isNoRows(err) {
					return 0, 0, nil, false
				}
				if err != nil {
					t.Fatalf("reading the pack of %s: %v", id, err)
				}
				return v, f, p, true
			},
			SetPack: func(id string, format int, pack []byte) {
				if _, err := s.pool.Exec(ctx, "UPDATE article_packs SET format = $1, pack = $2 WHERE article_id = $3", format, pack, id); err != nil {
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
		dbURL := pgtest.NewDatabase(t)
		before, err := Open(ctx, dbURL, Options{Now: now, SkipMigrate: true})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := before.migrateThrough(ctx, "0002_episodes"); err != nil {
			t.Fatalf("migrate through 0002: %v", err)
		}
		before.unmarked = true // the schema has no undelivered column yet
		before.packless = true // nor article_packs
		return before, func() herald.Store {
			after, err := Open(ctx, dbURL, Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
			if err != nil {
				t.Fatalf("Open after the upgrade: %v", err)
			}
			return after
		}
	})
}

// TestFeedReadRacingAWrite: a write landing between the two round trips of
// a pipelined feed read (the page's versions, then the articles not
// cached) makes the read start again, so the page is the one after the
// write; a write before every attempt ends in one ordinary transaction,
// whose page is consistent too.
func TestFeedReadRacingAWrite(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dbURL := pgtest.NewDatabase(t)
	opts := Options{Now: func() time.Time { return now }, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes}
	s := mustOpenURL(t, dbURL, opts)
	// The racing writes come from another replica: a process caches what
	// it writes itself, which would spare its read the fetch being raced.
	other := mustOpenURL(t, dbURL, opts)
	a := &herald.Article{ID: uuid.New().String(), Title: "Racing", PublishedAt: now.Add(-time.Hour)}
	if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := other.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	q := herald.FeedQuery{Scope: herald.SiteScope, Now: now, Limit: 10}
	calls := 0
	rewrite := func() {
		calls++
		b := a.Clone()
		b.Title = "Racing, rewrite " + strconv.Itoa(calls)
		if _, err := other.ReplaceArticle(ctx, b); err != nil {
			t.Errorf("ReplaceArticle: %v", err)
		}
	}
	t.Cleanup(func() { beforeFetch = nil })

	beforeFetch = func() {
		if calls == 0 {
			rewrite()
		}
	}
	page, err := s.Feed(ctx, q)
	if err != nil || len(page.Articles) != 1 || page.Articles[0].Title != "Racing, rewrite 1" {
		t.Fatalf("read racing one write: %v, err %v; want the rewritten article", titlesOf(page), err)
	}
	if calls != 1 {
		t.Fatalf("%d writes, want 1", calls)
	}

	s.ArticleCache().Purge()
	base := calls         // rewrites go on numbering: one that changed nothing would write nothing
	beforeFetch = rewrite // a write before every fetch, the fallback's included
	page, err = s.Feed(ctx, q)
	if err != nil || len(page.Articles) != 1 {
		t.Fatalf("read racing a write per attempt: %v, err %v", titlesOf(page), err)
	}
	if calls-base != 4 {
		t.Errorf("%d fetches, want 3 pipelined attempts and the transaction", calls-base)
	}
	// The transaction's snapshot predates its own racing write: it serves
	// the third rewrite, the last one committed before it began.
	if got, want := page.Articles[0].Title, "Racing, rewrite "+strconv.Itoa(base+3); got != want {
		t.Errorf("fallback read served %q, want %q, the third rewrite", got, want)
	}
	beforeFetch = nil
	s.ArticleCache().Purge()
	if page, err := s.Feed(ctx, q); err != nil || page.Articles[0].Title != "Racing, rewrite "+strconv.Itoa(base+4) {
		t.Errorf("after the race: %v, err %v, want the fourth rewrite", titlesOf(page), err)
	}
}

func titlesOf(p *herald.FeedPage) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, a := range p.Articles {
		out = append(out, a.Title)
	}
	return out
}
