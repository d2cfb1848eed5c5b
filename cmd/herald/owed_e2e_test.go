package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/redistest"
)

// TestInvalidationOwedByAKilledProcess: a write made while Redis hangs is
// acknowledged though its cache invalidation failed, and the process is
// killed (SIGKILL: no background retry, no last attempt at shutdown) before
// Redis answers again. Redis then still holds the feed rendered before the
// write, under the revision that makes it current, for feed.cache_ttl (an
// hour). The database recorded the invalidation with the write's outcome,
// so the next process to start delivers it and serves the write within
// seconds. On both stores.
func TestInvalidationOwedByAKilledProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	onBothStores(t, invalidationOwedByAKilledProcess)
}

// onBothStores builds the binary and runs test on a fresh SQLite file and
// on a fresh PostgreSQL database, as subtests.
func onBothStores(t *testing.T, test func(t *testing.T, bin, dbURL string)) {
	bin := buildHerald(t)
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dbURL := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
			if store == "postgres" {
				dbURL = pgtest.NewDatabase(t)
			}
			test(t, bin, dbURL)
		})
	}
}

func invalidationOwedByAKilledProcess(t *testing.T, bin, dbURL string) {
	// Redis keeps its data across the outage (every write in its
	// append-only file), as a server behind a network cut does.
	rs := redistest.StartWith(t, "--appendonly", "yes", "--appendfsync", "always")
	args := []string{"-database-url", dbURL, "-redis.url", rs.URL(), "-redis.prefix", "owed", "-redis.timeout", "200ms"}
	env := []string{"HERALD_API_TOKEN=" + testToken}
	first := startReplica(t, bin, args, env)
	first.create(t, map[string]any{"title": "Before the outage", "published_at": "2026-06-01T00:00:00Z"})
	if got := first.get(t, "/feed.rss"); !feedHas(got, "Before the outage") {
		t.Fatalf("first feed lacks the first article: %s", got.Body)
	}
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer admin.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if keys, _ := admin.Keys(ctx, "owed:feed:{site}*").Result(); len(keys) > 0 {
			break // the rendering is in Redis
		}
		if time.Now().After(deadline) {
			t.Fatalf("the site feed never reached Redis")
		}
	}
	rev, err := admin.Get(ctx, "owed:rev:{site}").Result()
	if err != nil {
		t.Fatalf("the site's revision in Redis: %v", err)
	}

	rs.Stop()
	const title = "Written while Redis was away"
	first.create(t, map[string]any{"title": title, "published_at": "2026-06-02T00:00:00Z"})
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	if n := first.logs.count("cache invalidation failed after a committed write; retrying in the background", nil); n != 1 {
		t.Fatalf("%d failed-invalidation lines from the killed process, want 1; log:\n%s", n, first.logs.tail())
	}
	rs.Restart()
	// Redis is back with the rendering made before the write, still
	// current: without the record the feed would be stale for an hour.
	if after, err := admin.Get(ctx, "owed:rev:{site}").Result(); err != nil || after != rev {
		t.Fatalf("site revision after the restart %q (err %v), want the one before the write, %q", after, err, rev)
	}

	second := startReplica(t, bin, args, env)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got := second.get(t, "/feed.rss")
		if feedHas(got, title) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after a new process started, the feed still lacks the write its killed predecessor made:\n%s\nlog:\n%s", got.Body, second.logs.tail())
		}
	}
	// The delivery is counted and logged just after the cache took it.
	const recovered = "delivered cache invalidations recorded in the database by an earlier or another process; their feeds are fresh again"
	eventually(t, 10*time.Second, "the delivery logged", func() bool { return second.logs.count(recovered, nil) > 0 })
	if second.logs.count(recovered, nil) != 1 {
		t.Fatalf("no log line says the recorded invalidation was delivered; log:\n%s", second.logs.tail())
	}
	if m := second.get(t, "/metrics"); !strings.Contains(string(m.Body), "herald_cache_invalidations_recovered_total 1\n") {
		t.Fatalf("metrics do not count the recovered invalidation:\n%s", m.Body)
	}
}

// TestInvalidationOwedByAProcessKilledMidWrite: the process is killed
// after its write committed and while its invalidation is on its way to
// Redis, before anything failed (Redis is reached through a proxy that
// stops passing anything on, so the call hangs within redis.timeout).
// Nothing was recorded after a failure then; the write itself recorded
// the invalidation as owed, so the next process to start delivers it and
// serves the write within seconds, where Redis would otherwise have served
// the feed from before it for feed.cache_ttl. On both stores.
func TestInvalidationOwedByAProcessKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	onBothStores(t, invalidationOwedMidWrite)
}

func invalidationOwedMidWrite(t *testing.T, bin, dbURL string) {
	rs := redistest.Start(t)
	px := startHoldingProxy(t, rs.Addr())
	env := []string{"HERALD_API_TOKEN=" + testToken}
	common := []string{"-database-url", dbURL, "-redis.prefix", "mid", "-redis.timeout", "20s"}
	first := startReplica(t, bin, append([]string{"-redis.url", "redis://" + px.addr()}, common...), env)
	first.create(t, map[string]any{"title": "Before the hang", "published_at": "2026-06-01T00:00:00Z"})
	if got := first.get(t, "/feed.rss"); !feedHas(got, "Before the hang") {
		t.Fatalf("first feed lacks the first article: %s", got.Body)
	}
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer admin.Close()
	eventually(t, 10*time.Second, "the site feed in Redis", func() bool {
		keys, _ := admin.Keys(ctx, "mid:feed:{site}*").Result()
		return len(keys) > 0
	})
	rev, err := admin.Get(ctx, "mid:rev:{site}").Result()
	if err != nil {
		t.Fatalf("the site's revision in Redis: %v", err)
	}

	px.hold()
	const title = "Committed while the invalidation hung"
	go func() { // hangs on the invalidation until the process is killed
		req, _ := http.NewRequest("POST", first.URL+"/api/v1/articles",
			strings.NewReader(`{"title":"`+title+`","published_at":"2026-06-02T00:00:00Z"}`))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	eventually(t, 10*time.Second, "the write committed", func() bool {
		r := first.do(t, "GET", "/api/v1/articles", nil, "Authorization: Bearer "+testToken)
		return r.Status == 200 && strings.Contains(string(r.Body), title)
	})
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	if n := first.logs.count("cache invalidation failed after a committed write; retrying in the background", nil); n != 0 {
		t.Fatalf("the killed process logged %d failed invalidations, want none (it died before any failure); log:\n%s", n, first.logs.tail())
	}
	px.close()
	if after, err := admin.Get(ctx, "mid:rev:{site}").Result(); err != nil || after != rev {
		t.Fatalf("site revision after the kill %q (err %v), want the one before the write, %q: the invalidation reached Redis", after, err, rev)
	}

	second := startReplica(t, bin, append([]string{"-redis.url", rs.URL()}, common...), env)
	eventually(t, 10*time.Second, "the new process serving the killed one's write", func() bool {
		return feedHas(second.get(t, "/feed.rss"), title)
	})
	// Counted just after the cache took the delivery.
	eventually(t, 10*time.Second, "metrics counting the recovered invalidation", func() bool {
		return strings.Contains(string(second.get(t, "/metrics").Body), "herald_cache_invalidations_recovered_total 1\n")
	})
}

// holdingProxy passes TCP connections through to a server until hold;
// from then on it reads what clients send and passes nothing on, so their
// calls hang as on a frozen server, and close ends every connection
// without the server ever seeing what was held.
type holdingProxy struct {
	ln     net.Listener
	held   atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func startHoldingProxy(t *testing.T, target string) *holdingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &holdingProxy{ln: ln}
	t.Cleanup(p.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			if !p.track(c, s) {
				return
			}
			go p.pipe(c, s, true)
			go p.pipe(s, c, false)
		}
	}()
	return p
}

func (p *holdingProxy) addr() string { return p.ln.Addr().String() }

func (p *holdingProxy) hold() { p.held.Store(true) }

// track remembers both ends of a connection, or closes them once the
// proxy is closed.
func (p *holdingProxy) track(c ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, x := range c {
			x.Close()
		}
		return false
	}
	p.conns = append(p.conns, c...)
	return true
}

// pipe copies from src to dst; from the client's side (upstream), what is
// read once the proxy holds is dropped.
func (p *holdingProxy) pipe(src, dst net.Conn, upstream bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !(upstream && p.held.Load()) {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *holdingProxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}
