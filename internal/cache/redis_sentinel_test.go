package cache

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// TestRedisSentinel reaches a real master through a real Sentinel, which
// is given only the master's name, and runs the cache's operations there.
func TestRedisSentinel(t *testing.T) {
	st := redistest.StartSentinel(t)
	client, err := NewRedisClient(RedisClientOptions{
		SentinelMaster: redistest.SentinelMaster,
		SentinelAddrs:  []string{st.Sentinel.Addr()},
	})
	if err != nil {
		t.Fatalf("NewRedisClient: %v", err)
	}
	c := NewRedis(client, RedisOptions{Prefix: "sn", Timeout: 5 * time.Second})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	// The Sentinel may need a moment to accept its first monitor query.
	deadline := time.Now().Add(15 * time.Second)
	for c.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("Ping through Sentinel: %v", c.Ping(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l)
	mustPut(t, c, siteRSS, l.Revision, testEntry("via sentinel"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("via sentinel"))
	if lock, err := c.LockRender(ctx, siteRSS); err != nil || lock.Result != herald.LockStored || lock.Revision != l.Revision {
		t.Fatalf("LockRender of the stored entry: got %+v err=%v, want stored at %s", lock, err, l.Revision)
	}
	other := siteRSS
	other.Limit = 50
	lock, err := c.LockRender(ctx, other)
	if err != nil || lock.Result != herald.LockHeld {
		t.Fatalf("LockRender: got %+v err=%v", lock, err)
	}
	lock.Release()
	mustInvalidate(t, c, herald.SiteScope)
	assertMiss(t, mustGet(t, c, siteRSS, nil))

	// The writes landed on the master the Sentinel named.
	admin := mustClient(t, st.Master)
	if n, err := admin.Exists(ctx, "sn:feed:{site}:rss:0:20").Result(); err != nil || n != 1 {
		t.Fatalf("entry on the master: exists=%d err=%v, want 1", n, err)
	}
}
