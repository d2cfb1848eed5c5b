package cache

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// TestRedisRestoredFromAnOldSnapshot: Redis is restarted from a snapshot
// taken before a write's invalidation, so it holds the scope's old
// revision and the feed rendered under it again. A cache without the
// generation check goes on serving that feed; one with it notices that the
// generation went back, drops every revision (one process of two does it),
// and the feed misses; a replica's local tier, told by the reset message or
// by its lost subscription, does not keep it.
func TestRedisRestoredFromAnOldSnapshot(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	ctx := context.Background()
	watched := mustOpenRedis(t, srv, RedisOptions{Prefix: "gen", GenerationCheck: 20 * time.Millisecond})
	other := mustOpenRedis(t, srv, RedisOptions{Prefix: "gen", GenerationCheck: 20 * time.Millisecond})
	tiered := mustOpenTiered(t, other, time.Now, TieredOptions{LocalTTL: time.Hour})
	plain := mustOpenRedis(t, srv, RedisOptions{Prefix: "plain"}) // no check

	old := testEntry("before the write")
	for _, c := range []*Redis{watched, plain} {
		mustInvalidate(t, c, herald.SiteScope) // a first write: generation 1
		mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, old)
	}
	// The replica's local tier takes the stored feed (as a miss would,
	// through the lock) and serves it.
	mustLock(t, tiered, siteRSS, herald.LockStored, mustGet(t, watched, siteRSS, nil).Revision)
	assertHit(t, mustGet(t, tiered, siteRSS, nil), old)
	if err := admin.Save(ctx).Err(); err != nil {
		t.Fatalf("SAVE: %v", err)
	}
	for _, c := range []*Redis{watched, plain} {
		mustInvalidate(t, c, herald.SiteScope) // the write the snapshot misses
		assertMiss(t, mustGet(t, c, siteRSS, nil))
	}
	srv.Restart() // loads the snapshot

	waitFor(t, "the watched cache to stop serving the old feed", func() bool {
		l, err := watched.Get(ctx, siteRSS, nil)
		return err == nil && !l.Hit
	})
	if l := mustGet(t, plain, siteRSS, nil); !l.Hit {
		t.Fatalf("the unwatched cache missed: the snapshot was not restored, so this test proves nothing")
	}
	waitFor(t, "the replica's local tier to drop the old feed", func() bool {
		l, err := tiered.Get(ctx, siteRSS, nil)
		return err == nil && !l.Hit
	})
	if n := watched.Resets() + other.Resets(); n != 1 {
		t.Fatalf("%d resets by two processes, want 1", n)
	}
	if g, err := admin.Get(ctx, "gen:gen").Int64(); err != nil || g < 2 {
		t.Fatalf("generation after the reset %d (err %v), want it back at 2 or more", g, err)
	}
	// Writes go on as before, and nothing resets again.
	mustInvalidate(t, watched, herald.SiteScope)
	mustPut(t, watched, siteRSS, mustGet(t, watched, siteRSS, nil).Revision, testEntry("after"))
	time.Sleep(100 * time.Millisecond) // several checks' worth
	assertHit(t, mustGet(t, watched, siteRSS, nil), testEntry("after"))
	if n := watched.Resets() + other.Resets(); n != 1 {
		t.Fatalf("%d resets after writes resumed, want still 1", n)
	}
}

// TestRedisGenerationResetOnACluster: the reset drops the revisions on
// every master of a Cluster, and only those of the cache's prefix.
func TestRedisGenerationResetOnACluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	client, err := NewRedisClient(RedisClientOptions{ClusterAddrs: cl.Addrs()[:1], PoolSize: 4})
	if err != nil {
		t.Fatalf("NewRedisClient: %v", err)
	}
	c := NewRedis(client, RedisOptions{Prefix: "cg*", Timeout: 5 * time.Second})
	t.Cleanup(func() { c.Close() })
	otherClient, err := NewRedisClient(RedisClientOptions{ClusterAddrs: cl.Addrs()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	neighbour := NewRedis(otherClient, RedisOptions{Prefix: "cgx", Timeout: 5 * time.Second})
	t.Cleanup(func() { neighbour.Close() })
	ctx := context.Background()
	var scopes []herald.Scope
	for i := range 20 {
		scopes = append(scopes, herald.Scope{Kind: herald.ScopeTag, Slug: fmt.Sprintf("g%d", i)})
	}
	mustInvalidate(t, c, scopes...)
	mustInvalidate(t, neighbour, scopes...)
	if g := c.gen.Load(); g != 1 {
		t.Fatalf("generation seen after one invalidation: %d, want 1", g)
	}
	// As if the cluster had lost that write.
	if err := client.Del(ctx, c.genKey()).Err(); err != nil {
		t.Fatal(err)
	}
	n, err := c.checkGeneration(ctx)
	if err != nil || n != len(scopes) {
		t.Fatalf("reset dropped %d revisions (err %v), want %d", n, err, len(scopes))
	}
	count := func(pattern string) int {
		var mu sync.Mutex
		total := 0
		err := client.(*redis.ClusterClient).ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			keys, err := node.Keys(ctx, pattern).Result()
			mu.Lock()
			total += len(keys)
			mu.Unlock()
			return err
		})
		if err != nil {
			t.Fatalf("KEYS %s: %v", pattern, err)
		}
		return total
	}
	if got := count(`cg\*:rev:*`); got != 0 {
		t.Fatalf("%d revisions of the prefix left after the reset, want none", got)
	}
	if got := count("cgx:rev:*"); got != len(scopes) {
		t.Fatalf("%d revisions of another prefix left, want all %d", got, len(scopes))
	}
	if n, err := c.checkGeneration(ctx); err != nil || n != 0 {
		t.Fatalf("a second check reset again (%d revisions, err %v)", n, err)
	}
}
