package httpserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/encode/encodetest"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/metrics"
	"github.com/herald-feeds/herald/internal/redistest"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// readCountingStore counts the store's reads, and fails ArticleBySlug
// (as a store that is down does) while down is set.
type readCountingStore struct {
	herald.Store
	bySlug, byID, feeds, lists atomic.Int64
	down                       atomic.Bool
}

func (s *readCountingStore) ArticleBySlug(ctx context.Context, slug string) (*herald.Article, error) {
	s.bySlug.Add(1)
	if s.down.Load() {
		return nil, herald.Errorf(herald.EUnavailable, "store: down")
	}
	return s.Store.ArticleBySlug(ctx, slug)
}

func (s *readCountingStore) Article(ctx context.Context, id string) (*herald.Article, error) {
	s.byID.Add(1)
	return s.Store.Article(ctx, id)
}

func (s *readCountingStore) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	s.feeds.Add(1)
	return s.Store.Feed(ctx, q)
}

func (s *readCountingStore) ListArticles(ctx context.Context, offset, limit int) ([]*herald.Article, int, error) {
	s.lists.Add(1)
	return s.Store.ListArticles(ctx, offset, limit)
}

// reads is how many reads the store has served so far.
func (s *readCountingStore) reads() int64 {
	return s.bySlug.Load() + s.byID.Load() + s.feeds.Load() + s.lists.Load()
}

// pageServer is a server (token "secret") over a fresh SQLite store read
// through a readCountingStore and over c (nil: a memory cache), with the
// compressed codings made as `herald serve` makes them.
func pageServer(t *testing.T, c herald.Cache) (*Server, *service.Feeds, *readCountingStore) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rs := &readCountingStore{Store: st}
	enc, err := encode.New()
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		c = cache.NewMemory(cache.MemoryOptions{})
	}
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Hour}
	articles := service.NewArticles(rs, c, site, service.ArticlesOptions{})
	t.Cleanup(articles.Close)
	feeds := service.NewFeeds(rs, c, render.New(), site, service.FeedsOptions{Compress: enc.Variants})
	t.Cleanup(feeds.Wait)
	return New(Config{APIToken: "secret", MaxBodyBytes: 1 << 20, FeedMaxAge: 5 * time.Minute}, feeds, articles, rs, c, nil), feeds, rs
}

// sendAPI sends an authorised API request and returns its status and body.
func sendAPI(t *testing.T, s *Server, method, path, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer secret")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// postPage creates an article with a page (no URL of its own) whose
// content is long enough to be compressed, and returns its id and slug.
func postPage(t *testing.T, s *Server, title, words string) (id, slug string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"title": title, "summary": "About " + title, "categories": []string{"Typ"},
		"content_html": "<p>" + strings.Repeat(words+" ", 80) + "</p>"})
	var created struct{ ID, Slug string }
	if err := json.NewDecoder(postArticle(t, s, string(body)).Body).Decode(&created); err != nil {
		t.Fatal(err)
	}
	return created.ID, created.Slug
}

// TestArticlePageCached: an article's page is made once (one read of the
// store, one execution of the template) and kept in the feed cache: the
// requests after it, conditional ones (304), HEAD and each content coding
// read nothing from the store, and no request compresses the page (its
// codings are made once, after the first answer). Its headers are what
// they were when every request made it: Vary: Accept-Encoding, the feeds'
// max-age, its own ETag per coding. A slug with no page stays a 404 that
// asks the store every time and leaves the site's cached feeds alone; a
// store failure is a 503 that is not kept, and leaves the kept pages
// served.
func TestArticlePageCached(t *testing.T) {
	s, feeds, rs := pageServer(t, nil)
	st := feeds.Stats()
	_, slug := postPage(t, s, "Cached page", "Some words worth compressing.")
	path := "/" + slug

	bySlug := rs.bySlug.Load() // the create asked too, whether the slug is taken
	first := getView(t, s, path, "Accept", "text/html")
	if first.status != 200 || !strings.Contains(string(first.body), "<h1>Cached page</h1>") {
		t.Fatalf("GET %s: %d\n%s", path, first.status, first.body)
	}
	tag := first.header.Get("ETag")
	for h, want := range map[string]string{"Vary": "Accept-Encoding", "Cache-Control": "public, max-age=300", "Content-Security-Policy": pageCSP} {
		if got := first.header.Get(h); got != want {
			t.Errorf("GET %s: %s %q, want %q", path, h, got, want)
		}
	}
	if n, r := rs.bySlug.Load()-bySlug, st.Renders.Load(); n != 1 || r != 1 {
		t.Fatalf("first request of the page: %d reads by slug, %d renders; want 1, 1", n, r)
	}
	feeds.Wait() // its codings are made after the first answer

	reads, hits := rs.reads(), st.Hits.Load()
	for range 3 {
		again := getView(t, s, path, "Accept", "text/html")
		if again.status != 200 || string(again.body) != string(first.body) || again.header.Get("ETag") != tag || again.header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("the page again: %d, ETag %q (was %q), Vary %q, same body %v", again.status, again.header.Get("ETag"), tag, again.header.Get("Vary"), string(again.body) == string(first.body))
		}
	}
	var codedTags []string
	for _, coding := range []string{"gzip", "br", "zstd"} {
		r := getView(t, s, path, "Accept-Encoding", coding)
		out, err := encodetest.Decode(coding, r.body)
		if r.status != 200 || r.header.Get("Content-Encoding") != coding || err != nil || string(out) != string(first.body) {
			t.Fatalf("page in %s: %d, Content-Encoding %q, decodes to the page: %v (%v)", coding, r.status, r.header.Get("Content-Encoding"), string(out) == string(first.body), err)
		}
		codedTags = append(codedTags, r.header.Get("ETag"))
	}
	for _, held := range append([]string{tag}, codedTags...) {
		r := getView(t, s, path, "Accept-Encoding", "gzip", "If-None-Match", held)
		if r.status != 304 || len(r.body) != 0 || r.header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("page with If-None-Match %s: %d, %d bytes, Vary %q; want an empty 304", held, r.status, len(r.body), r.header.Get("Vary"))
		}
	}
	res, err := s.App().Test(httptest.NewRequest("HEAD", path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || len(b) != 0 || res.Header.Get("ETag") != tag {
		t.Errorf("HEAD %s: %d, %d bytes, ETag %q; want 200, none, %q", path, res.StatusCode, len(b), res.Header.Get("ETag"), tag)
	}
	res.Body.Close()
	if n := rs.reads() - reads; n != 0 {
		t.Errorf("%d reads of the store for the page's cached requests, want 0", n)
	}
	if h, r := st.Hits.Load()-hits, st.Renders.Load(); h != 3+3+4+1 || r != 1 {
		t.Errorf("cached requests of the page: %d hits (want 11), %d renders in all (want 1)", h, r)
	}
	if n := s.docCompressions.Load(); n != 0 {
		t.Errorf("requests compressed the page %d times, want 0 (the cache holds every coding)", n)
	}

	// A slug with no page: a 404 each time, asking the store each time,
	// and the site's revision stays, so its cached feed is still a hit.
	if r := getView(t, s, "/feed.atom"); r.status != 200 {
		t.Fatalf("site feed: %d", r.status)
	}
	renders := st.Renders.Load()
	bySlug = rs.bySlug.Load()
	for range 2 {
		if r := getView(t, s, "/no-such-page"); r.status != 404 {
			t.Fatalf("GET /no-such-page: %d, want 404", r.status)
		}
	}
	if n := rs.bySlug.Load() - bySlug; n != 2 {
		t.Errorf("two requests of a slug with no page read the store %d times, want 2 (a 404 is not cached)", n)
	}
	if r := getView(t, s, "/feed.atom"); r.status != 200 || st.Renders.Load() != renders {
		t.Errorf("site feed after 404 pages: %d, %d renders since (want 0: the site's revision must stay)", r.status, st.Renders.Load()-renders)
	}

	// The store down: a page not kept is a 503, and not kept as one; a
	// kept page is still served.
	_, other := postPage(t, s, "Other page", "Other words.")
	rs.down.Store(true)
	if r := getView(t, s, "/"+other); r.status != 503 {
		t.Errorf("GET /%s with the store down: %d, want 503", other, r.status)
	}
	if r := getView(t, s, path); r.status != 503 {
		// The write of "Other page" moved the site's revision: this
		// page is no longer kept either.
		t.Errorf("GET %s after a write, with the store down: %d, want 503", path, r.status)
	}
	rs.down.Store(false)
	if r := getView(t, s, "/"+other); r.status != 200 || !strings.Contains(string(r.body), "<h1>Other page</h1>") {
		t.Fatalf("GET /%s with the store back: %d", other, r.status)
	}
	rs.down.Store(true)
	if r := getView(t, s, "/"+other); r.status != 200 || !strings.Contains(string(r.body), "<h1>Other page</h1>") {
		t.Errorf("GET /%s kept, with the store down: %d, want 200 from the cache", other, r.status)
	}
	rs.down.Store(false)
}

// TestArticlePageFollowsWrites: with the cache warm, an edit of the
// article (PATCH, then PUT) shows on the next GET with a new ETag (the
// old one gets a 200), a write of another article leaves the page's
// bytes and ETag as they were (the page is made again, to the same
// bytes), and a DELETE makes it a 404; with the in-process cache, Redis
// with the local tier, and Redis alone.
func TestArticlePageFollowsWrites(t *testing.T) {
	for _, cfg := range []struct {
		name string
		// open gives the cache and, with Redis, a function listing its keys.
		open func(t *testing.T) (herald.Cache, func() []string)
	}{
		{"memory", func(*testing.T) (herald.Cache, func() []string) { return cache.NewMemory(cache.MemoryOptions{}), nil }},
		{"redis+local", func(t *testing.T) (herald.Cache, func() []string) { return redisCache(t, true) }},
		{"redis only", func(t *testing.T) (herald.Cache, func() []string) { return redisCache(t, false) }},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			c, keys := cfg.open(t)
			s, feeds, rs := pageServer(t, c)
			st := feeds.Stats()
			// A slug beyond ASCII, as the page's cache key then is.
			id, slug := postPage(t, s, "Édité page ü", "First words.")
			if slug != "édité-page-ü" {
				t.Fatalf("slug %q", slug)
			}
			path := "/" + url.PathEscape(slug)
			bySlug := rs.bySlug.Load()
			warm := getView(t, s, path)
			feeds.Wait()
			if r := getView(t, s, path); warm.status != 200 || r.status != 200 || r.header.Get("ETag") != warm.header.Get("ETag") {
				t.Fatalf("GET %s twice: %d, %d, ETags %q, %q", path, warm.status, r.status, warm.header.Get("ETag"), r.header.Get("ETag"))
			}
			if n := rs.bySlug.Load() - bySlug; n != 1 {
				t.Fatalf("the page twice read the store by slug %d times, want 1 (the second is a hit)", n)
			}
			// A slug with no page leaves the site's revision, under which
			// the page is kept, where it was.
			renders := st.Renders.Load()
			if r := getView(t, s, "/no-such-page"); r.status != 404 {
				t.Fatalf("GET /no-such-page: %d, want 404", r.status)
			}
			if r := getView(t, s, path); r.status != 200 || st.Renders.Load() != renders {
				t.Fatalf("the page after a 404 beside it: %d, %d renders (want 0: still kept)", r.status, st.Renders.Load()-renders)
			}
			if keys != nil {
				// Nor does it leave a key in Redis (its render lock was
				// released), while the page's entry is there.
				all := strings.Join(keys(), "\n")
				if strings.Contains(all, "no-such-page") || !strings.Contains(all, ":page/"+slug+":") {
					t.Errorf("Redis keys after a 404 page beside a kept one:\n%s", all)
				}
			}

			prev := warm
			step := func(what, method, body, want string) {
				t.Helper()
				if code, b := sendAPI(t, s, method, "/api/v1/articles/"+id, body); code != 200 {
					t.Fatalf("%s: %d %s", what, code, b)
				}
				r := getView(t, s, path, "If-None-Match", prev.header.Get("ETag"))
				if r.status != 200 || !strings.Contains(string(r.body), want) || r.header.Get("ETag") == prev.header.Get("ETag") {
					t.Fatalf("after %s, with the old ETag: %d, ETag %q (was %q), shows %q: %v",
						what, r.status, r.header.Get("ETag"), prev.header.Get("ETag"), want, strings.Contains(string(r.body), want))
				}
				prev = r
			}
			step("a PATCH of the summary", "PATCH", `{"summary":"Patched summary"}`, "<p>Patched summary</p>")
			put, _ := json.Marshal(map[string]any{"title": "Édité page ü", "slug": slug, "summary": "Replaced summary", "categories": []string{"Typ"},
				"content_html": "<p>Replaced words.</p>"})
			step("a PUT", "PUT", string(put), "Replaced words.")

			// Another article's write moves the site's revision: the page is
			// made again, to the same bytes.
			renders = st.Renders.Load()
			postPage(t, s, "Unrelated page", "Unrelated words.")
			if r := getView(t, s, path, "If-None-Match", prev.header.Get("ETag")); r.status != 304 {
				t.Errorf("after another article's write, with the page's ETag: %d, want 304", r.status)
			}
			if n := st.Renders.Load() - renders; n != 1 {
				t.Errorf("after another article's write: %d renders of the page, want 1", n)
			}

			if code, b := sendAPI(t, s, "DELETE", "/api/v1/articles/"+id, ""); code != 204 {
				t.Fatalf("DELETE: %d %s", code, b)
			}
			for range 2 {
				if r := getView(t, s, path, "If-None-Match", prev.header.Get("ETag")); r.status != 404 {
					t.Fatalf("after DELETE: %d, want 404", r.status)
				}
			}
		})
	}
}

// redisCache is a throwaway redis-server's cache stacked as `herald serve`
// stacks it: measured, behind the circuit breaker, and with local set the
// local tier in front (its subscription confirmed); and a function
// listing the keys in that Redis.
func redisCache(t *testing.T, local bool) (herald.Cache, func() []string) {
	t.Helper()
	srv := redistest.Start(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { admin.Close() })
	keys := func() []string {
		t.Helper()
		k, err := admin.Keys(context.Background(), "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rc, err := cache.OpenRedis(srv.URL(), cache.RedisOptions{Prefix: "pages", Timeout: 5 * time.Second, LockTTL: time.Minute})
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	breaker := cache.NewBreaker(metrics.New().Cache(rc), cache.BreakerOptions{})
	var c herald.Cache = breaker
	if local {
		tc := cache.NewTiered(cache.NewMemory(cache.MemoryOptions{}), rc, cache.TieredOptions{LocalTTL: time.Hour, Front: breaker})
		for deadline := time.Now().Add(10 * time.Second); !tc.Live(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the subscription was never confirmed")
			}
		}
		c = tc
	}
	t.Cleanup(func() { c.Close() })
	return c, keys
}

// TestOwnSlugsAreTheRoutes: OwnSlugs names every one-segment route that
// is not a feed's file, the metrics path included, and nothing else.
func TestOwnSlugsAreTheRoutes(t *testing.T) {
	for _, metricsPath := range []string{"/metrics", "/internal/metrics", ""} {
		s := limitedServer(t, Config{Metrics: http.NotFoundHandler(), MetricsPath: metricsPath})
		var routed []string
		for _, r := range s.App().GetRoutes(true) {
			segs := splitPath(r.Path)
			if len(segs) != 1 || strings.ContainsAny(segs[0], ":*.") || slices.Contains(routed, segs[0]) {
				continue
			}
			routed = append(routed, segs[0])
		}
		own := OwnSlugs(metricsPath)
		slices.Sort(routed)
		slices.Sort(own)
		if !slices.Equal(routed, own) {
			t.Errorf("metrics at %q: one-segment routes %q, OwnSlugs %q", metricsPath, routed, own)
		}
	}
}
