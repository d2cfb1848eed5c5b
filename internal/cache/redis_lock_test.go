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

	releaseA, held, err := a.LockRender(ctx, k, rev)
	if err != nil || !held {
		t.Fatalf("first LockRender: held=%v err=%v, want held", held, err)
	}
	if got, err := admin.PTTL(ctx, key).Result(); err != nil || got <= 0 || got > ttl {
		t.Fatalf("PTTL %s = %v (err %v), want in (0, %v]", key, got, err, ttl)
	}
	if _, held, err := b.LockRender(ctx, k, rev); err != nil || held {
		t.Fatalf("LockRender by another replica while held: held=%v err=%v, want not held", held, err)
	}
	// Another revision (after a write) has a lock of its own.
	releaseOther, held, err := b.LockRender(ctx, k, "another-revision")
	if err != nil || !held {
		t.Fatalf("LockRender of another revision: held=%v err=%v, want held", held, err)
	}
	releaseOther()

	releaseA()
	if n, err := admin.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("lock key exists=%d (err %v) after release, want gone", n, err)
	}
	releaseB, held, err := b.LockRender(ctx, k, rev)
	if err != nil || !held {
		t.Fatalf("LockRender after release: held=%v err=%v, want held", held, err)
	}

	// A holder whose lock expired and was taken by someone else must not
	// release the new holder's lock.
	if err := admin.Del(ctx, key).Err(); err != nil { // as if b's lock expired
		t.Fatal(err)
	}
	releaseC, held, err := a.LockRender(ctx, k, rev)
	if err != nil || !held {
		t.Fatalf("LockRender after expiry: held=%v err=%v, want held", held, err)
	}
	releaseB() // stale: must leave a's lock alone
	if n, _ := admin.Exists(ctx, key).Result(); n != 1 {
		t.Fatalf("a stale release deleted the current holder's lock")
	}
	releaseC()

	if _, _, err := a.LockRender(ctx, k, ""); err == nil {
		t.Fatalf("LockRender with an empty revision succeeded, want an error")
	}
	if got := a.RenderLockTTL(); got != ttl {
		t.Fatalf("RenderLockTTL=%v, want %v", got, ttl)
	}
}

func TestRedisRenderLockExpires(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{Prefix: "exp", LockTTL: 50 * time.Millisecond})
	ctx := context.Background()
	rev := mustGet(t, c, siteRSS, nil).Revision
	if _, held, err := c.LockRender(ctx, siteRSS, rev); err != nil || !held {
		t.Fatalf("LockRender: held=%v err=%v", held, err)
	}
	// A holder that never releases (a crashed replica) blocks nobody past
	// the TTL. Poll with a generous deadline; this is not a timing claim.
	deadline := time.Now().Add(10 * time.Second)
	for {
		release, held, err := c.LockRender(ctx, siteRSS, rev)
		if err != nil {
			t.Fatalf("LockRender: %v", err)
		}
		if held {
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
