package cache

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestMemoryName(t *testing.T) {
	c := NewMemory(MemoryOptions{})
	if got := c.Name(); got != "memory" {
		t.Fatalf("Name()=%q, want %q", got, "memory")
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func TestMemoryTTL(t *testing.T) {
	clock := newFakeClock(testNow)
	c := NewMemory(MemoryOptions{Now: clock.Now})
	rev := mustGet(t, c, siteRSS, nil).Revision
	if err := c.Put(context.Background(), siteRSS, rev, testEntry("ttl"), time.Minute); err != nil {
		t.Fatalf("Put: %v", err)
	}
	clock.Advance(time.Minute - time.Nanosecond)
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("ttl"))
	clock.Advance(time.Nanosecond)
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l)
	if l.Revision != rev {
		t.Fatalf("revision=%q after expiry, want %q unchanged", l.Revision, rev)
	}
}

// fill stores n entries of the given body size under distinct offsets and
// returns their keys, oldest first.
func fill(tb testing.TB, c *Memory, n, size int) []herald.FeedKey {
	tb.Helper()
	keys := make([]herald.FeedKey, n)
	for i := range keys {
		keys[i] = herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Offset: i, Limit: 10}
		e := testEntry(fmt.Sprintf("%0*d", size, i))
		mustPut(tb, c, keys[i], mustGet(tb, c, keys[i], nil).Revision, e)
	}
	return keys
}

func TestMemoryEvictsOldestByCount(t *testing.T) {
	c := NewMemory(MemoryOptions{MaxEntries: 3})
	keys := fill(t, c, 3, 10)
	// Reading key 0 gives it a second chance, so key 1 goes first.
	assertHit(t, mustGet(t, c, keys[0], nil), testEntry(fmt.Sprintf("%010d", 0)))
	more := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 10}
	mustPut(t, c, more, mustGet(t, c, more, nil).Revision, testEntry("more"))

	if got := c.Len(); got != 3 {
		t.Fatalf("Len()=%d, want 3", got)
	}
	assertMiss(t, mustGet(t, c, keys[1], nil))
	for _, k := range []herald.FeedKey{keys[0], keys[2], more} {
		if l := mustGet(t, c, k, nil); !l.Hit {
			t.Fatalf("%v evicted, want it kept", k)
		}
	}
}

func TestMemoryEvictsByBytes(t *testing.T) {
	const body = 1000
	perEntry := int64(body+len(`"`)*2+len("-etag")+body+len(herald.FormatRSS.ContentType())+26) + entryOverhead
	c := NewMemory(MemoryOptions{MaxBytes: 3 * perEntry})
	keys := fill(t, c, 4, body)
	if got := c.Len(); got != 3 {
		t.Fatalf("Len()=%d, want 3 (bytes bound)", got)
	}
	assertMiss(t, mustGet(t, c, keys[0], nil))
	assertHit(t, mustGet(t, c, keys[3], nil), testEntry(fmt.Sprintf("%0*d", body, 3)))
}

func TestMemorySkipsOversizedEntry(t *testing.T) {
	c := NewMemory(MemoryOptions{MaxBytes: 512})
	rev := mustGet(t, c, siteRSS, nil).Revision
	mustPut(t, c, siteRSS, rev, testEntry(string(make([]byte, 1024))))
	assertMiss(t, mustGet(t, c, siteRSS, nil))
	if got := c.Len(); got != 0 {
		t.Fatalf("Len()=%d, want 0", got)
	}
}

func TestMemoryReplaceKeepsAccounting(t *testing.T) {
	c := NewMemory(MemoryOptions{MaxEntries: 2})
	rev := mustGet(t, c, siteRSS, nil).Revision
	for i := 0; i < 5; i++ {
		mustPut(t, c, siteRSS, rev, testEntry(fmt.Sprintf("v%d", i)))
	}
	if got := c.Len(); got != 1 {
		t.Fatalf("Len()=%d after replacing one key, want 1", got)
	}
	if c.order.Len() != 1 || c.bytes != c.entries[siteRSS].size {
		t.Fatalf("order=%d bytes=%d, want 1 and %d", c.order.Len(), c.bytes, c.entries[siteRSS].size)
	}
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("v4"))
}

func TestMemoryRevisionsBounded(t *testing.T) {
	c := NewMemory(MemoryOptions{MaxEntries: 1})
	for i := 0; i < 3*c.maxRevisions; i++ {
		k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: fmt.Sprint(i)}, Format: herald.FormatRSS}
		mustGet(t, c, k, nil)
	}
	if got := len(c.revs); got > c.maxRevisions {
		t.Fatalf("%d revisions kept, want at most %d", got, c.maxRevisions)
	}
}

func TestMemoryClose(t *testing.T) {
	c := NewMemory(MemoryOptions{})
	rev := mustGet(t, c, siteRSS, nil).Revision
	mustPut(t, c, siteRSS, rev, testEntry("x"))
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := c.Len(); got != 0 {
		t.Fatalf("Len()=%d after Close, want 0", got)
	}
	assertMiss(t, mustGet(t, c, siteRSS, nil))
}

// TestMemoryConcurrent exercises every method at once; run with -race.
// Whatever the interleaving, a hit must carry the body of its own key.
func TestMemoryConcurrent(t *testing.T) {
	c := NewMemory(MemoryOptions{MaxEntries: 8})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Offset: i % 16, Limit: 10}
				want := fmt.Sprintf("offset %d", k.Offset)
				l, err := c.Get(context.Background(), k, nil)
				if err != nil {
					t.Errorf("Get: %v", err)
					return
				}
				if l.Hit && string(l.Entry.Body) != want {
					t.Errorf("body=%q, want %q", l.Entry.Body, want)
					return
				}
				if !l.Hit {
					if err := c.Put(context.Background(), k, l.Revision, testEntry(want), time.Minute); err != nil {
						t.Errorf("Put: %v", err)
						return
					}
				}
				if i%50 == 0 {
					if err := c.Invalidate(context.Background(), []herald.Scope{herald.SiteScope}); err != nil {
						t.Errorf("Invalidate: %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if got := c.Len(); got > 8 {
		t.Fatalf("Len()=%d, want at most 8", got)
	}
}

// TestMemoryPutLocal: a Memory cache keeps PutLocal's bytes without a copy,
// under Put's revision rule; PutShared stores nothing (there is no shared
// tier); a Put of the bytes it holds keeps them without a copy.
func TestMemoryPutLocal(t *testing.T) {
	m := NewMemory(MemoryOptions{})
	rev := mustGet(t, m, siteRSS, nil).Revision
	e := testEntry("<rss>mine</rss>")
	m.PutLocal(siteRSS, rev, e, time.Hour)
	l := mustGet(t, m, siteRSS, nil)
	assertHit(t, l, e)
	if &l.Entry.Body[0] != &e.Body[0] {
		t.Fatalf("PutLocal copied the body; it keeps the caller's bytes")
	}
	if err := m.PutShared(context.Background(), siteRSS, rev, testEntry("elsewhere"), time.Hour); err != nil {
		t.Fatalf("PutShared: %v", err)
	}
	assertHit(t, mustGet(t, m, siteRSS, nil), e) // no shared tier: nothing stored
	mustPut(t, m, siteRSS, rev, e)
	if l := mustGet(t, m, siteRSS, nil); &l.Entry.Body[0] != &e.Body[0] {
		t.Fatalf("Put of the bytes the cache holds copied them again")
	}
	mustInvalidate(t, m, herald.SiteScope)
	m.PutLocal(siteRSS, rev, testEntry("stale"), time.Hour)
	assertMiss(t, mustGet(t, m, siteRSS, nil))
}

// TestMemoryReportsMintedRevisions: the lookup that makes a scope's
// revision says so; later ones, which find it, do not.
func TestMemoryReportsMintedRevisions(t *testing.T) {
	m := NewMemory(MemoryOptions{})
	k := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 10}
	first, _ := m.Get(context.Background(), k, nil)
	again, _ := m.Get(context.Background(), k, nil)
	if !first.Minted || again.Minted || first.Revision != again.Revision {
		t.Errorf("first lookup minted=%v, second minted=%v, revisions %q and %q; want minted once, one revision", first.Minted, again.Minted, first.Revision, again.Revision)
	}
}

// TestMemoryMintedHidesNoWrite: a revision forgotten (the map holds too
// many) and made again is reported Minted only for a scope no write has
// named: for a written one the new revision may hide that write, and a
// caller keeping older renderings must not take it for "nothing changed".
func TestMemoryMintedHidesNoWrite(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(MemoryOptions{MaxEntries: 10}) // 1,024 revisions
	written := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "written"}, Format: herald.FormatRSS, Limit: 10}
	read := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "read"}, Format: herald.FormatRSS, Limit: 10}
	m.Invalidate(ctx, []herald.Scope{written.Scope})
	m.Get(ctx, read, nil)
	gone := func(s herald.Scope) bool {
		m.mu.RLock()
		defer m.mu.RUnlock()
		_, ok := m.revs[s]
		return !ok
	}
	for i := 0; !gone(written.Scope) || !gone(read.Scope); i++ {
		if i > 1_000_000 {
			t.Fatal("the revisions were never forgotten")
		}
		m.Get(ctx, herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "t" + strconv.Itoa(i)}, Format: herald.FormatRSS, Limit: 10}, nil)
	}
	if l, _ := m.Get(ctx, written, nil); l.Minted {
		t.Error("a written scope's revision made again is reported minted")
	}
	if l, _ := m.Get(ctx, read, nil); !l.Minted {
		t.Error("a read-only scope's revision made again is not reported minted")
	}
}
