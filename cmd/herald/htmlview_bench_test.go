package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sample"
)

// The HTML-view benchmarks: a browser opening a feed URL (Accept:
// text/html) of 100 articles of about 16 KiB of HTML each, through Fiber's
// handler in process as the feed benchmarks run, on a server wired as
// `herald serve` wires it. The figures are in docs/PERFORMANCE.md's terms:
// time and allocations per request, and the body's size.

const htmlViewPath = "/categories/typ/feed.atom?limit=100"

// bigArticles is n sample articles whose content is about 16 KiB each:
// eight sample articles' prose, with relative links and images as real
// posts have, so that sanitising it (URLs resolved) costs what it would.
func bigArticles(n int) []htmlArticle {
	parts := sample.Articles(8*n, 2)
	out := make([]htmlArticle, n)
	for i := range out {
		var b strings.Builder
		for j, p := range parts[8*i : 8*i+8] {
			fmt.Fprintf(&b, "<h3>Part %d</h3>\n%s", j+1, p.ContentHTML)
			fmt.Fprintf(&b, `<p><img src="/media/%d-%d.jpg" alt="Figure %d" width="640" height="360"> See <a href="../notes/%d#s%d">the notes</a>.</p>`+"\n", i, j, j, i, j)
			fmt.Fprintf(&b, "<ul><li>%s</li><li><em>%s</em></li></ul>\n", p.Title, p.Summary)
		}
		a := parts[8*i]
		out[i] = htmlArticle{title: a.Title, summary: a.Summary, content: b.String()}
	}
	return out
}

type htmlArticle struct{ title, summary, content string }

// htmlViewServer starts Herald with 100 articles of about 16 KiB in the
// category "Typ" and opens the HTML view once (its compressed variants
// made, when the build caches them).
func htmlViewServer(b *testing.B) *testServer {
	b.Helper()
	s, _ := htmlViewServerSlug(b)
	return s
}

// htmlViewServerSlug is htmlViewServer, also giving the path of the newest
// article's page.
func htmlViewServerSlug(b *testing.B) (*testServer, string) {
	b.Helper()
	s := startHerald(b, "")
	ctx := context.Background()
	total, page := 0, ""
	for i, a := range bigArticles(100) {
		art := sample.Articles(1, uint64(i))[0]
		art.Title, art.Summary, art.ContentHTML = a.title, a.summary, a.content
		art.Categories = []string{"Typ"}
		art.PublishedAt = time.Now().Add(-time.Duration(i+1) * time.Hour)
		if err := s.Articles.Create(ctx, art); err != nil {
			b.Fatalf("create: %v", err)
		}
		total += len(art.ContentHTML)
		if page == "" {
			page = "/" + art.Slug
		}
	}
	if total < 100*15<<10 || total > 100*18<<10 {
		b.Fatalf("%d bytes of content per article, want about 16 KiB", total/100)
	}
	s.get(b, htmlViewPath, "Accept: text/html")
	s.Feeds.Wait()
	return s, page
}

// benchHTMLView sends the HTML view's request through the handler b.N
// times and checks every answer.
func benchHTMLView(b *testing.B, s *testServer, wantStatus int, wantCoding string, headers ...string) {
	b.Helper()
	benchHTMLPage(b, s, htmlViewPath, wantStatus, wantCoding, headers...)
}

// benchHTMLPage is benchHTMLView for the page at path.
func benchHTMLPage(b *testing.B, s *testServer, path string, wantStatus int, wantCoding string, headers ...string) {
	b.Helper()
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	req := func() {
		rc.Request.Reset()
		rc.Response.Reset()
		rc.Request.SetRequestURI(path)
		rc.Request.Header.SetMethod(fasthttp.MethodGet)
		rc.Request.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		for i := 0; i+1 < len(headers); i += 2 {
			rc.Request.Header.Set(headers[i], headers[i+1])
		}
	}
	req()
	h(&rc)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		req()
		h(&rc)
		if rc.Response.StatusCode() != wantStatus || string(rc.Response.Header.Peek("Content-Encoding")) != wantCoding ||
			!strings.HasPrefix(string(rc.Response.Header.ContentType()), "text/html") && wantStatus == 200 {
			b.Fatalf("status %d coding %q type %q, want %d %q text/html", rc.Response.StatusCode(),
				rc.Response.Header.Peek("Content-Encoding"), rc.Response.Header.ContentType(), wantStatus, wantCoding)
		}
		n = len(rc.Response.Body())
	}
	b.ReportMetric(float64(n), "body-bytes")
}

func BenchmarkHTMLViewIdentity(b *testing.B) {
	benchHTMLView(b, htmlViewServer(b), 200, "")
}

func BenchmarkHTMLViewGzip(b *testing.B) {
	benchHTMLView(b, htmlViewServer(b), 200, "gzip", "Accept-Encoding", "gzip, deflate")
}

func BenchmarkHTMLViewBrotli(b *testing.B) {
	benchHTMLView(b, htmlViewServer(b), 200, "br", "Accept-Encoding", "gzip, deflate, br, zstd")
}

// BenchmarkHTMLViewXMLIdentity is the same URL asked for as a feed, for
// comparison.
func BenchmarkHTMLViewXMLIdentity(b *testing.B) {
	s := htmlViewServer(b)
	s.get(b, htmlViewPath)
	s.Feeds.Wait()
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		rc.Request.Reset()
		rc.Response.Reset()
		rc.Request.SetRequestURI(htmlViewPath)
		rc.Request.Header.SetMethod(fasthttp.MethodGet)
		h(&rc)
		if rc.Response.StatusCode() != 200 {
			b.Fatalf("status %d", rc.Response.StatusCode())
		}
	}
}

// BenchmarkArticlePageGzip is one article's page (/{slug}), of about 16
// KiB of content: a hit of the feed cache once the page's first request
// made it and its codings were made (articlePageServer waits for them).
func BenchmarkArticlePageGzip(b *testing.B) {
	s, page := articlePageServer(b)
	benchHTMLPage(b, s, page, 200, "gzip", "Accept-Encoding", "gzip, deflate")
}

// BenchmarkArticlePageIdentity is BenchmarkArticlePageGzip for a client
// that accepts no coding.
func BenchmarkArticlePageIdentity(b *testing.B) {
	s, page := articlePageServer(b)
	benchHTMLPage(b, s, page, 200, "")
}

// BenchmarkArticlePageBrotli is BenchmarkArticlePageGzip for a browser
// that accepts br.
func BenchmarkArticlePageBrotli(b *testing.B) {
	s, page := articlePageServer(b)
	benchHTMLPage(b, s, page, 200, "br", "Accept-Encoding", "gzip, deflate, br, zstd")
}

// BenchmarkArticlePageNotModified is a browser revalidating the page it
// holds (If-None-Match with the gzip coding's tag): a 304.
func BenchmarkArticlePageNotModified(b *testing.B) {
	s, page := articlePageServer(b)
	tag := s.get(b, page, "Accept-Encoding: gzip").Header.Get("ETag")
	if tag == "" {
		b.Fatal("the page has no ETag")
	}
	benchHTMLPage(b, s, page, 304, "", "Accept-Encoding", "gzip, deflate", "If-None-Match", tag)
}

// BenchmarkArticlePageMissAfterWrite is the page's miss: another of the
// 100 articles is replaced (timer stopped; every write moves the site's
// revision, under which pages are kept), then the page is requested in
// gzip and made from the store.
func BenchmarkArticlePageMissAfterWrite(b *testing.B) {
	s, page := articlePageServer(b)
	arts := hundredArticles(b, s)
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		a := arts[i%len(arts)]
		if "/"+a.Slug == page {
			i++
			a = arts[i%len(arts)]
		}
		editAfterWait(b, s, a, " (edited "+strconv.Itoa(i)+")")
		i++
		pageRequest(&rc, page, "Accept", "text/html", "Accept-Encoding", "gzip")
		b.StartTimer()
		h(&rc)
		if rc.Response.StatusCode() != 200 || string(rc.Response.Header.Peek("Content-Encoding")) != "gzip" {
			b.Fatalf("status %d, coding %q", rc.Response.StatusCode(), rc.Response.Header.Peek("Content-Encoding"))
		}
	}
	b.StopTimer()
	s.Feeds.Wait()
}

// articlePageServer is htmlViewServerSlug with the article's page asked
// for once (and its codings made, when the build caches them).
func articlePageServer(b *testing.B) (*testServer, string) {
	b.Helper()
	s, page := htmlViewServerSlug(b)
	if r := s.get(b, page, "Accept: text/html"); r.Status != 200 {
		b.Fatalf("GET %s: %d", page, r.Status)
	}
	s.Feeds.Wait()
	return s, page
}

// BenchmarkHTMLViewMissAfterWrite is the view's miss: one of its 100
// articles is replaced (timer stopped), then the view is requested and
// made from the store (the compression of the last one waited for
// outside the timer).
func BenchmarkHTMLViewMissAfterWrite(b *testing.B) {
	s := htmlViewServer(b)
	arts := hundredArticles(b, s)
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		edit := " (edited " + strconv.Itoa(i) + ")"
		editAfterWait(b, s, arts[i%len(arts)], edit)
		i++
		pageRequest(&rc, htmlViewPath, "Accept", "text/html", "Accept-Encoding", "gzip")
		b.StartTimer()
		h(&rc)
		if rc.Response.StatusCode() != 200 {
			b.Fatalf("status %d", rc.Response.StatusCode())
		}
	}
	b.StopTimer()
	s.Feeds.Wait()
}

// pageRequest makes rc a fresh GET of path with the headers (name, value
// pairs).
func pageRequest(rc *fasthttp.RequestCtx, path string, headers ...string) {
	rc.Request.Reset()
	rc.Response.Reset()
	rc.Request.SetRequestURI(path)
	rc.Request.Header.SetMethod(fasthttp.MethodGet)
	for i := 0; i+1 < len(headers); i += 2 {
		rc.Request.Header.Set(headers[i], headers[i+1])
	}
}

// hundredArticles lists the 100 articles of a view or page server, for
// the miss benchmarks to write one at a time.
func hundredArticles(b *testing.B, s *testServer) []*herald.Article {
	b.Helper()
	arts, _, err := s.Store.ListArticles(context.Background(), 0, 0)
	if err != nil || len(arts) != 100 {
		b.Fatalf("ListArticles: %d articles, err %v", len(arts), err)
	}
	return arts
}
