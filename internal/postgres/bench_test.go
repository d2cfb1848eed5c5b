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
