package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestMethodNotAllowed: a method a served path does not answer gets 405
// with Allow listing the methods it does (RFC 9110, 15.5.6) and the usual
// JSON error; a path nothing serves stays a 404 whatever the method, and
// the admin API still asks for its token first.
func TestMethodNotAllowed(t *testing.T) {
	s := startHerald(t, "")
	art := s.create(t, map[string]any{"title": "Hello", "url": "https://news.example.com/hello", "content_html": "<p>Hi</p>", "categories": []string{"News"}})
	id, _ := art["id"].(string)
	const feedMethods = "GET, HEAD, OPTIONS"
	for _, tc := range []struct {
		method, path string
		token        bool
		status       int
		allow        string
	}{
		{http.MethodPost, "/feed.rss", false, 405, feedMethods},
		{http.MethodPut, "/feed", false, 405, feedMethods},
		{http.MethodDelete, "/feed.json/", false, 405, feedMethods},
		{http.MethodPost, "/categories/news/feed.atom", false, 405, feedMethods},
		{http.MethodPatch, "/tags/some-tag/feed", false, 405, feedMethods},
		{http.MethodPost, "/healthz", false, 405, "GET, HEAD"},
		{http.MethodDelete, "/", false, 405, "GET, HEAD"},
		{http.MethodPatch, "/api/v1/articles", true, 405, "GET, HEAD, POST"},
		{http.MethodPost, "/api/v1/articles/" + id, true, 405, "GET, HEAD, PUT, PATCH, DELETE"},
		{http.MethodPost, "/api/v1/articles/" + id, false, 401, ""},
		// Nothing is served there, by any method: no 405.
		{http.MethodPost, "/feed.xml", false, 404, ""},
		{http.MethodPost, "/categories/Not%20A%20Slug/feed.rss", false, 404, ""},
		{http.MethodPost, "/nothing/here", false, 404, ""},
		{http.MethodGet, "/nothing/here", false, 404, ""},
		{http.MethodOptions, "/feed.xml", false, 404, ""},
		{http.MethodOptions, "/tags/Bad/feed.rss", false, 404, ""},
		// What is served still is.
		{http.MethodOptions, "/feed.rss", false, 204, feedMethods},
		{http.MethodOptions, "/tags/some-tag/feed.json", false, 204, feedMethods},
		{http.MethodGet, "/feed.rss", false, 200, ""},
	} {
		headers := []string{}
		if tc.token {
			headers = append(headers, "Authorization: Bearer "+testToken)
		}
		r := s.do(t, tc.method, tc.path, nil, headers...)
		if r.Status != tc.status || r.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, Allow %q (body %s)", tc.method, tc.path, r.Status, r.Header.Get("Allow"), tc.status, tc.allow, r.Body)
			continue
		}
		if tc.status != 405 {
			continue
		}
		wantJSONError(t, tc.method+" "+tc.path, r, "method_not_allowed")
	}
	// A HEAD gets the GET's headers, Content-Length included, on a 404 too.
	for _, path := range []string{"/nothing/here", "/categories/nope/feed.rss", "/feed.xml"} {
		get, head := s.get(t, path), s.do(t, http.MethodHead, path, nil)
		if get.Status != 404 || head.Status != 404 || get.Header.Get("Content-Length") == "" || get.Header.Get("Content-Length") != head.Header.Get("Content-Length") {
			t.Errorf("%s: GET %d (Content-Length %s), HEAD %d (Content-Length %s); want two 404s of one length",
				path, get.Status, get.Header.Get("Content-Length"), head.Status, head.Header.Get("Content-Length"))
		}
	}
	// A method no route could ever answer: 501 (RFC 9110, 9.1), a JSON
	// error like any other, with the security headers.
	for _, method := range []string{"FOO", "PROPFIND", "get"} {
		r := s.do(t, method, "/feed.rss", nil)
		if r.Status != http.StatusNotImplemented {
			t.Errorf("%s /feed.rss: %d, want 501 (body %s)", method, r.Status, r.Body)
			continue
		}
		wantJSONError(t, method+" /feed.rss", r, "not_implemented")
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s /feed.rss: headers %v, want nosniff and no-store", method, r.Header)
		}
	}
}

// wantJSONError fails the test unless r is a JSON error with code.
func wantJSONError(t *testing.T, what string, r response, code string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("%s: body %s, want a JSON error with code %s", what, r.Body, code)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
}

// TestHeadersOnSeveralLines: a list header sent on several lines counts
// as one list of all their values (RFC 9110, 5.3), for the validators,
// the coding and the format alike.
func TestHeadersOnSeveralLines(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Hello", "url": "https://news.example.com/hello"})
	etag := s.get(t, "/feed.rss").Header.Get("ETag")
	send := func(path string, lines ...[2]string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			req.Header.Add(l[0], l[1])
		}
		res, err := plainClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if r := send("/feed.rss", [2]string{"If-None-Match", `"other"`}, [2]string{"If-None-Match", etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match on two lines, the second matching: %d, want 304", r.StatusCode)
	}
	s.Feeds.Wait() // the compressed variants
	if r := send("/feed.rss", [2]string{"Accept-Encoding", "identity;q=0.5"}, [2]string{"Accept-Encoding", "br"}); r.Header.Get("Content-Encoding") != "br" {
		t.Errorf("Accept-Encoding on two lines: Content-Encoding %q, want br", r.Header.Get("Content-Encoding"))
	}
	if r := send("/feed", [2]string{"Accept", "image/png"}, [2]string{"Accept", "application/atom+xml"}); !strings.HasPrefix(r.Header.Get("Content-Type"), "application/atom+xml") {
		t.Errorf("Accept on two lines: Content-Type %q, want Atom", r.Header.Get("Content-Type"))
	}
	if r := send("/feed", [2]string{"Accept", "application/rss+xml;q=0, */*"}); strings.HasPrefix(r.Header.Get("Content-Type"), "application/rss+xml") {
		t.Errorf("RSS refused with q=0: served %q", r.Header.Get("Content-Type"))
	}
}
