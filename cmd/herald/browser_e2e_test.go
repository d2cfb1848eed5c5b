package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromium returns the path of Debian's chromium, or skips the test saying
// why; with HERALD_REQUIRE_BROWSER=1 (as .ci/run sets it) a missing
// browser fails the test instead.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HERALD_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium is not installed and HERALD_REQUIRE_BROWSER=1: install Debian's chromium (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; the pages are tested in a real browser only where it is (apt-get install chromium)")
	return ""
}

// loadInBrowser opens url in headless chromium and returns the DOM after
// the page loaded and every message the page wrote to the console (errors,
// Content-Security-Policy violations, failed loads).
func loadInBrowser(t *testing.T, browser, url string) (*html.Node, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	doc, err := html.Parse(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("parse the DOM chromium dumped: %v", err)
	}
	var console []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return doc, console
}

// elements returns the DOM's elements named tag.
func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && n.Data == tag {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, elements(c, tag)...)
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestPagesInBrowser loads the index and feeds' HTML views in headless
// chromium: each must load without a console message (no script error,
// no blocked resource) and expose the autodiscovery links in its DOM.
func TestPagesInBrowser(t *testing.T) {
	browser := chromium(t)
	s := startHerald(t, "")
	publishSamples(t, s)
	s.create(t, map[string]any{"title": `</title><script>alert(1)</script>`, "categories": []string{"Engineering"},
		"content_html": `<p onmouseover="alert(2)">x<script>alert(3)</script><style>body{display:none}</style></p>`})

	base := "https://news.example.com"
	tests := []struct {
		path      string
		title     string
		wantLinks []string // hrefs of rel=alternate links the DOM must hold
	}{
		{"/", "Herald Field Notes", []string{base + "/feed.rss", base + "/feed.atom", base + "/feed.json",
			base + "/categories/engineering/feed.rss", base + "/tags/rss/feed.atom", base + "/authors/grace-hopper/feed.json"}},
		{"/feed.rss", "Herald Field Notes", []string{base + "/feed.rss", base + "/feed.atom", base + "/feed.json"}},
		{"/categories/engineering/feed.atom", "Herald Field Notes — Engineering",
			[]string{base + "/categories/engineering/feed.rss", base + "/categories/engineering/feed.atom", base + "/categories/engineering/feed.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			doc, console := loadInBrowser(t, browser, s.URL+tt.path)
			for _, line := range console {
				t.Errorf("console: %s", line)
			}
			if titles := elements(doc, "title"); len(titles) != 1 || titles[0].FirstChild == nil || titles[0].FirstChild.Data != tt.title {
				t.Errorf("title elements=%d, want one saying %q", len(titles), tt.title)
			}
			got := map[string]string{}
			for _, l := range elements(doc, "link") {
				if attr(l, "rel") == "alternate" {
					got[attr(l, "href")] = attr(l, "type")
				}
			}
			for _, href := range tt.wantLinks {
				typ, ok := got[href]
				if !ok {
					t.Errorf("no <link rel=alternate href=%q> in the DOM (have %v)", href, got)
					continue
				}
				if want := map[string]string{"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}[href[strings.LastIndexByte(href, '.')+1:]]; typ != want {
					t.Errorf("link %s type=%q, want %q", href, typ, want)
				}
			}
			if n := len(elements(doc, "script")); n != 0 {
				t.Errorf("the DOM holds %d script elements", n)
			}
		})
	}
}
