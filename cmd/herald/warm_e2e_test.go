package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitWarm waits for s's start-up warming of the article cache.
func waitWarm(t *testing.T, s *testServer) {
	t.Helper()
	select {
	case <-s.warmDone:
	case <-time.After(10 * time.Second): // a guard against hanging
		t.Fatal("the article cache was not warmed within 10s of the start")
	}
}

// TestArticleCacheWarmedAtStart: a server started on a store that already
// holds articles reads the newest feed.max_limit of them into its article
// cache before any request, so its first feed miss reads none in full.
func TestArticleCacheWarmedAtStart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	writer := startHerald(t, db)
	for i := range 3 {
		writer.create(t, map[string]any{"title": fmt.Sprintf("Warm %d", i)})
	}
	for _, c := range []struct {
		maxLimit string
		warmed   uint64
	}{{"100", 3}, {"2", 2}} {
		s := startHerald(t, db, "-feed.max-limit", c.maxLimit, "-feed.default-limit", "2")
		waitWarm(t, s)
		if hits, misses := s.articleCache.Stats(); hits != 0 || misses != c.warmed {
			t.Fatalf("max_limit %s, after the start: article cache hits %d misses %d, want 0 and %d (the newest articles read once)", c.maxLimit, hits, misses, c.warmed)
		}
		r := s.get(t, "/feed.rss?limit=2")
		if r.Status != 200 || strings.Count(string(r.Body), "<item>") != 2 {
			t.Fatalf("max_limit %s: feed status %d with %d items, want 200 with 2", c.maxLimit, r.Status, strings.Count(string(r.Body), "<item>"))
		}
		if hits, misses := s.articleCache.Stats(); hits != 2 || misses != c.warmed {
			t.Errorf("max_limit %s, after the first miss: article cache hits %d misses %d, want 2 and %d (nothing read in full)", c.maxLimit, hits, misses, c.warmed)
		}
	}
}
