package main

import (
	"encoding/json"
	"net/http"
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
		// What is served still is.
		{http.MethodOptions, "/feed.rss", false, 204, feedMethods},
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
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.Error.Code != "method_not_allowed" || body.Error.Message == "" {
			t.Errorf("%s %s: body %s, want a JSON error with code method_not_allowed", tc.method, tc.path, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, ct)
		}
	}
}
