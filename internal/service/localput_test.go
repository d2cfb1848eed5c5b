package service

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// gatedFront is the shared tier of a Tiered cache whose Puts wait for the
// test: each one blocks until a value arrives on proceed (or it is
// closed), and fails with it when it is not nil.
type gatedFront struct {
	herald.Cache
	puts    atomic.Int64
	proceed chan error
}

func (g *gatedFront) Put(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	g.puts.Add(1)
	if err := <-g.proceed; err != nil {
		return err
	}
	return g.Cache.Put(ctx, k, rev, e, ttl)
}

// tieredReplica is one process's read path on the Redis of srv with the
// local tier in front, its shared-tier calls going through front when it
// is not nil (the way production puts the breaker there).
func tieredReplica(t *testing.T, fx *fixture, srv *redistest.Server, front func(*cache.Redis) herald.Cache, tune ...func(*FeedsOptions)) *Feeds {
	t.Helper()
	shared, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "svc", Timeout: 5 * time.Second, LockTTL: time.Minute})
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	opts := cache.TieredOptions{LocalTTL: time.Hour}
	if front != nil {
		opts.Front = front(shared)
	}
	c := cache.NewTiered(cache.NewMemory(cache.MemoryOptions{}), shared, opts)
	t.Cleanup(func() { c.Close() })
	for deadline := time.Now().Add(10 * time.Second); !c.Live(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the subscription was never confirmed")
		}
	}
	fo := FeedsOptions{Now: fx.clock.Now, RenderTimeout: 10 * time.Second}
	for _, f := range tune {
		f(&fo)
	}
	f := NewFeeds(fx.store, c, render.New(), testSite(), fo)
	t.Cleanup(f.Wait)
	return f
}

// TestMissAnswersBeforeTheSharedPut: with a local tier, a miss is answered
// as soon as the rendering is in this process's tier; its trip to Redis
// and the release of the render lock follow. Meanwhile this process serves
// the entry locally, and another replica waits on the lock and then takes
// the entry instead of rendering it again.
func TestMissAnswersBeforeTheSharedPut(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	gate := &gatedFront{proceed: make(chan error)}
	a := tieredReplica(t, fx, srv, func(r *cache.Redis) herald.Cache { gate.Cache = r; return gate })
	t.Cleanup(func() { close(gate.proceed) }) // runs before a.Wait
	b := tieredReplica(t, fx, srv, nil)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}

	// Answered while the shared Put is held: a miss that waited for it
	// would never return (the guard only keeps that from hanging the run).
	type result struct {
		res FeedResult
		err error
	}
	answered := make(chan result, 1)
	go func() {
		res, err := a.Get(ctx, key, nil)
		answered <- result{res, err}
	}()
	var first FeedResult
	var err error
	select {
	case r := <-answered:
		first, err = r.res, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("the miss was not answered while its shared Put was held")
	}
	if err != nil || first.Cached || len(first.Entry.Body) == 0 {
		t.Fatalf("first Get: cached=%v err=%v body %d bytes, want a rendered miss", first.Cached, err, len(first.Entry.Body))
	}
	for gate.puts.Load() == 0 { // the shared Put starts after the answer
		time.Sleep(time.Millisecond)
	}
	if again, err := a.Get(ctx, key, nil); err != nil || !again.Cached || again.Entry.ETag != first.Entry.ETag {
		t.Fatalf("same replica before the shared Put: cached=%v err=%v, want a local hit", again.Cached, err)
	}
	plain, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "svc", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if l, err := plain.Get(ctx, key, nil); err != nil || l.Hit {
		t.Fatalf("Redis before the shared Put: hit=%v err=%v, want nothing stored yet", l.Hit, err)
	}

	done := make(chan FeedResult, 1)
	go func() {
		res, err := b.Get(ctx, key, nil)
		if err != nil {
			t.Errorf("replica b: %v", err)
		}
		done <- res
	}()
	for b.Stats().Misses.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	gate.proceed <- nil
	res := <-done
	if res.Entry.ETag != first.Entry.ETag || b.Stats().Renders.Load() != 0 {
		t.Fatalf("replica b: etag %q renders %d, want a's entry %q without rendering", res.Entry.ETag, b.Stats().Renders.Load(), first.Entry.ETag)
	}
	a.Wait()
	if l, err := plain.Get(ctx, key, nil); err != nil || !l.Hit || l.Entry.ETag != first.Entry.ETag {
		t.Fatalf("Redis after the shared Put: hit=%v err=%v", l.Hit, err)
	}
}

// TestSharedPutFailsAfterTheAnswer: a shared Put that fails after the miss
// was answered is counted as a cache error and still releases the render
// lock, so another replica renders at once instead of waiting out the
// lock's minute-long TTL (longer than its render timeout).
func TestSharedPutFailsAfterTheAnswer(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	gate := &gatedFront{proceed: make(chan error, 1)}
	gate.proceed <- errors.New("redis went away")
	a := tieredReplica(t, fx, srv, func(r *cache.Redis) herald.Cache { gate.Cache = r; return gate })
	t.Cleanup(func() { close(gate.proceed) }) // runs before a.Wait
	b := tieredReplica(t, fx, srv, nil)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}

	if res, err := a.Get(ctx, key, nil); err != nil || len(res.Entry.Body) == 0 {
		t.Fatalf("Get: err=%v body %d bytes, want the feed", err, len(res.Entry.Body))
	}
	a.Wait()
	if got := a.Stats().CacheErrors.Load(); got != 1 {
		t.Fatalf("cache errors=%d, want the failed shared Put counted", got)
	}
	if res, err := b.Get(ctx, key, nil); err != nil || res.Cached || b.Stats().Renders.Load() != 1 {
		t.Fatalf("replica b: err=%v cached=%v renders=%d, want its own render without waiting on the lock", err, res.Cached, b.Stats().Renders.Load())
	}
}

// hookedRedis is a replica's Redis cache (render lock included) that runs
// hook once, after its first Get has read a miss and before returning it.
type hookedRedis struct {
	*cache.Redis
	once sync.Once
	hook func()
}

func (h *hookedRedis) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	l, err := h.Redis.Get(ctx, k, cond)
	h.once.Do(h.hook)
	return l, err
}

// TestMissFindsTheEntryStoredSinceItsLookup: a replica whose lookup missed
// just before another replica stored the entry and released its lock
// learns, when it asks for the lock, that the entry is there, and serves
// it without rendering.
func TestMissFindsTheEntryStoredSinceItsLookup(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	a := tieredReplica(t, fx, srv, nil)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	var stored FeedResult
	shared, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "svc", Timeout: 5 * time.Second, LockTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	hooked := &hookedRedis{Redis: shared, hook: func() {
		var err error
		if stored, err = a.Get(ctx, key, nil); err != nil {
			t.Errorf("replica a: %v", err)
		}
		a.Wait() // stored in Redis and the lock released
	}}
	b := NewFeeds(fx.store, hooked, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now, RenderTimeout: 10 * time.Second})
	res, err := b.Get(ctx, key, nil)
	if err != nil || res.Entry.ETag != stored.Entry.ETag || stored.Entry.ETag == "" {
		t.Fatalf("replica b: etag %q err %v, want a's %q", res.Entry.ETag, err, stored.Entry.ETag)
	}
	if got := b.Stats().Misses.Load(); got != 1 {
		t.Fatalf("replica b: %d misses, want its lookup to have missed", got)
	}
	if got := b.Stats().Renders.Load(); got != 0 {
		t.Fatalf("replica b rendered %d times, want a's entry taken", got)
	}
}

// orderedGate is an in-process cache whose Puts and PutShareds each wait
// for the test to let that very call through (by its number, from 0), so
// that the test decides the order in which late stores land.
type orderedGate struct {
	*cache.Memory
	mu    sync.Mutex
	gates []chan struct{}
	calls atomic.Int64 // stores that reached their gate
	done  atomic.Int64 // stores that went through
}

func (g *orderedGate) gate(i int) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.gates) <= i {
		g.gates = append(g.gates, make(chan struct{}))
	}
	return g.gates[i]
}

func (g *orderedGate) wait() { <-g.gate(int(g.calls.Add(1) - 1)) }

func (g *orderedGate) Put(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	g.wait()
	defer g.done.Add(1)
	return g.Memory.Put(ctx, k, rev, e, ttl)
}

func (g *orderedGate) PutShared(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	g.wait()
	defer g.done.Add(1)
	return g.Memory.PutShared(ctx, k, rev, e, ttl)
}

// TestLateStoreKeepsTheNewerRendering: the background store of a miss that
// lands after a newer rendering of the same revision (a scheduled article
// came due in between, which changes the feed but not the revision) must
// not bring the older rendering back.
func TestLateStoreKeepsTheNewerRendering(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), sqlite.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := &orderedGate{Memory: cache.NewMemory(cache.MemoryOptions{Now: c.Now})}
	feeds := NewFeeds(st, g, render.New(), testSite(), FeedsOptions{Now: c.Now, RenderTimeout: 10 * time.Second})
	articles := NewArticles(st, g, testSite(), ArticlesOptions{Now: c.Now})
	ctx := context.Background()
	due := c.Now().Add(30 * time.Minute)
	for _, a := range []*herald.Article{{Title: "Now", PublishedAt: c.Now().Add(-time.Hour)}, {Title: "Later", PublishedAt: due}} {
		if err := articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	reached := func(n int64) { // the first n stores wait at their gates
		for g.calls.Load() < n {
			time.Sleep(time.Millisecond)
		}
	}
	older, err := feeds.Get(ctx, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	reached(1) // its store, at gate 0, began before the due time
	c.Set(due.Add(time.Second))
	newer, err := feeds.Get(ctx, key, nil)
	if err != nil || !containsTitle(newer.Entry.Body, "Later") {
		t.Fatalf("after the due time: err %v, or the scheduled article is missing", err)
	}
	reached(2)
	close(g.gate(1)) // the newer rendering's store lands first,
	for g.done.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	close(g.gate(0)) // then the older one's
	feeds.Wait()
	if res, err := feeds.Get(ctx, key, herald.ParseCondition(older.Entry.ETag, "")); err != nil || res.NotModified || !containsTitle(res.Entry.Body, "Later") {
		t.Fatalf("after both stores: err %v, 304 %v; want the newer rendering, with the scheduled article", err, res.NotModified)
	}
}

// TestBackgroundStoresAreBounded: once every background store slot is
// taken (here the one slot, by a store Redis holds up), a miss stores its
// rendering before answering instead of adding to the renderings waiting
// in memory; when the slot is free again, misses answer first again.
func TestBackgroundStoresAreBounded(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	gate := &gatedFront{proceed: make(chan error)}
	a := tieredReplica(t, fx, srv, func(r *cache.Redis) herald.Cache { gate.Cache = r; return gate },
		func(o *FeedsOptions) { o.BackgroundStores = 1 })
	t.Cleanup(func() { close(gate.proceed) })
	key := func(limit int) herald.FeedKey {
		return herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: limit}
	}
	get := func(limit int) <-chan error {
		done := make(chan error, 1)
		go func() {
			res, err := a.Get(ctx, key(limit), nil)
			if err == nil && (res.Cached || len(res.Entry.Body) == 0) {
				err = errors.New("not a rendered miss")
			}
			done <- err
		}()
		return done
	}
	awaitPuts := func(n int64) {
		for deadline := time.Now().Add(10 * time.Second); gate.puts.Load() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d shared Puts started, want %d", gate.puts.Load(), n)
			}
		}
	}
	answer := func(done <-chan error, what string) {
		t.Helper()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: not answered", what)
		}
	}

	answer(get(20), "first miss, its store in the background") // takes the slot, held by the gate
	awaitPuts(1)
	second := get(10)
	awaitPuts(2) // the second miss's own store, made before it answers
	select {
	case err := <-second:
		t.Fatalf("second miss answered (err %v) while its store was held, with no slot free", err)
	default:
	}
	if n := a.Stats().SyncStores.Load(); n != 1 {
		t.Errorf("SyncStores = %d, want 1", n)
	}
	gate.proceed <- nil
	gate.proceed <- nil
	answer(second, "second miss, once its store went through")
	a.Wait() // the slot is free again
	answer(get(5), "third miss, its store in the background again")
	awaitPuts(3)
	if n := a.Stats().SyncStores.Load(); n != 1 {
		t.Errorf("SyncStores = %d after a free slot, want still 1", n)
	}
}
