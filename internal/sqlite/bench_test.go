package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storetest"
)

// BenchmarkFeed: the first page of 20 from scopes of 100 articles
// (storetest.BenchmarkFeed).
func BenchmarkFeed(b *testing.B) {
	storetest.BenchmarkFeed(b, func(b *testing.B, now func() time.Time) herald.Store { return mustOpen(b, now) })
}

// BenchmarkFeed100: a page of the 100 sample articles without, with a
// warm and with an emptied article cache (storetest.BenchmarkFeed100).
func BenchmarkFeed100(b *testing.B) {
	storetest.BenchmarkFeed100(b, openerAt(filepath.Join(b.TempDir(), "herald.db")), nil)
}

// BenchmarkFeedDeepPage: the eleventh page of 100 of 1,100 articles, all
// cached (storetest.BenchmarkFeedDeepPage).
func BenchmarkFeedDeepPage(b *testing.B) {
	storetest.BenchmarkFeedDeepPage(b, openerAt(filepath.Join(b.TempDir(), "herald.db")), nil)
}

// openerAt opens the store on the file at path, with the article cache
// `herald serve` gives it when cached is set.
func openerAt(path string) storetest.Feed100Opener {
	return func(b *testing.B, now func() time.Time, cached bool) herald.Store {
		opts := Options{Now: now}
		if cached {
			opts.ArticleCache, opts.ArticleCacheBytes = artcache.DefaultMaxArticles, artcache.DefaultMaxBytes
		}
		return mustOpenPath(b, path, opts)
	}
}

// BenchmarkListLargeArchive: the write API's first page of 20 of a site of
// 200,000 articles, rows written directly as an import of a long archive
// leaves them (less their lists and packs, which the listing does not
// need). The number of articles comes with every page.
func BenchmarkListLargeArchive(b *testing.B) {
	ctx := context.Background()
	s := mustOpenPath(b, filepath.Join(b.TempDir(), "herald.db"), Options{})
	if _, err := s.db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
		INSERT INTO articles (id, slug, title, url, summary, content_html, language, image, published_at, updated_at)
		SELECT 'a' || i, 'a-' || i, 'Article ' || i, 'https://example.com/a-' || i, '', '<p>Text.</p>', '', '',
			1772366400 - i * 60, 1772366400 FROM n`); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO article_scopes (scope_key, published_at, article_id, name)
		SELECT 'site', published_at, id, '' FROM articles`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if list, total, err := s.ListArticles(ctx, 0, 20); err != nil || total != 200000 || len(list) != 20 {
			b.Fatalf("ListArticles: %d of %d, %v; want 20 of 200000", len(list), total, err)
		}
	}
}
