package cache

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// benchBodySize is about a 20-item RSS feed with summaries.
const benchBodySize = 32 << 10

// benchEntry is a feed of benchBodySize bytes.
func benchEntry() herald.Entry {
	e := testEntry("bench")
	e.Body = bytes.Repeat([]byte("<item>x</item>"), benchBodySize/14)
	return e
}

// benchGet measures Get on a stored entry; cond nil is a full hit, a
// matching If-None-Match is the 304 path.
func benchGet(b *testing.B, c herald.Cache, cond *herald.Condition, wantNotModified bool) {
	b.Helper()
	ctx := context.Background()
	l, err := c.Get(ctx, siteRSS, nil)
	if err != nil {
		b.Fatalf("Get: %v", err)
	}
	if err := c.Put(ctx, siteRSS, l.Revision, benchEntry(), time.Hour); err != nil {
		b.Fatalf("Put: %v", err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l, err := c.Get(ctx, siteRSS, cond)
		if err != nil {
			b.Fatalf("Get: %v", err)
		}
		if !l.Hit || l.NotModified != wantNotModified {
			b.Fatalf("hit=%v notModified=%v, want hit and %v", l.Hit, l.NotModified, wantNotModified)
		}
	}
}

func BenchmarkMemoryGetHit(b *testing.B) {
	benchGet(b, NewMemory(MemoryOptions{}), nil, false)
}

func BenchmarkMemoryGetNotModified(b *testing.B) {
	benchGet(b, NewMemory(MemoryOptions{}), parse(testEntry("bench").ETag, ""), true)
}

// BenchmarkMemoryGetHitParallel shows the read path does not serialise.
func BenchmarkMemoryGetHitParallel(b *testing.B) {
	c := NewMemory(MemoryOptions{})
	ctx := context.Background()
	l, _ := c.Get(ctx, siteRSS, nil)
	if err := c.Put(ctx, siteRSS, l.Revision, benchEntry(), time.Hour); err != nil {
		b.Fatalf("Put: %v", err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if l, err := c.Get(ctx, siteRSS, nil); err != nil || !l.Hit {
				b.Errorf("hit=%v err=%v, want a hit", l.Hit, err)
				return
			}
		}
	})
}

func BenchmarkRedisGetHit(b *testing.B) {
	srv := redistest.Start(b)
	benchGet(b, mustOpenRedis(b, srv, RedisOptions{}), nil, false)
}

func BenchmarkRedisGetNotModified(b *testing.B) {
	srv := redistest.Start(b)
	benchGet(b, mustOpenRedis(b, srv, RedisOptions{}), parse(testEntry("bench").ETag, ""), true)
}

func BenchmarkRedisGetMiss(b *testing.B) {
	srv := redistest.Start(b)
	c := mustOpenRedis(b, srv, RedisOptions{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if l, err := c.Get(ctx, siteRSS, nil); err != nil || l.Hit {
			b.Fatalf("hit=%v err=%v, want a miss", l.Hit, err)
		}
	}
}

func BenchmarkRedisPut(b *testing.B) {
	srv := redistest.Start(b)
	c := mustOpenRedis(b, srv, RedisOptions{})
	ctx := context.Background()
	l, err := c.Get(ctx, siteRSS, nil)
	if err != nil {
		b.Fatalf("Get: %v", err)
	}
	e := benchEntry()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Put(ctx, siteRSS, l.Revision, e, time.Hour); err != nil {
			b.Fatalf("Put: %v", err)
		}
	}
}

// benchTiered is a Tiered cache on a throwaway Redis, subscribed.
func benchTiered(b *testing.B) *Tiered {
	srv := redistest.Start(b)
	return mustOpenTiered(b, mustOpenRedis(b, srv, RedisOptions{}), time.Now, TieredOptions{LocalTTL: time.Hour})
}

// BenchmarkTieredGetHit is a hit of the local tier in front of Redis: no
// round trip, so it should cost what Memory costs.
func BenchmarkTieredGetHit(b *testing.B) {
	benchGet(b, benchTiered(b), nil, false)
}

func BenchmarkTieredGetNotModified(b *testing.B) {
	benchGet(b, benchTiered(b), parse(testEntry("bench").ETag, ""), true)
}

// BenchmarkRedisGetCodedGzip fetches one coding of an entry that holds
// all three: what a gzip request costs with the local tier off.
func BenchmarkRedisGetCodedGzip(b *testing.B) {
	srv := redistest.Start(b)
	c := mustOpenRedis(b, srv, RedisOptions{})
	ctx := context.Background()
	e := benchEntry()
	quarter := e.Body[:len(e.Body)/4]
	e.Variants = herald.Variants{Gzip: quarter, Brotli: quarter, Zstd: quarter}
	l, err := c.Get(ctx, siteRSS, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Put(ctx, siteRSS, l.Revision, e, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l, err := c.GetCoded(ctx, siteRSS, nil, herald.CodingGzip)
		if err != nil || len(l.Entry.Variants.Gzip) != len(quarter) {
			b.Fatalf("GetCoded: err=%v, %d gzip bytes", err, len(l.Entry.Variants.Gzip))
		}
	}
}
