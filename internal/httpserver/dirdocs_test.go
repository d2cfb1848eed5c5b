package httpserver

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
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

// TestDirectoryDocumentsKeptPerVersion: the index page and the OPML file
// are made once per directory version and sent again as they are until a
// write (by this server or another process on the store) or the next
// scheduled article changes what they list.
func TestDirectoryDocumentsKeptPerVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ls := &listingStore{Store: st}
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	articles := service.NewArticles(ls, c, site, service.ArticlesOptions{Now: clock})
	t.Cleanup(articles.Close)
	s := New(Config{APIToken: "secret", MaxBodyBytes: 1 << 20}, service.NewFeeds(ls, c, nil, site, service.FeedsOptions{Now: clock}), articles, ls, c, nil)

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
		body := `{"title":"` + title + `","categories":["` + category + `"],"published_at":"` + pub.Format(time.RFC3339) + `"}`
		req := httptest.NewRequest("POST", "/api/v1/articles", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer secret")
		req.Header.Set("Content-Type", "application/json")
		res, err := s.App().Test(req, -1)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("POST %s: %v %v", title, res.StatusCode, err)
		}
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
