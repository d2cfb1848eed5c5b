package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
	feeds, articles, key := siteFeedStored(t, fx, c)

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

// siteFeedStored makes the read and write services of fx on c, and renders
// and stores the site's RSS feed, whose key it returns.
func siteFeedStored(t *testing.T, fx *fixture, c herald.Cache) (*Feeds, *Articles, herald.FeedKey) {
	t.Helper()
	feeds := NewFeeds(fx.store, c, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now})
	articles := NewArticles(fx.store, c, testSite(), ArticlesOptions{Now: fx.clock.Now})
	t.Cleanup(articles.Close)
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := feeds.Get(context.Background(), key, nil); err != nil {
		t.Fatal(err)
	}
	feeds.Wait() // stored in the cache
	return feeds, articles, key
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
	r := newInvalidationRetry(fc, fx.store, slog.New(slog.DiscardHandler), &stats)
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

// countingInvalidations counts Invalidate calls.
type countingInvalidations struct {
	herald.Cache
	calls atomic.Int64
}

func (c *countingInvalidations) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	c.calls.Add(1)
	return c.Cache.Invalidate(ctx, scopes)
}

// TestUnreplicatedInvalidationIsRepeated: with redis.wait_replicas, a write
// whose new revisions the master took but no replica acknowledged is
// served fresh at once (the revisions are in force), is not held back by a
// second wait, and is invalidated again in the background until a replica
// acknowledges, so that a failover could not bring the old feed back.
func TestUnreplicatedInvalidationIsRepeated(t *testing.T) {
	master := redistest.Start(t)
	replica := redistest.StartReplica(t, master)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: master.Addr()})
	defer admin.Close()
	onReplica := redis.NewClient(&redis.Options{Addr: replica.Addr()})
	defer onReplica.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if info, err := admin.Info(ctx, "replication").Result(); err == nil && strings.Contains(info, "state=online") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never came online")
		}
	}
	rc, err := cache.OpenRedis(master.URL(), cache.RedisOptions{Prefix: "repl", Timeout: 5 * time.Second,
		WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	c := &countingInvalidations{Cache: rc}
	feeds, articles, key := siteFeedStored(t, fx, c)

	replica.Pause()
	defer replica.Resume()
	const title = "Written while the replica hung"
	if err := articles.Create(ctx, &herald.Article{Title: title, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatalf("the write failed with its invalidation: %v", err)
	}
	if n := c.calls.Load(); n != 1 {
		t.Fatalf("%d invalidations before the write returned, want 1 (no second wait)", n)
	}
	st := articles.Stats()
	if st.InvalidationErrors.Load() != 1 || st.InvalidationsPending.Load() == 0 {
		t.Fatalf("invalidation errors %d, pending scopes %d; want 1 and some", st.InvalidationErrors.Load(), st.InvalidationsPending.Load())
	}
	if res, err := feeds.Get(ctx, key, nil); err != nil || res.Cached || !containsTitle(res.Entry.Body, title) {
		t.Fatalf("feed right after the write: cached=%v err=%v, want a fresh render with the article", res.Cached, err)
	}

	replica.Resume()
	for deadline := time.Now().Add(10 * time.Second); st.InvalidationsPending.Load() != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d scopes still pending 10s after the replica came back", st.InvalidationsPending.Load())
		}
	}
	if st.InvalidationRetries.Load() < 1 {
		t.Fatalf("pending settled without a retry")
	}
	want, err := admin.Get(ctx, "repl:rev:{site}").Result()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := onReplica.Get(ctx, "repl:rev:{site}").Result(); err != nil || got != want {
		t.Fatalf("replica's site revision %q (err %v), want the master's %q", got, err, want)
	}
}

// TestFailoverThatLostAWriteIsRepaired: the Redis master dies right after
// taking a write's new revision, before its replica had it, and Sentinel
// promotes that replica, which still holds the old revision and the feed
// rendered under it. Either defence brings the write back: with
// redis.wait_replicas the write's invalidation was reported unreplicated
// and is repeated in the background until it reaches the new master; with
// the generation check the process sees the counter went back and drops
// every revision. Without either, the old feed would be served until its
// TTL (the test fails so, at its 30 s guard).
func TestFailoverThatLostAWriteIsRepaired(t *testing.T) {
	t.Run("wait_replicas", func(t *testing.T) {
		failoverThatLostAWrite(t, cache.RedisOptions{WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond})
	})
	t.Run("generation check", func(t *testing.T) {
		failoverThatLostAWrite(t, cache.RedisOptions{GenerationCheck: 50 * time.Millisecond})
	})
}

func failoverThatLostAWrite(t *testing.T, opts cache.RedisOptions) {
	st := redistest.StartSentinelWithReplica(t)
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: st.Master.Addr()})
	defer admin.Close()
	client, err := cache.NewRedisClient(cache.RedisClientOptions{
		SentinelMaster: redistest.SentinelMaster,
		SentinelAddrs:  []string{st.Sentinel.Addr()},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.Prefix, opts.Timeout = "fo", time.Second
	rc := cache.NewRedis(client, opts)
	t.Cleanup(func() { rc.Close() })
	for deadline := time.Now().Add(15 * time.Second); rc.Ping(ctx) != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no master through the Sentinel: %v", rc.Ping(ctx))
		}
	}
	onReplica := redis.NewClient(&redis.Options{Addr: st.Replica.Addr()})
	defer onReplica.Close()
	feeds, articles, key := siteFeedStored(t, fx, rc)
	// The old revision and the feed rendered under it reach the replica.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rev, _ := admin.Get(ctx, "fo:rev:{site}").Result()
		repRev, _ := onReplica.Get(ctx, "fo:rev:{site}").Result()
		if n, _ := onReplica.Exists(ctx, "fo:feed:{site}:rss:0:20").Result(); n == 1 && rev != "" && repRev == rev {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never got the stored feed")
		}
	}

	// The replica is cut off (frozen, its link dropped by the master, so
	// nothing the master writes next can reach it), then the write.
	st.Replica.Pause()
	if err := admin.ClientKillByFilter(ctx, "TYPE", "replica").Err(); err != nil {
		t.Fatalf("CLIENT KILL TYPE replica: %v", err)
	}
	const title = "Written just before the failover"
	if err := articles.Create(ctx, &herald.Article{Title: title, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatalf("write: %v", err)
	}
	if pending := articles.Stats().InvalidationsPending.Load(); (pending > 0) != (opts.WaitReplicas > 0) {
		t.Fatalf("%d scopes pending after the write; want some exactly when waiting for replicas", pending)
	}
	st.Master.Stop()
	st.Replica.Resume()

	// Served from Redis (not rendered because Redis failed) and with the
	// write: the repeat reached the promoted replica.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err := feeds.Get(ctx, key, nil)
		if err == nil && res.Cached && containsTitle(res.Entry.Body, title) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s after the failover the cached feed still lacks the write (cached=%v, err %v)", res.Cached, err)
		}
	}
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: st.Sentinel.Addr()})
	defer sentinel.Close()
	addr, err := sentinel.GetMasterAddrByName(ctx, redistest.SentinelMaster).Result()
	if err != nil || len(addr) != 2 || addr[0]+":"+addr[1] != st.Replica.Addr() {
		t.Fatalf("Sentinel's master is %v (err %v), want the promoted replica %s", addr, err, st.Replica.Addr())
	}
}

// unclearingStore fails to clear records of delivered invalidations.
type unclearingStore struct{ herald.Store }

func (unclearingStore) ClearUndelivered(context.Context, []herald.Undelivered) error {
	return &herald.Error{Code: herald.EUnavailable, Message: "the database is unavailable"}
}

// TestFailedInvalidationIsRecorded: a write whose invalidation fails stays
// on record in the store (recorded by the write itself) until a delivery
// clears it; a write whose invalidation succeeds leaves nothing on record,
// and if the store cannot clear the record, the write still succeeds and
// the record only costs a later sweep one more invalidation.
func TestFailedInvalidationIsRecorded(t *testing.T) {
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	owed := func() []herald.Undelivered {
		t.Helper()
		list, err := fx.store.Undelivered(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	fx.articles.Close() // waits for the records of its delivered invalidations to be cleared
	if got := owed(); len(got) != 0 {
		t.Fatalf("on record after a delivered write: %v, want nothing", got)
	}
	fc := &flakyCache{Cache: fx.cache}
	writer := NewArticles(fx.store, fc, testSite(), ArticlesOptions{Now: fx.clock.Now})
	t.Cleanup(writer.Close)
	a := &herald.Article{Title: "Owed", Categories: []string{"News"}, PublishedAt: fx.clock.Now().Add(-time.Minute)}
	if err := writer.Create(ctx, a); err != nil {
		t.Fatalf("write: %v", err)
	}
	news := herald.Scope{Kind: herald.ScopeCategory, Slug: "news"}
	if got := owed(); len(got) != 2 || got[0].Scope != news || got[1].Scope != herald.SiteScope {
		t.Fatalf("on record after the failed invalidation: %v, want the category and the site", got)
	}
	fc.ok.Store(true)
	for deadline := time.Now().Add(10 * time.Second); len(owed()) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still on record 10s after the cache came back: %v", owed())
		}
	}
	if st := writer.Stats(); st.InvalidationsPending.Load() != 0 || st.InvalidationsRecovered.Load() != 0 {
		t.Fatalf("pending %d, recovered %d; want 0 each (the process delivered its own)",
			st.InvalidationsPending.Load(), st.InvalidationsRecovered.Load())
	}

	logs := &syncWriter{w: &strings.Builder{}}
	sticky := NewArticles(unclearingStore{fx.store}, fx.cache, testSite(), ArticlesOptions{Now: fx.clock.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	t.Cleanup(sticky.Close)
	if err := sticky.Create(ctx, &herald.Article{Title: "Uncleared", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatalf("write whose record cannot be cleared: %v", err)
	}
	sticky.Close()
	if got := owed(); len(got) != 1 || got[0].Scope != herald.SiteScope {
		t.Fatalf("on record after a delivered write the store could not clear: %v, want the site", got)
	}
	if !strings.Contains(logs.String(), "delivered cache invalidations stay on record in the database; a background sweep will deliver them once more") {
		t.Fatalf("the record left behind is not logged:\n%s", logs.String())
	}
}

// TestInvalidationOwedByAWriteThatDied: a write commits and its process
// dies before invalidating (the store written directly, as by a process
// killed right after the commit): the cache keeps serving the feed from
// before the write, but the store has the invalidation on record, and the
// next process to start delivers it, so the feed shows the write; the
// delivery is counted as recovered and the record cleared.
func TestInvalidationOwedByAWriteThatDied(t *testing.T) {
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	if _, err := fx.feeds.Get(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	a := &herald.Article{ID: "died-after-commit", Slug: "died-after-commit", Title: "Committed, never invalidated",
		URL: "https://example.com/died-after-commit", PublishedAt: fx.clock.Now().Add(-time.Minute)}
	if err := fx.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if res, err := fx.feeds.Get(ctx, key, nil); err != nil || !res.Cached || strings.Contains(string(res.Entry.Body), a.Title) {
		t.Fatalf("before any delivery: cached %v, err %v; want the cached feed from before the write", res.Cached, err)
	}
	next := NewArticles(fx.store, fx.cache, testSite(), ArticlesOptions{Now: fx.clock.Now})
	next.Start()
	t.Cleanup(next.Close)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := fx.feeds.Get(ctx, key, nil)
		if err == nil && strings.Contains(string(res.Entry.Body), a.Title) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after a process started, the feed still lacks the write (err %v)", err)
		}
	}
	// The delivery is counted, and then its record cleared in a
	// transaction of its own: the feed may show the write a moment before
	// either.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, err := fx.store.Undelivered(ctx, 10)
		if err == nil && len(list) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after the delivery still on record: %v (err %v), want nothing", list, err)
		}
	}
	if n := next.Stats().InvalidationsRecovered.Load(); n != 1 {
		t.Errorf("recovered %d scopes, want 1 (the site)", n)
	}
}

// syncWriter serialises writes to w, for logs written by goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// countingClears counts ClearUndelivered calls.
type countingClears struct {
	herald.Store
	calls atomic.Int64
}

func (c *countingClears) ClearUndelivered(ctx context.Context, l []herald.Undelivered) error {
	c.calls.Add(1)
	return c.Store.ClearUndelivered(ctx, l)
}

// TestDeliveredRecordsClearedInTheBackground: the records of delivered
// invalidations are cleared after the writes answered, without Close, and
// a burst of writes shares one clear.
func TestDeliveredRecordsClearedInTheBackground(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	st := &countingClears{Store: fx.store}
	w := NewArticles(st, fx.cache, testSite(), ArticlesOptions{Now: fx.clock.Now})
	t.Cleanup(w.Close)
	for i := range 5 {
		a := &herald.Article{Title: fmt.Sprintf("Burst %d", i), Tags: []string{fmt.Sprintf("t%d", i)}, PublishedAt: fx.clock.Now().Add(-time.Minute)}
		if err := w.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.calls.Load(); n != 0 {
		t.Fatalf("%d clears before the burst's writes had all answered and the delay passed, want 0", n)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if owed, err := fx.store.Undelivered(ctx, 20); err == nil && len(owed) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("records still on record 10s after the writes")
		}
	}
	if n := st.calls.Load(); n != 1 {
		t.Errorf("%d clears for a burst of 5 writes, want 1", n)
	}
}

// listingStore counts Undelivered calls and reports each one's list.
type listingStore struct {
	herald.Store
	calls  atomic.Int64
	listed chan []herald.Undelivered
}

func (s *listingStore) Undelivered(ctx context.Context, max int) ([]herald.Undelivered, error) {
	l, err := s.Store.Undelivered(ctx, max)
	s.calls.Add(1)
	select {
	case s.listed <- l:
	default:
	}
	return l, err
}

// TestSweepDeliversLingeringRecordsOnly: a running process's sweep
// delivers a record another process left only once the previous sweep
// listed it too, and never one its writer cleared in between (a write in
// flight), while the first attempt after a start delivers all it finds.
func TestSweepDeliversLingeringRecordsOnly(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	st := &listingStore{Store: fx.store, listed: make(chan []herald.Undelivered, 1)}
	w := NewArticles(st, fx.cache, testSite(), ArticlesOptions{Now: fx.clock.Now})
	w.retry.sweepEvery = 200 * time.Millisecond
	t.Cleanup(w.Close)
	orphan := func(slug string) { // committed by a writer that never invalidates
		t.Helper()
		a := &herald.Article{ID: slug, Slug: slug, Title: slug, URL: "https://example.com/" + slug, Tags: []string{slug},
			PublishedAt: fx.clock.Now().Add(-time.Minute)}
		if err := fx.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	recovered := func() int64 { return w.Stats().InvalidationsRecovered.Load() }
	orphan("before-start")
	w.Start()
	eventually(t, 10*time.Second, "the first attempt delivering what it found", func() bool { return recovered() == 2 })

	orphan("left-behind")
	from := st.calls.Load()
	eventually(t, 10*time.Second, "a sweep delivering the record left behind", func() bool { return recovered() == 4 })
	if n := st.calls.Load() - from; n < 2 {
		t.Errorf("delivered after %d listings, want at least 2 (seen by two sweeps)", n)
	}

	for len(st.listed) > 0 {
		<-st.listed
	}
	orphan("in-flight")
	for {
		l := <-st.listed
		if len(l) > 0 {
			if err := fx.store.ClearUndelivered(ctx, l); err != nil { // its writer delivered and cleared it
				t.Fatal(err)
			}
			break
		}
	}
	from = st.calls.Load()
	eventually(t, 10*time.Second, "three more sweeps", func() bool { return st.calls.Load()-from >= 3 })
	if n := recovered(); n != 4 {
		t.Errorf("recovered %d scopes, want still 4: a record its writer cleared after one sweep was delivered", n)
	}
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
	}
}

// TestChangedAgainWhenRetryDelivers: a write whose invalidation failed is
// told of (ArticlesOptions.Changed, what notifies WebSub hubs) once when
// written and once more when the background retry has made its feeds
// fresh: a hub that fetched in between got the old feed.
func TestChangedAgainWhenRetryDelivers(t *testing.T) {
	srv := redistest.Start(t)
	fx := fixtureWithOne(t, nil)
	c, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "retrytell", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	told := make(chan []herald.Scope, 10)
	articles := NewArticles(fx.store, c, testSite(), ArticlesOptions{Now: fx.clock.Now, Changed: func(s []herald.Scope) { told <- s }})
	t.Cleanup(articles.Close)

	srv.Pause()
	if err := articles.Create(context.Background(), &herald.Article{Title: "Told twice", Categories: []string{"Go"}, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatalf("the write failed with its invalidation: %v", err)
	}
	want := []herald.Scope{herald.SiteScope, {Kind: herald.ScopeCategory, Slug: "go"}}
	for i, when := range []string{"at the write", "when the retry delivered"} {
		if i == 1 {
			srv.Resume()
		}
		select {
		case got := <-told:
			for _, sc := range want {
				if !slices.Contains(got, sc) {
					t.Errorf("%s: told %v, which lacks %v", when, got, sc)
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("not told %s within 10 s", when)
		}
	}
}
