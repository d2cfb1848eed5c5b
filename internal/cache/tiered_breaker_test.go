package cache

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// callLog is a go-redis hook that records what the cache sends, leaving
// out the handshake of each new connection (HELLO, CLIENT SETINFO): one
// entry per command or pipeline, a pipeline as its commands' names
// joined by "+" ("set+incr+publish").
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func handshake(name string) bool { return name == "hello" || name == "client" }

func (h *callLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *callLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !handshake(cmd.Name()) {
			h.mu.Lock()
			h.calls = append(h.calls, cmd.Name())
			h.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (h *callLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name())
		}
		if !slices.ContainsFunc(names, handshake) {
			h.mu.Lock()
			h.calls = append(h.calls, strings.Join(names, "+"))
			h.mu.Unlock()
		}
		return next(ctx, cmds)
	}
}

// take returns what was recorded since the last call and resets.
func (h *callLog) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	calls := h.calls
	h.calls = nil
	return calls
}

// openCallLogged returns a Redis cache on srv whose client records its
// calls.
func openCallLogged(tb testing.TB, srv *redistest.Server, opts RedisOptions) (*Redis, *callLog) {
	tb.Helper()
	o, err := ParseRedisURL(srv.URL())
	if err != nil {
		tb.Fatalf("ParseRedisURL: %v", err)
	}
	client := redis.NewClient(o)
	log := &callLog{}
	client.AddHook(log)
	return NewRedis(client, opts), log
}

// TestTieredInvalidationThroughBreaker: a write's invalidation through a
// Tiered cache (the production stack with redis.local_cache) goes through
// its Front, the circuit breaker. With Redis healthy it is one pipeline
// whose tokens the local tier adopts before Invalidate returns, and
// another replica learns them by Pub/Sub. With Redis frozen its failures
// open the breaker; while the breaker is open it sends nothing to Redis
// and forgets the scopes locally; once Redis is back the breaker delivers
// what it owes before anything is read, so an entry stored before the
// outage is never served again.
func TestTieredInvalidationThroughBreaker(t *testing.T) {
	srv := redistest.Start(t)
	// A short timeout: each failed call below waits for it.
	shared, log := openCallLogged(t, srv, RedisOptions{Prefix: "tb", Timeout: 200 * time.Millisecond})
	const failures = 3
	b := NewBreaker(shared, BreakerOptions{Failures: failures, Cooldown: 3 * time.Second})
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{Front: b})
	other := mustOpenTiered(t, mustOpenRedis(t, srv, RedisOptions{Prefix: "tb"}), time.Now, TieredOptions{LocalTTL: time.Hour})
	admin := mustClient(t, srv)
	ctx := context.Background()
	revKey := shared.revisionKey(herald.SiteScope)

	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, testEntry("first"))
	mustPut(t, other, siteRSS, mustGet(t, other, siteRSS, nil).Revision, testEntry("first"))
	assertHit(t, mustGet(t, other, siteRSS, nil), testEntry("first"))

	// Healthy: one pipeline, adopted here at once, learnt by the other.
	log.take()
	mustInvalidate(t, c, herald.SiteScope)
	if calls := log.take(); len(calls) != 1 || calls[0] != "set+incr+publish" {
		t.Fatalf("a healthy invalidation sent %q, want one pipeline of set+incr+publish", calls)
	}
	rev, err := admin.Get(ctx, revKey).Result()
	if err != nil {
		t.Fatal(err)
	}
	if l := mustGet(t, c, siteRSS, nil); l.Hit || l.Revision != rev {
		t.Fatalf("after its own invalidation the local tier answers hit=%v at %q, want a miss at Redis's new %q", l.Hit, l.Revision, rev)
	}
	if calls := log.take(); len(calls) != 0 {
		t.Fatalf("reading the new revision sent %q: it was not applied locally by Invalidate", calls)
	}
	waitFor(t, "the other replica to learn the new revision", func() bool {
		l, err := other.Get(ctx, siteRSS, nil)
		return err == nil && !l.Hit && l.Revision == rev
	})
	mustPut(t, c, siteRSS, rev, testEntry("before the outage"))
	goRSS := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "go"}, Format: herald.FormatRSS, Limit: 20}
	goKey := shared.revisionKey(goRSS.Scope)
	mustPut(t, c, goRSS, mustGet(t, c, goRSS, nil).Revision, testEntry("go, before the outage"))
	goRev, err := admin.Get(ctx, goKey).Result()
	if err != nil {
		t.Fatal(err)
	}
	log.take()

	srv.Pause()
	for i := 0; i < failures; i++ {
		if err := c.Invalidate(ctx, []herald.Scope{herald.SiteScope}); err == nil || errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("invalidation %d with Redis frozen: err=%v, want Redis's failure", i, err)
		}
	}
	if b.State() != BreakerOpen {
		t.Fatalf("breaker %v after %d failed invalidations, want open", b.State(), failures)
	}
	if calls := log.take(); len(calls) != failures {
		t.Fatalf("%q for %d invalidations, want one pipeline each (no retry)", calls, failures)
	}
	for i := 0; i < 20; i++ {
		if err := c.Invalidate(ctx, []herald.Scope{herald.SiteScope, goRSS.Scope}); !errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("invalidation with the breaker open: err=%v, want ErrBreakerOpen", err)
		}
	}
	if calls := log.take(); len(calls) != 0 {
		t.Fatalf("with the breaker open invalidations sent %q to Redis, want nothing", calls)
	}
	if b.Pending() != 2 {
		t.Fatalf("the breaker owes %d scopes, want 2", b.Pending())
	}
	for _, k := range []herald.FeedKey{siteRSS, goRSS} {
		if l, err := c.Get(ctx, k, nil); err == nil && l.Hit {
			t.Fatalf("with the breaker open the local tier served %q, which the failed invalidation made stale", l.Entry.Body)
		}
	}

	srv.Resume()
	// Redis now runs what it received frozen (the timed-out pipelines of
	// the site), but the tag's invalidation was never sent: only the
	// breaker's delivery stands between its old entry and a reader.
	if got, err := admin.Get(ctx, goKey).Result(); err != nil || got != goRev {
		t.Fatalf("tag revision in Redis %q (err %v), want the one before the outage %q", got, err, goRev)
	}
	var l herald.Lookup
	waitFor(t, "the breaker to let reads through again", func() bool {
		l, err = c.Get(ctx, goRSS, nil)
		return err == nil
	})
	if l.Hit {
		t.Fatalf("after recovery Get hit %q, an entry the owed invalidation made stale", l.Entry.Body)
	}
	if b.Pending() != 0 || b.State() != BreakerClosed {
		t.Fatalf("after recovery the breaker owes %d scopes and is %v, want 0 and closed", b.Pending(), b.State())
	}
	if got, _ := admin.Get(ctx, goKey).Result(); got == goRev {
		t.Fatalf("the owed invalidation never reached Redis: the tag's revision is still %q", got)
	}
}

// partitioned is a Redis cache whose invalidations fail while down is set,
// as when the network drops them, while Redis keeps its data; its render
// lock stays in reach.
type partitioned struct {
	*Redis
	down atomic.Bool
}

func (p *partitioned) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	if p.down.Load() {
		return errPartitioned
	}
	return p.Redis.Invalidate(ctx, scopes)
}

// TestBreakerRenderLockWaitsForOwedInvalidations: the render lock hands
// back the entry it finds stored, so like Get it first delivers the
// invalidations the breaker owes; otherwise a miss of the local tier
// (which goes straight to the lock) could be answered with an entry a
// write made stale while Redis was out of reach.
func TestBreakerRenderLockWaitsForOwedInvalidations(t *testing.T) {
	srv := redistest.Start(t)
	inner := &partitioned{Redis: mustOpenRedis(t, srv, RedisOptions{Prefix: "breakerowed"})}
	b := NewBreaker(inner, BreakerOptions{Failures: 5})
	ctx := context.Background()
	mustPut(t, b, siteRSS, mustGet(t, b, siteRSS, nil).Revision, testEntry("before"))

	inner.down.Store(true)
	if err := b.Invalidate(ctx, []herald.Scope{herald.SiteScope}); err == nil {
		t.Fatalf("Invalidate with the cache cut off succeeded")
	}
	inner.down.Store(false)
	lock, err := b.LockRender(ctx, siteRSS)
	if err != nil {
		t.Fatal(err)
	}
	if lock.Release != nil {
		defer lock.Release()
	}
	if lock.Result == herald.LockStored {
		t.Fatalf("the render lock handed back %q, an entry the owed invalidation made stale", lock.Entry.Body)
	}
	if b.Pending() != 0 {
		t.Fatalf("the breaker still owes %d scopes after the lock", b.Pending())
	}
}
