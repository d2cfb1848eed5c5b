package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/storetest"
)

// BenchmarkFeed: the first page of 20 from scopes of 100 articles
// (storetest.BenchmarkFeed).
func BenchmarkFeed(b *testing.B) {
	storetest.BenchmarkFeed(b, func(b *testing.B, now func() time.Time) herald.Store { return mustOpen(b, now) })
}

// BenchmarkCreateArticle writes one article with its lists and scope
// bookkeeping per iteration, one transaction each.
func BenchmarkCreateArticle(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustOpen(b, func() time.Time { return now })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		a := &herald.Article{
			ID: uuid.New().String(), Title: fmt.Sprintf("Write %d", i),
			Authors:     []herald.Author{{Name: "Ann Lee"}},
			Categories:  []string{"Go"},
			Tags:        []string{"bench", fmt.Sprintf("t%d", i%10)},
			PublishedAt: now.Add(-time.Duration(i) * time.Minute),
		}
		if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
			b.Fatalf("Prepare: %v", err)
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			b.Fatalf("CreateArticle: %v", err)
		}
	}
}

// BenchmarkFeed100: a page of the 100 sample articles without, with a
// warm and with an emptied article cache (storetest.BenchmarkFeed100).
func BenchmarkFeed100(b *testing.B) {
	storetest.BenchmarkFeed100(b, openerAt(pgtest.NewDatabase(b)), vacuum(b))
}

// BenchmarkFeedDeepPage: the eleventh page of 100 of 1,100 articles, all
// cached (storetest.BenchmarkFeedDeepPage).
func BenchmarkFeedDeepPage(b *testing.B) {
	storetest.BenchmarkFeedDeepPage(b, openerAt(pgtest.NewDatabase(b)), vacuum(b))
}

// openerAt opens the store on the database at dbURL, with the article
// cache `herald serve` gives it when cached is set.
func openerAt(dbURL string) storetest.Feed100Opener {
	return func(b *testing.B, now func() time.Time, cached bool) herald.Store {
		opts := Options{Now: now}
		if cached {
			opts.ArticleCache, opts.ArticleCacheBytes = artcache.DefaultMaxArticles, artcache.DefaultMaxBytes
		}
		return mustOpenURL(b, dbURL, opts)
	}
}

// vacuum does what autovacuum does in service: statistics for the planner
// and the visibility map that lets index-only scans skip the rows.
func vacuum(b *testing.B) func(herald.Store) {
	return func(s herald.Store) {
		if _, err := s.(*Store).pool.Exec(context.Background(), "VACUUM ANALYZE"); err != nil {
			b.Fatalf("VACUUM ANALYZE: %v", err)
		}
	}
}

// BenchmarkFeedLargeArchive: the first page of 100 of a site of 200,000
// articles, every article of the page cached, as a miss after a write of
// a long-running site reads it. What grows with the archive is the
// scope's visible total, which a feed read returns (paging needs it).
func BenchmarkFeedLargeArchive(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustOpenURL(b, pgtest.NewDatabase(b), Options{Now: func() time.Time { return now },
		ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
	// Rows written directly, as an import of a long archive leaves them
	// (less their lists and packs, which a cached page does not read).
	if _, err := s.pool.Exec(ctx, `INSERT INTO articles (id, slug, title, url, summary, content_html, language, image, published_at, updated_at)
		SELECT 'a' || i, 'a-' || i, 'Article ' || i, 'https://example.com/a-' || i, '', '<p>Text.</p>', '', '',
			$1::timestamptz - i * interval '1 minute', $1
		FROM generate_series(1, 200000) i`, now); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO article_scopes (scope_key, published_at, article_id, name)
		SELECT 'site', published_at, id, '' FROM articles`); err != nil {
		b.Fatal(err)
	}
	// A build that keeps counts folds as a server would within seconds.
	fold := func() {
		if f, ok := any(s).(interface {
			FoldCounts(context.Context) (int64, error)
		}); ok {
			if _, err := f.FoldCounts(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	fold()
	read := func(b *testing.B, total int) {
		vacuum(b)(s)
		q := herald.FeedQuery{Scope: herald.SiteScope, Now: now, Limit: 100}
		if p, err := s.Feed(ctx, q); err != nil || p.Total != total || len(p.Articles) != 100 {
			b.Fatalf("Feed: %v; want a page of 100 of %d", err, total)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Feed(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("folded", func(b *testing.B) { read(b, 200000) })
	// The write API's first page of 20, with the number of articles.
	b.Run("list", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if list, total, err := s.ListArticles(ctx, 0, 20); err != nil || total != 200000 || len(list) != 20 {
				b.Fatalf("ListArticles: %d of %d, %v; want 20 of 200000", len(list), total, err)
			}
		}
	})
	// 10,000 more articles not folded yet, as a server reads ten seconds
	// into an import of 1,000 articles a second.
	if _, err := s.pool.Exec(ctx, `INSERT INTO articles (id, slug, title, url, summary, content_html, language, image, published_at, updated_at)
		SELECT 'b' || i, 'b-' || i, 'Article ' || i, 'https://example.com/b-' || i, '', '<p>Text.</p>', '', '',
			$1::timestamptz - i * interval '1 minute' - interval '1 year', $1
		FROM generate_series(1, 10000) i`, now); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO article_scopes (scope_key, published_at, article_id, name)
		SELECT 'site', published_at, id, '' FROM articles WHERE id LIKE 'b%'`); err != nil {
		b.Fatal(err)
	}
	b.Run("unfolded", func(b *testing.B) { read(b, 210000) })
}
