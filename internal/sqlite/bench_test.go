package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storetest"
)

// BenchmarkFeed reads the first page of 20 from scopes of 100 articles, each
// with two authors, two categories, three tags and an enclosure, as a cache
// miss does.
func BenchmarkFeed(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustOpen(b, func() time.Time { return now })
	for i := range 100 {
		a := &herald.Article{
			ID:          uuid.New().String(),
			Title:       fmt.Sprintf("Benchmark article %d", i),
			Summary:     "A summary of moderate length that a feed reader shows in its list.",
			ContentHTML: "<p>Body text.</p>",
			Authors:     []herald.Author{{Name: "Ann Lee", Email: "ann@example.com"}, {Name: "Bo Chen"}},
			Categories:  []string{"Go", fmt.Sprintf("Series %d", i%5)},
			Tags:        []string{"bench", "feeds", fmt.Sprintf("t%d", i%10)},
			Enclosures:  []herald.Enclosure{{URL: "https://cdn.example.com/a.mp3", Type: "audio/mpeg", Length: 1000, Duration: 60}},
			PublishedAt: now.Add(-time.Duration(i) * time.Hour),
		}
		if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
			b.Fatalf("Prepare: %v", err)
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			b.Fatalf("CreateArticle: %v", err)
		}
	}
	for _, sc := range []herald.Scope{herald.SiteScope, {Kind: herald.ScopeCategory, Slug: "go"}, {Kind: herald.ScopeAuthor, Slug: "ann-lee"}} {
		b.Run(sc.Key(), func(b *testing.B) {
			q := herald.FeedQuery{Scope: sc, Now: now, Limit: 20}
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.Feed(ctx, q)
				if err != nil {
					b.Fatalf("Feed: %v", err)
				}
				if len(p.Articles) != 20 || p.Total != 100 {
					b.Fatalf("Feed: %d articles, total %d, want 20 of 100", len(p.Articles), p.Total)
				}
			}
		})
	}
}

// BenchmarkFeed100: a page of the 100 sample articles without, with a
// warm and with an emptied article cache (storetest.BenchmarkFeed100).
func BenchmarkFeed100(b *testing.B) {
	path := filepath.Join(b.TempDir(), "herald.db")
	storetest.BenchmarkFeed100(b, func(b *testing.B, now func() time.Time, cached bool) herald.Store {
		opts := Options{Now: now}
		if cached {
			opts.ArticleCache, opts.ArticleCacheBytes = artcache.DefaultMaxArticles, artcache.DefaultMaxBytes
		}
		return mustOpenPath(b, path, opts)
	}, nil)
}
