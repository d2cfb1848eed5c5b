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
	key := "lk:lock:{tag:go}:atom:0:20:" + rev

	releaseA, got, _, err := a.LockRender(ctx, k, rev)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("first LockRender: got %v err=%v, want held", got, err)
	}
	if got, err := admin.PTTL(ctx, key).Result(); err != nil || got <= 0 || got > ttl {
		t.Fatalf("PTTL %s = %v (err %v), want in (0, %v]", key, got, err, ttl)
	}
	if rel, got, _, err := b.LockRender(ctx, k, rev); err != nil || got != herald.LockBusy || rel != nil {
		t.Fatalf("LockRender by another replica while held: got %v err=%v, want busy (and no release)", got, err)
	}
	releaseA()
	if n, err := admin.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("lock key exists=%d (err %v) after release, want gone", n, err)
	}
	releaseB, got, _, err := b.LockRender(ctx, k, rev)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender after release: got %v err=%v, want held", got, err)
	}

	// A holder whose lock expired and was taken by someone else must not
	// release the new holder's lock.
	if err := admin.Del(ctx, key).Err(); err != nil { // as if b's lock expired
		t.Fatal(err)
	}
	releaseC, got, _, err := a.LockRender(ctx, k, rev)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender after expiry: got %v err=%v, want held", got, err)
	}
	releaseB() // stale: must leave a's lock alone
	if n, _ := admin.Exists(ctx, key).Result(); n != 1 {
		t.Fatalf("a stale release deleted the current holder's lock")
	}
	releaseC()

	if _, _, _, err := a.LockRender(ctx, k, ""); err == nil {
		t.Fatalf("LockRender with an empty revision succeeded, want an error")
	}
	if got := a.RenderLockTTL(); got != ttl {
		t.Fatalf("RenderLockTTL=%v, want %v", got, ttl)
	}
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
	ctx := context.Background()
	rev := mustGet(t, c, siteRSS, nil).Revision
	release, got, _, err := c.LockRender(ctx, siteRSS, rev)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender: got %v err=%v, want held", got, err)
	}
	want := testEntry("stored")
	want.Archive = true
	want.Variants = herald.Variants{Gzip: []byte("gz bytes"), Zstd: []byte("zstd bytes")}
	mustPut(t, c, siteRSS, rev, want)
	rel, got, stored, err := c.LockRender(ctx, siteRSS, rev)
	if err != nil || got != herald.LockStored || rel != nil {
		t.Fatalf("LockRender with the entry stored and the lock still held: got %v err=%v, want stored", got, err)
	}
	assertHit(t, herald.Lookup{Hit: true, Entry: stored}, want)
	if v := stored.Variants; string(v.Gzip) != "gz bytes" || string(v.Zstd) != "zstd bytes" || v.Brotli != nil {
		t.Fatalf("stored entry's variants %+v, want gzip and zstd as put, no br", v)
	}
	release()
	if _, got, stored, err := c.LockRender(ctx, siteRSS, rev); err != nil || got != herald.LockStored || string(stored.Body) != "stored" {
		t.Fatalf("LockRender with the entry stored: got %v body %q err=%v, want stored", got, stored.Body, err)
	}
	if n, err := admin.Exists(ctx, "st:lock:{site}:rss:0:20:"+rev).Result(); err != nil || n != 0 {
		t.Fatalf("the lock key exists=%d (err %v) after a stored answer, want none taken", n, err)
	}

	mustInvalidate(t, c, herald.SiteScope)
	next := mustGet(t, c, siteRSS, nil).Revision
	rel, got, _, err = c.LockRender(ctx, siteRSS, next)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender of the new revision beside the old entry: got %v err=%v, want held", got, err)
	}
	rel()
}

// TestRedisRenderLockAfterAWrite: once a write moved the scope's revision
// on, the old revision's lock neither blocks the new one nor is granted
// again: LockRender of the old revision says it moved (its waiters stop
// waiting for an entry that can never be stored), and so it does for a
// scope whose revision key is gone.
func TestRedisRenderLockAfterAWrite(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	a := mustOpenRedis(t, srv, RedisOptions{Prefix: "mv", LockTTL: time.Minute})
	b := mustOpenRedis(t, srv, RedisOptions{Prefix: "mv", LockTTL: time.Minute}) // another replica
	ctx := context.Background()
	rev := mustGet(t, a, siteRSS, nil).Revision
	releaseOld, got, _, err := a.LockRender(ctx, siteRSS, rev)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender: got %v err=%v, want held", got, err)
	}
	mustInvalidate(t, b, herald.SiteScope)
	next := mustGet(t, b, siteRSS, nil).Revision
	releaseNew, got, _, err := b.LockRender(ctx, siteRSS, next)
	if err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender of the new revision while the old one's is held: got %v err=%v, want held", got, err)
	}
	releaseNew()
	releaseOld()
	for _, c := range []*Redis{a, b} {
		if rel, got, _, err := c.LockRender(ctx, siteRSS, rev); err != nil || got != herald.LockMoved || rel != nil {
			t.Fatalf("LockRender of the old revision: got %v err=%v, want moved", got, err)
		}
	}
	if n, err := admin.Exists(ctx, "mv:lock:{site}:rss:0:20:"+rev).Result(); err != nil || n != 0 {
		t.Fatalf("a lock of the old revision exists=%d (err %v), want none taken", n, err)
	}
	if err := admin.Del(ctx, "mv:rev:{site}").Err(); err != nil {
		t.Fatal(err)
	}
	if _, got, _, err := a.LockRender(ctx, siteRSS, next); err != nil || got != herald.LockMoved {
		t.Fatalf("LockRender of a scope without a revision: got %v err=%v, want moved", got, err)
	}
}

func TestRedisRenderLockExpires(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{Prefix: "exp", LockTTL: 50 * time.Millisecond})
	ctx := context.Background()
	rev := mustGet(t, c, siteRSS, nil).Revision
	if _, got, _, err := c.LockRender(ctx, siteRSS, rev); err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender: got %v err=%v", got, err)
	}
	// A holder that never releases (a crashed replica) blocks nobody past
	// the TTL. Poll with a generous deadline; this is not a timing claim.
	deadline := time.Now().Add(10 * time.Second)
	for {
		release, got, _, err := c.LockRender(ctx, siteRSS, rev)
		if err != nil {
			t.Fatalf("LockRender: %v", err)
		}
		if got == herald.LockHeld {
			release()
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
