package service

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/feeds"
	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/postgres"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/sample"
)

// The miss benchmarks use 100 realistic articles (internal/sample, about
// 235 KiB of RSS) in a real SQLite store with the article cache `herald
// serve` gives it. BenchmarkMissRSS100 is a whole miss as a request pays
// it: cache lookup, store read, render, ETag, cache put; since nothing was
// written in between, every article comes from the store's article cache
// and every item's encoding from the renderer's kept items (a warm miss,
// as after a feed's entry expires). The after-write and cold
// variants below are the other two kinds. BenchmarkGorillaToRssSameItems is the yardstick the issue names:
// gorilla/feeds' own ToRss on the same items, from a feeds.Feed built
// outside the loop (so it leaves out the store and the conversion). The
// compressed variants are made after the miss is answered and are measured
// apart, by internal/encode's BenchmarkVariants.

func benchFixture(b *testing.B) (*fixture, herald.FeedKey) { return benchFixtureWith(b, nil) }

// benchFixtureWith is benchFixture rendering with r (nil: the renderer
// `herald serve` uses).
func benchFixtureWith(b *testing.B, r herald.Renderer) (*fixture, herald.FeedKey) {
	fx := newFixture(&testing.T{}, r) // fixture helpers take *testing.T
	b.Cleanup(func() { fx.store.Close() })
	return fx, seedBench(b, fx)
}

// benchFixturePostgres is benchFixture on a fresh PostgreSQL database,
// with the store's options of `herald serve` (skipped, with a message,
// where no PostgreSQL answers).
func benchFixturePostgres(b *testing.B) (*fixture, herald.FeedKey) {
	return benchFixturePostgresWith(b, nil)
}

// benchFixturePostgresWith is benchFixturePostgres rendering with r (nil:
// the renderer `herald serve` uses).
func benchFixturePostgresWith(b *testing.B, r herald.Renderer) (*fixture, herald.FeedKey) {
	c := &clock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	dbURL := pgtest.NewDatabase(b)
	st, err := postgres.Open(context.Background(), dbURL,
		postgres.Options{Now: c.Now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { st.Close() })
	fx := newFixtureOn(c, st, r)
	key := seedBench(b, fx)
	// What autovacuum does in service: the planner's statistics and the
	// visibility map that lets index-only scans skip the rows.
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "VACUUM ANALYZE"); err != nil {
		b.Fatalf("VACUUM ANALYZE: %v", err)
	}
	return fx, key
}

// seedBench writes the 100 sample articles through the write path and
// returns the key of their 100-item RSS feed.
func seedBench(b *testing.B, fx *fixture) herald.FeedKey {
	ctx := context.Background()
	for _, a := range sample.Articles(100, 1) {
		a.PublishedAt = fx.clock.Now().Add(a.PublishedAt.Sub(sample.Base) - time.Hour)
		if err := fx.articles.Create(ctx, a); err != nil {
			b.Fatalf("create: %v", err)
		}
	}
	return herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 100}
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

// BenchmarkMissAfterWriteRSS100 is the miss readers actually meet: a
// publisher changed one article (through the write path, which also
// invalidates the feed), and the next request renders the feed again. The
// store's article cache still holds the other 99 articles, so the store
// reads their (id, version) pairs and one full article. Only the Get is
// timed.
func BenchmarkMissAfterWriteRSS100(b *testing.B) { benchmarkMissAfterWrite(b, benchFixture) }

// BenchmarkMissAfterWritePostgresRSS100 is the same miss on PostgreSQL,
// the store of replicated deployments.
func BenchmarkMissAfterWritePostgresRSS100(b *testing.B) {
	benchmarkMissAfterWrite(b, benchFixturePostgres)
}

func benchmarkMissAfterWrite(b *testing.B, open func(*testing.B) (*fixture, herald.FeedKey)) {
	fx, key := open(b)
	ctx := context.Background()
	arts, _, err := fx.store.ListArticles(ctx, 0, 0)
	if err != nil || len(arts) != 100 {
		b.Fatalf("ListArticles: %d articles, err %v", len(arts), err)
	}
	if _, err := fx.feeds.Get(ctx, key, nil); err != nil { // fills the article cache
		b.Fatal(err)
	}
	ys := newYardstick(b, fx, key)
	b.ReportAllocs()
	var n, i int
	for b.Loop() {
		b.StopTimer()
		a := arts[i%len(arts)].Clone()
		a.Title = a.Title + " (edited " + strconv.Itoa(i) + ")"
		if err := fx.articles.Replace(ctx, a.ID, a); err != nil {
			b.Fatalf("Replace: %v", err)
		}
		i++
		b.StartTimer()
		res, err := fx.feeds.Get(ctx, key, nil)
		if err != nil || res.Cached {
			b.Fatalf("Get: cached=%v err=%v, want a miss", res.Cached, err)
		}
		n = len(res.Entry.Body)
	}
	b.ReportMetric(float64(n), "bytes/feed")
	ys.report(b)
}

// BenchmarkMissColdRSS100 is the first miss after a process starts: the
// store's article cache is emptied before each iteration, so every article
// is read in full (after the page's (id, version) pairs), and the renderer
// keeps no encoded items, so every item is encoded. SQLite's own page
// cache and the prepared statements stay warm, as they would after the
// first few requests.
func BenchmarkMissColdRSS100(b *testing.B) {
	fx, key := benchFixtureWith(b, render.NewWithOptions(render.Options{FragmentCacheBytes: -1}))
	benchmarkMissCold(b, fx, key, true)
}

// BenchmarkMissColdPostgresRSS100 is the cold miss on PostgreSQL.
func BenchmarkMissColdPostgresRSS100(b *testing.B) {
	fx, key := benchFixturePostgresWith(b, render.NewWithOptions(render.Options{FragmentCacheBytes: -1}))
	benchmarkMissCold(b, fx, key, true)
}

// BenchmarkMissUnencodedRSS100 is the first miss of a feed whose articles
// the process has read but never rendered: every article comes from the
// store's article cache and every item is encoded. It is what a category,
// tag or author feed of older articles costs at its first request after a
// start, once the start-up warm-up has read them (Feeds.Preread).
func BenchmarkMissUnencodedRSS100(b *testing.B) {
	fx, key := benchFixtureWith(b, render.NewWithOptions(render.Options{FragmentCacheBytes: -1}))
	benchmarkMissCold(b, fx, key, false)
}

// benchmarkMissCold times misses with no item kept and, when purge is
// set, no article cached either.
func benchmarkMissCold(b *testing.B, fx *fixture, key herald.FeedKey, purge bool) {
	ctx := context.Background()
	if _, err := fx.feeds.Get(ctx, key, nil); err != nil { // fills the article cache
		b.Fatal(err)
	}
	// Counted from here: on PostgreSQL the fixture's writes cached their
	// articles, so the first read above found them (item 19).
	ys := newYardstick(b, fx, key)
	hits0, misses0 := fx.store.ArticleCache().Stats()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		b.StopTimer()
		if purge {
			fx.store.ArticleCache().Purge()
		}
		if err := fx.cache.Invalidate(ctx, []herald.Scope{herald.SiteScope}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := fx.feeds.Get(ctx, key, nil)
		if err != nil || res.Cached {
			b.Fatalf("Get: cached=%v err=%v, want a miss", res.Cached, err)
		}
		n = len(res.Entry.Body)
	}
	hits, misses := fx.store.ArticleCache().Stats()
	if hits, misses = hits-hits0, misses-misses0; purge && hits != 0 || !purge && misses != 0 {
		b.Fatalf("%d article cache hits and %d misses in the timed reads: want no hit in a cold miss, no miss otherwise", hits, misses)
	}
	b.ReportMetric(float64(n), "bytes/feed")
	ys.report(b)
}

func BenchmarkGorillaToRssSameItems(b *testing.B) {
	fx, key := benchFixture(b)
	feed := gorillaFeedOf(b, fx, key)
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

// gorillaFeedOf is the feed of key as gorilla/feeds models it, for its
// own ToRss: the same articles, read once from the store.
func gorillaFeedOf(b *testing.B, fx *fixture, key herald.FeedKey) *feeds.Feed {
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
	return feed
}

// yardstick times gorilla/feeds' ToRss on a miss benchmark's items, in
// a block of runs before its loop and another after it, so that the
// benchmark reports its ratio to ToRss (xToRss, the miss target's
// measure) from one run: this machine's speed drifts by a fifth or more
// between runs, which a ratio of two benchmarks run apart takes in full.
// The blocks stay out of the loop so that ToRss's garbage is not
// collected inside the timed misses.
type yardstick struct {
	feed  *feeds.Feed
	spent time.Duration
	runs  int
}

// newYardstick times the first block.
func newYardstick(b *testing.B, fx *fixture, key herald.FeedKey) *yardstick {
	y := &yardstick{feed: gorillaFeedOf(b, fx, key)}
	y.block(b)
	return y
}

// yardstickRuns is the size of each block.
const yardstickRuns = 50

func (y *yardstick) block(b *testing.B) {
	for range yardstickRuns {
		start := time.Now()
		if _, err := y.feed.ToRss(); err != nil {
			b.Fatal(err)
		}
		y.spent += time.Since(start)
		y.runs++
	}
	runtime.GC()
}

// report times the second block, with the timer stopped, and adds the
// timed misses' mean to the mean of the ToRss runs as xToRss.
func (y *yardstick) report(b *testing.B) {
	b.StopTimer()
	y.block(b)
	miss := float64(b.Elapsed()) / float64(b.N)
	b.ReportMetric(miss/(float64(y.spent)/float64(y.runs)), "xToRss")
}

// BenchmarkWriteReplace is the write path of a PATCH as the API runs it:
// validate and clean, store the article (bumping its scopes and recording
// their invalidations as owed), invalidate the cache (in process here),
// then clear the records the invalidation covered. The Postgres variant
// pays the database's round trips and commits.
func BenchmarkWriteReplace(b *testing.B) { benchmarkWriteReplace(b, benchFixture) }

// BenchmarkWriteReplacePostgres is BenchmarkWriteReplace on PostgreSQL.
func BenchmarkWriteReplacePostgres(b *testing.B) { benchmarkWriteReplace(b, benchFixturePostgres) }

func benchmarkWriteReplace(b *testing.B, open func(*testing.B) (*fixture, herald.FeedKey)) {
	fx, _ := open(b)
	ctx := context.Background()
	arts, _, err := fx.store.ListArticles(ctx, 0, 10)
	if err != nil || len(arts) != 10 {
		b.Fatalf("ListArticles: %d articles, err %v", len(arts), err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := arts[i%len(arts)].Clone()
		a.Title = a.Title + " (edited " + strconv.Itoa(i) + ")"
		if err := fx.articles.Replace(ctx, a.ID, a); err != nil {
			b.Fatalf("Replace: %v", err)
		}
		i++
	}
	fx.articles.Close() // waits for the records' clears
	if owed, err := fx.store.Undelivered(ctx, 10); err != nil || len(owed) != 0 {
		b.Fatalf("on record after the writes: %v (err %v), want nothing", owed, err)
	}
}
