package httpserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/encode/encodetest"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// listingStore counts the listings of every scope (Scopes).
type listingStore struct {
	herald.Store
	listings atomic.Int64
}

func (s *listingStore) Scopes(ctx context.Context, now time.Time) ([]herald.ScopeInfo, error) {
	s.listings.Add(1)
	return s.Store.Scopes(ctx, now)
}

// postArticle creates an article through s's API (token "secret") and
// returns the 201.
func postArticle(t *testing.T, s *Server, body string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/articles", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer secret")
	req.Header.Set("Content-Type", "application/json")
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 201 {
		t.Fatalf("POST %s: status %d, want 201", body, res.StatusCode)
	}
	return res
}

// dirTestServer is a server (token "secret") whose services read a fresh
// SQLite file, at path, through wrap (nil: as it is) and keep time by
// clock (nil: the real one); opts are the feed service's.
func dirTestServer(t *testing.T, wrap func(herald.Store) herald.Store, clock func() time.Time, opts service.FeedsOptions) (s *Server, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "d.db")
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var store herald.Store = st
	if wrap != nil {
		store = wrap(st)
	}
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	opts.Now = clock
	articles := service.NewArticles(store, c, site, service.ArticlesOptions{Now: clock})
	t.Cleanup(articles.Close)
	return New(Config{APIToken: "secret", MaxBodyBytes: 1 << 20}, service.NewFeeds(store, c, nil, site, opts), articles, store, c, nil), path
}

// TestDirectoryDocumentsKeptPerVersion: the index page and the OPML file
// are made once per directory version and sent again as they are until a
// write (by this server or another process on the store) or the next
// scheduled article changes what they list.
func TestDirectoryDocumentsKeptPerVersion(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var ls *listingStore
	s, path := dirTestServer(t, func(st herald.Store) herald.Store { ls = &listingStore{Store: st}; return ls }, clock, service.FeedsOptions{})

	get := func(path string) string {
		t.Helper()
		res, err := s.App().Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		return string(b)
	}
	post := func(title, category string, pub time.Time) {
		t.Helper()
		postArticle(t, s, `{"title":"`+title+`","categories":["`+category+`"],"published_at":"`+pub.Format(time.RFC3339)+`"}`)
	}
	expect := func(when string, listings int64, shown, hidden string) {
		t.Helper()
		for _, path := range []string{"/", "/feeds.opml"} {
			if doc := get(path); !strings.Contains(doc, shown) || hidden != "" && strings.Contains(doc, hidden) {
				t.Errorf("%s: GET %s shows %q: %v, %q: %v", when, path, shown, strings.Contains(doc, shown), hidden, strings.Contains(doc, hidden))
			}
		}
		if n := ls.listings.Load(); n != listings {
			t.Errorf("%s: %d listings of the scopes so far, want %d", when, n, listings)
		}
	}

	post("First", "Alpha", now.Add(-time.Hour))
	post("Scheduled", "Later", now.Add(time.Hour))
	expect("first requests", 2, "Alpha", "Later")
	expect("nothing changed", 2, "Alpha", "Later")

	post("Second", "Beta", now.Add(-time.Minute))
	expect("after a write", 4, "Beta", "Later")
	expect("nothing changed since", 4, "Beta", "Later")

	// A write by another process on the same store.
	other, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	a := &herald.Article{ID: "00000000-0000-4000-8000-000000000001", Title: "Elsewhere", Categories: []string{"Gamma"}, PublishedAt: now.Add(-time.Minute)}
	if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := other.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	expect("after another process's write", 6, "Gamma", "Later")

	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	expect("once the scheduled article shows", 8, "Later", "")
	expect("nothing changed since", 8, "Later", "")
}

// TestDirectoryDocumentsCompressedOncePerVersion: the kept index page and
// OPML file are compressed once per coding a client asks for, and each
// later request in that coding sends those bytes; a new version is
// compressed again. A client holding any coding's ETag gets its 304.
func TestDirectoryDocumentsCompressedOncePerVersion(t *testing.T) {
	s, _ := dirTestServer(t, nil, nil, service.FeedsOptions{})

	get := func(path, coding, inm string) (int, string, []byte) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Encoding", coding)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if got := res.Header.Get("Content-Encoding"); res.StatusCode == 200 && got != coding {
			t.Fatalf("GET %s in %q: Content-Encoding %q", path, coding, got)
		}
		return res.StatusCode, res.Header.Get("ETag"), b
	}
	post := func(category string) {
		t.Helper()
		// Enough scopes that both documents pass minCodedDocument.
		postArticle(t, s, `{"title":"`+category+`","categories":["`+category+`"],"tags":["a-long-tag-name-one","a-long-tag-name-two","a-long-tag-name-three"]}`)
	}
	round := func(when, shown string, want int64) {
		t.Helper()
		for _, path := range []string{"/", "/feeds.opml"} {
			_, _, plain := get(path, "", "")
			if !strings.Contains(string(plain), shown) {
				t.Fatalf("%s: GET %s does not show %q", when, path, shown)
			}
			var etags []string
			for i := 0; i < 3; i++ {
				for _, coding := range []string{"gzip", "br", "zstd"} {
					status, etag, b := get(path, coding, "")
					if status != 200 {
						t.Fatalf("%s: GET %s in %s: %d", when, path, coding, status)
					}
					out, err := encodetest.Decode(coding, b)
					if err != nil || string(out) != string(plain) {
						t.Fatalf("%s: GET %s in %s does not decode to the identity body (err %v)", when, path, coding, err)
					}
					if i == 0 {
						etags = append(etags, etag)
					}
				}
			}
			for _, etag := range etags {
				if status, _, _ := get(path, "br", etag); status != 304 {
					t.Errorf("%s: GET %s with If-None-Match %s: %d, want 304", when, path, etag, status)
				}
			}
		}
		if n := s.docCompressions.Load(); n != want {
			t.Errorf("%s: %d codings made of the directory's documents, want %d", when, n, want)
		}
	}
	post("Alpha")
	post("Beta")
	round("first requests", "Beta", 6)
	round("nothing changed", "Beta", 6)
	post("Gamma")
	round("after a write", "Gamma", 12)
}

// flakyStore fails the reads of the feed directory's version while down,
// as an unreachable database does.
type flakyStore struct {
	herald.Store
	down atomic.Bool
}

func (s *flakyStore) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	if s.down.Load() {
		return nil, herald.Errorf(herald.EUnavailable, "store unreachable")
	}
	return s.Store.Feed(ctx, q)
}

// TestDirectoryDocumentsOutliveAStoreOutage: while the store is down the
// index page and the OPML file are the last ones made, as feeds are their
// last good rendering, for feed.max_stale after they were last known to be
// current; past that, and when none was ever made, a 503.
func TestDirectoryDocumentsOutliveAStoreOutage(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var fs *flakyStore
	s, _ := dirTestServer(t, func(st herald.Store) herald.Store { fs = &flakyStore{Store: st}; return fs }, clock, service.FeedsOptions{MaxStale: time.Hour, StaleEntries: 10})
	s.now = clock
	status := func(path string) (int, string) {
		t.Helper()
		res, err := s.App().Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	postArticle(t, s, `{"title":"Kept through the outage","categories":["Outages"]}`)

	fs.down.Store(true)
	if code, _ := status("/feeds.opml"); code != 503 {
		t.Errorf("OPML never made, store down: status %d, want 503", code)
	}
	fs.down.Store(false)
	for _, p := range []string{"/", "/feeds.opml"} {
		if code, body := status(p); code != 200 || !strings.Contains(body, "Outages") {
			t.Fatalf("GET %s with the store up: %d %.200s", p, code, body)
		}
	}
	fs.down.Store(true)
	mu.Lock()
	now = now.Add(59 * time.Minute)
	mu.Unlock()
	for _, p := range []string{"/", "/feeds.opml"} {
		if code, body := status(p); code != 200 || !strings.Contains(body, "Outages") {
			t.Errorf("GET %s, store down, kept 59 min ago: %d %.200s; want the kept document", p, code, body)
		}
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	for _, p := range []string{"/", "/feeds.opml"} {
		if code, _ := status(p); code != 503 {
			t.Errorf("GET %s, store down, kept 61 min ago (max_stale 1h): status %d, want 503", p, code)
		}
	}
}
