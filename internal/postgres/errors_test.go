package postgres

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
)

// TestLostDatabaseIsUnavailable: when the database goes away under a
// running store, reads and writes fail with EUnavailable (503 at the API),
// not as internal errors.
func TestLostDatabaseIsUnavailable(t *testing.T) {
	// Without the article cache Feed reads in a transaction; with it, in
	// pipelined snapshots (feedPipelined).
	t.Run("transaction", func(t *testing.T) { testLostDatabase(t, Options{}) })
	t.Run("pipelined", func(t *testing.T) {
		testLostDatabase(t, Options{ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
	})
}

func testLostDatabase(t *testing.T, opts Options) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	s, err := Open(ctx, dbURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: time.Now(), Limit: 1}); err != nil {
		t.Fatalf("Feed before the loss: %v", err)
	}

	u, _ := url.Parse(dbURL)
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatalf("drop: %v", err)
	}

	a := &herald.Article{ID: "11111111-1111-4111-8111-111111111111", Title: "Lost", PublishedAt: time.Now()}
	if err := a.Prepare("https://example.com", time.Now(), herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		run  func() error
	}{
		{"Feed", func() error {
			_, err := s.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: time.Now(), Limit: 1})
			return err
		}},
		{"CreateArticle", func() error { return s.CreateArticle(ctx, a) }},
		{"Article", func() error { _, err := s.Article(ctx, a.ID); return err }},
		{"Ping", func() error { return s.Ping(ctx) }},
	}
	for _, op := range ops {
		err := op.run()
		if got := herald.ErrorCode(err); got != herald.EUnavailable {
			t.Fatalf("%s after the database was lost: code %q (err %v), want %q", op.name, got, err, herald.EUnavailable)
		}
	}
}
