package sqlite

import (
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
