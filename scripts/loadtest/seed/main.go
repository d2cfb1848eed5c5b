// Command seed writes the load test's articles as one JSON file in the
// shape `herald import` reads: n realistic made-up articles from
// internal/sample (100 of them render to about 235 KiB of RSS).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sample"
)

// article is the subset of the API's article that the seed sets.
type article struct {
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	Summary     string          `json:"summary"`
	ContentHTML string          `json:"content_html"`
	Authors     []herald.Author `json:"authors"`
	Categories  []string        `json:"categories"`
	Tags        []string        `json:"tags"`
	Language    string          `json:"language"`
	PublishedAt time.Time       `json:"published_at"`
}

func main() {
	n := flag.Int("n", 100, "number of articles")
	out := flag.String("out", "articles.json", "file to write")
	flag.Parse()
	var list []article
	for i, a := range sample.Articles(*n, 1) {
		list = append(list, article{
			Slug: fmt.Sprintf("sample-%03d", i), Title: a.Title, Summary: a.Summary, ContentHTML: a.ContentHTML,
			Authors: a.Authors, Categories: a.Categories, Tags: a.Tags, Language: a.Language, PublishedAt: a.PublishedAt,
		})
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}
