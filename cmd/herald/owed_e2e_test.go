package main

import (
	"context"
	"path/filepath"
	"strings"
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
	bin := buildHerald(t)
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dbURL := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
			if store == "postgres" {
				dbURL = pgtest.NewDatabase(t)
			}
			invalidationOwedByAKilledProcess(t, bin, dbURL)
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
	const recovered = "delivered cache invalidations recorded in the database by an earlier or another process; their feeds are fresh again"
	if second.logs.count(recovered, nil) != 1 {
		t.Fatalf("no log line says the recorded invalidation was delivered; log:\n%s", second.logs.tail())
	}
	if m := second.get(t, "/metrics"); !strings.Contains(string(m.Body), "herald_cache_invalidations_recovered_total 1\n") {
		t.Fatalf("metrics do not count the recovered invalidation:\n%s", m.Body)
	}
}
