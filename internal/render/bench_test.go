package render

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/gorilla/feeds"

	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sample"
)

// The benchmarks render the same 100 typical posts. BenchmarkGorillaToRss
// is the yardstick: gorilla/feeds' own RSS output of those posts, from a
// feeds.Feed built once outside the loop. Ours include the conversion from
// herald.Article, which is part of every real render. Unless their name
// says otherwise they encode every item, with a Renderer that keeps none
// (the first render of a feed); BenchmarkRenderSampleKept measures the
// renders that find items kept.

func benchmarkRender(b *testing.B, f herald.Format) {
	renderLoop(b, f, manyArticles(100))
}

// renderLoop renders articles in format f b.N times.
func renderLoop(b *testing.B, f herald.Format, articles []*herald.Article) {
	r, ch := NewWithOptions(Options{FragmentCacheBytes: -1}), siteChannel(f)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := r.Render(f, ch, articles)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/feed")
}

func BenchmarkRenderRSS(b *testing.B)  { benchmarkRender(b, herald.FormatRSS) }
func BenchmarkRenderAtom(b *testing.B) { benchmarkRender(b, herald.FormatAtom) }
func BenchmarkRenderJSON(b *testing.B) { benchmarkRender(b, herald.FormatJSON) }

// BenchmarkRenderSample renders the 100 realistic articles of
// internal/sample (about 235 KiB of RSS), the page the service's miss
// benchmarks render, in each format, without the store.
func BenchmarkRenderSample(b *testing.B) {
	articles := samplePage()
	for _, f := range herald.Formats {
		b.Run(string(f), func(b *testing.B) { renderLoop(b, f, articles) })
	}
}

// samplePage is the 100 articles of internal/sample with ids and links.
func samplePage() []*herald.Article {
	articles := sample.Articles(100, 1)
	for i, a := range articles {
		a.ID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		a.URL = fmt.Sprintf("https://news.example.com/post-%d", i)
	}
	return articles
}

// BenchmarkRenderSampleKept renders the sample page with a Renderer that
// kept the items of its previous render: "one-changed" after one article
// of the 100 changed (a render after a write), "none-changed" with the
// same articles (a render after the feed's entry expired).
func BenchmarkRenderSampleKept(b *testing.B) {
	articles := samplePage()
	for _, f := range herald.Formats {
		for _, changing := range []bool{true, false} {
			name := string(f) + "/none-changed"
			if changing {
				name = string(f) + "/one-changed"
			}
			b.Run(name, func(b *testing.B) {
				r, ch := New(), siteChannel(f)
				if _, err := r.Render(f, ch, articles); err != nil {
					b.Fatal(err)
				}
				page := slices.Clone(articles)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if changing {
						b.StopTimer()
						k := i % len(page)
						c := articles[k].Clone()
						c.Title += " (edited " + strconv.Itoa(i) + ")"
						page[k] = c
						i++
						b.StartTimer()
					}
					if _, err := r.Render(f, ch, page); err != nil {
						b.Fatal(err)
					}
				}
				if hits, _ := r.FragmentStats(); hits == 0 {
					b.Fatal("no item was found kept")
				}
			})
		}
	}
}

func BenchmarkGorillaToRss(b *testing.B) {
	benchmarkGorilla(b, (*feeds.Feed).ToRss)
}

// BenchmarkGorillaToAtom is for comparison only: gorilla's Atom costs more
// than its RSS, as ours does, because Atom content is escaped text.
func BenchmarkGorillaToAtom(b *testing.B) {
	benchmarkGorilla(b, (*feeds.Feed).ToAtom)
}

func benchmarkGorilla(b *testing.B, render func(*feeds.Feed) (string, error)) {
	ch := siteChannel(herald.FormatRSS)
	feed := &feeds.Feed{
		Title:       ch.Title,
		Link:        &feeds.Link{Href: ch.SiteURL},
		Description: ch.Description,
		Author:      &feeds.Author{Name: ch.Author.Name, Email: ch.Author.Email},
		Updated:     ch.Updated,
	}
	for _, a := range manyArticles(100) {
		it := &feeds.Item{
			Title:       a.Title,
			Link:        &feeds.Link{Href: a.URL},
			Author:      &feeds.Author{Name: a.Authors[0].Name, Email: a.Authors[0].Email},
			Description: a.Summary,
			Id:          "urn:uuid:" + a.ID,
			IsPermaLink: "false",
			Created:     a.PublishedAt,
			Updated:     a.UpdatedAt,
			Content:     a.ContentHTML,
		}
		if len(a.Enclosures) > 0 {
			e := a.Enclosures[0]
			it.Enclosure = &feeds.Enclosure{Url: e.URL, Type: e.Type, Length: strconv.FormatInt(e.Length, 10)}
		}
		feed.Add(it)
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := render(feed)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/feed")
}

// BenchmarkRenderRSSWithVariants is a whole miss's CPU work: the render and
// the three compressed codings stored beside it (internal/encode).
func BenchmarkRenderRSSWithVariants(b *testing.B) {
	r, ch, articles := NewWithOptions(Options{FragmentCacheBytes: -1}), siteChannel(herald.FormatRSS), manyArticles(100)
	enc, err := encode.New()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n, gz, br, zs int
	for b.Loop() {
		out, err := r.Render(herald.FormatRSS, ch, articles)
		if err != nil {
			b.Fatal(err)
		}
		v, err := enc.Variants(out)
		if err != nil {
			b.Fatal(err)
		}
		n, gz, br, zs = len(out), len(v.Gzip), len(v.Brotli), len(v.Zstd)
	}
	b.ReportMetric(float64(n), "bytes/feed")
	b.ReportMetric(float64(gz), "gzip-bytes")
	b.ReportMetric(float64(br), "br-bytes")
	b.ReportMetric(float64(zs), "zstd-bytes")
}

// BenchmarkRenderRSSNoSummary renders the typical posts without their
// summaries, so that every item's description is an excerpt of its
// content.
func BenchmarkRenderRSSNoSummary(b *testing.B) {
	articles := manyArticles(100)
	for _, a := range articles {
		a.Summary = ""
	}
	renderLoop(b, herald.FormatRSS, articles)
}
