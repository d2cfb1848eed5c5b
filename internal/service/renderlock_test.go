package service

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
	if lock, err := crashed.LockRender(ctx, key); err != nil || lock.Result != herald.LockHeld {
		t.Fatalf("LockRender: got %+v err=%v", lock, err)
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

// countingRedis is a replica's shared tier that counts what a request
// sends it: lookups and render locks.
type countingRedis struct {
	*cache.Redis
	gets, locks atomic.Int64
}

func (c *countingRedis) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	c.gets.Add(1)
	return c.Redis.Get(ctx, k, cond)
}

func (c *countingRedis) GetCoded(ctx context.Context, k herald.FeedKey, cond *herald.Condition, cd herald.Coding) (herald.Lookup, error) {
	c.gets.Add(1)
	return c.Redis.GetCoded(ctx, k, cond, cd)
}

func (c *countingRedis) LockRender(ctx context.Context, k herald.FeedKey) (herald.Lock, error) {
	c.locks.Add(1)
	return c.Redis.LockRender(ctx, k)
}

// take returns the lookups and locks counted since the last call.
func (c *countingRedis) take() (gets, locks int64) { return c.gets.Swap(0), c.locks.Swap(0) }

// TestMissAfterAWriteIsOneRoundTrip: after a write, every replica's local
// tier knows the scope's new revision from the invalidation, so a miss
// asks Redis once before answering: the render lock, which either grants
// the render or returns the entry another replica stored. The writer
// renders; the other replica takes its entry and renders nothing.
func TestMissAfterAWriteIsOneRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	var fronts [2]*countingRedis
	var reps [2]*Feeds
	for i := range reps {
		reps[i] = tieredReplica(t, fx, srv, func(r *cache.Redis) herald.Cache {
			fronts[i] = &countingRedis{Redis: r}
			return fronts[i]
		})
	}
	a, b := reps[0], reps[1]
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := a.Get(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	a.Wait() // stored in Redis
	if res, err := b.Get(ctx, key, nil); err != nil || !res.Cached {
		t.Fatalf("replica b before the write: cached=%v err=%v, want a's entry", res.Cached, err)
	}

	writer := NewArticles(fx.store, a.cache, testSite(), ArticlesOptions{Now: fx.clock.Now})
	if err := writer.Create(ctx, &herald.Article{Title: "Two", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	// b's lookups below stay local (a hit before the message, a miss of
	// the known revision after it), so the polling sends nothing.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if l, err := b.cache.Get(ctx, key, nil); err == nil && !l.Hit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica b never applied the invalidation")
		}
	}
	fronts[0].take()
	fronts[1].take()

	res, err := a.Get(ctx, key, nil)
	if err != nil || res.Cached || !containsTitle(res.Entry.Body, "Two") {
		t.Fatalf("writer's miss: cached=%v err=%v, want a render with the new article", res.Cached, err)
	}
	if gets, locks := fronts[0].take(); gets != 0 || locks != 1 {
		t.Fatalf("writer's miss asked Redis for %d lookups and %d locks before answering, want 0 and 1", gets, locks)
	}
	a.Wait()

	res2, err := b.Get(ctx, key, nil)
	if err != nil || res2.Entry.ETag != res.Entry.ETag {
		t.Fatalf("replica b after the write: etag %q err %v, want a's %q", res2.Entry.ETag, err, res.Entry.ETag)
	}
	if gets, locks := fronts[1].take(); gets != 0 || locks != 1 {
		t.Fatalf("replica b's miss asked Redis for %d lookups and %d locks, want 0 and 1", gets, locks)
	}
	if r, s := b.Stats().Renders.Load(), b.Stats().SharedFills.Load(); r != 0 || s != 1 {
		t.Fatalf("replica b: %d renders, %d shared fills; want a's entry taken through the lock", r, s)
	}
	// And kept: the next request is a local hit.
	if res3, err := b.Get(ctx, key, nil); err != nil || !res3.Cached || res3.Entry.ETag != res.Entry.ETag {
		t.Fatalf("replica b again: cached=%v err=%v, want a local hit", res3.Cached, err)
	}
	if gets, locks := fronts[1].take(); gets != 0 || locks != 0 {
		t.Fatalf("replica b's hit asked Redis for %d lookups and %d locks, want nothing", gets, locks)
	}
}

// TestBurstBehindALateInvalidation: replicas whose local tiers have not yet
// heard of a write (its message still on the way) still render the feed
// once between them: the render lock answers about Redis's current
// revision, so they wait on one another instead of each rendering the
// revision they knew, and both keep the result under the current one.
func TestBurstBehindALateInvalidation(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	a := tieredReplica(t, fx, srv, nil)
	b := tieredReplica(t, fx, srv, nil)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := a.Get(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	if res, err := b.Get(ctx, key, nil); err != nil || !res.Cached {
		t.Fatalf("replica b before the write: cached=%v err=%v, want a's entry", res.Cached, err)
	}
	// A write's revision reaches Redis, and no replica hears of it yet.
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer admin.Close()
	if err := admin.Set(ctx, "svc:rev:{site}", "written-meanwhile", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// Both know the scope's old revision; neither holds this feed of it.
	key.Limit = 10
	rendersBefore := a.Stats().Renders.Load() + b.Stats().Renders.Load()
	var wg sync.WaitGroup
	results := make([]FeedResult, 8)
	errs := make([]error, len(results))
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = []*Feeds{a, b}[i%2].Get(ctx, key, nil)
		}()
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil || results[i].Entry.ETag == "" || results[i].Entry.ETag != results[0].Entry.ETag {
			t.Fatalf("request %d: etag %q err %v, want %q", i, results[i].Entry.ETag, errs[i], results[0].Entry.ETag)
		}
	}
	if got := a.Stats().Renders.Load() + b.Stats().Renders.Load() - rendersBefore; got != 1 {
		t.Fatalf("%d renders across 2 replicas behind a late invalidation, want 1", got)
	}
	a.Wait()
	b.Wait()
	for i, r := range []*Feeds{a, b} {
		if l, err := r.cache.Get(ctx, key, nil); err != nil || !l.Hit || l.Revision != "written-meanwhile" {
			t.Fatalf("replica %d afterwards: hit=%v revision %q err %v, want a local hit at Redis's revision", i, l.Hit, l.Revision, err)
		}
	}
}
