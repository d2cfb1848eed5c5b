package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// TestRedisCluster runs every cache operation against a real three-master
// Redis Cluster. Scripts that touch two keys in different slots fail there
// with CROSSSLOT, so this proves the hash tags keep each operation's keys
// in one slot; the scopes are many so that they land on every master.
func TestRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	client, err := NewRedisClient(RedisClientOptions{ClusterAddrs: cl.Addrs()[:1], PoolSize: 4})
	if err != nil {
		t.Fatalf("NewRedisClient: %v", err)
	}
	c := NewRedis(client, RedisOptions{Prefix: "cl", Timeout: 5 * time.Second, LockTTL: time.Minute})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	var scopes []herald.Scope
	for i := range 30 {
		scopes = append(scopes, herald.Scope{Kind: herald.ScopeTag, Slug: fmt.Sprintf("t%d", i)})
	}
	scopes = append(scopes, herald.SiteScope)
	masters := map[string]bool{}
	revs := map[herald.Scope]string{}
	for _, sc := range scopes {
		k := herald.FeedKey{Scope: sc, Format: herald.FormatJSON, Limit: 20}
		l := mustGet(t, c, k, nil)
		assertMiss(t, l)
		mustPut(t, c, k, l.Revision, testEntry(sc.Key()))
		assertHit(t, mustGet(t, c, k, nil), testEntry(sc.Key()))
		cond := &herald.Condition{HasIfNoneMatch: true, ETags: []string{testEntry(sc.Key()).ETag}}
		if l := mustGet(t, c, k, cond); !l.NotModified {
			t.Fatalf("conditional Get of %s: NotModified=false", sc)
		}
		// The lock script reads the entry's key and sets the lock's: both
		// in the scope's slot.
		if lock, err := c.LockRender(ctx, k); err != nil || lock.Result != herald.LockStored || lock.Revision != l.Revision {
			t.Fatalf("LockRender(%s) of the stored entry: got %+v err=%v, want stored at %s", sc, lock, err, l.Revision)
		}
		other := k
		other.Limit = 50
		lock, err := c.LockRender(ctx, other)
		if err != nil || lock.Result != herald.LockHeld {
			t.Fatalf("LockRender(%s): got %+v err=%v", sc, lock, err)
		}
		lock.Release()
		revs[sc] = l.Revision
		node, err := client.(*redis.ClusterClient).MasterForKey(ctx, c.entryKey(k))
		if err != nil {
			t.Fatalf("MasterForKey: %v", err)
		}
		masters[node.Options().Addr] = true
	}
	if len(masters) != 3 {
		t.Fatalf("the scopes' keys live on %d masters, want all 3 (the test would prove less)", len(masters))
	}

	// One Invalidate across every slot: the pipeline is split by node.
	mustInvalidate(t, c, scopes...)
	for _, sc := range scopes {
		k := herald.FeedKey{Scope: sc, Format: herald.FormatJSON, Limit: 20}
		l := mustGet(t, c, k, nil)
		assertMiss(t, l)
		if l.Revision == revs[sc] {
			t.Fatalf("%s kept revision %q after Invalidate", sc, l.Revision)
		}
	}
}
