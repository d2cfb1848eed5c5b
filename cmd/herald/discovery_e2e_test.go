package main

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/herald-feeds/herald/config"
)

// TestPagingOverHTTP walks a feed's history through the HTTP server and
// checks the parameters, the archive flag and the cache lifetimes.
func TestPagingOverHTTP(t *testing.T) {
	s := startHerald(t, "", "-feed.default-limit", "10", "-feed.max-age", "5m", "-feed.archive-max-age", "24h")
	for i := range 25 {
		s.create(t, map[string]any{"title": fmt.Sprintf("Post %02d", i), "published_at": fmt.Sprintf("2026-01-%02dT09:00:00Z", i+1)})
	}
	for _, tc := range []struct {
		path, cacheControl string
		archive            bool
	}{
		{"/feed.atom", "public, max-age=300", false},
		{"/feed.atom?page=1", "public, max-age=86400", true},
		// Full, so an archive, but the newest full page: its links change
		// when page 3 fills, so it is not cached for the archive's day.
		{"/feed.atom?page=2", "public, max-age=300", true},
		{"/feed.atom?page=3", "public, max-age=300", false},
	} {
		r := s.get(t, tc.path)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", tc.path, r.Status, r.Body)
		}
		if got := r.Header.Get("Cache-Control"); got != tc.cacheControl {
			t.Errorf("GET %s: Cache-Control=%q, want %q", tc.path, got, tc.cacheControl)
		}
		if got := strings.Contains(string(r.Body), "<fh:archive>"); got != tc.archive {
			t.Errorf("GET %s: fh:archive=%v, want %v", tc.path, got, tc.archive)
		}
		// A conditional request keeps the lifetime: an archive's long one.
		again := s.get(t, tc.path, "If-None-Match: "+r.Header.Get("ETag"))
		if again.Status != http.StatusNotModified || again.Header.Get("Cache-Control") != tc.cacheControl {
			t.Errorf("GET %s conditionally: status %d, Cache-Control %q; want 304 with %q", tc.path, again.Status, again.Header.Get("Cache-Control"), tc.cacheControl)
		}
	}
	page1 := parseFeed(t, s.get(t, "/feed.rss?page=1"))
	if len(page1.Items) != 10 || page1.Items[9].Title != "Post 00" || page1.Items[0].Title != "Post 09" {
		t.Errorf("page 1 holds %d items from %q to %q, want the 10 oldest, newest first", len(page1.Items), page1.Items[0].Title, page1.Items[len(page1.Items)-1].Title)
	}
	for _, bad := range []string{"?page=0", "?page=-2", "?page=x", "?page=1.5"} {
		r := s.get(t, "/feed.json"+bad)
		if e := decodeError(t, r); r.Status != http.StatusBadRequest || e.Error.Field != "page" {
			t.Errorf("GET /feed.json%s: status %d, error %+v; want 400 naming page", bad, r.Status, e)
		}
	}
	// A page past the last does not exist: 404, naming page.
	for _, path := range []string{"/feed.json?page=4", "/feed.rss?page=99"} {
		r := s.get(t, path)
		if e := decodeError(t, r); r.Status != http.StatusNotFound || e.Error.Field != "page" {
			t.Errorf("GET %s: status %d, error %+v; want 404 naming page", path, r.Status, e)
		}
	}
}

// TestFeedURLsAnswerBrowsers checks the HTML rendering of a feed and that
// every feed response declares it varies by Accept.
func TestFeedURLsAnswerBrowsers(t *testing.T) {
	s := startHerald(t, "")
	publishSamples(t, s)
	s.create(t, map[string]any{"title": `<script>alert("title")</script> & friends`, "summary": `<img src=x onerror=alert(1)>`,
		"content_html": `<p onclick="x()">Hi <script>alert(2)</script><a href="/rel">rel</a></p>`, "categories": []string{"Engineering"}})

	plain := s.get(t, "/feed.rss")
	if !strings.Contains(plain.Header.Get("Vary"), "Accept") {
		t.Errorf("/feed.rss Vary=%q, want Accept in it", plain.Header.Get("Vary"))
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, path := range []string{"/feed.rss", "/feed.atom", "/feed.json", "/feed", "/categories/engineering/feed.atom", "/feed.rss?page=1"} {
		r := s.get(t, path, "Accept: "+browser)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s as a browser: status %d, Content-Type %q", path, r.Status, r.Header.Get("Content-Type"))
		}
		body := string(r.Body)
		for _, want := range []string{`<link rel="alternate" type="application/rss+xml"`, `<link rel="alternate" type="application/atom+xml"`, `<link rel="alternate" type="application/feed+json"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s as a browser: no %s", path, want)
			}
		}
		if bad := scriptIn(t, body); bad != "" {
			t.Errorf("GET %s as a browser: the page carries script (%s):\n%s", path, bad, body)
		}
		if !strings.Contains(r.Header.Get("Vary"), "Accept") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("GET %s as a browser: Vary=%q CSP=%q", path, r.Header.Get("Vary"), r.Header.Get("Content-Security-Policy"))
		}
	}
	page := string(s.get(t, "/feed.rss", "Accept: "+browser).Body)
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; &amp; friends") {
		t.Errorf("the hostile title is not escaped as text:\n%s", page)
	}
	if !strings.Contains(page, `href="https://news.example.com/rel"`) {
		t.Errorf("relative link not made absolute in the HTML view")
	}
	// A feed reader asking for XML, or anything, still gets the feed.
	for _, accept := range []string{"application/rss+xml", "*/*", "text/html, application/rss+xml", ""} {
		r := s.get(t, "/feed.rss", "Accept: "+accept)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
			t.Errorf("Accept %q: Content-Type %q, want the RSS feed", accept, ct)
		}
	}
	// So does one that rates another format's type above HTML (SimplePie,
	// in FreshRSS and WordPress), on a URL of any format.
	const simplepie = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.7, unknown/unknown;q=0.1, application/unknown;q=0.1, */*;q=0.1"
	for path, want := range map[string]string{"/feed.json": "application/feed+json", "/categories/engineering/feed.json": "application/feed+json", "/feed.atom": "application/atom+xml"} {
		if ct := s.get(t, path, "Accept: "+simplepie).Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("%s as SimplePie: Content-Type %q, want %s", path, ct, want)
		}
	}
	// A history page tells people to subscribe to the feed, not to the page.
	hist := string(s.get(t, "/feed.json?limit=2&page=1", "Accept: "+browser).Body)
	if !strings.Contains(hist, "<code>https://news.example.com/feed.json?limit=2</code>") {
		t.Errorf("history page: want the subscription URL without the page:\n%s", hist)
	}
	// Names are isolated, so a right-to-left one or a direction override
	// cannot reorder the text around it; audio of any type spelling plays.
	s.create(t, map[string]any{"title": "Isolated", "categories": []string{"Bidi"}, "authors": []map[string]any{{"name": "Bob\u202e"}, {"name": "Carol"}},
		"enclosures": []map[string]any{{"url": "https://cdn.example.com/x.m4a", "type": "Audio/MP4"}}})
	view := string(s.get(t, "/categories/bidi/feed.rss", "Accept: "+browser).Body)
	for _, want := range []string{"by <bdi>Bob\u202e</bdi>, <bdi>Carol</bdi>", "<audio"} {
		if !strings.Contains(view, want) {
			t.Errorf("HTML view lacks %q:\n%s", want, view)
		}
	}
	if index := string(s.get(t, "/").Body); !strings.Contains(index, "<li><bdi lang=\"en\">") {
		t.Errorf("index: names not isolated:\n%s", index)
	}
}

// TestIndexAndOPML checks that the index and the OPML list every feed the
// server publishes, and that every listed URL answers.
func TestIndexAndOPML(t *testing.T) {
	s := startHerald(t, "")
	publishSamples(t, s)
	wantFeeds := []string{"/feed.rss", "/categories/engineering/feed.rss", "/categories/coffee/feed.rss", "/categories/podcast/feed.rss",
		"/tags/rss/feed.rss", "/tags/origins/feed.rss", "/authors/ada-lovelace/feed.rss", "/authors/grace-hopper/feed.rss"}

	index := s.get(t, "/")
	if index.Status != http.StatusOK || !strings.HasPrefix(index.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: status %d, Content-Type %q", index.Status, index.Header.Get("Content-Type"))
	}
	// The index is one page for every Accept, unlike a feed's URL, which
	// answers a browser with its HTML view.
	if v := index.Header.Get("Vary"); v != "Accept-Encoding" {
		t.Errorf("GET /: Vary %q, want Accept-Encoding", v)
	}
	for _, f := range wantFeeds {
		for _, ext := range []string{".rss", ".atom", ".json"} {
			u := "https://news.example.com" + strings.TrimSuffix(f, ".rss") + ext
			if !strings.Contains(string(index.Body), `href="`+u+`"`) {
				t.Errorf("index does not link %s", u)
			}
		}
	}

	r := s.get(t, "/feeds.opml")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/x-opml") {
		t.Fatalf("GET /feeds.opml: status %d, Content-Type %q", r.Status, r.Header.Get("Content-Type"))
	}
	var doc struct {
		Version string `xml:"version,attr"`
		Title   string `xml:"head>title"`
		Groups  []struct {
			Text     string `xml:"text,attr"`
			Outlines []struct {
				Type    string `xml:"type,attr"`
				Version string `xml:"version,attr"`
				Text    string `xml:"text,attr"`
				XMLURL  string `xml:"xmlUrl,attr"`
			} `xml:"outline"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("OPML does not parse: %v\n%s", err, r.Body)
	}
	if doc.Version != "2.0" || doc.Title == "" {
		t.Errorf("OPML version=%q title=%q", doc.Version, doc.Title)
	}
	var got []string
	for _, g := range doc.Groups {
		for _, o := range g.Outlines {
			// OPML 2.0 names RSS 0.91, 0.92 and 2.0 alike "RSS" ("RSS1" is 1.0).
			if o.Type != "rss" || o.Version != "RSS" || o.Text == "" {
				t.Errorf("outline %+v: want type rss, version RSS and a text", o)
			}
			got = append(got, strings.TrimPrefix(o.XMLURL, "https://news.example.com"))
			if fr := s.get(t, strings.TrimPrefix(o.XMLURL, "https://news.example.com")); fr.Status != http.StatusOK {
				t.Errorf("OPML lists %s, which answers %d", o.XMLURL, fr.Status)
			}
		}
	}
	if len(got) != len(wantFeeds) {
		t.Fatalf("OPML lists %q, want %q", got, wantFeeds)
	}
	for _, f := range wantFeeds {
		if !strings.Contains(strings.Join(got, " "), f) {
			t.Errorf("OPML does not list %s", f)
		}
	}
}

// TestPodcastShowEndToEnd configures a show, publishes an episode through
// the API and reads the category's RSS with gofeed's iTunes extension.
func TestPodcastShowEndToEnd(t *testing.T) {
	shows := filepath.Join(t.TempDir(), "shows.yaml")
	writeFile(t, shows, "podcast:\n  title: Field Notes Radio\n  image: https://news.example.com/art.jpg\n  category: Technology\n  owner: {name: Priya, email: podcast@example.com}\n  type: serial\n  language: fr\n")
	s := startHerald(t, "", "-podcast.shows-file", shows, "-site.language", "de")
	ep := s.create(t, map[string]any{
		"title": "Episode 3", "categories": []string{"Podcast"}, "episode": 3, "season": 2, "episode_type": "full",
		"transcript_url": "https://cdn.example.com/ep3.vtt", "chapters_url": "https://cdn.example.com/ep3.json",
		"enclosures": []map[string]any{{"url": "https://cdn.example.com/ep3.mp3", "type": "audio/mpeg", "length": 1000, "duration": 1800}},
	})
	if ep["transcript_type"] != "text/vtt" || ep["episode"] != float64(3) {
		t.Errorf("API returned %v / %v, want the derived transcript type and the episode", ep["transcript_type"], ep["episode"])
	}
	feed, err := gofeed.NewParser().ParseString(string(s.get(t, "/categories/podcast/feed.rss").Body))
	if err != nil {
		t.Fatal(err)
	}
	if feed.Title != "Field Notes Radio" || feed.ITunesExt == nil || feed.ITunesExt.Type != "serial" || feed.ITunesExt.Owner == nil || feed.ITunesExt.Owner.Email != "podcast@example.com" {
		t.Fatalf("show channel: title %q, itunes %+v", feed.Title, feed.ITunesExt)
	}
	if guid := feed.Extensions["podcast"]["guid"]; len(guid) != 1 || len(guid[0].Value) != 36 {
		t.Errorf("podcast:guid=%v, want a derived UUID", guid)
	}
	it := feed.Items[0].ITunesExt
	if it == nil || it.Episode != "3" || it.Season != "2" || it.Duration != "1800" || it.EpisodeType != "full" {
		t.Fatalf("episode elements=%+v", it)
	}
	// The show's language, in its feed and in the OPML; the site's elsewhere.
	if feed.Language != "fr" {
		t.Errorf("show feed language %q, want fr", feed.Language)
	}
	opml := string(s.get(t, "/feeds.opml").Body)
	if !regexp.MustCompile(`<outline[^>]*categories/podcast/feed\.rss[^>]*language="fr"`).MatchString(opml) ||
		!regexp.MustCompile(`<outline[^>]*/feed\.rss"[^>]*language="de"`).MatchString(opml) {
		t.Errorf("OPML languages: want fr for the show and de for the site:\n%s", opml)
	}
	// The pages' own words are English; the show's and the site's text
	// carry their languages.
	view := string(s.get(t, "/categories/podcast/feed.rss", "Accept: text/html").Body)
	index := string(s.get(t, "/").Body)
	for _, want := range []string{`<html lang="en">`, `<h1 lang="fr">`, `<article lang="fr">`} {
		if !strings.Contains(view, want) {
			t.Errorf("show's HTML view lacks %s", want)
		}
	}
	if !strings.Contains(index, `<html lang="en">`) || !strings.Contains(index, `<h1 lang="de">`) || !strings.Contains(index, `<bdi lang="fr">Field Notes Radio</bdi>`) {
		t.Errorf("index: want the page in English and the site's title in German:\n%s", index)
	}
	// The site feed is not a podcast: no iTunes elements there.
	if strings.Contains(string(s.get(t, "/feed.rss").Body), "itunes:") {
		t.Errorf("the site feed carries iTunes elements")
	}
	// A bad shows file stops the start, naming the key and the field.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, "podcast:\n  category: Radio\n")
	if _, err := os.Stat(bad); err != nil {
		t.Fatal(err)
	}
	_, _, _, cfgErr := config.LoadArgs([]string{"-podcast.shows-file", bad}, nil)
	if cfgErr == nil || !strings.Contains(cfgErr.Error(), "podcast.shows_file") || !strings.Contains(cfgErr.Error(), "podcast.category") {
		t.Errorf("bad shows file: err=%v, want one naming podcast.shows_file and podcast.category", cfgErr)
	}
}

// TestHygieneEndToEnd posts hostile content through the API and checks
// what is stored and what every format serves.
func TestHygieneEndToEnd(t *testing.T) {
	s := startHerald(t, "")
	a := s.create(t, map[string]any{
		"title":        "Tab\vbed title",
		"url":          "https://news.example.com/posts/hostile",
		"content_html": `<p onclick="steal()">See <img src="../img/a.png"> and <a href="javascript:alert(1)">this</a>.<script>alert(2)</script></p>`,
	})
	stored := a["content_html"].(string)
	if want := `<p>See <img src="https://news.example.com/img/a.png"/> and this.</p>`; stored != want {
		t.Errorf("stored content_html=%q, want %q", stored, want)
	}
	for _, path := range []string{"/feed.rss", "/feed.atom", "/feed.json"} {
		r := s.get(t, path)
		if _, err := gofeed.NewParser().ParseString(string(r.Body)); err != nil {
			t.Errorf("%s does not parse: %v", path, err)
		}
		for _, bad := range []string{"\v", "onclick", "javascript:", "<script", `src="../`} {
			if strings.Contains(string(r.Body), bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
}

// scriptIn parses an HTML page as a browser would and describes the first
// thing in it that could run script: a script element, an event-handler
// attribute or a javascript: URL. It returns "" for a page without any.
func scriptIn(t *testing.T, page string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	var found string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" {
				found = "a script element"
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					found = "attribute " + a.Key
				}
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					found = "javascript: URL in " + a.Key
				}
			}
		}
		for c := n.FirstChild; c != nil && found == ""; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// TestFeedsOfNonASCIISlugs: categories, tags and authors whose slugs keep
// letters beyond ASCII are listed with percent-encoded links, and every
// link answers with the feed, as does the same path sent unencoded or
// with ASCII letters encoded too (RFC 3986, 6.2.2.2).
func TestFeedsOfNonASCIISlugs(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Un caffè", "url": "https://news.example.com/caffe",
		"categories": []string{"Café Società"}, "tags": []string{"Straße"},
		"authors": []map[string]any{{"name": "José Müller"}}})
	r := s.get(t, "/feeds.opml")
	var links []string
	for _, m := range regexp.MustCompile(`xmlUrl="https://news\.example\.com([^"]+)"`).FindAllStringSubmatch(string(r.Body), -1) {
		links = append(links, m[1])
	}
	var scoped int
	for _, link := range links {
		if link == "/feed.rss" {
			continue
		}
		scoped++
		if !strings.Contains(link, "%") {
			t.Errorf("OPML link %s: want its slug percent-encoded", link)
		}
		decoded, err := url.PathUnescape(link)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{link, decoded, strings.ReplaceAll(link, "/feed.rss", "/%66eed.rss")} {
			fr := s.get(t, path)
			if fr.Status != http.StatusOK || !bytes.Contains(fr.Body, []byte("Un caffè")) {
				t.Errorf("GET %s (listed as %s): %d %.200s", path, link, fr.Status, fr.Body)
			}
		}
	}
	if scoped != 3 {
		t.Fatalf("OPML links %q: want the site and 3 scopes", links)
	}
}

// TestPagesRevalidateAndCompress: the index, the OPML and a feed's page
// for browsers carry a strong ETag and answer 304 to it (or to their
// compressed variant's tag), come compressed in the coding the client
// prefers, and change tag when what they show changes.
func TestPagesRevalidateAndCompress(t *testing.T) {
	s := startHerald(t, "")
	for i := range 12 { // pages long enough to be worth compressing
		s.create(t, map[string]any{"title": fmt.Sprintf("Story %d", i), "summary": strings.Repeat("words and more words ", 20),
			"categories": []string{fmt.Sprintf("Section %d", i)}})
	}
	pages := []struct{ path, accept, ctype string }{
		{"/", "", "text/html"},
		{"/feeds.opml", "", "text/x-opml"},
		{"/feed.rss", "text/html", "text/html"},
	}
	for _, p := range pages {
		plain := s.get(t, p.path, "Accept: "+p.accept)
		tag := plain.Header.Get("ETag")
		if plain.Status != http.StatusOK || !strings.HasPrefix(plain.Header.Get("Content-Type"), p.ctype) || !strings.HasPrefix(tag, `"`) {
			t.Fatalf("GET %s: %d %q ETag %q", p.path, plain.Status, plain.Header.Get("Content-Type"), tag)
		}
		gz := s.get(t, p.path, "Accept: "+p.accept, "Accept-Encoding: gzip")
		if gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("GET %s with gzip: Content-Encoding %q, Vary %q", p.path, gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
		if err != nil {
			t.Fatal(err)
		}
		inflated, _ := io.ReadAll(zr)
		if !bytes.Equal(inflated, plain.Body) || len(gz.Body) >= len(plain.Body) {
			t.Fatalf("GET %s: the gzip body (%d bytes) is not the page (%d bytes) compressed", p.path, len(gz.Body), len(plain.Body))
		}
		for _, held := range []string{tag, gz.Header.Get("ETag")} {
			if r := s.get(t, p.path, "Accept: "+p.accept, "If-None-Match: "+held); r.Status != http.StatusNotModified || len(r.Body) != 0 {
				t.Errorf("GET %s If-None-Match %s: %d, %d bytes; want an empty 304", p.path, held, r.Status, len(r.Body))
			}
		}
		if r := s.get(t, p.path, "Accept: "+p.accept, `If-None-Match: "other"`); r.Status != http.StatusOK {
			t.Errorf("GET %s with another tag: %d", p.path, r.Status)
		}
	}
	old := map[string]string{}
	for _, p := range pages {
		old[p.path] = s.get(t, p.path, "Accept: "+p.accept).Header.Get("ETag")
	}
	s.create(t, map[string]any{"title": "A new story", "categories": []string{"Brand new section"}})
	for _, p := range pages {
		if r := s.get(t, p.path, "Accept: "+p.accept, "If-None-Match: "+old[p.path]); r.Status != http.StatusOK {
			t.Errorf("GET %s after a write, with the old tag: %d, want 200", p.path, r.Status)
		}
	}
}

// TestIndexHeadLinksAreBounded: the index's head links every feed of up to
// 100 scopes, the site included; past that only the site's and the
// categories', while the OPML still lists every one.
func TestIndexHeadLinksAreBounded(t *testing.T) {
	s := startHerald(t, "")
	tags := make([]string, 97)
	for i := range tags {
		tags[i] = fmt.Sprintf("Tag %03d", i)
	}
	// The site, two categories, 97 tags: 100 scopes.
	s.create(t, map[string]any{"title": "Many", "categories": []string{"One", "Two"}, "tags": tags})
	head := func() (links int, scopes int) {
		t.Helper()
		page := string(s.get(t, "/").Body)
		h, _, ok := strings.Cut(page, "</head>")
		if !ok {
			t.Fatalf("index has no </head>:\n%s", page)
		}
		return strings.Count(h, `rel="alternate"`), strings.Count(string(s.get(t, "/feeds.opml").Body), "xmlUrl=")
	}
	if links, scopes := head(); scopes != 100 || links != 3*100 {
		t.Fatalf("100 scopes: head links %d of OPML's %d feeds, want %d of 100", links, scopes, 3*100)
	}
	s.create(t, map[string]any{"title": "One more", "tags": []string{"Tag 097"}})
	if links, scopes := head(); scopes != 101 || links != 3*3 {
		t.Fatalf("101 scopes: head links %d of OPML's %d feeds, want %d (the site and two categories) of 101", links, scopes, 3*3)
	}
}

// TestDecomposedSlugRedirects: a feed URL whose slug is spelled in
// decomposed Unicode (e + U+0301 for é) is answered 301 to the slug's NFC
// spelling, query kept, and that URL serves the feed; a path that is no
// slug in any spelling stays a 404.
func TestDecomposedSlugRedirects(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Spelled", "categories": []string{"Café"}})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(s.URL + "/categories/cafe%CC%81/feed.atom?limit=5")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if want := "/categories/caf%C3%A9/feed.atom?limit=5"; res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
		t.Fatalf("decomposed slug: %d, Location %q; want 301 to %s", res.StatusCode, res.Header.Get("Location"), want)
	}
	if r := s.get(t, res.Header.Get("Location")); r.Status != 200 || !feedHas(r, "Spelled") {
		t.Errorf("the NFC URL: %d, want the feed", r.Status)
	}
	if r := s.get(t, "/categories/Caf%C3%A9/feed.atom"); r.Status != http.StatusNotFound {
		t.Errorf("a slug in capitals: %d, want 404", r.Status)
	}
}

// TestTrailingSlashRedirects checks that a feed or page URL with a
// trailing slash sends readers to the URL without it, query kept, rather
// than serving the same document under a second URL; that writes are
// served where they are sent; and that no path makes the redirect leave
// the site.
// TestEncodedSlashNamesNothing: routing decodes the path, so %2F would
// become a separator and serve a feed at a second address; a path with
// one is a 404, while %2F in the query is the query's business.
func TestEncodedSlashNamesNothing(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Slashed", "categories": []string{"Notes"}})
	for path, want := range map[string]int{
		"/categories/notes%2Ffeed.rss":     404,
		"/categories%2fnotes/feed.rss":     404,
		"/feed.rss%2F":                     404,
		"/api/v1/articles%2Fslashed":       404,
		"/categories/notes/feed.rss":       200,
		"/categories/notes/feed.rss?q=%2F": 200,
	} {
		r := s.do(t, http.MethodGet, path, nil, "Authorization: Bearer "+testToken)
		if r.Status != want {
			t.Errorf("GET %s: %d, want %d", path, r.Status, want)
		}
		if want == 404 && !strings.Contains(string(r.Body), `"not_found"`) {
			t.Errorf("GET %s: body %s, want a JSON not_found error", path, r.Body)
		}
	}
}

func TestTrailingSlashRedirects(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Slashed", "categories": []string{"Notes"}})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/feed.rss/":                         "/feed.rss",
		"/feed.rss//?limit=5":                "/feed.rss?limit=5",
		"/categories/notes/feed.atom/":       "/categories/notes/feed.atom",
		"/categories/caf%C3%A9/feed/?page=2": "/categories/caf%C3%A9/feed?page=2",
		"/feeds.opml/":                       "/feeds.opml",
		"/healthz/":                          "/healthz",
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, s.URL+path, nil)
			res, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
				t.Errorf("%s %s: %d, Location %q; want 301 to %s", method, path, res.StatusCode, res.Header.Get("Location"), want)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("%s %s: Content-Type %q, want text/plain", method, path, ct)
			}
		}
	}
	// A path sent in raw UTF-8 is redirected to its percent-encoded form.
	if conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://")); err != nil {
		t.Fatal(err)
	} else {
		fmt.Fprintf(conn, "GET /categories/café/feed.rss/?q=é HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		raw, _ := io.ReadAll(conn)
		conn.Close()
		if !strings.Contains(string(raw), "\r\nLocation: /categories/caf%C3%A9/feed.rss?q=%C3%A9\r\n") {
			t.Errorf("raw UTF-8 path: want a percent-encoded Location, got\n%s", raw)
		}
	}
	// A page on another origin may follow a feed's redirect.
	for _, path := range []string{"/tags/none/feed.json/", "/feed.rss//"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Header.Set("Origin", "https://reader.example")
		if res, err := noFollow.Do(req); err != nil {
			t.Fatal(err)
		} else if res.Body.Close(); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("feed redirect of %s: %d, Access-Control-Allow-Origin %q; want 301 with *", path, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	if r := s.get(t, "/feed.rss/"); r.Status != 200 || !feedHas(r, "Slashed") {
		t.Errorf("following the redirect: %d, want the feed", r.Status)
	}
	// Paths that a Location would turn into another host are not
	// redirected, and "/" is the index itself.
	for _, path := range []string{"//evil.example/", "/%2Fevil.example/", "/"} {
		res, err := noFollow.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || path == "/" && res.StatusCode != 200 {
			t.Errorf("GET %s: %d, Location %q", path, res.StatusCode, loc)
		}
	}
	// The write API is served at the slashed path, as before: a client's
	// POST or DELETE is not bounced.
	created := s.api(t, http.MethodPost, "/api/v1/articles/", map[string]any{"title": "Posted with a slash"})
	if created.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/articles/: %d %s, want 201", created.Status, created.Body)
	}
	var a map[string]any
	mustUnmarshal(t, created.Body, &a)
	// So are its GETs, behind the token: no public redirect.
	for _, path := range []string{"/api/v1/articles/", "/api/v1/articles/" + a["id"].(string) + "/", "/%61pi/v1/articles/"} {
		if r := s.api(t, http.MethodGet, path, nil); r.Status != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, r.Status)
		}
		res, err := noFollow.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401 (not a redirect)", path, res.StatusCode)
		}
	}
	if r := s.api(t, http.MethodDelete, "/api/v1/articles/"+a["id"].(string)+"/", nil); r.Status != http.StatusNoContent {
		t.Errorf("DELETE with a trailing slash: %d, want 204", r.Status)
	}
}

// TestHTMLViewPaging: a person paging through a feed's HTML view goes to
// the articles just older than those shown, never to the same ones again
// (the subscription document's RFC 5005 next is the newest full page,
// which holds exactly its articles when the total is a multiple of the
// limit), and the newest page offers nothing newer.
func TestHTMLViewPaging(t *testing.T) {
	s := startHerald(t, "")
	for i := 1; i <= 4; i++ {
		s.create(t, map[string]any{"title": fmt.Sprintf("Paged %d", i), "categories": []string{"Paged"}, "published_at": fmt.Sprintf("2026-01-0%dT00:00:00Z", i)})
	}
	const browser = "Accept: text/html"
	head := string(s.get(t, "/categories/paged/feed.rss?limit=2", browser).Body)
	if !strings.Contains(head, "Paged 4") || !strings.Contains(head, `feed.rss?limit=2&amp;page=1"`) || strings.Contains(head, "page=2") {
		t.Errorf("subscription view: want articles 4 and 3 and an Older link to page 1:\n%s", head)
	}
	if last := string(s.get(t, "/categories/paged/feed.rss?limit=2&page=2", browser).Body); strings.Contains(last, `limit=2"`) {
		t.Errorf("newest page: links to the subscription document, which shows the same articles:\n%s", last)
	}
}
