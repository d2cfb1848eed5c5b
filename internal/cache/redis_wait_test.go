package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// waitReplicaOnline waits until master reports n replicas online.
func waitReplicaOnline(tb testing.TB, master *redis.Client, n int) {
	tb.Helper()
	waitFor(tb, fmt.Sprintf("%d replica(s) online", n), func() bool {
		info, err := master.Info(context.Background(), "replication").Result()
		return err == nil && strings.Count(info, "state=online") == n
	})
}

// TestRedisInvalidateWaitsForReplicas: with WaitReplicas, Invalidate
// returns once a replica holds the new revisions; when the replica does not
// answer, the revisions are in force on the master all the same and the
// error says they are not yet replicated. Neither a Tiered cache (which
// adopts the new revisions) nor a circuit breaker (which stays closed and
// keeps no invalidation pending) takes that for a failure of Redis.
func TestRedisInvalidateWaitsForReplicas(t *testing.T) {
	master := redistest.Start(t)
	replica := redistest.StartReplica(t, master)
	admin, onReplica := mustClient(t, master), mustClient(t, replica)
	waitReplicaOnline(t, admin, 1)
	ctx := context.Background()
	const key = "wt:rev:{site}"
	revision := func(c *redis.Client) string {
		t.Helper()
		v, err := c.Get(ctx, key).Result()
		if err != nil {
			t.Fatalf("GET %s: %v", key, err)
		}
		return v
	}

	c := mustOpenRedis(t, master, RedisOptions{Prefix: "wt", WaitReplicas: 1, WaitTimeout: 10 * time.Second})
	mustInvalidate(t, c, herald.SiteScope)
	// WAIT has returned, so the replica holds the new revision already.
	first := revision(admin)
	if got := revision(onReplica); got != first {
		t.Fatalf("replica's revision %q right after Invalidate, want the master's %q", got, first)
	}

	replica.Pause()
	defer replica.Resume()
	short := mustOpenRedis(t, master, RedisOptions{Prefix: "wt", WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond})
	err := short.Invalidate(ctx, []herald.Scope{herald.SiteScope})
	if !errors.Is(err, herald.ErrUnreplicated) {
		t.Fatalf("Invalidate with the replica frozen: %v, want ErrUnreplicated", err)
	}
	if !strings.Contains(err.Error(), "0 of 1 replicas") {
		t.Fatalf("error %q does not say how many replicas acknowledged", err)
	}
	second := revision(admin)
	if second == first {
		t.Fatalf("revision unchanged on the master after an unreplicated Invalidate: it must be in force")
	}

	// A Tiered cache adopts the new revision although the error came.
	tiered := mustOpenTiered(t, short, time.Now, TieredOptions{LocalTTL: time.Hour})
	if err := tiered.Invalidate(ctx, []herald.Scope{herald.SiteScope}); !errors.Is(err, herald.ErrUnreplicated) {
		t.Fatalf("Tiered.Invalidate with the replica frozen: %v, want ErrUnreplicated", err)
	}
	if l := mustGet(t, tiered, siteRSS, nil); l.Revision != revision(admin) {
		t.Fatalf("local revision %q after an unreplicated invalidation, want the master's %q", l.Revision, revision(admin))
	}

	// A breaker stays closed, keeps nothing pending, and reads go on.
	br := NewBreaker(short, BreakerOptions{Failures: 2})
	for range 3 {
		if err := br.Invalidate(ctx, []herald.Scope{herald.SiteScope}); !errors.Is(err, herald.ErrUnreplicated) {
			t.Fatalf("Breaker.Invalidate with the replica frozen: %v, want ErrUnreplicated", err)
		}
	}
	if br.State() != BreakerClosed || br.Pending() != 0 {
		t.Fatalf("breaker after unreplicated invalidations: state %v, %d pending; want closed and none", br.State(), br.Pending())
	}
	if _, err := br.Get(ctx, siteRSS, nil); err != nil {
		t.Fatalf("Get through the breaker: %v", err)
	}

	// More replicas asked for than there are: never enough.
	replica.Resume()
	waitReplicaOnline(t, admin, 1)
	two := mustOpenRedis(t, master, RedisOptions{Prefix: "wt", WaitReplicas: 2, WaitTimeout: 50 * time.Millisecond})
	if err := two.Invalidate(ctx, []herald.Scope{herald.SiteScope}); !errors.Is(err, herald.ErrUnreplicated) || !strings.Contains(err.Error(), "1 of 2 replicas") {
		t.Fatalf("Invalidate waiting for 2 replicas of 1: %v, want ErrUnreplicated with 1 of 2", err)
	}
	// The replica is back: the next invalidation is acknowledged.
	mustInvalidate(t, c, herald.SiteScope)
	if a, r := revision(admin), revision(onReplica); a != r {
		t.Fatalf("replica's revision %q after Invalidate, want the master's %q", r, a)
	}
}

// TestRedisClusterInvalidateWaits: on a Cluster, each master's SETs and
// its WAIT go on one connection; the test cluster has no replicas, so any
// WaitReplicas is short, on every master, and the revisions still change
// everywhere and are published.
func TestRedisClusterInvalidateWaits(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	client, err := NewRedisClient(RedisClientOptions{ClusterAddrs: cl.Addrs()[:1], PoolSize: 4})
	if err != nil {
		t.Fatalf("NewRedisClient: %v", err)
	}
	c := NewRedis(client, RedisOptions{Prefix: "clw", Timeout: 5 * time.Second, WaitReplicas: 1, WaitTimeout: 20 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	sub := client.Subscribe(ctx, c.channel())
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	var scopes []herald.Scope
	before := map[herald.Scope]string{}
	for i := range 12 {
		sc := herald.Scope{Kind: herald.ScopeTag, Slug: fmt.Sprintf("w%d", i)}
		scopes = append(scopes, sc)
		before[sc] = mustGet(t, c, herald.FeedKey{Scope: sc, Format: herald.FormatRSS, Limit: 20}, nil).Revision
	}
	err = c.Invalidate(ctx, scopes)
	if !errors.Is(err, herald.ErrUnreplicated) || !strings.Contains(err.Error(), "0 of 1 replicas") {
		t.Fatalf("Invalidate on a cluster without replicas: %v, want ErrUnreplicated with 0 of 1", err)
	}
	for _, sc := range scopes {
		if rev := mustGet(t, c, herald.FeedKey{Scope: sc, Format: herald.FormatRSS, Limit: 20}, nil).Revision; rev == before[sc] {
			t.Fatalf("revision of %s unchanged after an unreplicated Invalidate", sc)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	msg, err := sub.ReceiveMessage(rctx)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if _, got, _, _, err := parseInvalidation(msg.Payload); err != nil || len(got) != len(scopes) {
		t.Fatalf("published message has %d scopes (err %v), want %d", len(got), err, len(scopes))
	}
}

// TestRedisWaitSkippedWhileReplicasShort: once a wait fell short, a
// write's invalidation no longer waits (no WAIT reaches Redis; it reports
// ErrUnreplicated at once, its revisions in force), while a repeat
// (herald.Repeating) waits in full; the first repeat the replicas
// acknowledge makes writes wait again.
func TestRedisWaitSkippedWhileReplicasShort(t *testing.T) {
	master := redistest.Start(t)
	replica := redistest.StartReplica(t, master)
	admin := mustClient(t, master)
	waitReplicaOnline(t, admin, 1)
	ctx := context.Background()
	waits := func() int64 {
		t.Helper()
		info, err := admin.Info(ctx, "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(info, "\n") {
			if rest, ok := strings.CutPrefix(line, "cmdstat_wait:calls="); ok {
				var n int64
				fmt.Sscanf(rest, "%d", &n)
				return n
			}
		}
		return 0
	}
	c := mustOpenRedis(t, master, RedisOptions{Prefix: "ws", WaitReplicas: 1, WaitTimeout: time.Second})
	invalidate := func(ctx context.Context) error {
		return c.Invalidate(ctx, []herald.Scope{herald.SiteScope})
	}
	if err := invalidate(ctx); err != nil || waits() != 1 {
		t.Fatalf("with the replica up: %v after %d WAITs, want success after 1", err, waits())
	}

	replica.Pause()
	defer replica.Resume()
	if err := invalidate(ctx); !errors.Is(err, herald.ErrUnreplicated) || waits() != 2 {
		t.Fatalf("replica frozen: %v after %d WAITs, want ErrUnreplicated after 2", err, waits())
	}
	before, err := admin.Get(ctx, "ws:rev:{site}").Result()
	if err != nil {
		t.Fatal(err)
	}
	err = invalidate(ctx)
	if !errors.Is(err, herald.ErrUnreplicated) || !strings.Contains(err.Error(), "fell short at the last wait") || waits() != 2 {
		t.Fatalf("write while short: %v after %d WAITs, want ErrUnreplicated without a WAIT (still 2)", err, waits())
	}
	if after, _ := admin.Get(ctx, "ws:rev:{site}").Result(); after == before {
		t.Fatal("the revision did not change: a skipped wait must leave the invalidation in force")
	}
	if err := invalidate(herald.Repeating(ctx)); !errors.Is(err, herald.ErrUnreplicated) || waits() != 3 {
		t.Fatalf("repeat while short: %v after %d WAITs, want ErrUnreplicated after a WAIT (3)", err, waits())
	}

	replica.Resume()
	waitReplicaOnline(t, admin, 1)
	if err := invalidate(ctx); !errors.Is(err, herald.ErrUnreplicated) || waits() != 3 {
		t.Fatalf("write after the replica came back, before any repeat: %v after %d WAITs, want ErrUnreplicated without a WAIT", err, waits())
	}
	if err := invalidate(herald.Repeating(ctx)); err != nil || waits() != 4 {
		t.Fatalf("repeat with the replica back: %v after %d WAITs, want success after 4", err, waits())
	}
	if err := invalidate(ctx); err != nil || waits() != 5 {
		t.Fatalf("write after a successful repeat: %v after %d WAITs, want success after a WAIT (5)", err, waits())
	}
}
