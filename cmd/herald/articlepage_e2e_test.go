package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
