package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/render"
)

// TestFailedInvalidationIsRetried: a write made while Redis hangs is
// stored and acknowledged though its invalidation fails; once Redis
// answers again the invalidation is made in the background, so the feed
// Redis still holds does not stay stale for the cache TTL (an hour here).
func TestFailedInvalidationIsRetried(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	c, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "retry", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	feeds := NewFeeds(fx.store, c, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now})
	articles := NewArticles(fx.store, c, testSite(), ArticlesOptions{Now: fx.clock.Now})
	t.Cleanup(articles.Close)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := feeds.Get(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	feeds.Wait() // stored in Redis

	srv.Pause()
	const title = "Written while Redis hung"
	if err := articles.Create(ctx, &herald.Article{Title: title, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatalf("the write failed with its invalidation: %v", err)
	}
	st := articles.Stats()
	if st.InvalidationErrors.Load() != 1 || st.InvalidationsPending.Load() == 0 {
		t.Fatalf("invalidation errors %d, pending scopes %d; want 1 and some", st.InvalidationErrors.Load(), st.InvalidationsPending.Load())
	}
	srv.Resume()

	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := feeds.Get(ctx, key, nil)
		if err == nil && containsTitle(res.Entry.Body, title) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed still lacks the write 10s after Redis came back (err %v): the failed invalidation was not retried", err)
		}
	}
	if st.InvalidationRetries.Load() < 1 || st.InvalidationsPending.Load() != 0 {
		t.Fatalf("retries %d, pending %d; want at least 1 and none left", st.InvalidationRetries.Load(), st.InvalidationsPending.Load())
	}
}

// flakyCache fails every Invalidate until ok is set.
type flakyCache struct {
	herald.Cache
	ok    atomic.Bool
	calls atomic.Int64
}

func (f *flakyCache) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	f.calls.Add(1)
	if !f.ok.Load() {
		return errors.New("cache unreachable")
	}
	return f.Cache.Invalidate(ctx, scopes)
}

// TestInvalidationRetryEdges: a later write's successful invalidation
// settles the scopes it covers, except those whose invalidation failed
// again after it was sent; the pending set is bounded; and Close makes one
// last attempt for what is left.
func TestInvalidationRetryEdges(t *testing.T) {
	fx := newFixture(t, nil)
	fc := &flakyCache{Cache: fx.cache}
	var stats ArticleStats
	r := newInvalidationRetry(fc, slog.New(slog.DiscardHandler), &stats)
	tag := func(i int) herald.Scope { return herald.Scope{Kind: herald.ScopeTag, Slug: fmt.Sprintf("t%d", i)} }

	scopes := make([]herald.Scope, maxPendingScopes+3)
	for i := range scopes {
		scopes[i] = tag(i)
	}
	if dropped := r.add(scopes); dropped != 3 || stats.InvalidationsPending.Load() != maxPendingScopes {
		t.Fatalf("dropped %d, pending %d; want 3 and %d", dropped, stats.InvalidationsPending.Load(), maxPendingScopes)
	}
	mark := r.mark()
	r.add(scopes[:1]) // failed again, after an invalidation was sent: stays
	r.settled(scopes[:10], mark)
	if got := stats.InvalidationsPending.Load(); got != maxPendingScopes-9 {
		t.Fatalf("pending %d after ten were settled, one of them failing again since, want %d", got, maxPendingScopes-9)
	}
	fc.ok.Store(true)
	r.close()
	if stats.InvalidationsPending.Load() != 0 || stats.InvalidationRetries.Load() != 1 {
		t.Fatalf("after close: pending %d, retries %d; want 0 and 1", stats.InvalidationsPending.Load(), stats.InvalidationRetries.Load())
	}
	r.close() // twice is harmless
	if dropped := r.add([]herald.Scope{tag(1)}); dropped != 0 {
		t.Fatalf("add after close dropped %d", dropped)
	}
}
