package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/redistest"
)

// TestLockedStoreRefusesWritesAndKeepsServing holds the database's write
// lock from outside, as a stuck migration or a backup tool would: writes
// get 503 with Retry-After and leave nothing behind, feeds keep being
// served, and writes succeed again as soon as the lock is gone.
func TestLockedStoreRefusesWritesAndKeepsServing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	s := startHerald(t, db, "-server.request-timeout", "300ms")
	first := s.create(t, map[string]any{"title": "Before the lock", "categories": []string{"Ops"}})

	other, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	if _, err := lock.Exec("UPDATE articles SET title = title WHERE 0"); err != nil {
		t.Fatalf("write under the lock: %v", err)
	}

	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "During the lock"})
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("write while locked: status %d Retry-After %q, want 503 with Retry-After: %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if e := decodeError(t, r); e.Error.Code != "unavailable" || strings.Contains(e.Error.Message, "sqlite") {
		t.Errorf("error %+v: want code unavailable and no internals in the message", e.Error)
	}
	for _, p := range []string{"/feed.rss", "/categories/ops/feed.json"} {
		if r := s.get(t, p); r.Status != 200 {
			t.Errorf("GET %s while the store is locked: status %d, want 200", p, r.Status)
		}
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.create(t, map[string]any{"title": "After the lock"})
	var list struct {
		Total    int
		Articles []map[string]any
	}
	mustUnmarshal(t, s.api(t, http.MethodGet, "/api/v1/articles", nil).Body, &list)
	if list.Total != 2 {
		t.Fatalf("articles=%d, want 2: the refused write must leave nothing behind", list.Total)
	}
	for _, a := range list.Articles {
		if a["title"] == "During the lock" {
			t.Errorf("the refused write was stored")
		}
	}
	_ = first
}

// TestMetrics reads /metrics after traffic with Redis behind the breaker.
func TestMetrics(t *testing.T) {
	rs := redistest.Start(t)
	s := startHerald(t, "", "-redis.url", rs.URL(), "-redis.prefix", "metrics")
	waitWarm(t, s) // a store read of its own, on the empty store
	s.create(t, map[string]any{"title": "Measured", "categories": []string{"Go"}})
	r1 := s.get(t, "/feed.rss")
	s.get(t, "/feed.rss")
	if r := s.get(t, "/feed.rss", "If-None-Match: "+r1.Header.Get("ETag")); r.Status != http.StatusNotModified {
		t.Fatalf("conditional GET: status %d, want 304 (etag %q, got %q)", r.Status, r1.Header.Get("ETag"), r.Header.Get("ETag"))
	}
	s.get(t, "/categories/go/feed.atom")
	s.get(t, "/nowhere/at/all")
	m := s.get(t, "/metrics")
	if m.Status != 200 {
		t.Fatalf("/metrics: status %d", m.Status)
	}
	body := string(m.Body)
	for _, want := range []string{
		`herald_http_requests_total{format="rss",route="/:file",status="200"} 2`,
		`herald_http_requests_total{format="rss",route="/:file",status="304"} 1`,
		`herald_http_requests_total{format="atom",route="/categories/:slug/:file",status="200"} 1`,
		`herald_http_requests_total{format="",route="unmatched",status="404"} 1`,
		`herald_feed_renders_total 2`,
		// The site feed read the article from the store, the category
		// feed found it decoded.
		`herald_article_cache_misses_total 1`,
		`herald_article_cache_hits_total 1`,
		`herald_article_cache_bytes `,
		`herald_feed_cache_hits_total 2`,
		`herald_feed_not_modified_total 1`,
		`herald_cache_breaker_state 0`,
		`herald_feed_render_duration_seconds_count{format="rss"} 1`,
		`herald_store_duration_seconds_count{op="feed"} 3`, // the warming, then the two misses
		// The write told the local tier the new revisions, so each miss
		// asked Redis once, for the render lock, and nothing else.
		`herald_cache_duration_seconds_count{cache="redis",op="lock"} 2`,
		`herald_feed_shared_fills_total 0`,
		`herald_store_errors_total`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			name, _, _ := strings.Cut(want, "{")
			var have []string
			for _, line := range strings.Split(body, "\n") {
				if strings.HasPrefix(line, strings.TrimSuffix(name, " ")) {
					have = append(have, line)
				}
			}
			t.Errorf("/metrics lacks %q; it has %q", want, have)
		}
	}
	if strings.Contains(body, `herald_cache_duration_seconds_count{cache="redis",op="get"}`) {
		t.Errorf("/metrics counts Redis lookups; after the write every miss should have asked for the render lock alone")
	}
	if strings.Contains(body, "/nowhere") {
		t.Errorf("/metrics labels a raw path; routes must be bounded")
	}

	locked := startHerald(t, "", "-metrics.require-token")
	if r := locked.get(t, "/metrics"); r.Status != 401 {
		t.Errorf("/metrics with require_token and no token: status %d, want 401", r.Status)
	}
	if r := locked.get(t, "/metrics", "Authorization: Bearer "+testToken); r.Status != 200 {
		t.Errorf("/metrics with a token: status %d, want 200", r.Status)
	}
	off := startHerald(t, "", "-metrics.path", "")
	if r := off.get(t, "/metrics"); r.Status != 404 {
		t.Errorf("/metrics turned off: status %d, want 404", r.Status)
	}
}

// TestNoInternalsInErrors: a panic and an internal failure answer a bare
// 500 with no stack, no Go error text and no server name.
func TestNoInternalsInErrors(t *testing.T) {
	s := startHerald(t, "")
	s.Store.Close() // every store call now fails with an internal error
	for _, p := range []string{"/api/v1/articles", "/feed.rss"} {
		r := s.api(t, http.MethodGet, p, nil)
		if r.Status < 500 {
			t.Fatalf("GET %s on a closed store: status %d, want 5xx", p, r.Status)
		}
		var e apiError
		if err := json.Unmarshal(r.Body, &e); err != nil {
			t.Fatalf("GET %s: body %q is not JSON", p, r.Body)
		}
		for _, leak := range []string{"sqlite", "sql:", "goroutine", ".go:", "fiber", "fasthttp"} {
			if strings.Contains(strings.ToLower(string(r.Body)), leak) {
				t.Errorf("GET %s: body %q leaks %q", p, r.Body, leak)
			}
		}
	}
}
