package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/redistest"
)

// TestArticlePages: an article stored without a URL is linked from the
// feeds at base_url + "/" + slug, and Herald serves its page there, so
// those links lead somewhere when Herald is the site's only server. An
// article with a URL of its own, one not published yet, and a slug no
// article has are 404s.
func TestArticlePages(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{"title": "Polling politely", "summary": "Why 304s matter",
		"content_html": `<p>Readers <em>poll</em>. See <a href="notes.html">the notes</a>.</p><script>alert(1)</script>`,
		"authors":      []map[string]any{{"name": "Ada Lovelace"}}, "categories": []string{"Engineering"}, "tags": []string{"HTTP"}})
	if a["url"] != "https://news.example.com/polling-politely" {
		t.Fatalf("derived url %v", a["url"])
	}
	if !strings.Contains(string(s.get(t, "/feed.rss").Body), "<link>https://news.example.com/polling-politely</link>") {
		t.Fatal("the feed does not link the article at its derived URL")
	}
	s.create(t, map[string]any{"title": "Elsewhere", "url": "https://blog.example.org/elsewhere"})
	s.create(t, map[string]any{"title": "Later", "published_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	s.create(t, map[string]any{"title": "Café notes"})

	r := s.get(t, "/polling-politely")
	body := string(r.Body)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("article page: %d %s: %.300s", r.Status, r.Header.Get("Content-Type"), body)
	}
	for _, want := range []string{
		"<h1>Polling politely</h1>", "<p>Why 304s matter</p>", "<em>poll</em>",
		`href="https://news.example.com/notes.html"`, // relative links resolved against the article's URL
		"<bdi>Ada Lovelace</bdi>",
		`<a href="https://news.example.com/categories/engineering/feed.atom"><bdi>Engineering</bdi></a>`,
		`<a href="https://news.example.com/tags/http/feed.atom"><bdi>HTTP</bdi></a>`,
		`<link rel="alternate" type="application/rss+xml"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("article page carries a script")
	}
	if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("headers: CSP %q, Cache-Control %q", r.Header.Get("Content-Security-Policy"), r.Header.Get("Cache-Control"))
	}
	etag := r.Header.Get("ETag")
	if c := s.get(t, "/polling-politely", "If-None-Match: "+etag); c.Status != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", c.Status)
	}
	if h := s.do(t, http.MethodHead, "/polling-politely", nil); h.Status != 200 || len(h.Body) != 0 || h.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", h.Status, len(h.Body), h.Header.Get("ETag"))
	}
	// An edit changes the page.
	s.api(t, http.MethodPatch, "/api/v1/articles/"+a["id"].(string), `{"summary":"Why 304s matter a lot"}`)
	if r := s.get(t, "/polling-politely", "If-None-Match: "+etag); r.Status != 200 || !strings.Contains(string(r.Body), "matter a lot") {
		t.Errorf("after an edit: %d", r.Status)
	}

	if r := s.get(t, "/caf%C3%A9-notes"); r.Status != 200 || !strings.Contains(string(r.Body), "<h1>Café notes</h1>") {
		t.Errorf("Unicode slug: %d", r.Status)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := noFollow.Get(s.URL + "/cafe%CC%81-notes"); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/caf%C3%A9-notes" {
		t.Errorf("decomposed slug: %d to %q, want 301 to /caf%%C3%%A9-notes", res.StatusCode, res.Header.Get("Location"))
	}
	for _, path := range []string{"/elsewhere", "/later", "/no-such-article", "/Polling-Politely"} {
		if r := s.get(t, path); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), `"not_found"`) {
			t.Errorf("GET %s: %d %s, want a JSON 404", path, r.Status, r.Body)
		}
	}
	// A deleted article's page goes with it.
	s.api(t, http.MethodDelete, "/api/v1/articles/"+a["id"].(string), nil)
	if r := s.get(t, "/polling-politely"); r.Status != http.StatusNotFound {
		t.Errorf("after delete: %d, want 404", r.Status)
	}
}

// TestChangedBaseURLAndStoredURLs: an article stored without a url keeps
// the one derived from the base_url of its write; after base_url changes,
// a PATCH setting url to null derives it again from the new one, and the
// article's page is served at its new address (DEPLOYMENT, "Changing
// base_url").
func TestChangedBaseURLAndStoredURLs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	first := startHerald(t, db, "-base-url", "http://localhost:8080")
	a := first.create(t, map[string]any{"title": "Moved house", "published_at": "2026-01-01T00:00:00Z"})
	first.Close(context.Background())

	s := startHerald(t, db, "-base-url", "https://news.example.com")
	if got := s.get(t, "/feed.rss"); !strings.Contains(string(got.Body), "<link>http://localhost:8080/moved-house</link>") {
		t.Fatalf("the stored url should still be the old one until it is derived again:\n%s", got.Body)
	}
	if r := s.get(t, "/moved-house"); r.Status != 404 {
		t.Errorf("page of an article stored under the old base_url: status %d, want 404", r.Status)
	}
	p := s.api(t, http.MethodPatch, "/api/v1/articles/"+a["id"].(string), `{"url":null}`)
	var patched map[string]any
	mustUnmarshal(t, p.Body, &patched)
	if p.Status != 200 || patched["url"] != "https://news.example.com/moved-house" {
		t.Fatalf("PATCH url null: status %d, url %v; want it derived from the new base_url", p.Status, patched["url"])
	}
	if r := s.get(t, "/moved-house"); r.Status != 200 {
		t.Errorf("page after the url was derived again: status %d, want 200", r.Status)
	}
}

// TestArticlePageMethods: an article's page answers other methods 405
// with Allow: GET, HEAD, as feeds do; a path that is no page stays a 404
// for every method.
func TestArticlePageMethods(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Read only"})
	s.create(t, map[string]any{"title": "Lives elsewhere", "url": "https://blog.example.org/elsewhere"})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := s.do(t, m, "/read-only", []byte("x"))
		if e := decodeError(t, r); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" || e.Error.Code != "method_not_allowed" {
			t.Errorf("%s on an article page: %d, Allow %q, code %q; want 405 with Allow: GET, HEAD", m, r.Status, r.Header.Get("Allow"), e.Error.Code)
		}
		for _, path := range []string{"/no-such-article", "/lives-elsewhere"} {
			if r := s.do(t, m, path, []byte("x")); r.Status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", m, path, r.Status)
			}
		}
	}
}

// TestOwnPathsAreNoSlugs: an article without a url of its own is linked
// at base_url + "/" + slug, so a slug that is one of Herald's own paths
// (feed, healthz, readyz, the metrics path) would link it to that
// resource: such a write is a 422 naming slug, whether the slug was given
// or derived from the title, in a POST, a PUT and a PATCH, and writes
// nothing. With a url of its own the slug is fine.
func TestOwnPathsAreNoSlugs(t *testing.T) {
	s := startHerald(t, "")
	refused := func(r response, what string) {
		t.Helper()
		if e := decodeError(t, r); r.Status != http.StatusUnprocessableEntity || e.Error.Field != "slug" {
			t.Errorf("%s: %d %s, want 422 naming slug", what, r.Status, r.Body)
		}
	}
	refused(s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Feed"}), "POST titled Feed")
	refused(s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Health", "slug": "healthz"}), "POST with slug healthz")
	refused(s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Metrics"}), "POST titled Metrics (the metrics path)")
	a := s.create(t, map[string]any{"title": "Ready"})
	path := "/api/v1/articles/" + a["id"].(string)
	refused(s.api(t, http.MethodPatch, path, `{"slug":"readyz"}`), "PATCH to slug readyz")
	refused(s.api(t, http.MethodPut, path, map[string]any{"title": "Ready", "slug": "feed"}), "PUT with slug feed")
	if g := s.api(t, http.MethodGet, path, nil); !strings.Contains(string(g.Body), `"slug":"ready"`) {
		t.Errorf("after the refused writes: %s, want slug ready", g.Body)
	}
	if r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Feed", "url": "https://blog.example.org/feed"}); r.Status != http.StatusCreated {
		t.Errorf("POST titled Feed with a url of its own: %d %s, want 201", r.Status, r.Body)
	}
	if r := s.get(t, "/healthz"); r.Status != 200 || !strings.Contains(string(r.Body), "ok") {
		t.Errorf("/healthz after it all: %d %s", r.Status, r.Body)
	}
}

// articleBySlugReads is how many times the server has read an article by
// its slug (the store's measured calls), which a page's miss does once.
func articleBySlugReads(t *testing.T, s *testServer) float64 {
	t.Helper()
	return max(0, metricValue(t, s, `herald_store_duration_seconds_count{op="article_by_slug"}`)) // -1 before the first
}

// TestArticlePagesCachedInEveryCache: with each cache configuration an
// article's page is read from the store once and then answered from the
// cache (a repeat, a conditional GET answered 304, each coding: no read
// of the store); an edit shows at the next GET with a new ETag, and a
// delete makes the page a 404, though the cache held it.
func TestArticlePagesCachedInEveryCache(t *testing.T) {
	for _, cfg := range cacheConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			s := startHerald(t, "", cfg.flags(t)...)
			a := s.create(t, map[string]any{"title": "Kept page", "summary": "First summary", "categories": []string{"Engineering"},
				"content_html": "<p>" + strings.Repeat("Words worth keeping. ", 80) + "</p>"})
			const path = "/kept-page"
			reads := articleBySlugReads(t, s)
			first := s.get(t, path)
			if first.Status != 200 || !strings.Contains(string(first.Body), "First summary") || first.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("GET %s: %d, Vary %q", path, first.Status, first.Header.Get("Vary"))
			}
			if n := articleBySlugReads(t, s) - reads; n != 1 {
				t.Fatalf("the page's first request read the store by slug %v times, want 1", n)
			}
			s.Feeds.Wait() // its codings are made after the first answer
			tag := first.Header.Get("ETag")
			reads = articleBySlugReads(t, s)
			if r := s.get(t, path); r.Status != 200 || string(r.Body) != string(first.Body) || r.Header.Get("ETag") != tag {
				t.Fatalf("the page again: %d, ETag %q (was %q)", r.Status, r.Header.Get("ETag"), tag)
			}
			if r := s.get(t, path, "If-None-Match: "+tag); r.Status != http.StatusNotModified || len(r.Body) != 0 {
				t.Fatalf("the page with its ETag: %d, %d bytes; want an empty 304", r.Status, len(r.Body))
			}
			gz := s.get(t, path, "Accept-Encoding: gzip")
			if gz.Status != 200 || gz.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(decode(t, "gzip", gz.Body), first.Body) {
				t.Fatalf("the page in gzip: %d %q", gz.Status, gz.Header.Get("Content-Encoding"))
			}
			if r := s.get(t, path, "Accept-Encoding: gzip", "If-None-Match: "+gz.Header.Get("ETag")); r.Status != http.StatusNotModified {
				t.Fatalf("the page with its gzip ETag: %d, want 304", r.Status)
			}
			if n := articleBySlugReads(t, s) - reads; n != 0 {
				t.Errorf("four cached requests of the page read the store by slug %v times, want 0", n)
			}

			if r := s.api(t, http.MethodPatch, "/api/v1/articles/"+a["id"].(string), `{"summary":"Second summary"}`); r.Status != 200 {
				t.Fatalf("PATCH: %d %s", r.Status, r.Body)
			}
			edited := s.get(t, path, "If-None-Match: "+tag)
			if edited.Status != 200 || !strings.Contains(string(edited.Body), "Second summary") || edited.Header.Get("ETag") == tag {
				t.Fatalf("after an edit, with the old ETag: %d, ETag %q (was %q), shows the edit: %v",
					edited.Status, edited.Header.Get("ETag"), tag, strings.Contains(string(edited.Body), "Second summary"))
			}
			if r := s.api(t, http.MethodDelete, "/api/v1/articles/"+a["id"].(string), nil); r.Status != http.StatusNoContent {
				t.Fatalf("DELETE: %d %s", r.Status, r.Body)
			}
			if r := s.get(t, path, "If-None-Match: "+edited.Header.Get("ETag")); r.Status != http.StatusNotFound {
				t.Errorf("after a delete: %d, want 404", r.Status)
			}
		})
	}
}

// TestArticlePageAcrossReplicas: three processes on one store and one
// Redis, two with the local tier and one without. A page made by one is
// found in Redis by the others (they do not make it); an edit through one
// shows on the others' pages (at once on the one reading Redis alone, as
// soon as the invalidation message arrives on the other), and so does a
// delete.
func TestArticlePageAcrossReplicas(t *testing.T) {
	url := redistest.Start(t).URL()
	db := filepath.Join(t.TempDir(), "shared.db")
	a := startHerald(t, db, "-redis.url", url)
	b := startHerald(t, db, "-redis.url", url)
	c := startHerald(t, db, "-redis.url", url, "-redis.local-cache=false")
	art := a.create(t, map[string]any{"title": "Shared page", "summary": "Said once"})
	const path = "/shared-page"
	first := a.get(t, path)
	if first.Status != 200 || !strings.Contains(string(first.Body), "Said once") {
		t.Fatalf("replica a: %d", first.Status)
	}
	a.Feeds.Wait() // stored in Redis, with its codings
	for name, r := range map[string]*testServer{"b": b, "c": c} {
		reads := articleBySlugReads(t, r)
		got := r.get(t, path)
		if got.Status != 200 || got.Header.Get("ETag") != first.Header.Get("ETag") || string(got.Body) != string(first.Body) {
			t.Fatalf("replica %s: %d, ETag %q; want replica a's page, %q", name, got.Status, got.Header.Get("ETag"), first.Header.Get("ETag"))
		}
		if n, made := articleBySlugReads(t, r)-reads, r.Feeds.Stats().Renders.Load(); n != 0 || made != 0 {
			t.Errorf("replica %s read the store by slug %v times and made the page %d times, want 0 and 0 (replica a's is in Redis)", name, n, made)
		}
	}

	if r := a.api(t, http.MethodPatch, "/api/v1/articles/"+art["id"].(string), `{"summary":"Said again"}`); r.Status != 200 {
		t.Fatalf("PATCH through a: %d %s", r.Status, r.Body)
	}
	if got := c.get(t, path); got.Status != 200 || !strings.Contains(string(got.Body), "Said again") {
		t.Errorf("replica c (Redis alone) right after the edit through a: %d, shows it: %v", got.Status, strings.Contains(string(got.Body), "Said again"))
	}
	eventually(t, staleBound, "replica b's page shows the edit made through a", func() bool {
		got := b.get(t, path)
		return got.Status == 200 && strings.Contains(string(got.Body), "Said again")
	})

	if r := b.api(t, http.MethodDelete, "/api/v1/articles/"+art["id"].(string), nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE through b: %d %s", r.Status, r.Body)
	}
	if got := c.get(t, path); got.Status != http.StatusNotFound {
		t.Errorf("replica c right after the delete through b: %d, want 404", got.Status)
	}
	eventually(t, staleBound, "replica a's page is gone after the delete through b", func() bool {
		return a.get(t, path).Status == http.StatusNotFound
	})
}
