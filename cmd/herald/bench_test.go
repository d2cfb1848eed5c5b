package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/sample"
)

// The feed-path benchmarks run the whole request through Fiber's handler
// in process (routing, conditional headers, negotiation, cache, response
// headers), on a server wired exactly as `herald serve` wires it, holding
// 100 realistic articles (about 235 KiB of RSS at ?limit=100). No socket
// is involved: the load test (scripts/loadtest.sh) measures that part.
// Allocations per request are the figures to watch on the hit path.

// benchServer starts Herald with flags, seeds it and warms the feed,
// including its compressed variants.
func benchServer(b testing.TB, flags ...string) *testServer {
	b.Helper()
	s := startHerald(b, "", flags...)
	ctx := context.Background()
	for _, a := range sample.Articles(100, 1) {
		a.PublishedAt = time.Now().Add(a.PublishedAt.Sub(sample.Base) - time.Hour)
		if err := s.Articles.Create(ctx, a); err != nil {
			b.Fatalf("create: %v", err)
		}
	}
	s.get(b, benchPath)
	s.Feeds.Wait()
	return s
}

const benchPath = "/feed.rss?limit=100"

// benchFeed sends the same request through the Fiber handler b.N times and
// checks every answer.
func benchFeed(b *testing.B, s *testServer, wantStatus int, wantCoding string, headers ...string) {
	b.Helper()
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	feedRequest(&rc, headers...)
	h(&rc)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		feedRequest(&rc, headers...)
		h(&rc)
		if rc.Response.StatusCode() != wantStatus || string(rc.Response.Header.Peek("Content-Encoding")) != wantCoding {
			b.Fatalf("status %d coding %q, want %d %q", rc.Response.StatusCode(), rc.Response.Header.Peek("Content-Encoding"), wantStatus, wantCoding)
		}
		n = len(rc.Response.Body())
	}
	b.ReportMetric(float64(n), "body-bytes")
}

// feedRequest makes rc a fresh GET of the bench feed with the given
// header name/value pairs.
func feedRequest(rc *fasthttp.RequestCtx, headers ...string) {
	rc.Request.Reset()
	rc.Response.Reset()
	rc.Request.SetRequestURI(benchPath)
	rc.Request.Header.SetMethod(fasthttp.MethodGet)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == ":path" { // another document than benchPath
			rc.Request.SetRequestURI(headers[i+1])
			continue
		}
		rc.Request.Header.Set(headers[i], headers[i+1])
	}
}

// etagOf fetches the current identity ETag of the bench feed.
func etagOf(b testing.TB, s *testServer) string {
	return s.get(b, benchPath).Header.Get("ETag")
}

func redisFlags(b testing.TB, local bool) []string {
	flags := []string{"-redis.url", redistest.Start(b).URL(), "-redis.local-ttl", "1h"}
	if !local {
		flags = append(flags, "-redis.local-cache=false")
	}
	return flags
}

func BenchmarkFeed304Memory(b *testing.B) {
	s := benchServer(b)
	benchFeed(b, s, 304, "", "If-None-Match", etagOf(b, s))
}

func BenchmarkFeed304RedisLocal(b *testing.B) {
	s := benchServer(b, redisFlags(b, true)...)
	benchFeed(b, s, 304, "", "If-None-Match", etagOf(b, s))
}

func BenchmarkFeed304RedisOnly(b *testing.B) {
	s := benchServer(b, redisFlags(b, false)...)
	benchFeed(b, s, 304, "", "If-None-Match", etagOf(b, s))
}

func BenchmarkFeedGzip200RedisLocal(b *testing.B) {
	s := benchServer(b, redisFlags(b, true)...)
	benchFeed(b, s, 200, "gzip", "Accept-Encoding", "gzip, deflate")
}

func BenchmarkFeedGzip200RedisOnly(b *testing.B) {
	s := benchServer(b, redisFlags(b, false)...)
	benchFeed(b, s, 200, "gzip", "Accept-Encoding", "gzip, deflate")
}

func BenchmarkFeedBrotli200RedisLocal(b *testing.B) {
	s := benchServer(b, redisFlags(b, true)...)
	benchFeed(b, s, 200, "br", "Accept-Encoding", "gzip, deflate, br, zstd")
}

func BenchmarkFeedIdentity200RedisLocal(b *testing.B) {
	s := benchServer(b, redisFlags(b, true)...)
	benchFeed(b, s, 200, "")
}

func BenchmarkFeedIdentity200RedisOnly(b *testing.B) {
	s := benchServer(b, redisFlags(b, false)...)
	benchFeed(b, s, 200, "")
}

// BenchmarkFeed304GzipTagRedisLocal is the commonest poll of all: a gzip
// client revalidating with the gzip variant's tag.
func BenchmarkFeed304GzipTagRedisLocal(b *testing.B) {
	s := benchServer(b, redisFlags(b, true)...)
	tag := s.get(b, benchPath, "Accept-Encoding: gzip").Header.Get("ETag")
	benchFeed(b, s, 304, "", "Accept-Encoding", "gzip", "If-None-Match", tag)
}

// benchMissAfterWrite measures the whole miss as a poll pays it right after
// a publisher's write: one of the 100 articles is replaced (timer stopped),
// then the feed is requested through the handler; every layer of the cache
// (the local tier, Redis's revisions, render lock and entry) is on the path.
// Background compression of the previous rendering is waited for outside
// the timer, so each miss is measured alone. With Redis it also reports the
// round trips a miss makes to Redis before it answers (the render lock
// alone: the local tier knows the new revision from the write's
// invalidation; the stores come after the answer), from the server's own
// metrics.
func benchMissAfterWrite(b *testing.B, s *testServer) {
	b.Helper()
	ctx := context.Background()
	arts, _, err := s.Store.ListArticles(ctx, 0, 0)
	if err != nil || len(arts) != 100 {
		b.Fatalf("ListArticles: %d articles, err %v", len(arts), err)
	}
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	b.ReportAllocs()
	trips := redisTripsPerMiss(b, s, arts)
	i := 0
	for b.Loop() {
		b.StopTimer()
		editAfterWait(b, s, arts[i%len(arts)], " (edited "+strconv.Itoa(i)+")")
		i++
		feedRequest(&rc, "Accept-Encoding", "gzip")
		b.StartTimer()
		h(&rc)
		if rc.Response.StatusCode() != 200 || !bytes.Contains(rc.Response.Body(), []byte("(edited "+strconv.Itoa(i-1)+")")) {
			b.Fatalf("status %d, or the body lacks the edit", rc.Response.StatusCode())
		}
	}
	b.StopTimer()
	s.Feeds.Wait()
	b.ReportMetric(trips, "redis-trips/miss")
}

// editAfterWait lets the background stores and compressions of the last
// miss finish, then replaces a with suffix added to its title, through the
// write path (which invalidates the feed).
func editAfterWait(b *testing.B, s *testServer, a *herald.Article, suffix string) {
	b.Helper()
	s.Feeds.Wait()
	a = a.Clone()
	a.Title += suffix
	if err := s.Articles.Replace(context.Background(), a.ID, a); err != nil {
		b.Fatalf("Replace: %v", err)
	}
}

// redisTripsPerMiss counts, over a few misses after a write made before
// the timed ones (reading the metrics between timed misses would disturb
// them), the Redis round trips a miss makes before it answers.
func redisTripsPerMiss(b *testing.B, s *testServer, arts []*herald.Article) float64 {
	b.Helper()
	const misses = 3
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	trips := 0
	for i := range misses {
		editAfterWait(b, s, arts[i], " (probed)")
		before := redisCallsBeforeAnswer(b, s)
		feedRequest(&rc, "Accept-Encoding", "gzip")
		h(&rc)
		if rc.Response.StatusCode() != 200 {
			b.Fatalf("probe miss: status %d", rc.Response.StatusCode())
		}
		trips += redisCallsBeforeAnswer(b, s) - before
	}
	s.Feeds.Wait()
	return float64(trips) / misses
}

// redisCallsBeforeAnswer is how many cache lookups and render locks have
// reached Redis so far, by the server's metrics: the calls a miss makes
// before it answers (0 without Redis).
func redisCallsBeforeAnswer(tb testing.TB, s *testServer) int {
	tb.Helper()
	r := s.get(tb, "/metrics")
	n := 0
	for _, line := range strings.Split(string(r.Body), "\n") {
		for _, op := range []string{"get", "lock"} {
			if v, ok := strings.CutPrefix(line, `herald_cache_duration_seconds_count{cache="redis",op="`+op+`"} `); ok {
				c, err := strconv.Atoi(v)
				if err != nil {
					tb.Fatalf("metrics line %q: %v", line, err)
				}
				n += c
			}
		}
	}
	return n
}

func BenchmarkFeedMissAfterWriteMemory(b *testing.B) { benchMissAfterWrite(b, benchServer(b)) }

func BenchmarkFeedMissAfterWriteRedisLocal(b *testing.B) {
	benchMissAfterWrite(b, benchServer(b, redisFlags(b, true)...))
}

// BenchmarkDirectory* serve the feed directory of a site of 1,000 scopes
// (500 short articles with two tags of their own each) in the coding a
// browser or reader asks for: the documents are kept per directory version
// with their codings, so these are hits, like a feed's.
func BenchmarkDirectoryIndexBrotli(b *testing.B) { benchDirectory(b, "/", "br") }

func BenchmarkDirectoryOPMLGzip(b *testing.B) { benchDirectory(b, "/feeds.opml", "gzip") }

func benchDirectory(b *testing.B, path, coding string) {
	s := startHerald(b, "")
	ctx := context.Background()
	for i := range 500 {
		n := strconv.Itoa(i)
		a := &herald.Article{Title: "Article " + n, ContentHTML: "<p>Text.</p>", Tags: []string{"topic " + n + " one", "topic " + n + " two"},
			PublishedAt: time.Now().Add(-time.Hour)}
		if err := s.Articles.Create(ctx, a); err != nil {
			b.Fatalf("create: %v", err)
		}
	}
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	request := func() {
		rc.Request.Reset()
		rc.Response.Reset()
		rc.Request.SetRequestURI(path)
		rc.Request.Header.SetMethod(fasthttp.MethodGet)
		rc.Request.Header.Set("Accept-Encoding", coding)
		h(&rc)
		if rc.Response.StatusCode() != 200 || string(rc.Response.Header.Peek("Content-Encoding")) != coding {
			b.Fatalf("status %d coding %q", rc.Response.StatusCode(), rc.Response.Header.Peek("Content-Encoding"))
		}
	}
	request()
	plain := len(s.get(b, path).Body)
	b.ReportAllocs()
	for b.Loop() {
		request()
	}
	b.ReportMetric(float64(len(rc.Response.Body())), "body-bytes")
	b.ReportMetric(float64(plain), "identity-bytes")
}

// The polite-polling benchmarks are the hit path with feed.min_poll_interval
// on, so that each poll also goes through the limiter (its key, its
// table, the validators it keeps). BenchmarkFeed304PolitePolling is the
// poller the rule is for: it fetched the feed once (counted, its
// validators kept) and revalidates with the ETag it was sent, which the
// limiter lets through however soon. BenchmarkFeed200PolitePolling is a
// poller without validators whose allowance is whole again at every poll
// (an interval of a nanosecond: each request comes later than that after
// the last), so each poll is a counted fetch of the whole feed.

func BenchmarkFeed304PolitePolling(b *testing.B) {
	s := benchServer(b, "-feed.min-poll-interval", "1h")
	etag, _ := politeFetch(b, s)
	benchFeed(b, s, 304, "", "If-None-Match", etag)
}

func BenchmarkFeed200PolitePolling(b *testing.B) {
	s := benchServer(b, "-feed.min-poll-interval", "1ns")
	benchFeed(b, s, 200, "")
}

// politeFetch fetches the bench feed through the handler, as the
// in-process client (0.0.0.0) that the benchmarks and the allocation test
// poll as, and returns its ETag and Last-Modified: the fetch whose
// validators the limiter keeps. (The server's own fetches came from
// 127.0.0.1, another client.)
func politeFetch(tb testing.TB, s *testServer, headers ...string) (etag, lastModified string) {
	tb.Helper()
	var rc fasthttp.RequestCtx
	feedRequest(&rc, headers...)
	s.Server.App().Handler()(&rc)
	if rc.Response.StatusCode() != 200 {
		tb.Fatalf("first fetch: status %d, want 200", rc.Response.StatusCode())
	}
	return string(rc.Response.Header.Peek("ETag")), string(rc.Response.Header.Peek("Last-Modified"))
}

// BenchmarkFeed304PolitePollingProxied is BenchmarkFeed304PolitePolling
// behind a trusted proxy, the client an IPv6 address in X-Forwarded-For
// (counted by its /64), after a hop the client wrote itself.
func BenchmarkFeed304PolitePollingProxied(b *testing.B) {
	s := benchServer(b, "-feed.min-poll-interval", "1h",
		"-server.proxy-header", "X-Forwarded-For", "-server.trusted-proxies", "0.0.0.0/32")
	const hops = "198.51.100.9, 2001:db8:7:8::42"
	etag, _ := politeFetch(b, s, "X-Forwarded-For", hops)
	benchFeed(b, s, 304, "", "X-Forwarded-For", hops, "If-None-Match", etag)
}

// BenchmarkFeed429PolitePolling is the answer to a poller that fetches
// the feed again without validators before its interval is over.
func BenchmarkFeed429PolitePolling(b *testing.B) {
	s := benchServer(b, "-feed.min-poll-interval", "1h")
	politeFetch(b, s)
	benchFeed(b, s, 429, "")
}
