package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/service"
)

// TestRedisBackedFeeds runs the invalidation and conditional flows with the
// Redis cache, then stops Redis mid-test: feeds must keep answering 200
// from the store, and caching resumes when Redis is back.
func TestRedisBackedFeeds(t *testing.T) {
	rs := redistest.Start(t)
	s := startHerald(t, "", "-redis.url", rs.URL(), "-redis.prefix", "e2e", "-redis.breaker-cooldown", "50ms")
	if s.Cache.Name() != "redis+local" {
		t.Fatalf("cache=%q, want redis+local (redis.local_cache is on by default)", s.Cache.Name())
	}
	if r := s.get(t, "/readyz"); r.Status != 200 {
		t.Fatalf("/readyz: %d %s", r.Status, r.Body)
	}
	runInvalidation(t, s)

	first := s.get(t, "/feed.atom")
	hitsBefore := s.Feeds.Stats().Hits.Load()
	second := s.get(t, "/feed.atom")
	if s.Feeds.Stats().Hits.Load() != hitsBefore+1 {
		t.Errorf("second read was not a cache hit")
	}
	if string(first.Body) != string(second.Body) || first.Header.Get("ETag") != second.Header.Get("ETag") {
		t.Errorf("cache hit differs from the rendered response")
	}
	if r := s.get(t, "/feed.atom", "If-None-Match: "+first.Header.Get("ETag")); r.Status != http.StatusNotModified {
		t.Errorf("conditional hit: status %d, want 304", r.Status)
	}

	rs.Stop()
	for _, path := range []string{"/feed.atom", "/feed.rss", "/categories/engineering/feed.json"} {
		r := s.get(t, path)
		if r.Status != http.StatusOK {
			t.Fatalf("with Redis stopped, GET %s: status %d, want 200: %s", path, r.Status, r.Body)
		}
	}
	if r := s.get(t, "/feed.atom", "If-None-Match: "+first.Header.Get("ETag")); r.Status != http.StatusNotModified {
		t.Errorf("with Redis stopped, a conditional GET: status %d, want 304 (same bytes, same ETag)", r.Status)
	}
	if s.Feeds.Stats().CacheErrors.Load() == 0 {
		t.Errorf("no cache errors counted while Redis was down")
	}
	// Writes still succeed: the store is the source of truth.
	created := s.create(t, map[string]any{"title": "Written while Redis was down", "published_at": "2026-06-01T00:00:00Z"})
	if f := parseFeed(t, s.get(t, "/feed.rss")); f.Items[0].Title != created["title"] {
		t.Errorf("newest item=%q, want the article written while Redis was down", f.Items[0].Title)
	}
	if r := s.get(t, "/readyz"); r.Status != 200 {
		t.Errorf("/readyz with Redis down: %d, want 200 (the cache does not decide readiness)", r.Status)
	}

	rs.Restart()
	// The circuit breaker lets a probe through once its cooldown is over;
	// from then on reads are cached again, with no restart. The deadline
	// only guards against hanging.
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.get(t, "/feed.json") // a miss renders and stores again
		hits := s.Feeds.Stats().Hits.Load()
		if r := s.get(t, "/feed.json"); r.Status == 200 && s.Feeds.Stats().Hits.Load() == hits+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Redis restarted, caching did not resume (breaker %v)", s.Breaker.State())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisSharedAcrossProcesses: two processes on one store and one Redis
// see each other's writes at once and serve identical validators.
func TestRedisSharedAcrossProcesses(t *testing.T) {
	rs := redistest.Start(t)
	db := t.TempDir() + "/shared.db"
	a := startHerald(t, db, "-redis.url", rs.URL())
	b := startHerald(t, db, "-redis.url", rs.URL())
	publishSamples(t, a)
	ra := a.get(t, "/feed.rss")
	rb := b.get(t, "/feed.rss")
	if ra.Header.Get("ETag") != rb.Header.Get("ETag") || string(ra.Body) != string(rb.Body) {
		t.Fatalf("two processes serve different feeds")
	}
	if b.Feeds.Stats().Renders.Load() != 0 {
		t.Errorf("second process rendered %d times, want 0: the first one's entry is in Redis", b.Feeds.Stats().Renders.Load())
	}
	// A write through b is visible through b at once, and through a as soon
	// as the invalidation message arrives (a's local tier held the feed).
	b.create(t, map[string]any{"title": "Written through b", "published_at": "2026-07-01T00:00:00Z"})
	if f := parseFeed(t, b.get(t, "/feed.rss")); f.Items[0].Title != "Written through b" {
		t.Errorf("process b serves %q first, want its own write", f.Items[0].Title)
	}
	deadline := time.Now().Add(10 * time.Second) // a guard against hanging, not a speed check
	for parseFeed(t, a.get(t, "/feed.rss")).Items[0].Title != "Written through b" {
		if time.Now().After(deadline) {
			t.Fatalf("process a never served the write made through b")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRedisPersistenceWarning: Herald warns at start-up when its Redis
// keeps data on disk, naming what is on, and says nothing when it does not.
func TestRedisPersistenceWarning(t *testing.T) {
	const msg = "redis keeps its data on disk"
	_, quiet := startLogged(t, baseArgs(t, "-redis.url", redistest.Start(t).URL()), nil)
	if strings.Contains(quiet.String(), msg) {
		t.Fatalf("warned about persistence on a Redis without it:\n%s", quiet)
	}
	_, logs := startLogged(t, baseArgs(t, "-redis.url", redistest.StartWith(t, "--save", "60 1").URL()), nil)
	if !strings.Contains(logs.String(), msg) || !strings.Contains(logs.String(), "save 60 1") {
		t.Fatalf("no warning naming the snapshots of a saving Redis:\n%s", logs)
	}
}

// TestRedisRestartedFromAnOldSnapshot: Herald's Redis restarts from a
// snapshot taken before the last write, bringing back the feed rendered
// before it. Herald notices within redis.check_interval that Redis lost
// writes, drops every revision, and serves the feed with the write again.
func TestRedisRestartedFromAnOldSnapshot(t *testing.T) {
	rs := redistest.Start(t)
	s, logs := startLogged(t, baseArgs(t, "-redis.url", rs.URL(), "-redis.check-interval", "50ms"),
		[]string{"HERALD_API_TOKEN=" + testToken})
	s.create(t, map[string]any{"title": "Before the snapshot", "published_at": "2026-06-01T00:00:00Z"})
	if f := parseFeed(t, s.get(t, "/feed.rss")); f.Items[0].Title != "Before the snapshot" {
		t.Fatalf("newest item %q", f.Items[0].Title)
	}
	s.Feeds.Wait() // the rendering is in Redis
	admin := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer admin.Close()
	if err := admin.Save(context.Background()).Err(); err != nil {
		t.Fatalf("SAVE: %v", err)
	}
	const title = "After the snapshot"
	s.create(t, map[string]any{"title": title, "published_at": "2026-06-02T00:00:00Z"})
	if f := parseFeed(t, s.get(t, "/feed.rss")); f.Items[0].Title != title {
		t.Fatalf("newest item %q before the restart, want %q", f.Items[0].Title, title)
	}
	s.Feeds.Wait()
	rs.Restart()

	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		f := parseFeed(t, s.get(t, "/feed.rss"))
		if f.Items[0].Title == title && strings.Contains(logs.String(), "redis lost writes") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after Redis came back from an old snapshot: newest item %q, want %q; log:\n%s", f.Items[0].Title, title, logs)
		}
	}
	if m := s.get(t, "/metrics"); !strings.Contains(string(m.Body), "herald_cache_resets_total 1") {
		t.Fatalf("metrics do not count the reset:\n%s", m.Body)
	}
}

// TestRenderingSettingsChangeWithRedis: a process started with other
// rendering settings (here the site's title) against the same Redis
// renders its feeds afresh instead of serving what the previous settings
// rendered, while both share the invalidations.
func TestRenderingSettingsChangeWithRedis(t *testing.T) {
	rs := redistest.Start(t)
	db := filepath.Join(t.TempDir(), "herald.db")
	before := startHerald(t, db, "-redis.url", rs.URL(), "-site.title", "Old Name")
	before.create(t, map[string]any{"title": "First", "published_at": "2026-06-01T00:00:00Z"})
	if f := parseFeed(t, before.get(t, "/feed.rss")); f.Title != "Old Name" {
		t.Fatalf("feed title %q", f.Title)
	}
	before.Feeds.Wait()

	after := startHerald(t, db, "-redis.url", rs.URL(), "-site.title", "New Name")
	if f := parseFeed(t, after.get(t, "/feed.rss")); f.Title != "New Name" {
		t.Fatalf("feed title %q after the settings changed, want the new one", f.Title)
	}
	// Side by side (a rolling change), each serves its own renderings, and
	// a write through either reaches both.
	after.create(t, map[string]any{"title": "Second", "published_at": "2026-06-02T00:00:00Z"})
	for _, s := range []struct {
		srv   *testServer
		title string
	}{{after, "New Name"}, {before, "Old Name"}} {
		for deadline := time.Now().Add(staleBound); ; time.Sleep(20 * time.Millisecond) {
			f := parseFeed(t, s.srv.get(t, "/feed.rss"))
			if f.Title != s.title {
				t.Fatalf("feed title %q, want %q", f.Title, s.title)
			}
			if f.Items[0].Title == "Second" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the %q process never served the write made through the other", s.title)
			}
		}
	}
}

// TestRenderingVariant: the variant follows the settings that shape a feed
// and the build, and nothing else (a map's order included).
func TestRenderingVariant(t *testing.T) {
	site := service.Site{Title: "A", BaseURL: "https://a.example", DefaultLimit: 20,
		Shows: map[string]herald.Show{"pod": {Title: "Pod"}, "cast": {Title: "Cast"}}}
	same := site
	same.Shows = map[string]herald.Show{"cast": {Title: "Cast"}, "pod": {Title: "Pod"}}
	if renderingVariant(site) != renderingVariant(same) {
		t.Fatalf("equal settings give different variants")
	}
	for name, change := range map[string]func(*service.Site){
		"title": func(s *service.Site) { s.Title = "B" },
		"url":   func(s *service.Site) { s.BaseURL = "https://b.example" },
		"limit": func(s *service.Site) { s.DefaultLimit = 30 },
		"show":  func(s *service.Site) { s.Shows = map[string]herald.Show{"pod": {Title: "Other"}} },
	} {
		other := site
		change(&other)
		if renderingVariant(other) == renderingVariant(site) {
			t.Errorf("changing the %s leaves the variant", name)
		}
	}
	before := renderingVariant(site)
	old := version
	version = "another build"
	defer func() { version = old }()
	if renderingVariant(site) == before {
		t.Errorf("another build gives the same variant")
	}
}
