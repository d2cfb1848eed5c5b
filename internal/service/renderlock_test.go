package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/render"
)

// replicas builds n read paths that share fx's store and one real Redis,
// each with a Redis client of its own, as separate processes would. Their
// render timeout (10s) is shorter than the minute-long lock TTLs the tests
// use, so a lock that is never released shows as a failed request rather
// than a slow one.
func replicas(t *testing.T, fx *fixture, srv *redistest.Server, r herald.Renderer, n int, lockTTL time.Duration) []*Feeds {
	t.Helper()
	var out []*Feeds
	for range n {
		c, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "svc", Timeout: 5 * time.Second, LockTTL: lockTTL})
		if err != nil {
			t.Fatalf("OpenRedis: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		out = append(out, NewFeeds(fx.store, c, r, testSite(), FeedsOptions{Now: fx.clock.Now, RenderTimeout: 10 * time.Second}))
	}
	return out
}

// TestBurstAcrossReplicasRendersOnce: concurrent misses spread over three
// replicas render the feed once in all, and every request gets it.
func TestBurstAcrossReplicasRendersOnce(t *testing.T) {
	srv := redistest.Start(t)
	sr := &slowRenderer{Renderer: render.New(), release: make(chan struct{})}
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	reps := replicas(t, fx, srv, sr, 3, time.Minute)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 20}
	const n = 30
	var wg sync.WaitGroup
	etags := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := reps[i%len(reps)].Get(ctx, key, nil)
			etags[i], errs[i] = res.Entry.ETag, err
		}()
	}
	// Every request has missed before the one render may finish.
	for {
		var misses int64
		for _, r := range reps {
			misses += r.Stats().Misses.Load()
		}
		if misses == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(sr.release)
	wg.Wait()
	var renders int64
	for _, r := range reps {
		renders += r.Stats().Renders.Load()
	}
	if got := sr.calls.Load(); got != 1 || renders != 1 {
		t.Fatalf("renderer calls=%d, counted renders=%d across 3 replicas for %d concurrent misses, want 1 and 1", got, renders, n)
	}
	for i := range etags {
		if errs[i] != nil || etags[i] != etags[0] || etags[i] == "" {
			t.Fatalf("request %d: etag %q err %v, want %q", i, etags[i], errs[i], etags[0])
		}
	}
}

// TestLockHolderThatNeverStores: a replica that took the lock and died
// delays the others by at most the lock's TTL; they then render
// themselves, and nothing fails.
func TestLockHolderThatNeverStores(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	const ttl = 200 * time.Millisecond
	reps := replicas(t, fx, srv, render.New(), 2, ttl)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	crashed, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "svc", Timeout: 5 * time.Second, LockTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	defer crashed.Close()
	l, err := crashed.Get(ctx, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := crashed.LockRender(ctx, key, l.Revision); err != nil || got != herald.LockHeld {
		t.Fatalf("LockRender: got %v err=%v", got, err)
	}
	res, err := reps[0].Get(ctx, key, nil)
	if err != nil || len(res.Entry.Body) == 0 {
		t.Fatalf("Get behind a dead lock holder: err=%v, body %d bytes; want the feed", err, len(res.Entry.Body))
	}
	if got := reps[0].Stats().Renders.Load(); got != 1 {
		t.Fatalf("renders=%d, want 1: the replica renders itself when no entry comes", got)
	}
	// Its entry serves the other replica.
	if res, err := reps[1].Get(ctx, key, nil); err != nil || !res.Cached {
		t.Fatalf("second replica: err=%v cached=%v, want a hit", err, res.Cached)
	}
}

// TestLockedMissOfUnknownScope: a render that fails (a scope with no
// articles is a 404) releases the lock, so the other replicas do not wait
// for an entry that never comes; each gets the same not-found answer.
func TestLockedMissOfUnknownScope(t *testing.T) {
	srv := redistest.Start(t)
	fx := newFixture(t, nil)
	reps := replicas(t, fx, srv, render.New(), 3, time.Minute)
	key := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "nothing"}, Format: herald.FormatRSS, Limit: 20}
	var wg sync.WaitGroup
	errs := make([]error, 9)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = reps[i%3].Get(context.Background(), key, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if !herald.IsNotFound(err) {
			t.Fatalf("request %d: err=%v, want not found", i, err)
		}
	}
}
