package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/redistest"
)

// staleBound is how long the test lets a write take to reach the other
// replicas. DEPLOYMENT.md documents that they see it as soon as the write
// returns (the revision token lives in Redis); the margin only keeps a
// loaded CI machine from failing a correct build.
const staleBound = 10 * time.Second

// TestReplicas starts three herald processes on one PostgreSQL database and
// one Redis, as a deployment behind a load balancer would run them, and
// proves what DEPLOYMENT.md promises of such a cluster.
func TestReplicas(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	rs := redistest.Start(t)
	bin := buildHerald(t)
	args := []string{
		"-database-url", dbURL,
		"-redis.url", rs.URL(),
		"-redis.prefix", "replicas",
		// Redis is healthy here: a loaded test machine must not make a
		// slow answer look like a failure (200 ms by default), after
		// which a replica renders without the lock, as it should, and
		// the burst below would count two renders.
		"-redis.timeout", "2s",
		"-base-url", "https://news.example.com",
		"-log.level", "debug",
	}
	env := []string{"HERALD_API_TOKEN=" + testToken}
	// Started together on a fresh database: the migration runs once.
	reps := make([]*replica, 3)
	var wg sync.WaitGroup
	for i := range reps {
		wg.Add(1)
		go func() { defer wg.Done(); reps[i] = startReplica(t, bin, args, env) }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	t.Run("writes reach every replica", func(t *testing.T) { testReplicaWrites(t, reps) })
	t.Run("identical representations", func(t *testing.T) { testReplicaValidators(t, reps) })
	t.Run("one render per burst", func(t *testing.T) { testReplicaBurst(t, reps) })
	t.Run("redis down and back", func(t *testing.T) { testReplicasWithoutRedis(t, reps, rs) })
}

// testReplicasWithoutRedis: with Redis gone every replica renders from
// PostgreSQL, so a write is everywhere at once and nothing fails; when
// Redis is back (empty), caching resumes and writes still reach everyone.
func testReplicasWithoutRedis(t *testing.T, reps []*replica, rs *redistest.Server) {
	rs.Stop()
	reps[1].create(t, map[string]any{"title": "Written while Redis was down", "published_at": "2026-06-01T00:00:00Z"})
	for i, r := range reps {
		if got := r.get(t, "/feed.rss"); !feedHas(got, "Written while Redis was down") {
			t.Fatalf("replica %d with Redis down: status %d, want 200 with the new article", i, got.Status)
		}
	}
	rs.Restart()
	for _, r := range reps {
		r.get(t, "/feed.rss") // caches again
	}
	reps[2].create(t, map[string]any{"title": "Written after Redis came back", "published_at": "2026-06-02T00:00:00Z"})
	for i, r := range reps {
		eventually(t, staleBound, fmt.Sprintf("replica %d shows the write made after Redis came back", i), func() bool {
			return feedHas(r.get(t, "/feed.rss"), "Written after Redis came back")
		})
	}
}

// testReplicaWrites: a create, a replace and a delete, each through a
// different replica, are in the writer's feeds when the call returns and
// in every replica's feeds within staleBound.
func testReplicaWrites(t *testing.T, reps []*replica) {
	for i, a := range sampleArticles() {
		reps[i%3].create(t, a)
	}
	for _, r := range reps {
		r.get(t, "/feed.atom") // cache the feed everywhere before the writes
		r.get(t, "/categories/engineering/feed.rss")
	}
	check := func(writer int, path, text string, present bool) {
		t.Helper()
		if got := feedHas(reps[writer].get(t, path), text); got != present {
			t.Fatalf("replica %d's %s right after its own write: has %q=%v, want %v", writer, path, text, got, present)
		}
		for i, r := range reps {
			eventually(t, staleBound, fmt.Sprintf("replica %d's %s shows the write made through replica %d", i, path, writer), func() bool {
				return feedHas(r.get(t, path), text) == present
			})
		}
	}

	created := reps[0].create(t, map[string]any{
		"title": "Written through replica zero", "categories": []string{"Engineering"},
		"published_at": "2026-04-01T10:00:00Z",
	})
	check(0, "/feed.atom", "Written through replica zero", true)
	check(0, "/categories/engineering/feed.rss", "Written through replica zero", true)

	created["title"] = "Retitled through replica one"
	created["categories"] = []string{"Elsewhere"}
	delete(created, "updated_at")
	if r := reps[1].api(t, http.MethodPut, "/api/v1/articles/"+created["id"].(string), created); r.Status != http.StatusOK {
		t.Fatalf("replace through replica 1: %d %s", r.Status, r.Body)
	}
	check(1, "/feed.atom", "Retitled through replica one", true)
	check(1, "/categories/engineering/feed.rss", "Written through replica zero", false)

	if r := reps[2].api(t, http.MethodDelete, "/api/v1/articles/"+created["id"].(string), nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete through replica 2: %d %s", r.Status, r.Body)
	}
	check(2, "/feed.atom", "Retitled through replica one", false)
}

// testReplicaValidators: every replica serves the same bytes with the same
// ETag and Last-Modified, so a reader that moves between replicas behind a
// load balancer gets 304s.
func testReplicaValidators(t *testing.T, reps []*replica) {
	afterThisSecond()
	for _, path := range []string{"/feed.rss", "/feed.atom", "/feed.json", "/categories/engineering/feed.atom", "/tags/rss/feed.json?limit=2"} {
		first := reps[0].get(t, path)
		if first.Status != http.StatusOK {
			t.Fatalf("GET %s on replica 0: %d %s", path, first.Status, first.Body)
		}
		for i, r := range reps[1:] {
			got := r.get(t, path)
			if got.Status != http.StatusOK || string(got.Body) != string(first.Body) {
				t.Fatalf("GET %s: replica %d's body differs from replica 0's (status %d)", path, i+1, got.Status)
			}
			for _, h := range []string{"ETag", "Last-Modified", "Content-Type"} {
				if got.Header.Get(h) != first.Header.Get(h) || got.Header.Get(h) == "" {
					t.Fatalf("GET %s: replica %d's %s=%q, replica 0's %q", path, i+1, h, got.Header.Get(h), first.Header.Get(h))
				}
			}
			if c := r.get(t, path, "If-None-Match: "+first.Header.Get("ETag")); c.Status != http.StatusNotModified {
				t.Fatalf("GET %s on replica %d with replica 0's ETag: %d, want 304", path, i+1, c.Status)
			}
			if c := r.get(t, path, "If-Modified-Since: "+first.Header.Get("Last-Modified")); c.Status != http.StatusNotModified {
				t.Fatalf("GET %s on replica %d with replica 0's Last-Modified: %d, want 304", path, i+1, c.Status)
			}
		}
	}
}

// testReplicaBurst: many concurrent requests for a feed nobody has cached
// yet, spread over the replicas, render it once in the whole cluster; no
// request fails. Renders are counted from the "feed rendered" debug line
// each render logs.
func testReplicaBurst(t *testing.T, reps []*replica) {
	// A feed worth rendering: enough articles that a render takes a while.
	for i := range 40 {
		reps[i%3].create(t, map[string]any{
			"title": fmt.Sprintf("Burst article %d", i), "tags": []string{"Burst"},
			"content_html": fmt.Sprintf("<p>%s</p>", fmt.Sprint(make([]int, 200))),
			"published_at": fmt.Sprintf("2026-05-%02dT08:00:00Z", i%28+1),
		})
	}
	const path, n = "/tags/burst/feed.atom?limit=40", 60
	attrs := map[string]any{"msg": "feed rendered", "scope": "tag:burst", "format": "atom", "limit": float64(40)}
	renders := func() int {
		total := 0
		for _, r := range reps {
			total += r.logs.count("feed rendered", attrs)
		}
		return total
	}
	if got := renders(); got != 0 {
		t.Fatalf("%d renders of the burst feed before the burst", got)
	}

	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = reps[i%3].get(t, path)
		}()
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r.Status != http.StatusOK || r.Header.Get("ETag") != results[0].Header.Get("ETag") {
			t.Fatalf("request %d: status %d ETag %q, want 200 and %q", i, r.Status, r.Header.Get("ETag"), results[0].Header.Get("ETag"))
		}
	}

	// Each replica's log is read as it is written: render a marker feed on
	// every replica and wait for its line, after which every earlier line
	// of that replica has been read too.
	for i, r := range reps {
		marker := fmt.Sprintf("/feed.json?limit=%d", 90+i)
		if got := r.get(t, marker); got.Status != http.StatusOK {
			t.Fatalf("marker %s: %d", marker, got.Status)
		}
		eventually(t, staleBound, fmt.Sprintf("replica %d logs the marker render", i), func() bool {
			return r.logs.count("feed rendered", map[string]any{"scope": "site", "limit": float64(90 + i)}) > 0
		})
	}
	if got := renders(); got != 1 {
		for i, r := range reps {
			// The tail says why: a lock call that failed ("render lock
			// unavailable"), a lock TTL that ran out, a cache error.
			t.Logf("replica %d renders: %d; its last log lines:\n%s", i, r.logs.count("feed rendered", attrs), r.logs.tail())
		}
		t.Fatalf("%d renders of %s for %d concurrent requests over 3 replicas, want 1", got, path, n)
	}
}
