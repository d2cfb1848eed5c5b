package cache

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// mustOpenTiered puts a local tier on clock now in front of shared and
// waits until its subscription is confirmed, so the local tier is in use.
func mustOpenTiered(tb testing.TB, shared *Redis, now func() time.Time, opts TieredOptions) *Tiered {
	tb.Helper()
	t := NewTiered(NewMemory(MemoryOptions{Now: now}), shared, opts)
	tb.Cleanup(func() { t.Close() })
	waitFor(tb, "the subscription to be confirmed", t.Live)
	return t
}

// waitFor polls cond until it holds. The deadline only guards against a
// hang; nothing here asserts how fast anything is.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// openLogged returns a Redis cache on srv whose client records commands.
func openLogged(tb testing.TB, srv *redistest.Server, opts RedisOptions) (*Redis, *commandLog) {
	tb.Helper()
	o, err := ParseRedisURL(srv.URL())
	if err != nil {
		tb.Fatalf("ParseRedisURL: %v", err)
	}
	client := redis.NewClient(o)
	log := &commandLog{}
	client.AddHook(log)
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	return NewRedis(client, opts), log
}

func TestTieredLocalHitSendsNothing(t *testing.T) {
	srv := redistest.Start(t)
	shared, log := openLogged(t, srv, RedisOptions{})
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{})
	want := testEntry("<rss>local</rss>")
	want.Variants = herald.Variants{Gzip: []byte("gz"), Brotli: []byte("br"), Zstd: []byte("zst")}
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, want)
	log.take()

	for i := 0; i < 3; i++ {
		l := mustGet(t, c, siteRSS, nil)
		assertHit(t, l, want)
		if l.Entry.Variants.Brotli == nil {
			t.Fatalf("local hit lost the br variant")
		}
		if got := mustGet(t, c, siteRSS, parse(want.ETag, "")); !got.NotModified {
			t.Fatalf("NotModified=false for a matching etag")
		}
	}
	if got, pipelines := log.take(); len(got) != 0 || pipelines != 0 {
		t.Fatalf("local hits sent %v and %d pipelines to Redis, want nothing", got, pipelines)
	}

	// A second process (a fresh local tier) reads it from Redis once,
	// then locally.
	shared2, log2 := openLogged(t, srv, RedisOptions{})
	c2 := mustOpenTiered(t, shared2, time.Now, TieredOptions{})
	log2.take()
	for i := 0; i < 3; i++ {
		assertHit(t, mustGet(t, c2, siteRSS, nil), want)
	}
	if got := withoutHandshake(log2); len(got) != 1 {
		t.Fatalf("three reads on a fresh replica sent %v, want one fill", got)
	}
}

func TestTieredInvalidationReachesOtherReplicas(t *testing.T) {
	srv := redistest.Start(t)
	sharedA, logA := openLogged(t, srv, RedisOptions{})
	a := mustOpenTiered(t, sharedA, time.Now, TieredOptions{LocalTTL: time.Hour})
	b := mustOpenTiered(t, mustOpenRedis(t, srv, RedisOptions{}), time.Now, TieredOptions{LocalTTL: time.Hour})
	rev := mustGet(t, a, siteRSS, nil).Revision
	mustPut(t, a, siteRSS, rev, testEntry("v1"))
	assertHit(t, mustGet(t, b, siteRSS, nil), testEntry("v1")) // now in b's local tier too

	mustInvalidate(t, a, herald.SiteScope)
	// The writer applied its own invalidation before returning.
	l := mustGet(t, a, siteRSS, nil)
	assertMiss(t, l)
	if l.Revision == rev {
		t.Fatalf("writer still on revision %q", rev)
	}
	// The other replica gets the message; its local tier must not serve v1
	// for the hour its LocalTTL would allow.
	waitFor(t, "b to apply the invalidation", func() bool { return !mustGet(t, b, siteRSS, nil).Hit })
	if got := mustGet(t, b, siteRSS, nil).Revision; got != l.Revision {
		t.Fatalf("b on revision %q, a on %q; want the same", got, l.Revision)
	}
	mustPut(t, b, siteRSS, l.Revision, testEntry("v2"))
	// a knows the revision and holds no entry of it: its lookup is a miss
	// that costs no round trip, and the render lock, which the read path
	// asks next, brings b's entry in one and keeps it in a's local tier.
	// (The script is loaded first, so that it is one EVALSHA.)
	if err := mustClient(t, srv).ScriptLoad(context.Background(), bytesSource+lockSource).Err(); err != nil {
		t.Fatal(err)
	}
	logA.take()
	assertMiss(t, mustGet(t, a, siteRSS, nil))
	if got := withoutHandshake(logA); len(got) != 0 {
		t.Fatalf("a lookup of a known revision without a local entry sent %v, want nothing", got)
	}
	lock, err := a.LockRender(context.Background(), siteRSS)
	if err != nil || lock.Result != herald.LockStored || lock.Release != nil || lock.Revision != l.Revision {
		t.Fatalf("LockRender on a: got %+v err=%v, want b's stored entry at %s", lock, err, l.Revision)
	}
	assertHit(t, herald.Lookup{Hit: true, Entry: lock.Entry}, testEntry("v2"))
	assertHit(t, mustGet(t, a, siteRSS, nil), testEntry("v2"))
	if got := withoutHandshake(logA); len(got) != 1 {
		t.Fatalf("the lock and a lookup after it sent %v, want the lock's script alone", got)
	}

	// A plain Redis cache (local tier off on that replica) publishes too.
	plain := mustOpenRedis(t, srv, RedisOptions{})
	mustInvalidate(t, plain, herald.SiteScope)
	waitFor(t, "a to apply the plain replica's invalidation", func() bool { return !mustGet(t, a, siteRSS, nil).Hit })
}

func TestTieredKilledSubscriptionDropsLocalTier(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	shared, log := openLogged(t, srv, RedisOptions{})
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{LocalTTL: time.Hour})
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, testEntry("before"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("before"))
	if c.LocalLen() != 1 {
		t.Fatalf("local tier holds %d entries, want 1", c.LocalLen())
	}

	// While the subscription is gone, a write elsewhere goes unheard.
	if err := admin.Do(context.Background(), "CLIENT", "KILL", "TYPE", "pubsub").Err(); err != nil {
		t.Fatalf("CLIENT KILL: %v", err)
	}
	waitFor(t, "the local tier to be dropped", func() bool { return c.LocalLen() == 0 })
	if err := admin.Set(context.Background(), shared.revisionKey(herald.SiteScope), "written-while-deaf", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l)
	if l.Revision != "written-while-deaf" {
		t.Fatalf("revision %q, want the one in Redis", l.Revision)
	}

	// Resubscribed by itself; messages arrive again.
	waitFor(t, "resubscription", c.Live)
	mustPut(t, c, siteRSS, "written-while-deaf", testEntry("after"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("after"))
	log.take()
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("after"))
	if got := withoutHandshake(log); len(got) != 0 {
		t.Fatalf("hit after resubscription sent %v, want a local hit", got)
	}
	other := mustOpenRedis(t, srv, RedisOptions{})
	mustInvalidate(t, other, herald.SiteScope)
	waitFor(t, "the invalidation after resubscription", func() bool { return !mustGet(t, c, siteRSS, nil).Hit })
}

func TestTieredRedisStoppedDropsLocalTier(t *testing.T) {
	srv := redistest.Start(t)
	shared := mustOpenRedis(t, srv, RedisOptions{Timeout: 500 * time.Millisecond})
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{LocalTTL: time.Hour})
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, testEntry("cached"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("cached"))

	srv.Stop()
	waitFor(t, "the subscription to be declared lost", func() bool { return !c.Live() })
	if n := c.LocalLen(); n != 0 {
		t.Fatalf("local tier holds %d entries with Redis down, want 0", n)
	}
	if _, err := c.Get(context.Background(), siteRSS, nil); err == nil {
		t.Fatalf("Get with Redis down and the local tier dropped succeeded, want Redis's error")
	}

	srv.Restart()
	waitFor(t, "resubscription after restart", c.Live)
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l) // Redis came back empty
	mustPut(t, c, siteRSS, l.Revision, testEntry("again"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("again"))
}

// TestTieredLocalTTLBoundsStaleness loses a message on purpose (the
// revision changes in Redis with nothing published): the local tier serves
// the old entry until its LocalTTL and not a moment after.
func TestTieredLocalTTLBoundsStaleness(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	clock := newFakeClock(testNow)
	const localTTL = 3 * time.Second
	shared := mustOpenRedis(t, srv, RedisOptions{})
	c := mustOpenTiered(t, shared, clock.Now, TieredOptions{LocalTTL: localTTL})
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, testEntry("old"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("old"))

	if err := admin.Set(context.Background(), shared.revisionKey(herald.SiteScope), "silent", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	clock.Advance(localTTL - time.Millisecond)
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("old")) // stale, within the bound
	clock.Advance(time.Millisecond)
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l)
	if l.Revision != "silent" {
		t.Fatalf("revision %q after LocalTTL, want Redis's %q", l.Revision, "silent")
	}
}

func TestTieredForwardsOptionalInterfaces(t *testing.T) {
	srv := redistest.Start(t)
	shared := mustOpenRedis(t, srv, RedisOptions{})
	var c herald.Cache = mustOpenTiered(t, shared, time.Now, TieredOptions{})
	if r, ok := herald.CacheAs[*Redis](c); !ok || r != shared {
		t.Fatalf("CacheAs[*Redis] = %v, %v; want the shared tier", r, ok)
	}
	if _, ok := c.(herald.RenderLocker); !ok {
		t.Fatalf("Tiered does not offer the shared tier's render lock")
	}
	if c.Name() != "redis+local" {
		t.Fatalf("Name()=%q, want redis+local", c.Name())
	}
}

// withoutHandshake takes the recorded commands, leaving out the HELLO that
// go-redis sends on every new connection.
func withoutHandshake(log *commandLog) []string {
	got, _ := log.take()
	var out []string
	for _, c := range got {
		if c != "hello" {
			out = append(out, c)
		}
	}
	return out
}

// countingFront is a decorator of the shared tier that counts reads, as a
// circuit breaker or metrics decorator would see them.
type countingFront struct {
	herald.Cache
	gets int
}

func (c *countingFront) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	c.gets++
	return c.Cache.Get(ctx, k, cond)
}

// TestTieredReadsThroughFront: fills go through the configured front (the
// breaker in production), local hits do not.
func TestTieredReadsThroughFront(t *testing.T) {
	srv := redistest.Start(t)
	shared := mustOpenRedis(t, srv, RedisOptions{})
	front := &countingFront{Cache: shared}
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{Front: front})
	rev := mustGet(t, c, siteRSS, nil).Revision // a fill: one read of Redis
	mustPut(t, c, siteRSS, rev, testEntry("x"))
	for i := 0; i < 3; i++ {
		assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("x"))
	}
	if front.gets != 1 {
		t.Fatalf("front saw %d reads for a fill and three local hits, want 1", front.gets)
	}
	if u := c.Unwrap(); u != front {
		t.Fatalf("Unwrap()=%T, want the front", u)
	}
}

// TestCodedGetterThroughBreaker: with the local tier off, production reads
// Redis through the breaker (and metrics); a gzip request must still fetch
// only the gzip bytes.
func TestCodedGetterThroughBreaker(t *testing.T) {
	srv := redistest.Start(t)
	shared := mustOpenRedis(t, srv, RedisOptions{})
	var c herald.Cache = NewBreaker(shared, BreakerOptions{})
	e := testEntry("plain")
	e.Variants = herald.Variants{Gzip: []byte("gz")}
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, e)
	cg, ok := c.(herald.CodedGetter)
	if !ok {
		t.Fatalf("Breaker does not offer herald.CodedGetter")
	}
	l, err := cg.GetCoded(context.Background(), siteRSS, nil, herald.CodingGzip)
	if err != nil || string(l.Entry.Variants.Gzip) != "gz" || l.Entry.Body != nil {
		t.Fatalf("GetCoded(gzip) through the breaker: err %v gz %q body %q; want only the gzip bytes", err, l.Entry.Variants.Gzip, l.Entry.Body)
	}
}

// TestTieredPutLocal: PutLocal stores in the local tier alone, sending
// Redis nothing, under the same revision rule as Put; PutShared stores in
// Redis alone; a Put of the bytes the local tier already holds keeps them
// instead of copying them again.
func TestTieredPutLocal(t *testing.T) {
	srv := redistest.Start(t)
	shared, log := openLogged(t, srv, RedisOptions{})
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{LocalTTL: time.Hour})
	other := mustOpenRedis(t, srv, RedisOptions{}) // another replica with no local tier
	rev := mustGet(t, c, siteRSS, nil).Revision
	e := testEntry("<rss>local first</rss>")
	log.take()

	c.PutLocal(siteRSS, rev, e, time.Hour)
	l := mustGet(t, c, siteRSS, nil)
	assertHit(t, l, e)
	if got, pipelines := log.take(); len(got) != 0 || pipelines != 0 {
		t.Fatalf("PutLocal and a local hit sent %v and %d pipelines to Redis, want nothing", got, pipelines)
	}
	if &l.Entry.Body[0] != &e.Body[0] {
		t.Fatalf("PutLocal copied the body; it keeps the caller's bytes")
	}
	assertMiss(t, mustGet(t, other, siteRSS, nil))

	// PutShared stores in Redis alone: a late one (an older rendering of
	// the same revision) leaves the local tier's newer entry in place.
	older := testEntry("<rss>rendered earlier</rss>")
	if err := c.PutShared(context.Background(), siteRSS, rev, older, time.Hour); err != nil {
		t.Fatalf("PutShared: %v", err)
	}
	assertHit(t, mustGet(t, other, siteRSS, nil), older)
	assertHit(t, mustGet(t, c, siteRSS, nil), e)

	mustPut(t, c, siteRSS, rev, e)
	assertHit(t, mustGet(t, other, siteRSS, nil), e)
	if l := mustGet(t, c, siteRSS, nil); &l.Entry.Body[0] != &e.Body[0] {
		t.Fatalf("Put of the bytes the local tier holds copied them again")
	}

	// Under a revision that has moved on, PutLocal keeps nothing.
	mustInvalidate(t, c, herald.SiteScope)
	c.PutLocal(siteRSS, rev, testEntry("stale"), time.Hour)
	assertMiss(t, mustGet(t, c, siteRSS, nil))
}

// TestTieredLockOfAMovedRevision: when Redis's revision of a scope moved
// on without the local tier hearing of it (a message late or lost), the
// render lock answers about the current revision, and the local tier
// adopts it: the rendering stored under it is kept locally, and later
// lookups no longer miss on the old revision.
func TestTieredLockOfAMovedRevision(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	c := mustOpenTiered(t, mustOpenRedis(t, srv, RedisOptions{Prefix: "lost"}), time.Now, TieredOptions{LocalTTL: time.Hour})
	other := mustOpenTiered(t, mustOpenRedis(t, srv, RedisOptions{Prefix: "lost"}), time.Now, TieredOptions{LocalTTL: time.Hour})
	ctx := context.Background()
	old := mustGet(t, c, siteRSS, nil).Revision // adopted from Redis
	if err := admin.Set(ctx, "lost:rev:{site}", "moved-quietly", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if l := mustGet(t, c, siteRSS, nil); l.Revision != old {
		t.Fatalf("lookup before the lock: revision %q, want the old %q still (nothing told the local tier)", l.Revision, old)
	}
	lock := mustLock(t, c, siteRSS, herald.LockHeld, "moved-quietly")
	if l := mustGet(t, c, siteRSS, nil); l.Revision != "moved-quietly" {
		t.Fatalf("lookup after the lock: revision %q, want Redis's current one", l.Revision)
	}
	// Another replica, as far behind, waits for this one's rendering
	// instead of rendering the same revision.
	mustLock(t, other, siteRSS, herald.LockBusy, "moved-quietly")
	e := testEntry("current")
	c.PutLocal(siteRSS, "moved-quietly", e, time.Hour)
	assertHit(t, mustGet(t, c, siteRSS, nil), e)
	if err := c.PutShared(ctx, siteRSS, "moved-quietly", e, time.Hour); err != nil {
		t.Fatal(err)
	}
	lock.Release()
	mustLock(t, other, siteRSS, herald.LockStored, "moved-quietly")
	assertHit(t, mustGet(t, other, siteRSS, nil), e)
}

// TestTieredKeepsNoCopyPastTheEntrysEnd: an entry another replica stored
// in Redis for less than LocalTTL (its feed changes when a scheduled
// article is due) is kept locally only as long as it has left in Redis,
// taken by a lookup and by the render lock alike.
func TestTieredKeepsNoCopyPastTheEntrysEnd(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	ctx := context.Background()
	writer := mustOpenTiered(t, mustOpenRedis(t, srv, RedisOptions{}), time.Now, TieredOptions{LocalTTL: time.Hour})
	for _, via := range []string{"lookup", "lock"} {
		t.Run(via, func(t *testing.T) {
			clock := newFakeClock(time.Now())
			shared := mustOpenRedis(t, srv, RedisOptions{})
			reader := mustOpenTiered(t, shared, clock.Now, TieredOptions{LocalTTL: time.Hour})
			rev := mustGet(t, writer, siteRSS, nil).Revision
			due := testEntry("until the next publication " + via)
			if err := writer.Put(ctx, siteRSS, rev, due, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if via == "lookup" {
				assertHit(t, mustGet(t, reader, siteRSS, nil), due)
			} else {
				mustLock(t, reader, siteRSS, herald.LockStored, rev)
			}
			// Redis lets the entry go at its end (deleted here rather
			// than waited for); the reader's copy must be gone by then too.
			if err := admin.Del(ctx, shared.entryKey(siteRSS)).Err(); err != nil {
				t.Fatal(err)
			}
			clock.Advance(5 * time.Second)
			if l := mustGet(t, reader, siteRSS, nil); l.Hit {
				t.Fatalf("the reader still serves its copy %v after the entry's end in Redis", clock.Now())
			}
		})
	}
}
