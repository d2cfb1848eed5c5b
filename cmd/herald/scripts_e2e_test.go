package main

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
)

// TestNoScriptReachesAFeed publishes HTML carrying scripts, event handlers
// and javascript: URLs through the API and reads every format back: none
// of them may reach a reader, whatever the sanitiser keeps.
func TestNoScriptReachesAFeed(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{
		"title":   "Hostile markup",
		"summary": `Sum <script>alert("s")</script><b onmouseover="alert(1)">b</b>`,
		"content_html": `<p>kept</p><script>alert(1)</script><img src="https://e.com/i.png" onerror="alert(2)">` +
			`<a href="javascript:alert(3)">j</a><a href="JaVaScRiPt&#58;alert(4)">k</a><svg onload="alert(5)"></svg>` +
			`<iframe src="https://evil.example"></iframe><a href=" javascript:alert(6)">l</a>` +
			`<style>body{background:url(javascript:alert(7))}</style><form action="https://evil.example"><input></form>`,
		"categories": []string{"Sec"},
	})
	bad := []string{"<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "<form", "<style"}
	check := func(where, text string) {
		t.Helper()
		decoded := strings.ToLower(html.UnescapeString(text))
		for _, b := range bad {
			if strings.Contains(decoded, b) {
				t.Errorf("%s carries %q: %s", where, b, text)
			}
		}
	}
	for _, path := range []string{"/feed.rss", "/feed.atom", "/categories/sec/feed.rss"} {
		f := parseFeed(t, s.get(t, path))
		if len(f.Items) != 1 {
			t.Fatalf("%s: %d items, want 1", path, len(f.Items))
		}
		// Summaries are plain text, escaped as such; content is HTML.
		check(path+" content", f.Items[0].Content)
		if !strings.Contains(f.Items[0].Content+f.Items[0].Description, "kept") {
			t.Errorf("%s: the harmless markup was lost too", path)
		}
	}
	r := s.get(t, "/feed.json")
	var doc struct {
		Items []struct {
			ContentHTML string `json:"content_html"`
			Summary     string `json:"summary"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil || len(doc.Items) != 1 || r.Status != http.StatusOK {
		t.Fatalf("/feed.json: status %d err %v", r.Status, err)
	}
	check("json content_html", doc.Items[0].ContentHTML)
}
