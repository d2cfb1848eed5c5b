package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sample"
)

// BenchmarkFeed reads the first page of 20 from scopes of 100 articles, each
// with two authors, two categories, three tags and an enclosure, as a cache
// miss does. open gives an empty store whose clock reads now.
func BenchmarkFeed(b *testing.B, open func(b *testing.B, now func() time.Time) herald.Store) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := open(b, func() time.Time { return now })
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

// Feed100Opener opens a store on one database, the same every call, with
// or without an article cache, and closes it when the benchmark ends.
type Feed100Opener func(b *testing.B, now func() time.Time, cached bool) herald.Store

// BenchmarkFeed100 reads a page of all 100 realistic articles
// (internal/sample) of the site scope, as a 100-item feed miss does:
// without an article cache, with every article cached (warm), and with the
// cache emptied before each read (cold, the first miss after start).
// settle, when not nil, runs once the articles are written, to bring the
// database to the state it would be in after a while in service (say,
// PostgreSQL's statistics and visibility map, which autovacuum keeps).
func BenchmarkFeed100(b *testing.B, open Feed100Opener, settle func(herald.Store)) {
	ctx := context.Background()
	now := sample.Base.Add(time.Hour)
	clock := func() time.Time { return now }
	seed := open(b, clock, false)
	writeSample(b, seed, 100, now)
	if settle != nil {
		settle(seed)
	}
	q := herald.FeedQuery{Scope: herald.SiteScope, Now: now, Limit: 100}
	for _, mode := range []string{"no-cache", "warm", "cold"} {
		b.Run(mode, func(b *testing.B) {
			s := open(b, clock, mode != "no-cache")
			cache := func() *artcache.Cache { return nil }
			if c, ok := s.(interface{ ArticleCache() *artcache.Cache }); ok {
				cache = c.ArticleCache
			}
			if mode != "no-cache" && cache() == nil {
				b.Fatalf("store %T opened with a cache has none", s)
			}
			b.ReportAllocs()
			for b.Loop() {
				if mode == "cold" {
					cache().Purge()
				}
				p, err := s.Feed(ctx, q)
				if err != nil || len(p.Articles) != 100 {
					b.Fatalf("Feed: %d articles, err %v", len(p.Articles), err)
				}
			}
		})
	}
}

// BenchmarkFeedDeepPage reads the eleventh page of 100 (offset 1,000) of
// the site scope's 1,100 articles with every article cached, as a reader
// walking a feed's history (RFC 5005 archive pages) does: what it costs
// is finding the page's keys. open and settle are as for BenchmarkFeed100.
func BenchmarkFeedDeepPage(b *testing.B, open Feed100Opener, settle func(herald.Store)) {
	ctx := context.Background()
	now := sample.Base.Add(time.Hour)
	clock := func() time.Time { return now }
	s := open(b, clock, true)
	writeSample(b, s, 1100, now)
	if settle != nil {
		settle(s)
	}
	q := herald.FeedQuery{Scope: herald.SiteScope, Now: now, Offset: 1000, Limit: 100}
	first, err := s.Feed(ctx, q) // fills the article cache
	if err != nil || len(first.Articles) != 100 {
		b.Fatalf("Feed: %d articles, err %v", len(first.Articles), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.Feed(ctx, q)
		if err != nil || len(p.Articles) != 100 || p.Articles[0].ID != first.Articles[0].ID {
			b.Fatalf("Feed: %d articles, err %v", len(p.Articles), err)
		}
	}
}

// writeSample writes n sample articles (internal/sample) to s, as the API
// would at now.
func writeSample(b *testing.B, s herald.Store, n int, now time.Time) {
	for _, a := range sample.Articles(n, 1) {
		a.ID = uuid.New().String()
		if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
			b.Fatalf("Prepare: %v", err)
		}
		if err := s.CreateArticle(context.Background(), a); err != nil {
			b.Fatalf("CreateArticle: %v", err)
		}
	}
}
