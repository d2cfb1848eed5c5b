package service

import (
	"context"
	"testing"
	"time"

	"github.com/gorilla/feeds"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sample"
)

// The miss benchmarks use 100 realistic articles (internal/sample, about
// 235 KiB of RSS) in a real SQLite store. BenchmarkMissRSS100 is a whole
// miss as a request pays it: cache lookup, store read, render, ETag, cache
// put. BenchmarkGorillaToRssSameItems is the yardstick the issue names:
// gorilla/feeds' own ToRss on the same items, from a feeds.Feed built
// outside the loop (so it leaves out the store and the conversion). The
// compressed variants are made after the miss is answered and are measured
// apart, by internal/encode's BenchmarkVariants.

func benchFixture(b *testing.B) (*fixture, herald.FeedKey) {
	fx := newFixture(&testing.T{}, nil) // fixture helpers take *testing.T
	b.Cleanup(func() { fx.store.Close() })
	ctx := context.Background()
	for _, a := range sample.Articles(100, 1) {
		a.PublishedAt = fx.clock.Now().Add(a.PublishedAt.Sub(sample.Base) - time.Hour)
		if err := fx.articles.Create(ctx, a); err != nil {
			b.Fatalf("create: %v", err)
		}
	}
	return fx, herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 100}
}

func BenchmarkMissRSS100(b *testing.B) {
	fx, key := benchFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		if err := fx.cache.Invalidate(ctx, []herald.Scope{herald.SiteScope}); err != nil {
			b.Fatal(err)
		}
		res, err := fx.feeds.Get(ctx, key, nil)
		if err != nil || res.Cached {
			b.Fatalf("Get: cached=%v err=%v, want a miss", res.Cached, err)
		}
		n = len(res.Entry.Body)
	}
	b.ReportMetric(float64(n), "bytes/feed")
}

func BenchmarkGorillaToRssSameItems(b *testing.B) {
	fx, key := benchFixture(b)
	page, err := fx.store.Feed(context.Background(), herald.FeedQuery{Scope: key.Scope, Now: fx.clock.Now(), Limit: key.Limit})
	if err != nil {
		b.Fatal(err)
	}
	site := testSite()
	feed := &feeds.Feed{Title: site.Title, Link: &feeds.Link{Href: site.BaseURL}, Description: site.Description, Updated: page.LastModified()}
	for _, a := range page.Articles {
		it := &feeds.Item{
			Title: a.Title, Link: &feeds.Link{Href: a.URL}, Description: a.Summary, Content: a.ContentHTML,
			Id: "urn:uuid:" + a.ID, IsPermaLink: "false", Created: a.PublishedAt, Updated: a.UpdatedAt,
		}
		if len(a.Authors) > 0 {
			it.Author = &feeds.Author{Name: a.Authors[0].Name, Email: a.Authors[0].Email}
		}
		feed.Add(it)
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := feed.ToRss()
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/feed")
}
