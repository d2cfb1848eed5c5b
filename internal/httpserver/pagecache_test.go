package httpserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/postgres"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// TestHistoryPageCacheHeaders is the audit's case over HTTP, on both
// stores, with the server's and the services' clock set by the test: four
// articles in a category, a fifth due 8 s later and a sixth 20 s later,
// read in pages of 2. Page 2, the newest full page, is an archive but its
// links change with the next publication: it is served with max-age up to
// the due time, not the archive's day, and its Last-Modified moves when
// the fifth comes due, so an If-Modified-Since of the old date is a 200
// with the new bytes, not a 304. Once the sixth fills page 3, page 2 is
// sealed: the archive max-age. Page 1 is sealed throughout: a day's
// max-age and a 304 for its first Last-Modified after every publication.
func TestHistoryPageCacheHeaders(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testHistoryPageCacheHeaders(t, func(now func() time.Time) herald.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"),
				sqlite.Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		testHistoryPageCacheHeaders(t, func(now func() time.Time) herald.Store {
			st, err := postgres.Open(context.Background(), pgtest.NewDatabase(t),
				postgres.Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

func testHistoryPageCacheHeaders(t *testing.T, open func(now func() time.Time) herald.Store) {
	var mu sync.Mutex
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(d time.Duration) { mu.Lock(); now = t0.Add(d); mu.Unlock() }

	st := open(clock)
	t.Cleanup(func() { st.Close() })
	c := cache.NewMemory(cache.MemoryOptions{Now: clock})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Hour}
	articles := service.NewArticles(st, c, site, service.ArticlesOptions{Now: clock})
	t.Cleanup(articles.Close)
	feeds := service.NewFeeds(st, c, render.New(), site, service.FeedsOptions{Now: clock})
	s := New(Config{APIToken: "secret", MaxBodyBytes: 1 << 20, FeedMaxAge: 5 * time.Minute, ArchiveMaxAge: 24 * time.Hour}, feeds, articles, st, c, nil)
	s.now = clock

	for i, at := range []time.Duration{-4 * time.Hour, -3 * time.Hour, -2 * time.Hour, -time.Hour, 8 * time.Second, 20 * time.Second} {
		postArticle(t, s, fmt.Sprintf(`{"title":"Paged %d","categories":["Pagecat"],"published_at":%q}`, i+1, t0.Add(at).Format(time.RFC3339)))
	}
	type answer struct {
		status                        int
		etag, lastModified, cacheCtrl string
		body                          string
	}
	get := func(page int, header ...string) answer {
		t.Helper()
		req := httptest.NewRequest("GET", fmt.Sprintf("/categories/pagecat/feed.atom?limit=2&page=%d", page), nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return answer{res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Last-Modified"), res.Header.Get("Cache-Control"), string(b)}
	}
	const archive = "public, max-age=86400"
	date := func(d time.Duration) string { return t0.Add(d).Format(http.TimeFormat) }

	set(time.Second) // the fifth is due in 7 s
	p2 := get(2)
	if p2.status != 200 || p2.cacheCtrl != "public, max-age=7" || p2.lastModified != date(0) || !strings.Contains(p2.body, "<fh:archive") {
		t.Errorf("page 2 of 4: status %d, Cache-Control %q, Last-Modified %q, fh:archive %v; want 200, max-age=7 (the fifth is due then), %q, true",
			p2.status, p2.cacheCtrl, p2.lastModified, strings.Contains(p2.body, "<fh:archive"), date(0))
	}
	p1 := get(1)
	if p1.status != 200 || p1.cacheCtrl != archive {
		t.Errorf("page 1 of 4: status %d, Cache-Control %q; want 200 and %q", p1.status, p1.cacheCtrl, archive)
	}

	set(10 * time.Second) // the fifth is out, the sixth due in 10 s
	r := get(2, "If-Modified-Since", p2.lastModified)
	if r.status != 200 || r.etag == p2.etag || r.lastModified != date(8*time.Second) || r.cacheCtrl != "public, max-age=10" {
		t.Errorf("page 2 of 5, If-Modified-Since %s: status %d, ETag %s (was %s), Last-Modified %q, Cache-Control %q; want 200 with new bytes, %q, max-age=10",
			p2.lastModified, r.status, r.etag, p2.etag, r.lastModified, r.cacheCtrl, date(8*time.Second))
	}
	p2 = r
	if r := get(1, "If-Modified-Since", p1.lastModified); r.status != 304 || r.etag != p1.etag || r.cacheCtrl != archive {
		t.Errorf("page 1 after a publication, If-Modified-Since %s: status %d, ETag %s, Cache-Control %q; want 304, %s, %q", p1.lastModified, r.status, r.etag, r.cacheCtrl, p1.etag, archive)
	}

	set(30 * time.Second) // the sixth is out: page 3 is full, page 2 sealed
	r = get(2, "If-Modified-Since", p2.lastModified)
	if r.status != 200 || r.etag == p2.etag || r.lastModified != date(20*time.Second) || r.cacheCtrl != archive {
		t.Errorf("page 2 of 6, If-Modified-Since %s: status %d, ETag %s (was %s), Last-Modified %q, Cache-Control %q; want 200 with new bytes, %q, %q",
			p2.lastModified, r.status, r.etag, p2.etag, r.lastModified, r.cacheCtrl, date(20*time.Second), archive)
	}
	p2 = r
	set(time.Hour)
	for page, a := range map[int]answer{1: p1, 2: p2} {
		if r := get(page, "If-Modified-Since", a.lastModified); r.status != 304 || r.etag != a.etag || r.cacheCtrl != archive {
			t.Errorf("sealed page %d an hour later, If-Modified-Since %s: status %d, ETag %s, Cache-Control %q; want 304, %s, %q", page, a.lastModified, r.status, r.etag, r.cacheCtrl, a.etag, archive)
		}
	}
}
