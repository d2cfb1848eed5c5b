package cache

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

func TestRedisRenderLock(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	const ttl = time.Minute
	a := mustOpenRedis(t, srv, RedisOptions{Prefix: "lk", LockTTL: ttl})
	b := mustOpenRedis(t, srv, RedisOptions{Prefix: "lk", LockTTL: ttl}) // another replica
	ctx := context.Background()
	k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "go"}, Format: herald.FormatAtom, Limit: 20}
	rev := mustGet(t, a, k, nil).Revision
	const key = "lk:lock:{tag:go}:atom:0:20"

	lockA := mustLock(t, a, k, herald.LockHeld, rev)
	if got, err := admin.PTTL(ctx, key).Result(); err != nil || got <= 0 || got > ttl {
		t.Fatalf("PTTL %s = %v (err %v), want in (0, %v]", key, got, err, ttl)
	}
	if busy := mustLock(t, b, k, herald.LockBusy, rev); busy.Release != nil {
		t.Fatalf("LockRender by another replica while held returned a release")
	}
	lockA.Release()
	if n, err := admin.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("lock key exists=%d (err %v) after release, want gone", n, err)
	}
	lockB := mustLock(t, b, k, herald.LockHeld, rev)

	// A holder whose lock expired and was taken by someone else must not
	// release the new holder's lock.
	if err := admin.Del(ctx, key).Err(); err != nil { // as if b's lock expired
		t.Fatal(err)
	}
	lockC := mustLock(t, a, k, herald.LockHeld, rev)
	lockB.Release() // stale: must leave a's lock alone
	if n, _ := admin.Exists(ctx, key).Result(); n != 1 {
		t.Fatalf("a stale release deleted the current holder's lock")
	}
	lockC.Release()
	if got := a.RenderLockTTL(); got != ttl {
		t.Fatalf("RenderLockTTL=%v, want %v", got, ttl)
	}
}

// mustLock asks c's render lock of k and fails unless it answers want
// about revision rev.
func mustLock(t *testing.T, c herald.RenderLocker, k herald.FeedKey, want herald.LockResult, rev string) herald.Lock {
	t.Helper()
	lock, err := c.LockRender(context.Background(), k)
	if err != nil || lock.Result != want || lock.Revision != rev {
		t.Fatalf("LockRender(%v): result %v at revision %q (err %v), want %v at %q", k, lock.Result, lock.Revision, err, want, rev)
	}
	if (lock.Release != nil) != (want == herald.LockHeld) {
		t.Fatalf("LockRender(%v): result %v with release %v", k, lock.Result, lock.Release != nil)
	}
	return lock
}

// TestRedisRenderLockSeesTheStoredEntry: once the entry of a revision is
// stored, LockRender returns it, every coding included, instead of locking
// (in the same step, so a holder that stored and released just before is
// never missed); the entry of another revision does not count, and a lock
// of the old revision left behind does not hide the stored entry.
func TestRedisRenderLockSeesTheStoredEntry(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	c := mustOpenRedis(t, srv, RedisOptions{Prefix: "st", LockTTL: time.Minute})
	rev := mustGet(t, c, siteRSS, nil).Revision
	held := mustLock(t, c, siteRSS, herald.LockHeld, rev)
	want := testEntry("stored")
	want.Archive = true
	want.Variants = herald.Variants{Gzip: []byte("gz bytes"), Zstd: []byte("zstd bytes")}
	mustPut(t, c, siteRSS, rev, want)
	stored := mustLock(t, c, siteRSS, herald.LockStored, rev)
	assertHit(t, herald.Lookup{Hit: true, Entry: stored.Entry}, want)
	if v := stored.Entry.Variants; string(v.Gzip) != "gz bytes" || string(v.Zstd) != "zstd bytes" || v.Brotli != nil {
		t.Fatalf("stored entry's variants %+v, want gzip and zstd as put, no br", v)
	}
	held.Release()
	if got := mustLock(t, c, siteRSS, herald.LockStored, rev); string(got.Entry.Body) != "stored" {
		t.Fatalf("LockRender with the entry stored: body %q, want the stored one", got.Entry.Body)
	}
	if n, err := admin.Exists(context.Background(), "st:lock:{site}:rss:0:20").Result(); err != nil || n != 0 {
		t.Fatalf("the lock key exists=%d (err %v) after a stored answer, want none taken", n, err)
	}

	mustInvalidate(t, c, herald.SiteScope)
	next := mustGet(t, c, siteRSS, nil).Revision
	mustLock(t, c, siteRSS, herald.LockHeld, next).Release()
}

// TestRedisRenderLockAfterAWrite: the lock is about the scope's current
// revision, whatever the caller last saw. Once a write moved it on, a lock
// still held for the old revision does not block the new one, its holder's
// release leaves the new holder's lock alone, and a replica that has not
// heard of the write learns the new revision from the answer. A scope
// whose revision key is gone gets one, as a lookup would mint it.
func TestRedisRenderLockAfterAWrite(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	a := mustOpenRedis(t, srv, RedisOptions{Prefix: "mv", LockTTL: time.Minute})
	b := mustOpenRedis(t, srv, RedisOptions{Prefix: "mv", LockTTL: time.Minute}) // another replica
	ctx := context.Background()
	rev := mustGet(t, a, siteRSS, nil).Revision
	old := mustLock(t, a, siteRSS, herald.LockHeld, rev)
	mustInvalidate(t, b, herald.SiteScope)
	next := mustGet(t, b, siteRSS, nil).Revision
	if next == rev {
		t.Fatalf("revision %q unchanged by the invalidation", rev)
	}
	// a has not looked up since the write: its lock is taken for next.
	cur := mustLock(t, a, siteRSS, herald.LockHeld, next)
	mustLock(t, b, siteRSS, herald.LockBusy, next)
	old.Release() // the old revision's holder finishing late
	mustLock(t, b, siteRSS, herald.LockBusy, next)
	mustPut(t, a, siteRSS, rev, testEntry("old revision's rendering"))
	mustLock(t, b, siteRSS, herald.LockBusy, next)
	cur.Release()
	mustLock(t, b, siteRSS, herald.LockHeld, next).Release()

	if err := admin.Del(ctx, "mv:rev:{site}").Err(); err != nil {
		t.Fatal(err)
	}
	minted, err := a.LockRender(ctx, siteRSS)
	if err != nil || minted.Result != herald.LockHeld || minted.Revision == "" || minted.Revision == next {
		t.Fatalf("LockRender of a scope without a revision: %+v err=%v, want held at a new revision", minted, err)
	}
	if got := mustGet(t, b, siteRSS, nil).Revision; got != minted.Revision {
		t.Fatalf("lookup after the lock minted %q: revision %q", minted.Revision, got)
	}
	if pttl, err := admin.PTTL(ctx, "mv:rev:{site}").Result(); err != nil || pttl <= 0 {
		t.Fatalf("minted revision key PTTL=%v err=%v, want a TTL like a lookup's", pttl, err)
	}
	minted.Release()
}

func TestRedisRenderLockExpires(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{Prefix: "exp", LockTTL: 50 * time.Millisecond})
	ctx := context.Background()
	rev := mustGet(t, c, siteRSS, nil).Revision
	mustLock(t, c, siteRSS, herald.LockHeld, rev)
	// A holder that never releases (a crashed replica) blocks nobody past
	// the TTL. Poll with a generous deadline; this is not a timing claim.
	deadline := time.Now().Add(10 * time.Second)
	for {
		lock, err := c.LockRender(ctx, siteRSS)
		if err != nil {
			t.Fatalf("LockRender: %v", err)
		}
		if lock.Result == herald.LockHeld {
			lock.Release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock still held 10s after a 50ms TTL")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNewRedisClientModes(t *testing.T) {
	tests := []struct {
		name string
		opts RedisClientOptions
		ok   bool
	}{
		{"url", RedisClientOptions{URL: "redis://127.0.0.1:6379/0", PoolSize: 3}, true},
		{"sentinel", RedisClientOptions{SentinelMaster: "m", SentinelAddrs: []string{"127.0.0.1:26379"}}, true},
		{"cluster", RedisClientOptions{ClusterAddrs: []string{"127.0.0.1:7000"}}, true},
		{"nothing", RedisClientOptions{}, false},
		{"sentinel without addrs", RedisClientOptions{SentinelMaster: "m"}, false},
		{"two modes", RedisClientOptions{URL: "redis://127.0.0.1:6379/0", ClusterAddrs: []string{"127.0.0.1:7000"}}, false},
		{"bad url", RedisClientOptions{URL: "http://x"}, false},
	}
	for _, tc := range tests {
		c, err := NewRedisClient(tc.opts)
		if (err == nil) != tc.ok {
			t.Fatalf("NewRedisClient(%s): err=%v, want ok=%v", tc.name, err, tc.ok)
		}
		if c != nil {
			c.Close()
		}
	}
}
