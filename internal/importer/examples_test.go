package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestExamples imports the sample site that `make run` loads, so that a
// change to the formats or to the examples cannot leave a fresh server with
// a broken first feed.
func TestExamples(t *testing.T) {
	sink := newMemSink()
	var out bytes.Buffer
	sum, err := Run(context.Background(), []string{"../../examples"}, sink, &out, Options{})
	if err != nil {
		t.Fatalf("import examples: %v\n%s", err, out.String())
	}
	if want := (Summary{Files: 7, Created: 7, Skipped: 1}); sum != want {
		t.Fatalf("summary=%+v, want %+v\n%s", sum, want, out.String())
	}
	var txt, md, jsonFiles, withEnclosure, multiAuthor int
	for _, l := range strings.Split(out.String(), "\n") {
		switch {
		case !strings.HasPrefix(l, "created "):
		case strings.Contains(l, ".txt "):
			txt++
		case strings.Contains(l, ".md "):
			md++
		case strings.Contains(l, ".json "):
			jsonFiles++
		}
	}
	if txt < 2 || md < 3 || jsonFiles < 2 {
		t.Errorf("created %d text, %d Markdown and %d JSON articles, want at least 2, 3 and 2", txt, md, jsonFiles)
	}
	for slug, a := range sink.articles {
		if len(a.Authors) > 1 {
			multiAuthor++
		}
		for _, e := range a.Enclosures {
			if e.Type == "audio/mpeg" && e.Length > 0 && e.Duration > 0 {
				withEnclosure++
			}
		}
		checkExampleURLs(t, slug, a)
		if a.PublishedAt.After(sink.now) || (a.PublishedAt.Year() != 2026) {
			t.Errorf("%s: published_at=%v, want a past date in 2026", slug, a.PublishedAt)
		}
		if strings.TrimSpace(a.ContentHTML) == "" {
			t.Errorf("%s: empty content", slug)
		}
	}
	if multiAuthor == 0 || withEnclosure == 0 {
		t.Errorf("%d articles with several authors and %d with an MP3 enclosure, want at least one each", multiAuthor, withEnclosure)
	}
}

// checkExampleURLs fails the test for any address outside the reserved
// example domains: sample content must not point at real sites.
func checkExampleURLs(t *testing.T, slug string, a *herald.Article) {
	t.Helper()
	urls := []string{a.URL, a.Image}
	for _, au := range a.Authors {
		urls = append(urls, au.URL)
	}
	for _, e := range a.Enclosures {
		urls = append(urls, e.URL)
	}
	for _, u := range urls {
		if u != "" && !strings.HasPrefix(u, "https://example.com/") && !strings.HasPrefix(u, "https://example.org/") {
			t.Errorf("%s: url %q is not on example.com or example.org", slug, u)
		}
	}
	for _, field := range strings.Fields(a.ContentHTML) {
		if i := strings.Index(field, "http"); i >= 0 && !strings.Contains(field, "example.com") && !strings.Contains(field, "example.org") {
			t.Errorf("%s: content links outside the example domains: %q", slug, field)
		}
	}
}
