package main

import (
	"database/sql"
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
// cache and encodes their items in every format, then reads the older ones
// into the article cache too, before any request: its first feed miss
// reads no article in full and encodes none of the newest, and a history
// page of the older articles reads none in full either.
func TestArticleCacheWarmedAtStart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	writer := startHerald(t, db)
	for i := range 3 {
		writer.create(t, map[string]any{"title": fmt.Sprintf("Warm %d", i)})
	}
	for _, c := range []struct {
		maxLimit string
		encoded  uint64 // articles whose items are encoded at start
	}{{"100", 3}, {"2", 2}} {
		s := startHerald(t, db, "-feed.max-limit", c.maxLimit, "-feed.default-limit", "2")
		waitWarm(t, s)
		if hits, misses := s.articleCache.Stats(); hits != 0 || misses != 3 {
			t.Fatalf("max_limit %s, after the start: article cache hits %d misses %d, want 0 and 3 (every article read once)", c.maxLimit, hits, misses)
		}
		if hits, misses := s.renderer.FragmentStats(); hits != 0 || misses != 3*c.encoded {
			t.Fatalf("max_limit %s, after the start: %d items kept and %d encoded, want 0 and %d (the newest in three formats)", c.maxLimit, hits, misses, 3*c.encoded)
		}
		r := s.get(t, "/feed.rss?limit=2")
		if r.Status != 200 || strings.Count(string(r.Body), "<item>") != 2 {
			t.Fatalf("max_limit %s: feed status %d with %d items, want 200 with 2", c.maxLimit, r.Status, strings.Count(string(r.Body), "<item>"))
		}
		if hits, misses := s.articleCache.Stats(); hits != 2 || misses != 3 {
			t.Errorf("max_limit %s, after the first miss: article cache hits %d misses %d, want 2 and 3 (nothing read in full)", c.maxLimit, hits, misses)
		}
		if hits, misses := s.renderer.FragmentStats(); hits != 2 || misses != 3*c.encoded {
			t.Errorf("max_limit %s, after the first miss: %d items kept and %d encoded, want 2 and %d (nothing encoded)", c.maxLimit, hits, misses, 3*c.encoded)
		}
		var oldest string // the article the first page leaves out
		for i := range 3 {
			if title := fmt.Sprintf("Warm %d", i); !strings.Contains(string(r.Body), title) {
				oldest = title
			}
		}
		r = s.get(t, "/feed.atom?limit=2&page=1") // the oldest archive page
		if r.Status != 200 || oldest == "" || !strings.Contains(string(r.Body), oldest) {
			t.Fatalf("max_limit %s: history page status %d, want 200 with %q:\n%s", c.maxLimit, r.Status, oldest, r.Body)
		}
		if _, misses := s.articleCache.Stats(); misses != 3 {
			t.Errorf("max_limit %s, after the history page: %d article cache misses, want still 3 (the oldest was read at start)", c.maxLimit, misses)
		}
	}
}

// TestRenderedItemsAreKept: `herald serve` renders a feed again after a
// write by encoding only the changed article's item (the others' bytes are
// kept from the previous render), serves the change, and counts both on
// /metrics; with cache.max_item_bytes 0 it keeps and counts nothing.
func TestRenderedItemsAreKept(t *testing.T) {
	for _, c := range []struct {
		flags                   []string
		wantHits, wantEncodings uint64
	}{{nil, 4, 1}, {[]string{"-cache.max-item-bytes", "0"}, 0, 0}} {
		s := startHerald(t, "", c.flags...)
		var last map[string]any
		for i := range 5 {
			last = s.create(t, map[string]any{"title": fmt.Sprintf("Kept %d", i)})
		}
		if r := s.get(t, "/feed.rss"); r.Status != 200 || strings.Count(string(r.Body), "<item>") != 5 {
			t.Fatalf("%v: feed status %d with %d items, want 200 with 5", c.flags, r.Status, strings.Count(string(r.Body), "<item>"))
		}
		hits0, misses0 := s.renderer.FragmentStats()
		if r := s.api(t, "PATCH", "/api/v1/articles/"+last["id"].(string), map[string]any{"title": "Kept and changed"}); r.Status != 200 {
			t.Fatalf("PATCH: status %d %s", r.Status, r.Body)
		}
		r := s.get(t, "/feed.rss")
		if r.Status != 200 || !strings.Contains(string(r.Body), "Kept and changed") || strings.Count(string(r.Body), "<item>") != 5 {
			t.Fatalf("%v: after the change, status %d, want 200 with the change and 5 items:\n%s", c.flags, r.Status, r.Body)
		}
		hits, misses := s.renderer.FragmentStats()
		if hits-hits0 != c.wantHits || misses-misses0 != c.wantEncodings {
			t.Errorf("%v: the render after the change found %d items kept and encoded %d, want %d and %d", c.flags, hits-hits0, misses-misses0, c.wantHits, c.wantEncodings)
		}
		m := string(s.get(t, "/metrics").Body)
		if want := fmt.Sprintf("herald_render_item_hits_total %d\n", hits); !strings.Contains(m, want) {
			t.Errorf("%v: /metrics lacks %q", c.flags, want)
		}
	}
}

// TestArticlesPackedAtStart: a server started on a database whose
// articles lack packs of their current version (written before packs
// existed, or last by an older build) stores them as it starts, and serves
// what the rows hold meanwhile.
func TestArticlesPackedAtStart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	writer := startHerald(t, db)
	var ids []string
	for i := range 3 {
		ids = append(ids, writer.create(t, map[string]any{"title": fmt.Sprintf("Packed %d", i)})["id"].(string))
	}
	other, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	packed := func() int {
		t.Helper()
		var n int
		err := other.QueryRow(`SELECT count(*) FROM article_packs p
			JOIN articles a ON a.id = p.article_id AND a.version = p.version`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := packed(); n != 3 {
		t.Fatalf("%d of 3 articles packed by their writes", n)
	}
	// Two articles as before packs, one rewritten by an older build.
	if _, err := other.Exec("DELETE FROM article_packs WHERE article_id IN (?, ?)", ids[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec("UPDATE articles SET title = 'Rewritten by an older build' WHERE id = ?", ids[2]); err != nil {
		t.Fatal(err)
	}
	if n := packed(); n != 0 {
		t.Fatalf("%d articles still packed at their version", n)
	}

	// The prerender, before the packing, reads all three from their
	// rows; the next start reads them from their packs.
	for _, wantRows := range []string{"3", "0"} {
		s := startHerald(t, db)
		waitWarm(t, s)
		if n := packed(); n != 3 {
			t.Errorf("after the start: %d of 3 articles packed", n)
		}
		if r := s.get(t, "/feed.rss"); r.Status != 200 || !strings.Contains(string(r.Body), "Rewritten by an older build") {
			t.Errorf("feed: status %d, want 200 with the older build's title:\n%s", r.Status, r.Body)
		}
		if m := s.get(t, "/metrics"); !strings.Contains(string(m.Body), "\nherald_article_row_reads_total "+wantRows+"\n") {
			t.Errorf("/metrics: want herald_article_row_reads_total %s:\n%s", wantRows, grepLines(string(m.Body), "herald_article_"))
		}
	}
}

// grepLines returns the lines of text that contain sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
