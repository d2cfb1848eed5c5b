package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/metrics"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/render"
)

// gateRenderer counts renders and, while a gate is set, holds each one
// until the gate is closed, so that a burst overlaps its one render.
type gateRenderer struct {
	herald.Renderer
	calls atomic.Int64
	gate  atomic.Pointer[chan struct{}]
}

func (g *gateRenderer) Render(f herald.Format, ch herald.Channel, a []*herald.Article) ([]byte, error) {
	g.calls.Add(1)
	if gate := g.gate.Load(); gate != nil {
		<-*gate
	}
	return g.Renderer.Render(f, ch, a)
}

// servedReplica is one process's read path on the Redis of srv stacked as
// `herald serve` stacks it: the Redis cache measured (metrics), behind the
// circuit breaker, and, with local set, the local tier in front of that.
func servedReplica(t *testing.T, st herald.Store, fx *fixture, srv *redistest.Server, r herald.Renderer, local bool) *Feeds {
	t.Helper()
	rc, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "svc", Timeout: 5 * time.Second, LockTTL: time.Minute})
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	breaker := cache.NewBreaker(metrics.New().Cache(rc), cache.BreakerOptions{})
	var c herald.Cache = breaker
	if local {
		tc := cache.NewTiered(cache.NewMemory(cache.MemoryOptions{}), rc, cache.TieredOptions{LocalTTL: time.Hour, Front: breaker})
		for deadline := time.Now().Add(10 * time.Second); !tc.Live(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the subscription was never confirmed")
			}
		}
		c = tc
	}
	t.Cleanup(func() { c.Close() })
	f := NewFeeds(st, c, r, testSite(), FeedsOptions{Now: fx.clock.Now, RenderTimeout: 10 * time.Second})
	t.Cleanup(f.Wait)
	return f
}

// redisKeys returns every key under the tests' prefix with its value for
// strings (revisions, locks) and its type otherwise.
func redisKeys(t *testing.T, admin *redis.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	iter := admin.Scan(ctx, 0, "svc:*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		typ, err := admin.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if typ == "string" {
			v, err := admin.Get(ctx, k).Result()
			if err != nil && err != redis.Nil {
				t.Fatal(err)
			}
			out[k] = v
		} else {
			out[k] = typ
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// keyDiff describes how after differs from before, key names shortened.
func keyDiff(before, after map[string]string) string {
	short := func(k string) string {
		if len(k) > 60 {
			return k[:40] + "…(" + strconv.Itoa(len(k)) + " bytes)"
		}
		return k
	}
	var lines []string
	for k, v := range after {
		if w, ok := before[k]; !ok {
			lines = append(lines, "+ "+short(k))
		} else if w != v {
			lines = append(lines, "~ "+short(k)+": "+w+" → "+v)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			lines = append(lines, "- "+short(k))
		}
	}
	slices.Sort(lines)
	if len(lines) > 12 {
		lines = append(lines[:12], fmt.Sprintf("… %d more", len(lines)-12))
	}
	return strings.Join(lines, "\n")
}

// TestMissingScopesLeaveNoKeysInRedis: feeds of categories, tags and
// authors that no article has are 404s anyone can ask for, with slugs
// kilobytes long; they must leave nothing in the shared Redis (they used to
// leave each scope's revision key for a day). Asked through two replicas
// stacked as served, one with the local tier and one without, concurrently
// (so some wait on another's render lock), in every format and as a
// history page. A feed that exists keeps its revision and entries, and a
// burst of its misses still renders once across the replicas while 404s
// come and go beside it.
func TestMissingScopesLeaveNoKeysInRedis(t *testing.T) {
	srv := redistest.Start(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer admin.Close()
	fx := newFixture(t, nil)
	ctx := context.Background()
	gr := &gateRenderer{Renderer: render.New()}
	a := servedReplica(t, fx.store, fx, srv, gr, true)
	b := servedReplica(t, fx.store, fx, srv, gr, false)
	writer := NewArticles(fx.store, a.cache, testSite(), ArticlesOptions{Now: fx.clock.Now})
	if err := writer.Create(ctx, &herald.Article{Title: "Present", Tags: []string{"Go"}, Categories: []string{"News"},
		PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	existing := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "go"}, Format: herald.FormatRSS, Limit: 20}
	if _, err := a.Get(ctx, existing, nil); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	if res, err := b.Get(ctx, existing, nil); err != nil || !res.Cached {
		t.Fatalf("existing feed on the second replica: cached=%v err=%v, want the first's entry", res.Cached, err)
	}
	before := redisKeys(t, admin)
	revKey := "svc:rev:{tag:go}"
	if before[revKey] == "" || before["svc:feed:{tag:go}:rss:0:20"] != "hash" {
		t.Fatalf("the existing scope has no revision or entry in Redis: %v", before)
	}

	long := strings.Repeat("x", 7000)
	var missing []herald.FeedKey
	for i := range 30 {
		kinds := []herald.ScopeKind{herald.ScopeTag, herald.ScopeCategory, herald.ScopeAuthor}
		k := herald.FeedKey{Scope: herald.Scope{Kind: kinds[i%3], Slug: long + strconv.Itoa(i)},
			Format: herald.Formats[i%len(herald.Formats)], Limit: 20}
		if i%5 == 4 {
			k.Offset = 2
		}
		missing = append(missing, k)
	}
	missing = append(missing, herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "rust"}, Format: herald.FormatAtom, Limit: 20})
	ask := func(keys []herald.FeedKey, copies int) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, len(keys)*copies)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = []*Feeds{a, b}[i%2].Get(ctx, keys[i/copies], nil)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if !herald.IsNotFound(err) {
				t.Fatalf("missing scope %d: err=%v, want not found", i/copies, err)
			}
		}
	}
	ask(missing, 3)
	a.Wait()
	b.Wait()
	if after := redisKeys(t, admin); len(after) != len(before) || keyDiff(before, after) != "" {
		t.Fatalf("404s changed the keys in Redis (%d before, %d after):\n%s", len(before), len(after), keyDiff(before, after))
	}
	// Asked again (the local tier may have kept nothing either), and
	// sequentially, where no request waits on another's lock.
	for _, k := range missing[:4] {
		for _, r := range []*Feeds{a, b, a} {
			if _, err := r.Get(ctx, k, nil); !herald.IsNotFound(err) {
				t.Fatalf("missing scope again: err=%v, want not found", err)
			}
		}
	}
	if after := redisKeys(t, admin); keyDiff(before, after) != "" {
		t.Fatalf("repeated 404s changed the keys in Redis:\n%s", keyDiff(before, after))
	}

	// A feed of the existing scope that neither replica holds: a burst
	// across both renders once, 404s answered meanwhile.
	gate := make(chan struct{})
	gr.gate.Store(&gate)
	rendersBefore := gr.calls.Load()
	missesBefore := a.Stats().Misses.Load() + b.Stats().Misses.Load()
	fresh := herald.FeedKey{Scope: existing.Scope, Format: herald.FormatAtom, Limit: 20}
	const n = 12
	var wg sync.WaitGroup
	etags := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := []*Feeds{a, b}[i%2].Get(ctx, fresh, nil)
			etags[i], errs[i] = res.Entry.ETag, err
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); a.Stats().Misses.Load()+b.Stats().Misses.Load()-missesBefore < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the burst never missed")
		}
	}
	ask(missing[:6], 2)
	close(gate)
	wg.Wait()
	gr.gate.Store(nil)
	a.Wait()
	b.Wait()
	for i := range n {
		if errs[i] != nil || etags[i] == "" || etags[i] != etags[0] {
			t.Fatalf("burst request %d: etag %q err %v, want %q", i, etags[i], errs[i], etags[0])
		}
	}
	if got := gr.calls.Load() - rendersBefore; got != 1 {
		t.Fatalf("%d renders for a burst of %d misses across 2 replicas, want 1", got, n)
	}
	after := redisKeys(t, admin)
	if after[revKey] != before[revKey] {
		t.Fatalf("the existing scope's revision went from %q to %q", before[revKey], after[revKey])
	}
	delete(after, "svc:feed:{tag:go}:atom:0:20") // the burst's own entry, and nothing else new
	if diff := keyDiff(before, after); diff != "" {
		t.Fatalf("keys in Redis after the burst and the 404s, besides the burst's entry:\n%s", diff)
	}
	if l, err := b.cache.Get(ctx, fresh, nil); err != nil || !l.Hit || l.Entry.ETag != etags[0] || l.Revision != before[revKey] {
		t.Fatalf("the burst's entry in Redis: hit=%v etag %q revision %q err %v; want %q under %q", l.Hit, l.Entry.ETag, l.Revision, err, etags[0], before[revKey])
	}
}

// hookStore runs hook once, after a feed read of scope has answered.
type hookStore struct {
	cachingStore
	scope herald.Scope
	once  sync.Once
	hook  func()
}

func (h *hookStore) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	p, err := h.cachingStore.Feed(ctx, q)
	if q.Scope == h.scope {
		h.once.Do(h.hook)
	}
	return p, err
}

// TestScopeCreatedAsItsFeedIsMissed: a write that creates a scope lands
// between the store's "not found" for it and the removal of the revision
// that read minted. The write's revision stays (the removal compares), and
// the scope's feed is then rendered with the new article and served from
// the cache, on the replica of the 404 and on another one.
func TestScopeCreatedAsItsFeedIsMissed(t *testing.T) {
	srv := redistest.Start(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer admin.Close()
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	scope := herald.Scope{Kind: herald.ScopeTag, Slug: "new"}
	revKey := "svc:rev:{tag:new}"
	hs := &hookStore{cachingStore: fx.store, scope: scope}
	a := servedReplica(t, hs, fx, srv, render.New(), true)
	b := servedReplica(t, fx.store, fx, srv, render.New(), false)
	writer := NewArticles(fx.store, a.cache, testSite(), ArticlesOptions{Now: fx.clock.Now})
	var minted, written string
	hs.hook = func() {
		minted = admin.Get(ctx, revKey).Val()
		if err := writer.Create(ctx, &herald.Article{Title: "Brand new", Tags: []string{"New"}, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
			t.Error(err)
		}
		written = admin.Get(ctx, revKey).Val()
	}
	key := herald.FeedKey{Scope: scope, Format: herald.FormatRSS, Limit: 20}
	if _, err := a.Get(ctx, key, nil); !herald.IsNotFound(err) {
		t.Fatalf("the read before the write: err=%v, want not found", err)
	}
	if minted == "" || written == "" || written == minted {
		t.Fatalf("revision minted by the read %q, set by the write %q: want two", minted, written)
	}
	if got := admin.Get(ctx, revKey).Val(); got != written {
		t.Fatalf("revision after the 404: %q, want the write's %q", got, written)
	}
	res, err := a.Get(ctx, key, nil)
	if err != nil || res.Cached || !containsTitle(res.Entry.Body, "Brand new") {
		t.Fatalf("after the write: cached=%v err=%v, want a render with the new article", res.Cached, err)
	}
	a.Wait()
	for i, r := range []*Feeds{a, b} {
		got, err := r.Get(ctx, key, nil)
		if err != nil || !got.Cached || got.Entry.ETag != res.Entry.ETag {
			t.Fatalf("replica %d: cached=%v etag %q err %v, want the rendering %q from the cache", i, got.Cached, got.Entry.ETag, err, res.Entry.ETag)
		}
	}
	if got := admin.Get(ctx, revKey).Val(); got != written {
		t.Fatalf("revision in the end: %q, want the write's %q", got, written)
	}
}
