package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// counting counts the calls that reach a cache, and can cut it off
// (answering with an error as a partitioned Redis would) while it keeps
// its data.
type counting struct {
	herald.Cache
	calls atomic.Int64
	down  atomic.Bool
}

var errPartitioned = errors.New("test: cache unreachable")

func (c *counting) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	c.calls.Add(1)
	if c.down.Load() {
		return herald.Lookup{}, errPartitioned
	}
	return c.Cache.Get(ctx, k, cond)
}

func (c *counting) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	c.calls.Add(1)
	if c.down.Load() {
		return errPartitioned
	}
	return c.Cache.Invalidate(ctx, scopes)
}

// waitClosed polls the breaker through Get until a call reaches the cache
// and succeeds. The deadline only guards against hanging.
func waitClosed(t *testing.T, b *Breaker, k herald.FeedKey) herald.Lookup {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		look, err := b.Get(context.Background(), k, nil)
		if err == nil {
			if b.State() != BreakerClosed {
				t.Fatalf("state=%v after a successful call, want closed", b.State())
			}
			return look
		}
		if time.Now().After(deadline) {
			t.Fatalf("breaker never let a call through again: %v (state %v)", err, b.State())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBreakerStopsCallingDeadRedis stops a real Redis: after the configured
// failures the breaker refuses calls without reaching the client, and once
// Redis is back caching resumes without a restart.
func TestBreakerStopsCallingDeadRedis(t *testing.T) {
	srv := redistest.Start(t)
	inner := &counting{Cache: mustOpenRedis(t, srv, RedisOptions{Prefix: "breaker", Timeout: 200 * time.Millisecond})}
	var transitions []string
	b := NewBreaker(inner, BreakerOptions{Failures: 3, Cooldown: 100 * time.Millisecond,
		OnStateChange: func(from, to BreakerState) { transitions = append(transitions, from.String()+">"+to.String()) }})
	if b.Name() != "redis" {
		t.Fatalf("Name()=%q, want the decorated cache's name", b.Name())
	}
	ctx := context.Background()
	look := mustGet(t, b, siteRSS, nil)
	mustPut(t, b, siteRSS, look.Revision, testEntry("one"))

	srv.Stop()
	for i := 0; i < 3; i++ {
		if _, err := b.Get(ctx, siteRSS, nil); err == nil {
			t.Fatalf("Get %d with Redis stopped succeeded", i)
		}
	}
	if b.State() != BreakerOpen {
		t.Fatalf("state=%v after 3 failures, want open", b.State())
	}
	before := inner.calls.Load()
	for i := 0; i < 100; i++ {
		if _, err := b.Get(ctx, siteRSS, nil); !errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("Get with the breaker open: err=%v, want ErrBreakerOpen", err)
		}
	}
	if got := inner.calls.Load() - before; got != 0 {
		t.Fatalf("%d calls reached Redis while the breaker was open, want 0", got)
	}

	srv.Restart()
	waitClosed(t, b, siteRSS)
	look = mustGet(t, b, siteRSS, nil)
	mustPut(t, b, siteRSS, look.Revision, testEntry("two"))
	assertHit(t, mustGet(t, b, siteRSS, nil), testEntry("two"))
	want := []string{"closed>open", "open>half-open", "half-open>closed"}
	if len(transitions) < 3 || transitions[0] != want[0] || transitions[len(transitions)-1] != want[2] {
		t.Fatalf("transitions=%v, want to start with %q and end with %q", transitions, want[0], want[2])
	}
}

// TestBreakerDeliversMissedInvalidations cuts a cache off while it keeps its
// data, as a network partition does: a write during the outage must not
// leave the old entry to be served once the cache answers again.
func TestBreakerDeliversMissedInvalidations(t *testing.T) {
	inner := &counting{Cache: NewMemory(MemoryOptions{})}
	b := NewBreaker(inner, BreakerOptions{Failures: 1, Cooldown: 50 * time.Millisecond})
	ctx := context.Background()
	look := mustGet(t, b, siteRSS, nil)
	mustPut(t, b, siteRSS, look.Revision, testEntry("before"))

	inner.down.Store(true)
	if err := b.Invalidate(ctx, []herald.Scope{herald.SiteScope}); err == nil {
		t.Fatalf("Invalidate with the cache cut off succeeded")
	}
	if b.Pending() != 1 {
		t.Fatalf("pending=%d after a failed invalidation, want 1", b.Pending())
	}
	if _, err := b.Get(ctx, siteRSS, nil); err == nil {
		t.Fatalf("Get with an invalidation pending and the cache cut off succeeded")
	}

	inner.down.Store(false)
	got := waitClosed(t, b, siteRSS)
	if got.Hit {
		t.Fatalf("after recovery Get hit %q, an entry the missed invalidation made stale", got.Entry.Body)
	}
	if b.Pending() != 0 {
		t.Fatalf("pending=%d after recovery, want 0", b.Pending())
	}
}

// TestBreakerIgnoresCallersThatGiveUp: a request that is cancelled is no
// evidence against the cache and must not open the breaker.
func TestBreakerIgnoresCallersThatGiveUp(t *testing.T) {
	inner := &counting{Cache: NewMemory(MemoryOptions{})}
	inner.down.Store(true)
	b := NewBreaker(inner, BreakerOptions{Failures: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < 5; i++ {
		b.Get(ctx, siteRSS, nil)
	}
	if b.State() != BreakerClosed {
		t.Fatalf("state=%v after cancelled calls, want closed", b.State())
	}
}

// TestBreakerKeepsTheRenderLock: decorating Redis must not hide its
// cross-replica render lock from the read path.
func TestBreakerKeepsTheRenderLock(t *testing.T) {
	srv := redistest.Start(t)
	var c herald.Cache = NewBreaker(mustOpenRedis(t, srv, RedisOptions{Prefix: "breakerlock"}), BreakerOptions{})
	lk, ok := c.(herald.RenderLocker)
	if !ok {
		t.Fatalf("Breaker over Redis does not offer herald.RenderLocker")
	}
	look := mustGet(t, c, siteRSS, nil)
	lock, err := lk.LockRender(context.Background(), siteRSS)
	if err != nil || lock.Result != herald.LockHeld || lock.Revision != look.Revision {
		t.Fatalf("first LockRender: got %+v err=%v, want held at %s", lock, err, look.Revision)
	}
	if again, err := lk.LockRender(context.Background(), siteRSS); err != nil || again.Result != herald.LockBusy {
		t.Fatalf("second LockRender while held: got %+v err=%v, want busy", again, err)
	}
	lock.Release()
	if lk.RenderLockTTL() <= 0 {
		t.Errorf("RenderLockTTL()=%v, want Redis's", lk.RenderLockTTL())
	}
}
