package httpserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/encode/encodetest"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/sanitize"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// viewServer is a server over a fresh SQLite store and a memory cache,
// with the feeds' compressed variants made as `herald serve` makes them.
func viewServer(t *testing.T) (*Server, *service.Feeds) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	enc, err := encode.New()
	if err != nil {
		t.Fatal(err)
	}
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	articles := service.NewArticles(st, c, site, service.ArticlesOptions{})
	t.Cleanup(articles.Close)
	feeds := service.NewFeeds(st, c, render.New(), site, service.FeedsOptions{Compress: enc.Variants})
	t.Cleanup(feeds.Wait)
	return New(Config{APIToken: "secret", MaxBodyBytes: 1 << 20, FeedMaxAge: 5 * time.Minute}, feeds, articles, st, c, nil), feeds
}

type viewResponse struct {
	status int
	header http.Header
	body   []byte
}

// getView sends GET path with the header name/value pairs.
func getView(t *testing.T, s *Server, path string, headers ...string) viewResponse {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return viewResponse{res.StatusCode, res.Header, b}
}

// TestFeedHTMLViewCachedPerRevision: a feed's HTML view is made once per
// revision of its scope and kept in the feed cache beside the feed (one
// render, later requests are hits), compressed once per rendering (no
// request compresses it), with an ETag of its own that is not the feed's;
// a write to the scope makes it again.
func TestFeedHTMLViewCachedPerRevision(t *testing.T) {
	s, feeds := viewServer(t)
	st := feeds.Stats()
	const path = "/categories/typ/feed.atom?limit=100"
	post := func(title string) {
		t.Helper()
		postArticle(t, s, `{"title":"`+title+`","categories":["Typ"],"content_html":"<p>`+strings.Repeat("Some words of "+title+". ", 60)+`</p>"}`)
	}
	post("First story")
	post("Second story")

	first := getView(t, s, path, "Accept", "text/html")
	if first.status != 200 || !strings.HasPrefix(first.header.Get("Content-Type"), "text/html") || !strings.Contains(string(first.body), "Second story") {
		t.Fatalf("HTML view: %d %q\n%s", first.status, first.header.Get("Content-Type"), first.body)
	}
	if v, csp := first.header.Get("Vary"), first.header.Get("Content-Security-Policy"); v != "Accept, Accept-Encoding" || csp != pageCSP {
		t.Errorf("HTML view: Vary %q, CSP %q", v, csp)
	}
	tag := first.header.Get("ETag")
	if n := st.Renders.Load(); n != 1 {
		t.Fatalf("after the first request of the view: %d renders, want 1", n)
	}
	hits := st.Hits.Load()
	for range 3 {
		again := getView(t, s, path, "Accept", "text/html")
		if again.status != 200 || string(again.body) != string(first.body) || again.header.Get("ETag") != tag {
			t.Fatalf("the view again: %d, ETag %q (was %q), same body %v", again.status, again.header.Get("ETag"), tag, string(again.body) == string(first.body))
		}
	}
	if n, h := st.Renders.Load(), st.Hits.Load()-hits; n != 1 || h != 3 {
		t.Errorf("three more requests of the view: %d renders in all (want 1), %d cache hits (want 3)", n, h)
	}

	// Compressed once, after the miss: every coding comes from the cache.
	feeds.Wait()
	if n := st.Compressions.Load(); n != 1 {
		t.Errorf("%d renderings compressed, want 1 (the view)", n)
	}
	var codedTags []string
	for range 2 {
		for _, coding := range []string{"gzip", "br", "zstd"} {
			r := getView(t, s, path, "Accept", "text/html", "Accept-Encoding", coding)
			out, err := encodetest.Decode(coding, r.body)
			if r.status != 200 || r.header.Get("Content-Encoding") != coding || err != nil || string(out) != string(first.body) {
				t.Fatalf("view in %s: %d, Content-Encoding %q, decodes to the page: %v (%v)", coding, r.status, r.header.Get("Content-Encoding"), string(out) == string(first.body), err)
			}
			codedTags = append(codedTags, r.header.Get("ETag"))
		}
	}
	if n := s.docCompressions.Load(); n != 0 {
		t.Errorf("requests compressed the view %d times, want 0 (the cache holds every coding)", n)
	}

	// Its own validators: the feed's tag does not revalidate the view, and
	// the view's tags (any coding's) do.
	feed := getView(t, s, path, "Accept", "application/atom+xml")
	if feed.status != 200 || !strings.HasPrefix(feed.header.Get("Content-Type"), "application/atom+xml") || feed.header.Get("ETag") == tag {
		t.Fatalf("the feed at the view's URL: %d %q, ETag %q (the view's %q)", feed.status, feed.header.Get("Content-Type"), feed.header.Get("ETag"), tag)
	}
	if r := getView(t, s, path, "Accept", "text/html", "If-None-Match", feed.header.Get("ETag")); r.status != 200 {
		t.Errorf("view with the feed's ETag: %d, want 200", r.status)
	}
	for _, held := range append([]string{tag}, codedTags[:3]...) {
		r := getView(t, s, path, "Accept", "text/html", "Accept-Encoding", "gzip", "If-None-Match", held)
		if r.status != 304 || len(r.body) != 0 || r.header.Get("Vary") != "Accept, Accept-Encoding" {
			t.Errorf("view with If-None-Match %s: %d, %d bytes, Vary %q; want an empty 304", held, r.status, len(r.body), r.header.Get("Vary"))
		}
	}
	if r := getView(t, s, path, "Accept", "application/atom+xml", "If-None-Match", tag); r.status != 200 {
		t.Errorf("feed with the view's ETag: %d, want 200", r.status)
	}

	// A write to the scope: made again, once, showing it.
	renders := st.Renders.Load()
	post("Third story")
	next := getView(t, s, path, "Accept", "text/html")
	if next.status != 200 || !strings.Contains(string(next.body), "Third story") || next.header.Get("ETag") == tag {
		t.Fatalf("view after a write: %d, ETag %q (was %q), shows the new article: %v", next.status, next.header.Get("ETag"), tag, strings.Contains(string(next.body), "Third story"))
	}
	getView(t, s, path, "Accept", "text/html")
	if n := st.Renders.Load() - renders; n != 1 {
		t.Errorf("after the write: %d renders of the view, want 1", n)
	}
	if r := getView(t, s, path, "Accept", "text/html", "If-None-Match", tag); r.status != 200 {
		t.Errorf("view after a write with the old ETag: %d, want 200", r.status)
	}
}

// TestPagesShowStoredContent: the feed's HTML view and the article's page
// show an article's content exactly as stored, which the write path has
// sanitised (a second pass changes nothing, which is why the pages no
// longer sanitise on every request): no script, handler, style or
// javascript: URL reaches them, and relative URLs are absolute.
func TestPagesShowStoredContent(t *testing.T) {
	s, _ := viewServer(t)
	hostile := `<p onmouseover="alert(1)">Hello <a href="../notes/1">notes</a><script>alert(2)</script>` +
		`<style>body{display:none}</style><a href="javascript:alert(3)">x</a><img src="/pic.png" srcset="a.jpg 2x, data:image/png;base64,AAAA 3x">` +
		`<iframe src="https://evil.example/"></iframe><meta http-equiv="refresh" content="0;url=https://evil.example/"><form action="/x"><input name="q"></form></p>` +
		`<video src="v.mp4" autoplay poster="javascript:alert(4)"></video>`
	body, _ := json.Marshal(map[string]any{"title": "Hostile", "categories": []string{"Typ"}, "content_html": hostile})
	res := postArticle(t, s, string(body))
	var created struct{ ID, Slug string }
	if err := json.NewDecoder(res.Body).Decode(&created); err != nil {
		t.Fatal(err)
	}
	stored, err := s.store.Article(context.Background(), created.ID)
	if err != nil {
		t.Fatal(err)
	}
	content := stored.ContentHTML
	if again := sanitize.New().HTML(content, stored.URL); again != content {
		t.Fatalf("sanitising the stored content again changes it:\nstored=%q\nagain =%q", content, again)
	}
	for _, bad := range []string{"<script", "onmouseover", "<style", "javascript:", "<iframe", "<meta", "<form", "autoplay", "data:", `"../`, `"/pic`} {
		if strings.Contains(content, bad) {
			t.Errorf("stored content holds %q: %s", bad, content)
		}
	}
	for _, path := range []string{"/categories/typ/feed.rss", "/" + created.Slug} {
		r := getView(t, s, path, "Accept", "text/html")
		if r.status != 200 || !strings.Contains(string(r.body), content) {
			t.Errorf("GET %s: %d; the page does not hold the stored content %q:\n%s", path, r.status, content, r.body)
		}
		if csp := r.header.Get("Content-Security-Policy"); csp != pageCSP || strings.Contains(csp, "script-src") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
	}
}
