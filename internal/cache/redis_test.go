package cache

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// mustClient returns a plain client on srv for poking at keys by hand.
func mustClient(tb testing.TB, srv *redistest.Server) *redis.Client {
	tb.Helper()
	o, err := ParseRedisURL(srv.URL())
	if err != nil {
		tb.Fatalf("ParseRedisURL: %v", err)
	}
	c := redis.NewClient(o)
	tb.Cleanup(func() { c.Close() })
	return c
}

// commandLog is a go-redis hook that records every command and pipeline
// the client sends: each is one round trip.
type commandLog struct {
	mu        sync.Mutex
	commands  []string
	pipelines int
}

func (h *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		h.commands = append(h.commands, cmd.Name())
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		h.pipelines++
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// take returns what was recorded since the last call and resets.
func (h *commandLog) take() (commands []string, pipelines int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	commands, pipelines = h.commands, h.pipelines
	h.commands, h.pipelines = nil, 0
	return commands, pipelines
}

func TestRedisName(t *testing.T) {
	c := NewRedis(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), RedisOptions{})
	defer c.Close()
	if got := c.Name(); got != "redis" {
		t.Fatalf("Name()=%q, want %q", got, "redis")
	}
}

func TestRedisOneRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	o, err := ParseRedisURL(srv.URL())
	if err != nil {
		t.Fatalf("ParseRedisURL: %v", err)
	}
	client := redis.NewClient(o)
	log := &commandLog{}
	client.AddHook(log)
	c := NewRedis(client, RedisOptions{Timeout: 5 * time.Second})
	defer c.Close()

	// Warm up: the first use of each script may cost a NOSCRIPT and an
	// EVAL, and go-redis runs its own handshake on a new connection and on
	// the first pipeline. The steady state is what must be one round trip.
	mustInvalidate(t, c, herald.SiteScope)
	rev := mustGet(t, c, siteRSS, nil).Revision
	mustPut(t, c, siteRSS, rev, testEntry("warm"))
	log.take()

	steps := []struct {
		name string
		run  func()
		want []string
	}{
		{"hit", func() { assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("warm")) }, []string{"evalsha"}},
		{"not modified", func() { mustGet(t, c, siteRSS, parse(testEntry("warm").ETag, "")) }, []string{"evalsha"}},
		{"miss", func() { mustGet(t, c, herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatJSON}, nil) }, []string{"evalsha"}},
		{"put", func() { mustPut(t, c, siteRSS, rev, testEntry("again")) }, []string{"evalsha"}},
	}
	for _, s := range steps {
		s.run()
		got, pipelines := log.take()
		if strings.Join(got, ",") != strings.Join(s.want, ",") || pipelines != 0 {
			t.Fatalf("%s sent %v and %d pipelines, want %v and none", s.name, got, pipelines, s.want)
		}
	}

	mustInvalidate(t, c, herald.SiteScope, herald.Scope{Kind: herald.ScopeTag, Slug: "go"}, herald.Scope{Kind: herald.ScopeAuthor, Slug: "ann"})
	if got, pipelines := log.take(); len(got) != 0 || pipelines != 1 {
		t.Fatalf("Invalidate sent %v and %d pipelines, want one pipeline", got, pipelines)
	}
}

// commandCalls returns how many times the server ran cmd (including calls
// from scripts) according to INFO commandstats.
func commandCalls(tb testing.TB, admin *redis.Client, cmd string) int {
	tb.Helper()
	info, err := admin.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatalf("INFO commandstats: %v", err)
	}
	for _, line := range strings.Split(info, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls=")
		if !ok {
			continue
		}
		n := 0
		for _, r := range rest {
			if r < '0' || r > '9' {
				break
			}
			n = n*10 + int(r-'0')
		}
		return n
	}
	return 0
}

// TestRedisNotModifiedSkipsBody proves on the server that a 304 never reads
// the body field: only a full hit runs HGET.
func TestRedisNotModifiedSkipsBody(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	c := mustOpenRedis(t, srv, RedisOptions{})
	e := testEntry("big body")
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, e)

	before := commandCalls(t, admin, "hget")
	l := mustGet(t, c, siteRSS, parse(e.ETag, ""))
	if !l.NotModified || l.Entry.Body != nil {
		t.Fatalf("notModified=%v body=%q, want a 304 without body", l.NotModified, l.Entry.Body)
	}
	if got := commandCalls(t, admin, "hget"); got != before {
		t.Fatalf("HGET ran %d times for a 304, want 0", got-before)
	}
	l, err := c.GetCoded(context.Background(), siteRSS, nil, herald.CodingIdentity)
	if err != nil {
		t.Fatalf("GetCoded: %v", err)
	}
	assertHit(t, l, e)
	if got := commandCalls(t, admin, "hget"); got != before+1 {
		t.Fatalf("HGET ran %d times for a full hit, want 1", got-before)
	}
}

// TestRedisGetCodedFetchesOneCoding checks what leaves Redis per coding: only
// the bytes asked for, the identity body when that variant is missing, and
// everything from Get.
func TestRedisGetCodedFetchesOneCoding(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{})
	e := testEntry("plain body")
	e.Variants = herald.Variants{Gzip: []byte("gz bytes"), Zstd: []byte("zstd bytes")}
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, e)

	tests := []struct {
		ask                herald.Coding
		body, gz, br, zstd string
	}{
		{herald.CodingIdentity, "plain body", "", "", ""},
		{herald.CodingGzip, "", "gz bytes", "", ""},
		{herald.CodingZstd, "", "", "", "zstd bytes"},
		{herald.CodingBrotli, "plain body", "", "", ""}, // not stored: identity
	}
	for _, tt := range tests {
		l, err := c.GetCoded(context.Background(), siteRSS, nil, tt.ask)
		if err != nil {
			t.Fatalf("GetCoded(%q): %v", tt.ask, err)
		}
		v := l.Entry.Variants
		if !l.Hit || string(l.Entry.Body) != tt.body || string(v.Gzip) != tt.gz || string(v.Brotli) != tt.br || string(v.Zstd) != tt.zstd {
			t.Fatalf("GetCoded(%q) = hit %v body %q gz %q br %q zstd %q; want body %q gz %q br %q zstd %q",
				tt.ask, l.Hit, l.Entry.Body, v.Gzip, v.Brotli, v.Zstd, tt.body, tt.gz, tt.br, tt.zstd)
		}
		if l.Entry.ETag != e.ETag {
			t.Fatalf("GetCoded(%q) etag %q, want the identity tag %q", tt.ask, l.Entry.ETag, e.ETag)
		}
	}
	all := mustGet(t, c, siteRSS, nil)
	if string(all.Entry.Body) != "plain body" || string(all.Entry.Variants.Gzip) != "gz bytes" || all.Entry.Variants.Brotli != nil {
		t.Fatalf("Get returned body %q variants %+v, want the body and every stored variant", all.Entry.Body, all.Entry.Variants)
	}

	// A later rendering without variants must not leave the old ones behind.
	e2 := testEntry("second body")
	mustPut(t, c, siteRSS, all.Revision, e2)
	if l, _ := c.GetCoded(context.Background(), siteRSS, nil, herald.CodingGzip); string(l.Entry.Body) != "second body" || l.Entry.Variants.Gzip != nil {
		t.Fatalf("after a Put without variants, gzip lookup gave body %q gz %q; want the new identity body", l.Entry.Body, l.Entry.Variants.Gzip)
	}
}

// TestRedisScriptMatchesCondition runs the Lua condition logic alone,
// without the Go double check, against herald.Condition.NotModified.
func TestRedisScriptMatchesCondition(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{})
	for _, weak := range []bool{false, true} {
		mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, conditionEntry(weak))
		for _, tt := range conditionCases {
			e := conditionEntry(weak)
			keys := []string{c.revisionKey(siteRSS.Scope), c.entryKey(siteRSS)}
			reply, err := c.get.Run(context.Background(), c.client, keys, getArgs("unused", time.Hour, fieldAll, tt.cond, testNow)...).Slice()
			if err != nil {
				t.Fatalf("%s: script: %v", tt.name, err)
			}
			_, got, err := parseGetReply(reply)
			if err != nil {
				t.Fatalf("%s: reply: %v", tt.name, err)
			}
			if want := tt.cond.NotModified(e.ETag, e.LastModified, testNow); got != want {
				t.Fatalf("%s (stored %s): script says notModified=%v, Condition says %v", tt.name, e.ETag, got, want)
			}
		}
	}
}

// TestRedisGoDecidesSubSecondDates covers the one case the script may get
// wrong: a hand-made If-Modified-Since with a fraction of a second, later
// than now by less than a second. The script rounds down and withholds the
// body; Go sees the date is in the future, so the answer is a miss, never a
// wrong 304.
func TestRedisGoDecidesSubSecondDates(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{Now: newFakeClock(testNow).Now})
	e := testEntry("x")
	mustPut(t, c, siteRSS, mustGet(t, c, siteRSS, nil).Revision, e)
	cond := &herald.Condition{ModifiedSince: testNow.Add(100 * time.Millisecond)}
	if cond.NotModified(e.ETag, e.LastModified, testNow) {
		t.Fatalf("test premise: condition should not hold")
	}
	l := mustGet(t, c, siteRSS, cond)
	if l.NotModified {
		t.Fatalf("NotModified=true for a future date")
	}
	assertMiss(t, l)
}

func TestRedisKeysAndTTLs(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	const revTTL = time.Hour
	c := mustOpenRedis(t, srv, RedisOptions{Prefix: "site1", RevisionTTL: revTTL})
	ctx := context.Background()
	k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "go"}, Format: herald.FormatAtom, Offset: 20, Limit: 10}
	rev := mustGet(t, c, k, nil).Revision
	const entryTTL = 10 * time.Minute
	if err := c.Put(ctx, k, rev, testEntry("ttl"), entryTTL); err != nil {
		t.Fatalf("Put: %v", err)
	}

	ttls := []struct {
		key string
		max time.Duration
	}{
		{"site1:rev:{tag:go}", revTTL},
		{"site1:feed:{tag:go}:atom:20:10", entryTTL},
	}
	for _, tt := range ttls {
		got, err := admin.PTTL(ctx, tt.key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", tt.key, err)
		}
		if got <= 0 || got > tt.max {
			t.Fatalf("PTTL %s = %v, want in (0, %v]", tt.key, got, tt.max)
		}
	}
	if got, err := admin.Get(ctx, "site1:rev:{tag:go}").Result(); err != nil || got != rev {
		t.Fatalf("revision key holds %q (err %v), want %q", got, err, rev)
	}

	// Invalidate sets the TTL on the new token too.
	mustInvalidate(t, c, k.Scope)
	if got, err := admin.PTTL(ctx, "site1:rev:{tag:go}").Result(); err != nil || got <= 0 || got > revTTL {
		t.Fatalf("PTTL after Invalidate = %v (err %v), want in (0, %v]", got, err, revTTL)
	}
}

func TestRedisPrefixesAreIsolated(t *testing.T) {
	srv := redistest.Start(t)
	a := mustOpenRedis(t, srv, RedisOptions{Prefix: "a"})
	b := mustOpenRedis(t, srv, RedisOptions{Prefix: "b"})
	mustPut(t, a, siteRSS, mustGet(t, a, siteRSS, nil).Revision, testEntry("from a"))

	assertMiss(t, mustGet(t, b, siteRSS, nil))
	mustPut(t, b, siteRSS, mustGet(t, b, siteRSS, nil).Revision, testEntry("from b"))
	mustInvalidate(t, b, herald.SiteScope)

	assertHit(t, mustGet(t, a, siteRSS, nil), testEntry("from a"))
	assertMiss(t, mustGet(t, b, siteRSS, nil))
}

func TestRedisLostRevisionIsAMiss(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	c := mustOpenRedis(t, srv, RedisOptions{})
	old := mustGet(t, c, siteRSS, nil).Revision
	mustPut(t, c, siteRSS, old, testEntry("before"))

	if n, err := admin.Del(context.Background(), c.revisionKey(herald.SiteScope)).Result(); err != nil || n != 1 {
		t.Fatalf("DEL revision: n=%d err=%v, want 1 key deleted", n, err)
	}
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l)
	if l.Revision == old {
		t.Fatalf("revision %q came back after being lost", old)
	}
	mustPut(t, c, siteRSS, old, testEntry("stale"))
	assertMiss(t, mustGet(t, c, siteRSS, nil))
}

func TestRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	c := mustOpenRedis(t, srv, RedisOptions{Timeout: 500 * time.Millisecond})
	ctx := context.Background()
	rev := mustGet(t, c, siteRSS, nil).Revision
	srv.Stop()

	checks := []struct {
		op     string
		err    error
		prefix string
	}{
		{"Get", func() error { _, err := c.Get(ctx, siteRSS, nil); return err }(), "redis cache: get: "},
		{"Put", c.Put(ctx, siteRSS, rev, testEntry("x"), time.Minute), "redis cache: put: "},
		{"Invalidate", c.Invalidate(ctx, []herald.Scope{herald.SiteScope}), "redis cache: invalidate: "},
		{"Ping", c.Ping(ctx), "redis cache: ping: "},
	}
	for _, ch := range checks {
		if ch.err == nil {
			t.Fatalf("%s with Redis stopped succeeded, want an error", ch.op)
		}
		if !strings.HasPrefix(ch.err.Error(), ch.prefix) {
			t.Fatalf("%s error %q, want prefix %q", ch.op, ch.err, ch.prefix)
		}
	}

	// Back up, empty: the cache recovers on its own (scripts reloaded).
	srv.Restart()
	l := mustGet(t, c, siteRSS, nil)
	assertMiss(t, l)
	mustPut(t, c, siteRSS, l.Revision, testEntry("after restart"))
	assertHit(t, mustGet(t, c, siteRSS, nil), testEntry("after restart"))
}

// TestRedisStalledServerTimesOut points the cache at a listener that
// accepts connections and never answers: the call must come back with an
// error (the deadline), not hang.
func TestRedisStalledServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()

	c, err := OpenRedis("redis://"+ln.Addr().String()+"/0", RedisOptions{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	defer c.Close()
	_, err = c.Get(context.Background(), siteRSS, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "redis cache: get: ") {
		t.Fatalf("Get on a stalled server: err=%v, want a wrapped error", err)
	}
}

func TestParseRedisURL(t *testing.T) {
	o, err := ParseRedisURL("redis://user:s3cret@cache.internal:6380/2")
	if err != nil {
		t.Fatalf("ParseRedisURL: %v", err)
	}
	if o.Addr != "cache.internal:6380" || o.DB != 2 || o.Username != "user" || o.Password != "s3cret" {
		t.Fatalf("got addr=%q db=%d user=%q, want cache.internal:6380 2 user", o.Addr, o.DB, o.Username)
	}
	if !o.ContextTimeoutEnabled {
		t.Fatalf("ContextTimeoutEnabled=false, want true so Timeout bounds reads")
	}

	for _, bad := range []string{"redis://user:s3cret@host:notaport/0", "http://user:s3cret@host/0", "redis://user:s3cret@host/x"} {
		_, err := ParseRedisURL(bad)
		if err == nil {
			t.Fatalf("ParseRedisURL(%q) succeeded, want an error", bad)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("error %q leaks the password", err)
		}
		if !strings.HasPrefix(err.Error(), "redis cache: parse url: ") {
			t.Fatalf("error %q lacks the operation prefix", err)
		}
	}
}

// TestRedisPersistence: Herald can tell whether its Redis keeps data on
// disk, which it warns about at start-up.
func TestRedisPersistence(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"none", nil, ""},
		{"snapshots", []string{"--save", "60 1"}, "save 60 1"},
		{"append-only file", []string{"--appendonly", "yes"}, "appendonly"},
	} {
		c := mustOpenRedis(t, redistest.StartWith(t, tc.args...), RedisOptions{})
		if got, err := c.Persistence(ctx); err != nil || got != tc.want {
			t.Errorf("%s: Persistence()=%q err %v, want %q", tc.name, got, err, tc.want)
		}
	}
	cl := redistest.StartCluster(t, 3)
	client, err := NewRedisClient(RedisClientOptions{ClusterAddrs: cl.Addrs()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	c := NewRedis(client, RedisOptions{Timeout: 5 * time.Second})
	defer c.Close()
	if got, err := c.Persistence(ctx); err != nil || got != "" {
		t.Errorf("cluster without persistence: Persistence()=%q err %v, want nothing", got, err)
	}
	// One master of the three turns snapshots on: it is named.
	node := redis.NewClient(&redis.Options{Addr: cl.Addrs()[1]})
	defer node.Close()
	if err := node.ConfigSet(ctx, "save", "60 1").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Persistence(ctx); err != nil || got != "save 60 1 ("+cl.Addrs()[1]+")" {
		t.Errorf("cluster with one master saving: Persistence()=%q err %v, want that master named", got, err)
	}
}

// TestRedisVariants: caches of different variants on one Redis never see
// one another's entries or render locks, but share revisions, so an
// invalidation by either moves both on; caches of one variant share all.
func TestRedisVariants(t *testing.T) {
	srv := redistest.Start(t)
	a := mustOpenRedis(t, srv, RedisOptions{Prefix: "var", Variant: "aaaa"})
	sameAsA := mustOpenRedis(t, srv, RedisOptions{Prefix: "var", Variant: "aaaa"})
	b := mustOpenRedis(t, srv, RedisOptions{Prefix: "var", Variant: "bbbb"})
	rev := mustGet(t, a, siteRSS, nil).Revision
	if got := mustGet(t, b, siteRSS, nil).Revision; got != rev {
		t.Fatalf("variant b sees revision %q, want the shared %q", got, rev)
	}
	mustPut(t, a, siteRSS, rev, testEntry("rendered by a"))
	assertHit(t, mustGet(t, sameAsA, siteRSS, nil), testEntry("rendered by a"))
	assertMiss(t, mustGet(t, b, siteRSS, nil))
	mustLock(t, a, siteRSS, herald.LockStored, rev)
	held := mustLock(t, b, siteRSS, herald.LockHeld, rev) // a's stored entry and lock are not b's
	mustLock(t, a, siteRSS, herald.LockStored, rev)
	held.Release()

	mustInvalidate(t, b, herald.SiteScope)
	assertMiss(t, mustGet(t, a, siteRSS, nil))
	if got, want := mustGet(t, a, siteRSS, nil).Revision, mustGet(t, b, siteRSS, nil).Revision; got != want || got == rev {
		t.Fatalf("after b's invalidation a sees %q and b %q, want one new revision", got, want)
	}
	if n, err := mustClient(t, srv).Exists(context.Background(), "var:feed:{site}:aaaa:rss:0:20").Result(); err != nil || n != 1 {
		t.Fatalf("a's entry key exists=%d (err %v), want the variant in the key", n, err)
	}
}
