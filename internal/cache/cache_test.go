package cache

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// fakeClock is an injectable Now that only moves when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// opener makes a fresh, empty cache for one test.
type opener func(t *testing.T, now func() time.Time) herald.Cache

// forEachCache runs fn once per implementation. Redis subtests share one
// server and keep apart by key prefix; without redis-server they skip (or
// fail under HERALD_REQUIRE_REDIS=1) while the memory ones still run.
func forEachCache(t *testing.T, fn func(t *testing.T, open opener)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		fn(t, func(t *testing.T, now func() time.Time) herald.Cache {
			c := NewMemory(MemoryOptions{Now: now})
			t.Cleanup(func() { c.Close() })
			return c
		})
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		n := 0
		fn(t, func(t *testing.T, now func() time.Time) herald.Cache {
			n++
			return mustOpenRedis(t, srv, RedisOptions{Prefix: fmt.Sprintf("test%d", n), Now: now})
		})
	})
	t.Run("tiered", func(t *testing.T) {
		srv := redistest.Start(t)
		n := 0
		fn(t, func(t *testing.T, now func() time.Time) herald.Cache {
			n++
			shared := mustOpenRedis(t, srv, RedisOptions{Prefix: fmt.Sprintf("test%d", n), Now: now})
			return mustOpenTiered(t, shared, now, TieredOptions{})
		})
	})
}

// mustOpenRedis opens a Redis cache on srv, closed when the test ends. The
// generous default timeout keeps a busy -race run from failing spuriously.
func mustOpenRedis(tb testing.TB, srv *redistest.Server, opts RedisOptions) *Redis {
	tb.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	c, err := OpenRedis(srv.URL(), opts)
	if err != nil {
		tb.Fatalf("OpenRedis: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()); err != nil {
		tb.Fatalf("Ping: %v", err)
	}
	return c
}

var (
	testNow = time.Date(2026, 3, 1, 12, 0, 0, 250_000_000, time.UTC)
	siteRSS = herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Offset: 0, Limit: 20}
)

// testEntry is a feed as the renderer would hand it over. Its
// LastModified has a sub-second part on purpose: both caches must keep it.
func testEntry(body string) herald.Entry {
	return herald.Entry{
		Body:         []byte(body),
		ETag:         `"` + body + `-etag"`,
		LastModified: time.Date(2026, 2, 27, 8, 30, 15, 123_456_789, time.UTC),
		ContentType:  herald.FormatRSS.ContentType(),
	}
}

// mustGet calls Get and fails the test on error.
func mustGet(tb testing.TB, c herald.Cache, k herald.FeedKey, cond *herald.Condition) herald.Lookup {
	tb.Helper()
	l, err := c.Get(context.Background(), k, cond)
	if err != nil {
		tb.Fatalf("Get(%v): %v", k, err)
	}
	if l.Revision == "" {
		tb.Fatalf("Get(%v) returned an empty revision", k)
	}
	return l
}

// mustPut calls Put with a ten-minute TTL and fails the test on error.
func mustPut(tb testing.TB, c herald.Cache, k herald.FeedKey, rev string, e herald.Entry) {
	tb.Helper()
	if err := c.Put(context.Background(), k, rev, e, 10*time.Minute); err != nil {
		tb.Fatalf("Put(%v): %v", k, err)
	}
}

// mustInvalidate calls Invalidate and fails the test on error.
func mustInvalidate(tb testing.TB, c herald.Cache, scopes ...herald.Scope) {
	tb.Helper()
	if err := c.Invalidate(context.Background(), scopes); err != nil {
		tb.Fatalf("Invalidate(%v): %v", scopes, err)
	}
}

// assertHit checks that l is a full hit carrying exactly want.
func assertHit(tb testing.TB, l herald.Lookup, want herald.Entry) {
	tb.Helper()
	if !l.Hit {
		tb.Fatalf("Hit=false, want a hit of %q", want.Body)
	}
	if l.NotModified {
		tb.Fatalf("NotModified=true, want a full hit")
	}
	if !bytes.Equal(l.Entry.Body, want.Body) {
		tb.Fatalf("body=%q, want %q", l.Entry.Body, want.Body)
	}
	if l.Entry.ETag != want.ETag {
		tb.Fatalf("etag=%q, want %q", l.Entry.ETag, want.ETag)
	}
	if !l.Entry.LastModified.Equal(want.LastModified) {
		tb.Fatalf("lastModified=%v, want %v", l.Entry.LastModified, want.LastModified)
	}
	if l.Entry.ContentType != want.ContentType {
		tb.Fatalf("contentType=%q, want %q", l.Entry.ContentType, want.ContentType)
	}
	if l.Entry.Archive != want.Archive {
		tb.Fatalf("archive=%v, want %v", l.Entry.Archive, want.Archive)
	}
	if !l.Entry.Due.Equal(want.Due) {
		tb.Fatalf("due=%v, want %v", l.Entry.Due, want.Due)
	}
}

// assertMiss checks that l is a miss.
func assertMiss(tb testing.TB, l herald.Lookup) {
	tb.Helper()
	if l.Hit || l.NotModified || l.Entry.Body != nil {
		tb.Fatalf("got hit=%v notModified=%v body=%q, want a miss", l.Hit, l.NotModified, l.Entry.Body)
	}
}

func TestMissPutHit(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		miss := mustGet(t, c, siteRSS, nil)
		assertMiss(t, miss)
		if again := mustGet(t, c, siteRSS, nil); again.Revision != miss.Revision {
			t.Fatalf("revision changed from %q to %q without an invalidation", miss.Revision, again.Revision)
		}

		want := testEntry("<rss>one</rss>")
		mustPut(t, c, siteRSS, miss.Revision, want)
		hit := mustGet(t, c, siteRSS, nil)
		assertHit(t, hit, want)
		if hit.Revision != miss.Revision {
			t.Fatalf("hit revision=%q, want %q", hit.Revision, miss.Revision)
		}
	})
}

// TestArchiveFlagKept checks that an archive page's flag, which decides
// its Cache-Control, survives the cache, on full hits and on 304s.
func TestArchiveFlagKept(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		k := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Offset: 2, Limit: 20}
		rev := mustGet(t, c, k, nil).Revision
		e := testEntry("<feed>archive</feed>")
		e.Archive = true
		mustPut(t, c, k, rev, e)
		assertHit(t, mustGet(t, c, k, nil), e)
		l := mustGet(t, c, k, herald.ParseCondition(e.ETag, ""))
		if !l.NotModified || !l.Entry.Archive || l.Entry.ContentType != e.ContentType {
			t.Fatalf("conditional hit=%+v, want NotModified with Archive and the plain content type", l)
		}
	})
}

// TestDueKept checks that an entry's Due, which caps its Cache-Control,
// survives the cache, on full hits and on 304s, beside the archive flag.
func TestDueKept(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		rev := mustGet(t, c, siteRSS, nil).Revision
		e := testEntry("<rss>due</rss>")
		e.Due = time.Now().Add(90 * time.Second).Truncate(time.Second).UTC()
		mustPut(t, c, siteRSS, rev, e)
		assertHit(t, mustGet(t, c, siteRSS, nil), e)
		l := mustGet(t, c, siteRSS, herald.ParseCondition(e.ETag, ""))
		if !l.NotModified || !l.Entry.Due.Equal(e.Due) || l.Entry.ContentType != e.ContentType || l.Entry.Archive {
			t.Fatalf("conditional hit=%+v, want NotModified with Due %v and the plain content type", l, e.Due)
		}
	})
}

func TestPutKeepsItsOwnCopy(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		rev := mustGet(t, c, siteRSS, nil).Revision
		e := testEntry("original")
		mustPut(t, c, siteRSS, rev, e)
		copy(e.Body, "XXXXXXXX") // the caller reuses its buffer
		assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("original"))
	})
}

func TestInvalidate(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		tagGo := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "go"}, Format: herald.FormatAtom, Limit: 20}
		siteRev := mustGet(t, c, siteRSS, nil).Revision
		tagRev := mustGet(t, c, tagGo, nil).Revision
		mustPut(t, c, siteRSS, siteRev, testEntry("site"))
		mustPut(t, c, tagGo, tagRev, testEntry("tag"))

		mustInvalidate(t, c, herald.SiteScope)
		l := mustGet(t, c, siteRSS, nil)
		assertMiss(t, l)
		if l.Revision == siteRev {
			t.Fatalf("revision still %q after Invalidate", l.Revision)
		}
		assertHit(t, mustGet(t, c, tagGo, nil), testEntry("tag"))

		// The new revision serves new entries.
		mustPut(t, c, siteRSS, l.Revision, testEntry("site v2"))
		assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("site v2"))

		// Several scopes at once, and an empty list is fine.
		mustInvalidate(t, c, herald.SiteScope, tagGo.Scope)
		assertMiss(t, mustGet(t, c, siteRSS, nil))
		assertMiss(t, mustGet(t, c, tagGo, nil))
		mustInvalidate(t, c)
	})
}

func TestStalePutIgnored(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		// A slow render starts under r1, a write lands, a fast render
		// stores under r2, then the slow one finishes.
		r1 := mustGet(t, c, siteRSS, nil).Revision
		mustInvalidate(t, c, herald.SiteScope)
		r2 := mustGet(t, c, siteRSS, nil).Revision
		if r1 == r2 {
			t.Fatalf("revision %q survived Invalidate", r1)
		}
		mustPut(t, c, siteRSS, r2, testEntry("new"))
		mustPut(t, c, siteRSS, r1, testEntry("old"))
		assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("new"))

		// A stale Put into an empty slot is not served either.
		other := siteRSS
		other.Format = herald.FormatJSON
		mustPut(t, c, other, r1, testEntry("old json"))
		assertMiss(t, mustGet(t, c, other, nil))

		// Nor is a revision the cache never handed out.
		mustPut(t, c, other, "made-up", testEntry("forged"))
		assertMiss(t, mustGet(t, c, other, nil))
	})
}

func TestKeysAreIndependent(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		rev := mustGet(t, c, siteRSS, nil).Revision
		mustPut(t, c, siteRSS, rev, testEntry("site rss 0 20"))

		unicodeTag := herald.Scope{Kind: herald.ScopeTag, Slug: "café-日本"}
		others := []herald.FeedKey{
			{Scope: herald.SiteScope, Format: herald.FormatAtom, Offset: 0, Limit: 20},
			{Scope: herald.SiteScope, Format: herald.FormatRSS, Offset: 20, Limit: 20},
			{Scope: herald.SiteScope, Format: herald.FormatRSS, Offset: 0, Limit: 50},
			{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "site"}, Format: herald.FormatRSS, Limit: 20},
			{Scope: unicodeTag, Format: herald.FormatRSS, Limit: 20},
		}
		for _, k := range others {
			assertMiss(t, mustGet(t, c, k, nil))
		}
		for i, k := range others {
			l := mustGet(t, c, k, nil)
			mustPut(t, c, k, l.Revision, testEntry(fmt.Sprintf("other %d", i)))
		}
		assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("site rss 0 20"))
		for i, k := range others {
			assertHit(t, mustGet(t, c, k, nil), testEntry(fmt.Sprintf("other %d", i)))
		}

		mustInvalidate(t, c, unicodeTag)
		assertMiss(t, mustGet(t, c, others[4], nil))
		assertHit(t, mustGet(t, c, others[3], nil), testEntry("other 3"))
	})
}

func TestPutRejectsBadArguments(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		rev := mustGet(t, c, siteRSS, nil).Revision
		ctx := context.Background()
		if err := c.Put(ctx, siteRSS, rev, testEntry("x"), 0); err == nil {
			t.Fatalf("Put with ttl 0 succeeded, want an error")
		}
		if err := c.Put(ctx, siteRSS, "", testEntry("x"), time.Minute); err == nil {
			t.Fatalf("Put with an empty revision succeeded, want an error")
		}
		assertMiss(t, mustGet(t, c, siteRSS, nil))
	})
}

// conditionCases are the conditional requests both caches must answer
// exactly like herald.Condition.NotModified. The stored entries are
// strongEntry and weakEntry below; now is testNow.
var conditionCases = []struct {
	name        string
	weakStored  bool
	cond        *herald.Condition
	notModified bool
}{
	{"no condition", false, nil, false},
	{"INM exact", false, parse(`"e1"`, ""), true},
	{"INM in a list", false, parse(`"x", "e1", "y"`, ""), true},
	{"INM not listed", false, parse(`"x", "y"`, ""), false},
	{"INM star", false, parse(`*`, ""), true},
	{"INM weak form of a strong tag", false, parse(`W/"e1"`, ""), true},
	{"INM strong form of a weak tag", true, parse(`"e1"`, ""), true},
	{"INM weak list, weak tag", true, parse(`W/"x", W/"e1"`, ""), true},
	{"INM unquoted", false, parse(`e1`, ""), true},
	{"INM decides alone", false, parse(`"x"`, "Sat, 28 Feb 2026 00:00:00 GMT"), false},
	{"INM with no tags", false, &herald.Condition{HasIfNoneMatch: true}, false},
	{"IMS equal", false, parse("", "Fri, 27 Feb 2026 08:30:15 GMT"), true},
	{"IMS later", false, parse("", "Sat, 28 Feb 2026 00:00:00 GMT"), true},
	{"IMS one second earlier", false, parse("", "Fri, 27 Feb 2026 08:30:14 GMT"), false},
	{"IMS in the future", false, parse("", "Sun, 01 Mar 2026 12:00:01 GMT"), false},
	{"IMS equal to now", false, parse("", "Sun, 01 Mar 2026 12:00:00 GMT"), true},
	{"IMS zero", false, &herald.Condition{}, false},
}

func parse(inm, ims string) *herald.Condition {
	c := herald.ParseCondition(inm, ims)
	if c == nil {
		panic(fmt.Sprintf("ParseCondition(%q, %q) = nil", inm, ims))
	}
	return c
}

func conditionEntry(weak bool) herald.Entry {
	e := testEntry("conditional body")
	e.ETag = `"e1"`
	if weak {
		e.ETag = `W/"e1"`
	}
	return e
}

func TestConditions(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, newFakeClock(testNow).Now)
		keys := map[bool]herald.FeedKey{false: siteRSS, true: {Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 20}}
		for weak, k := range keys {
			mustPut(t, c, k, mustGet(t, c, k, nil).Revision, conditionEntry(weak))
		}
		for _, tt := range conditionCases {
			t.Run(tt.name, func(t *testing.T) {
				e := conditionEntry(tt.weakStored)
				// The table must agree with the domain's own rule...
				if got := tt.cond.NotModified(e.ETag, e.LastModified, testNow); got != tt.notModified {
					t.Fatalf("Condition.NotModified=%v, want %v (table is wrong)", got, tt.notModified)
				}
				// ...and so must the cache.
				l := mustGet(t, c, keys[tt.weakStored], tt.cond)
				if !l.Hit {
					t.Fatalf("Hit=false, want true")
				}
				if l.NotModified != tt.notModified {
					t.Fatalf("NotModified=%v, want %v", l.NotModified, tt.notModified)
				}
				if tt.notModified {
					if l.Entry.Body != nil {
						t.Fatalf("body=%q on a 304, want nil (not fetched)", l.Entry.Body)
					}
					if l.Entry.ETag != e.ETag || !l.Entry.LastModified.Equal(e.LastModified) {
						t.Fatalf("validators etag=%q lastModified=%v, want %q %v", l.Entry.ETag, l.Entry.LastModified, e.ETag, e.LastModified)
					}
					return
				}
				assertHit(t, l, e)
			})
		}
	})
}

// TestConditionOnMiss checks that a condition never turns a miss into a
// 304: there is nothing to compare with.
func TestConditionOnMiss(t *testing.T) {
	forEachCache(t, func(t *testing.T, open opener) {
		c := open(t, time.Now)
		assertMiss(t, mustGet(t, c, siteRSS, parse("*", "")))
	})
}
