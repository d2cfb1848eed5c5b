package render

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// day is a fixed reference time: tests never read the clock.
var day = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// siteChannel returns the site feed's channel for format f.
func siteChannel(f herald.Format) herald.Channel {
	return herald.Channel{
		Title:       "Example News",
		Description: "News & notes from “Example”",
		SiteURL:     "https://news.example.com/",
		FeedURL:     "https://news.example.com/feed." + string(f),
		Language:    "en",
		Author:      herald.Author{Name: "The Editors", Email: "editors@example.com", URL: "https://news.example.com/about"},
		Updated:     day.Add(2 * time.Hour),
		Scope:       herald.SiteScope,
		TTL:         30,
	}
}

// categoryChannel returns the feed channel of the category "Go" for format
// f: no description and no author email, to exercise the fallbacks.
func categoryChannel(f herald.Format) herald.Channel {
	return herald.Channel{
		Title:     "Example News: Go",
		SiteURL:   "https://news.example.com/",
		FeedURL:   "https://news.example.com/category/go/feed." + string(f),
		Language:  "en",
		Author:    herald.Author{Name: "The Editors"},
		Updated:   day.Add(time.Hour),
		Scope:     herald.Scope{Kind: herald.ScopeCategory, Slug: "go"},
		ScopeName: "Go",
	}
}

// sampleArticles covers what a renderer must carry: several authors,
// Unicode, HTML entities, a podcast enclosure with a duration, a control
// character and a CDATA terminator in the input, and an article with
// nothing but a title.
func sampleArticles() []*herald.Article {
	return []*herald.Article{
		{
			ID:          "6f1c2e8a-4d5b-4c3a-9e2f-1a2b3c4d5e6f",
			Slug:        "cafe-concurrency",
			Title:       "Café concurrency: Go & Rust, 日本語 — “naïve” <b>tags</b> stay text",
			URL:         "https://news.example.com/cafe-concurrency",
			Summary:     "Fish & chips <cheap> — AT&T's \"quoted\" summary",
			ContentHTML: "<p>Tom &amp; Jerry &lt;3 &eacute;l&egrave;ve — <em>ünïcödé</em> 🎉</p>\n<pre>if a]]>b { }</pre>",
			Authors: []herald.Author{
				{Name: "Ada Lovelace", Email: "ada@example.com", URL: "https://ada.example.com/"},
				{Name: "Grace Hopper"},
				{Name: "Zoë O'Brien", URL: "https://zoe.example.com/"},
			},
			Categories:  []string{"Go", "Programming"},
			Tags:        []string{"concurrency", "go", "Rust"},
			Language:    "en",
			Image:       "https://news.example.com/img/cafe.jpg",
			PublishedAt: day,
			UpdatedAt:   day.Add(90 * time.Minute),
		},
		{
			ID:          "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
			Slug:        "episode-1",
			Title:       "Épisode 1: \x1bEscape\x00 sequences",
			URL:         "https://news.example.com/episode-1",
			Summary:     "Le premier épisode.\vTab\tkept.",
			ContentHTML: "<p>Show notes &amp; links\x07.</p>",
			Authors:     []herald.Author{{Name: "Émile Zola", Email: "emile@example.fr"}},
			Categories:  []string{"Podcast", "Go"},
			Language:    "fr",
			Enclosures: []herald.Enclosure{
				{URL: "https://cdn.example.com/ep1.mp3", Type: "audio/mpeg", Length: 48213760, Duration: 3723},
				{URL: "https://cdn.example.com/ep1.ogg", Type: "audio/ogg", Length: 40110080, Duration: 3723},
			},
			PublishedAt: day.Add(-24 * time.Hour),
			UpdatedAt:   day.Add(-24 * time.Hour),
		},
		{
			ID:          "11111111-2222-4333-8444-555555555555",
			Slug:        "bare",
			Title:       "Bare",
			URL:         "https://news.example.com/bare",
			Categories:  []string{"Go"},
			PublishedAt: day.Add(-48 * time.Hour),
		},
	}
}

// goArticles is the category scope's page: the articles filed under Go.
func goArticles() []*herald.Article {
	var out []*herald.Article
	for _, a := range sampleArticles() {
		for _, c := range a.Categories {
			if c == "Go" {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// manyArticles returns n typical blog posts for benchmarks.
func manyArticles(n int) []*herald.Article {
	out := make([]*herald.Article, n)
	body := strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur &amp; adipiscing elit.</p>\n", 20)
	for i := range out {
		out[i] = &herald.Article{
			ID:          fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Slug:        fmt.Sprintf("post-%d", i),
			Title:       fmt.Sprintf("Post number %d about Go & feeds", i),
			URL:         fmt.Sprintf("https://news.example.com/post-%d", i),
			Summary:     "A short summary of the post, one sentence long.",
			ContentHTML: body,
			Authors:     []herald.Author{{Name: "Ada Lovelace", Email: "ada@example.com"}},
			Categories:  []string{"Go"},
			Tags:        []string{"feeds"},
			Language:    "en",
			PublishedAt: day.Add(-time.Duration(i) * time.Hour),
			UpdatedAt:   day.Add(-time.Duration(i) * time.Hour),
		}
	}
	return out
}

// mustRender renders or fails the test.
func mustRender(tb testing.TB, f herald.Format, ch herald.Channel, articles []*herald.Article) []byte {
	tb.Helper()
	out, err := New().Render(f, ch, articles)
	if err != nil {
		tb.Fatalf("Render(%s): %v", f, err)
	}
	return out
}
