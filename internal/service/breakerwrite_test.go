package service

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/render"
)

// reachingRedis counts the invalidations that get past the circuit
// breaker to Redis, those of writes apart from the background repeats.
type reachingRedis struct {
	herald.Cache
	writes, repeats atomic.Int64
}

func (c *reachingRedis) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	if herald.IsRepeating(ctx) {
		c.repeats.Add(1)
	} else {
		c.writes.Add(1)
	}
	return c.Cache.Invalidate(ctx, scopes)
}

// TestWritesThroughAnOpenBreaker: with Redis frozen, each write sends its
// invalidation once (no second attempt that would wait out another
// timeout), the failures open the circuit breaker, and from then on a
// write does not contact Redis at all: its invalidation stays owed. The
// failure is logged once, not once per write. When Redis is back, what
// the writes owe is delivered and the feed shows the last of them.
func TestWritesThroughAnOpenBreaker(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	rc, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "openbreaker", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	reached := &reachingRedis{Cache: rc}
	const failures = 2
	b := cache.NewBreaker(reached, cache.BreakerOptions{Failures: failures, Cooldown: 3 * time.Second})
	logs := &syncWriter{w: &strings.Builder{}}
	feeds := NewFeeds(fx.store, b, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now})
	articles := NewArticles(fx.store, b, testSite(), ArticlesOptions{Now: fx.clock.Now, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	t.Cleanup(articles.Close)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := feeds.Get(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	feeds.Wait() // stored in Redis

	srv.Pause()
	const writes = 10
	var title string
	for i := range writes {
		open := b.State() == cache.BreakerOpen
		before := reached.writes.Load()
		title = fmt.Sprintf("Written while Redis hung, %d", i)
		if err := articles.Create(ctx, &herald.Article{Title: title, PublishedAt: fx.clock.Now().Add(time.Duration(i-writes) * time.Second)}); err != nil {
			t.Fatalf("write %d failed with its invalidation: %v", i, err)
		}
		switch sent := reached.writes.Load() - before; {
		case sent > 1:
			t.Fatalf("write %d sent its invalidation to Redis %d times, want once at most", i, sent)
		case open && sent != 0:
			t.Fatalf("write %d reached Redis with the breaker open", i)
		}
	}
	if b.State() != cache.BreakerOpen {
		t.Fatalf("breaker %v after %d writes whose invalidations failed, want open", b.State(), writes)
	}
	if n := reached.writes.Load(); n > failures {
		t.Fatalf("%d of %d writes reached Redis, want at most %d (the failures that open the breaker)", n, writes, failures)
	}
	st := articles.Stats()
	if st.InvalidationErrors.Load() != writes || st.InvalidationsPending.Load() == 0 {
		t.Fatalf("invalidation errors %d, pending scopes %d; want %d and some", st.InvalidationErrors.Load(), st.InvalidationsPending.Load(), writes)
	}
	const failed = "cache invalidation failed after a committed write"
	if n := strings.Count(logs.String(), failed); n != 1 {
		t.Fatalf("%d lines say %q for %d writes within 10 s, want 1:\n%s", n, failed, writes, logs.String())
	}

	srv.Resume()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := feeds.Get(ctx, key, nil)
		if err == nil && res.Cached && containsTitle(res.Entry.Body, title) && st.InvalidationsPending.Load() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s after Redis came back: err %v, hit %v, pending %d, breaker %v; the owed invalidations were not delivered",
				err, res.Cached, st.InvalidationsPending.Load(), b.State())
		}
	}
	if b.Pending() != 0 || b.State() != cache.BreakerClosed {
		t.Fatalf("breaker owes %d scopes and is %v after recovery, want 0 and closed", b.Pending(), b.State())
	}
}
