package main

import (
	"bytes"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// sampleArticles are what the end-to-end tests publish: several authors,
// categories, tags, an enclosure, non-ASCII text and HTML.
func sampleArticles() []map[string]any {
	return []map[string]any{
		{
			"title":        "Café notes: the first pour",
			"summary":      "Why we started Herald — and what “syndication” means to us.",
			"content_html": "<p>Feeds &amp; coffee. <em>Both</em> best fresh.</p>",
			"authors":      []map[string]any{{"name": "Ada Lovelace", "email": "ada@example.com"}, {"name": "Grace Hopper"}},
			"categories":   []string{"Engineering", "Coffee"},
			"tags":         []string{"RSS", "Origins"},
			"language":     "en",
			"published_at": "2026-01-10T09:00:00Z",
		},
		{
			"title":        "Episode 1: Polling politely",
			"slug":         "episode-1",
			"url":          "https://podcast.example.com/episodes/1",
			"summary":      "How readers should poll feeds.",
			"content_html": "<p>Send <code>If-None-Match</code>.</p>",
			"authors":      []map[string]any{{"name": "Grace Hopper", "url": "https://example.org/grace"}},
			"categories":   []string{"Podcast"},
			"tags":         []string{"RSS"},
			"image":        "https://podcast.example.com/ep1.jpg",
			"enclosures":   []map[string]any{{"url": "https://cdn.example.com/ep1.mp3", "type": "audio/mpeg", "length": 12345678, "duration": 1830}},
			"published_at": "2026-02-01T12:30:00Z",
		},
		{
			"title":        "Zürich meetup recap",
			"content_html": "<p>Grüezi! Ünïcödé everywhere.</p>",
			"authors":      []map[string]any{{"name": "Ada Lovelace"}},
			"categories":   []string{"Engineering"},
			"published_at": "2026-03-05T18:00:00Z",
		},
	}
}

func publishSamples(t *testing.T, s *testServer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, a := range sampleArticles() {
		out = append(out, s.create(t, a))
	}
	return out
}

func parseFeed(t *testing.T, r response) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("gofeed cannot parse the feed: %v\n%s", err, r.Body)
	}
	return f
}

func TestFeedsCarryWhatWentIn(t *testing.T) {
	s := startHerald(t, "")
	created := publishSamples(t, s)
	wantContentType := map[string]string{
		"rss":  "application/rss+xml; charset=utf-8",
		"atom": "application/atom+xml; charset=utf-8",
		"json": "application/feed+json; charset=utf-8",
	}
	for _, format := range []string{"rss", "atom", "json"} {
		t.Run(format, func(t *testing.T) {
			r := s.get(t, "/feed."+format)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", r.Status, r.Body)
			}
			if got := r.Header.Get("Content-Type"); got != wantContentType[format] {
				t.Errorf("Content-Type=%q, want %q", got, wantContentType[format])
			}
			f := parseFeed(t, r)
			if f.Title != "Herald Field Notes" {
				t.Errorf("feed title=%q", f.Title)
			}
			if f.Language != "en" {
				t.Errorf("feed language=%q, want en", f.Language)
			}
			if len(f.Items) != 3 {
				t.Fatalf("items=%d, want 3", len(f.Items))
			}
			// Newest first.
			wantOrder := []string{"Zürich meetup recap", "Episode 1: Polling politely", "Café notes: the first pour"}
			for i, it := range f.Items {
				if it.Title != wantOrder[i] {
					t.Errorf("item %d title=%q, want %q", i, it.Title, wantOrder[i])
				}
			}
			ep := f.Items[1]
			if ep.Link != "https://podcast.example.com/episodes/1" {
				t.Errorf("episode link=%q", ep.Link)
			}
			if !strings.Contains(ep.GUID, created[1]["id"].(string)) {
				t.Errorf("episode guid=%q, want it to hold the article id %v", ep.GUID, created[1]["id"])
			}
			if ep.PublishedParsed == nil || !ep.PublishedParsed.Equal(time.Date(2026, 2, 1, 12, 30, 0, 0, time.UTC)) {
				t.Errorf("episode published=%v, want 2026-02-01T12:30:00Z", ep.PublishedParsed)
			}
			if len(ep.Enclosures) != 1 || ep.Enclosures[0].URL != "https://cdn.example.com/ep1.mp3" ||
				ep.Enclosures[0].Type != "audio/mpeg" || ep.Enclosures[0].Length != "12345678" {
				t.Errorf("episode enclosures=%+v, want the mp3 of 12345678 bytes", ep.Enclosures)
			}
			first := f.Items[2]
			if first.Link != "https://news.example.com/cafe-notes-the-first-pour" && first.Link != "https://news.example.com/caf%C3%A9-notes-the-first-pour" {
				t.Errorf("derived link=%q", first.Link)
			}
			var names []string
			for _, p := range first.Authors {
				names = append(names, p.Name)
			}
			if format == "rss" && first.DublinCoreExt != nil {
				// gofeed's universal item keeps only the first RSS author;
				// the dc:creator elements hold them all.
				names = first.DublinCoreExt.Creator
			}
			if !slices.Contains(names, "Ada Lovelace") || !slices.Contains(names, "Grace Hopper") {
				t.Errorf("authors=%q, want Ada Lovelace and Grace Hopper", names)
			}
			cats := append([]string(nil), first.Categories...)
			sort.Strings(cats)
			for _, want := range []string{"Coffee", "Engineering", "Origins", "RSS"} {
				if !slices.Contains(cats, want) {
					t.Errorf("categories/tags=%q, want %q among them", cats, want)
				}
			}
			if !strings.Contains(first.Content+first.Description, "Feeds &amp; coffee") && !strings.Contains(first.Content+first.Description, "Feeds & coffee") {
				t.Errorf("content=%q description=%q, want the article HTML", first.Content, first.Description)
			}
		})
	}
}

func TestScopeFeeds(t *testing.T) {
	s := startHerald(t, "")
	publishSamples(t, s)
	tests := []struct {
		path   string
		titles []string
	}{
		{"/categories/engineering/feed.atom", []string{"Zürich meetup recap", "Café notes: the first pour"}},
		{"/categories/podcast/feed.rss", []string{"Episode 1: Polling politely"}},
		{"/tags/rss/feed.json", []string{"Episode 1: Polling politely", "Café notes: the first pour"}},
		{"/authors/grace-hopper/feed.rss", []string{"Episode 1: Polling politely", "Café notes: the first pour"}},
		{"/authors/ada-lovelace/feed.json", []string{"Zürich meetup recap", "Café notes: the first pour"}},
		{"/feed.rss?limit=1", []string{"Zürich meetup recap"}},
	}
	for _, tt := range tests {
		r := s.get(t, tt.path)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", tt.path, r.Status, r.Body)
		}
		f := parseFeed(t, r)
		var got []string
		for _, it := range f.Items {
			got = append(got, it.Title)
		}
		if !slices.Equal(got, tt.titles) {
			t.Errorf("GET %s titles=%q, want %q", tt.path, got, tt.titles)
		}
	}
	for _, path := range []string{"/categories/nope/feed.rss", "/tags/missing/feed.atom", "/authors/nobody/feed.json", "/categories/Engineering/feed.rss", "/feed.xml", "/categories/engineering/feed.html"} {
		if r := s.get(t, path); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, r.Status)
		} else {
			decodeError(t, r)
		}
	}
	for _, path := range []string{"/feed.rss?limit=0", "/feed.rss?limit=101", "/feed.rss?limit=ten", "/feed.rss?limit=99999999999999999999"} {
		r := s.get(t, path)
		if r.Status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", path, r.Status)
			continue
		}
		e := decodeError(t, r)
		if e.Error.Field != "limit" {
			t.Errorf("GET %s: error field=%q, want limit", path, e.Error.Field)
		}
		// A number says which numbers would do.
		if !strings.HasSuffix(path, "ten") && !strings.Contains(e.Error.Message, "between 1 and") {
			t.Errorf("GET %s: message %q, want the range", path, e.Error.Message)
		}
	}
}

func TestNegotiatedFeed(t *testing.T) {
	s := startHerald(t, "")
	publishSamples(t, s)
	tests := []struct{ accept, wantType string }{
		{"", "application/rss+xml; charset=utf-8"},
		{"*/*", "application/rss+xml; charset=utf-8"},
		{"application/atom+xml", "application/atom+xml; charset=utf-8"},
		{"application/feed+json", "application/feed+json; charset=utf-8"},
		{"application/rss+xml;q=0.5, application/atom+xml;q=0.9", "application/atom+xml; charset=utf-8"},
		{"application/json", "application/feed+json; charset=utf-8"},
	}
	for _, tt := range tests {
		var headers []string
		if tt.accept != "" {
			headers = append(headers, "Accept: "+tt.accept)
		}
		for _, path := range []string{"/feed", "/categories/engineering/feed"} {
			r := s.get(t, path, headers...)
			if got := r.Header.Get("Content-Type"); r.Status != 200 || got != tt.wantType {
				t.Errorf("GET %s Accept %q: status %d type %q, want 200 %q", path, tt.accept, r.Status, got, tt.wantType)
			}
			if v := r.Header.Get("Vary"); !strings.Contains(v, "Accept") {
				t.Errorf("GET %s: Vary=%q, want Accept in it", path, v)
			}
		}
	}
}

func TestFeedsAreDeterministicAcrossProcesses(t *testing.T) {
	db := t.TempDir() + "/shared.db"
	a := startHerald(t, db)
	publishSamples(t, a)
	b := startHerald(t, db)
	// Last-Modified is sent only once the second of the last write is
	// over: a second ending between the two reads of a path would give
	// one process's answer the date and not the other's.
	afterThisSecond()
	for _, path := range []string{"/feed.rss", "/feed.atom", "/feed.json", "/categories/engineering/feed.atom", "/authors/ada-lovelace/feed.json"} {
		ra, rb := a.get(t, path), b.get(t, path)
		if ra.Header.Get("Last-Modified") == "" {
			t.Errorf("GET %s: no Last-Modified after the second of the last write", path)
		}
		if !bytes.Equal(ra.Body, rb.Body) {
			t.Errorf("GET %s: bodies differ between two processes", path)
		}
		if ra.Header.Get("ETag") != rb.Header.Get("ETag") || ra.Header.Get("Last-Modified") != rb.Header.Get("Last-Modified") {
			t.Errorf("GET %s: validators differ: %q %q vs %q %q", path,
				ra.Header.Get("ETag"), ra.Header.Get("Last-Modified"), rb.Header.Get("ETag"), rb.Header.Get("Last-Modified"))
		}
		// A reader switching process gets a 304 with what it holds.
		if r := b.get(t, path, "If-None-Match: "+ra.Header.Get("ETag")); r.Status != http.StatusNotModified {
			t.Errorf("GET %s with the other process's ETag: status %d, want 304", path, r.Status)
		}
	}
}
