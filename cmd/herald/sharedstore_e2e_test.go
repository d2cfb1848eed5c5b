package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWritesOfOtherProcessesReachTheMemoryCache: two servers on one
// SQLite file, each with its own in-process cache, and `herald import`
// into the same file. A feed one server has cached shows what the other
// server, or the import, wrote within cache.store_poll; with the check
// off it stays as it was (until feed.cache_ttl).
func TestWritesOfOtherProcessesReachTheMemoryCache(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shared.db")
	posts := filepath.Join(dir, "posts")
	if err := os.MkdirAll(posts, 0o755); err != nil {
		t.Fatal(err)
	}
	importPost := func(name, front string) {
		t.Helper()
		writeFile(t, filepath.Join(posts, name), "---\n"+front+"\n---\nImported while served.\n")
		if code, out, errOut := runCLI(t, nil, "import", "-database-url", "sqlite:"+db, posts); code != 0 {
			t.Fatalf("import exit %d\n%s\n%s", code, out, errOut)
		}
	}

	// The server that does not check the database still delivers the
	// invalidations an import leaves on record, at its sweeps: the first
	// one after its start delivers all it finds, later ones (every 30 s)
	// those two sweeps in a row found. So it starts first, after an
	// import, and the test waits for that first sweep; the next one comes
	// after the test is over.
	importPost("zeroth.md", "title: Zeroth\ncategories: [Other]")
	blind := startHerald(t, db, "-cache.store-poll", "0")
	for deadline := time.Now().Add(10 * time.Second); blind.Articles.Stats().InvalidationsRecovered.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("after 10 s the server without a check has not delivered the import's invalidations on record")
		}
		time.Sleep(10 * time.Millisecond)
	}
	reader := startHerald(t, db, "-cache.store-poll", "50ms")
	writer := startHerald(t, db)

	writer.create(t, map[string]any{"title": "First", "categories": []string{"News"}})
	for _, s := range []*testServer{reader, blind} {
		for _, f := range []string{"/feed.rss", "/categories/news/feed.atom"} {
			if r := s.get(t, f); !strings.Contains(string(r.Body), "First") {
				t.Fatalf("%s lacks the first article:\n%s", f, r.Body)
			}
		}
	}
	// eventually waits, up to a bound far above store_poll, until the
	// reader's feed f holds want.
	eventually := func(f, want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(string(reader.get(t, f).Body), want) {
			if time.Now().After(deadline) {
				t.Fatalf("after 10 s the reader's %s still lacks %q", f, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	writer.create(t, map[string]any{"title": "Second", "categories": []string{"News"}})
	eventually("/feed.rss", "Second")
	eventually("/categories/news/feed.atom", "Second")

	// An import into the file the reader serves.
	importPost("third.md", "title: Third\ncategories: [News]")
	eventually("/categories/news/feed.atom", "Third")

	// The server that does not check still serves what it cached.
	for _, f := range []string{"/feed.rss", "/categories/news/feed.atom"} {
		if r := blind.get(t, f); r.Status != http.StatusOK || strings.Contains(string(r.Body), "Second") || strings.Contains(string(r.Body), "Third") {
			t.Errorf("with cache.store_poll 0, %s shows a later write (status %d): the check is what made the reader fresh", f, r.Status)
		}
	}
}

// TestOwnWritesRenderOnce: a server's own write invalidates its feeds
// once; neither its check of the database for other processes' writes
// nor its sweep of the invalidations on record invalidates them again
// (which cost a second render of the same bytes).
func TestOwnWritesRenderOnce(t *testing.T) {
	s := startHerald(t, "", "-cache.store-poll", "20ms")
	renders := func() float64 {
		t.Helper()
		var ready struct {
			Feeds struct{ Renders float64 } `json:"feeds"`
		}
		if err := json.Unmarshal(s.get(t, "/readyz").Body, &ready); err != nil {
			t.Fatal(err)
		}
		return ready.Feeds.Renders
	}
	s.create(t, map[string]any{"title": "First", "categories": []string{"News"}})
	s.get(t, "/categories/news/feed.rss")
	s.create(t, map[string]any{"title": "Second", "categories": []string{"News"}})
	if r := s.get(t, "/categories/news/feed.rss"); !strings.Contains(string(r.Body), "Second") {
		t.Fatalf("the feed lacks the write:\n%s", r.Body)
	}
	after := renders()
	// Thirty checks of the database, and the first sweep of the
	// invalidations on record (500 ms after the start), which finds the
	// records of the two writes before the server clears them.
	time.Sleep(600 * time.Millisecond)
	if r := s.get(t, "/categories/news/feed.rss"); r.Status != http.StatusOK {
		t.Fatalf("GET: %d", r.Status)
	}
	if n := renders(); n != after {
		t.Fatalf("renders went from %v to %v with nothing written: the check invalidated the server's own write again", after, n)
	}
}
