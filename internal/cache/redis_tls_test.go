package cache

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// exerciseTLS runs a miss, a Put, a hit, a render lock and an invalidation
// through c: every kind of call the cache makes, over the connection
// under test.
func exerciseTLS(t *testing.T, c *Redis) {
	t.Helper()
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "tls"}, Format: herald.FormatRSS, Limit: 20}
	l := mustGet(t, c, k, nil)
	assertMiss(t, l)
	mustPut(t, c, k, l.Revision, testEntry("over tls"))
	assertHit(t, mustGet(t, c, k, nil), testEntry("over tls"))
	if lock, err := c.LockRender(ctx, k); err != nil || lock.Result != herald.LockStored || string(lock.Entry.Body) != "over tls" {
		t.Fatalf("LockRender: got %+v err=%v, want the stored entry", lock, err)
	}
	mustInvalidate(t, c, k.Scope)
	assertMiss(t, mustGet(t, c, k, nil))
}

// TestRedisOverTLS: the cache works against TLS-only servers in each of
// the three modes, trusting a private authority, and refuses a connection
// to them without it.
func TestRedisOverTLS(t *testing.T) {
	ca := redistest.NewTLS(t)
	open := func(t *testing.T, o RedisClientOptions) *Redis {
		t.Helper()
		o.DialTimeout = 2 * time.Second
		client, err := NewRedisClient(o)
		if err != nil {
			t.Fatalf("NewRedisClient: %v", err)
		}
		c := NewRedis(client, RedisOptions{Prefix: "tls", Timeout: 5 * time.Second, LockTTL: time.Minute})
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("single", func(t *testing.T) {
		srv := redistest.StartTLS(t, ca)
		exerciseTLS(t, open(t, RedisClientOptions{URL: srv.URL(), TLS: ca.ClientConfig()}))
		// The system roots do not know the test's authority.
		if err := open(t, RedisClientOptions{URL: srv.URL()}).Ping(context.Background()); err == nil {
			t.Fatalf("Ping without the authority succeeded, want a certificate error")
		}
		if _, err := NewRedisClient(RedisClientOptions{URL: "redis://" + srv.Addr(), TLS: ca.ClientConfig()}); err == nil {
			t.Fatalf("TLS settings with a redis:// URL were accepted")
		}
	})
	t.Run("cluster", func(t *testing.T) {
		cl := redistest.StartClusterTLS(t, 3, ca)
		exerciseTLS(t, open(t, RedisClientOptions{ClusterAddrs: cl.Addrs()[:1], TLS: ca.ClientConfig()}))
		if err := open(t, RedisClientOptions{ClusterAddrs: cl.Addrs()[:1]}).Ping(context.Background()); err == nil {
			t.Fatalf("Ping of a TLS cluster over plain TCP succeeded")
		}
	})
	t.Run("sentinel", func(t *testing.T) {
		st := redistest.StartSentinelTLS(t, ca)
		exerciseTLS(t, open(t, RedisClientOptions{SentinelMaster: redistest.SentinelMaster,
			SentinelAddrs: []string{st.Sentinel.Addr()}, TLS: ca.ClientConfig()}))
	})
}
