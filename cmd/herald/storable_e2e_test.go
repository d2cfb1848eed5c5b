package main

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/pgtest"
)

// TestTextFeedsCannotCarry: on both stores, characters no feed can carry
// (NUL and the other C0 controls but tab and line breaks) are removed from
// free text, so the API returns what readers get, and refused with a 422
// naming the field in a value that must be exact (an address, a media
// type); episode numbers past a 32-bit integer are a 422. None of them is
// a 500 from the database (PostgreSQL stores no NUL, and its episode
// column is 32 bits), and a refused write changes nothing.
func TestTextFeedsCannotCarry(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			var flags []string
			if store == "postgres" {
				flags = []string{"-database-url", pgtest.NewDatabase(t)}
			}
			s := startHerald(t, "", flags...)
			kept := s.create(t, map[string]any{"title": "Kept as it is", "episode": 7})
			for _, tc := range []struct {
				body  string
				field string
			}{
				{`{"title":"ok","authors":[{"name":"A","email":"a\u0000@example.com"}]}`, "authors[0].email"},
				{`{"title":"ok","enclosures":[{"url":"https://cdn.example.com/a.mp3","type":"audio/mpeg\u0000"}]}`, "enclosures[0].type"},
				{`{"title":"ok","episode":2147483648}`, "episode"},
				{`{"title":"ok","season":9007199254740993}`, "season"},
			} {
				r := s.api(t, http.MethodPost, "/api/v1/articles", tc.body)
				if r.Status != http.StatusUnprocessableEntity || decodeError(t, r).Error.Field != tc.field {
					t.Errorf("POST %s: %d %s, want 422 naming %s", tc.body, r.Status, r.Body, tc.field)
				}
			}
			id := kept["id"].(string)
			if r := s.do(t, http.MethodPatch, "/api/v1/articles/"+id, []byte(`{"episode":2147483648,"title":"Changed"}`),
				"Authorization: Bearer "+testToken, "Content-Type: application/merge-patch+json"); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("PATCH episode 2^31: %d %s, want 422", r.Status, r.Body)
			}
			if r := s.api(t, http.MethodGet, "/api/v1/articles", nil); !feedHas(r, "Kept as it is") || feedHas(r, `"ok"`) || feedHas(r, "Changed") {
				t.Errorf("after the refused writes the API lists %s", r.Body)
			}
			got := s.create(t, map[string]any{"title": "Nul\u0000led\u0085", "summary": "one\r\ntwo\tthree\u0001\ufffd",
				"categories": []string{"Ca\u0000fé"}, "authors": []map[string]any{{"name": "A\u001bda"}}, "season": 2147483647,
				// Written as character references, the sanitiser would bring them back.
				"content_html": "<p>a&#x81;b&#xFFFD;c&#0;d&#x8D;e&#x1;&#xFFFE;</p>"})
			if got["title"] != "Nulled" || got["summary"] != "one\r\ntwo\tthree" || got["season"] != float64(2147483647) || got["content_html"] != "<p>abcde</p>" {
				t.Errorf("stored %q", got)
			}
			feed := s.get(t, "/categories/caf%C3%A9/feed.rss")
			if !feedHas(feed, "<title>Nulled</title>") || !feedHas(feed, "Ada") {
				t.Errorf("category feed: %d %s", feed.Status, feed.Body)
			}
		})
	}
}

// TestWriteBodies: the admin API takes a whole article as JSON and a patch
// as a JSON merge patch; any other media type, a compressed body (which
// would slip past api.max_body_bytes once inflated) and a null patch are
// refused without writing anything; an id's letters may come in either
// case.
func TestWriteBodies(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{"title": "Original", "summary": "kept"})
	id := a["id"].(string)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"title":"` + strings.Repeat("x", 1<<20) + `"}`))
	zw.Close()
	auth := "Authorization: Bearer " + testToken
	for _, tc := range []struct {
		method, path, ctype string
		body                []byte
		extra               string
		status              int
		header, value       string
	}{
		{http.MethodPost, "/api/v1/articles", "application/json", gz.Bytes(), "Content-Encoding: gzip", 415, "Accept-Encoding", "identity"},
		{http.MethodPut, "/api/v1/articles/" + id, "application/merge-patch+json", []byte(`{"title":"Replaced"}`), "", 415, "", ""},
		{http.MethodPatch, "/api/v1/articles/" + id, "application/json-patch+json", []byte(`[{"op":"remove","path":"/summary"}]`), "", 415, "Accept-Patch", "application/merge-patch+json"},
		{http.MethodPatch, "/api/v1/articles/" + id, "application/merge-patch+json", []byte(`null`), "", 400, "", ""},
		{http.MethodPatch, "/api/v1/articles/" + id, "text/plain", []byte(`{"title":"x"}`), "", 415, "Accept-Patch", "application/merge-patch+json"},
	} {
		headers := []string{auth, "Content-Type: " + tc.ctype}
		if tc.extra != "" {
			headers = append(headers, tc.extra)
		}
		r := s.do(t, tc.method, tc.path, tc.body, headers...)
		if r.Status != tc.status || tc.header != "" && r.Header.Get(tc.header) != tc.value {
			t.Errorf("%s %s (%s %s): %d %s=%q %s; want %d %s=%q", tc.method, tc.path, tc.ctype, tc.extra, r.Status, tc.header, r.Header.Get(tc.header), r.Body, tc.status, tc.header, tc.value)
		}
		if decodeError(t, r).Error.Message == "" {
			t.Errorf("%s %s: no error message in %s", tc.method, tc.path, r.Body)
		}
	}
	r := s.api(t, http.MethodGet, "/api/v1/articles/"+strings.ToUpper(id), nil)
	if r.Status != http.StatusOK || !feedHas(r, `"title":"Original"`) || !feedHas(r, `"summary":"kept"`) {
		t.Errorf("GET by the upper-case id after the refused writes: %d %s", r.Status, r.Body)
	}
	if r := s.api(t, http.MethodGet, "/api/v1/articles", nil); !feedHas(r, `"total":1`) {
		t.Errorf("the refused writes left %s", r.Body)
	}
	// What is accepted still is: a merge patch sent as application/json.
	if r := s.do(t, http.MethodPatch, "/api/v1/articles/"+strings.ToUpper(id), []byte(`{"summary":null}`), auth, "Content-Type: application/json"); r.Status != http.StatusOK || feedHas(r, "kept") {
		t.Errorf("PATCH as application/json: %d %s", r.Status, r.Body)
	}
}
