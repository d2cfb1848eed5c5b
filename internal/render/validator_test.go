package render

import (
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sanitize"
)

// realisticArticles are what publishers send, passed through what the
// write path does before storing (Prepare, then sanitising with relative
// URLs resolved): several authors, non-ASCII text, entities, a relative
// link and image, script, an event handler, a javascript: URL, and control
// characters.
func realisticArticles(t *testing.T) []*herald.Article {
	t.Helper()
	clean := sanitize.New()
	raw := []*herald.Article{
		{
			ID:      "5e4b2f6d-0a7c-4b9d-8e0f-3a4b5c6d7e8f",
			Title:   "Q&A: why <video> needs a poster — and “other” questions\v",
			URL:     "https://news.example.com/2026/qa-video",
			Summary: "Readers asked; we answered. Fish & chips included.\x1b",
			ContentHTML: `<p onclick="track()">Read <a href="/notes/video">the notes</a> &amp; see <img src="../img/poster.png" alt="Poster">.` +
				`<script>alert(1)</script><a href="javascript:alert(2)">click</a> Zoë’s café ☕\v</p>`,
			Authors:     []herald.Author{{Name: "Zoë O'Brien", Email: "zoe@example.com"}, {Name: "李小龍", URL: "https://example.org/li"}},
			Categories:  []string{"Web & Video"},
			Tags:        []string{"HTML", "Q&A"},
			PublishedAt: day,
		},
		{
			ID:          "6f5c3a7e-1b8d-4cae-9f10-4b5c6d7e8f90",
			Title:       "Ein Brief aus Zürich",
			URL:         "https://news.example.com/2026/brief",
			ContentHTML: `<p>Grüße &lt;aus&gt; der Schweiz — <a href="brief-2">Teil 2</a>.</p>`,
			Authors:     []herald.Author{{Name: "Émile Zola", Email: "emile@example.fr"}},
			Language:    "de",
			PublishedAt: day.Add(-time.Hour),
		},
		{
			ID:          "70615b8f-2c9e-4dbf-8021-5c6d7e8f9001",
			Title:       "A note without a body",
			URL:         "https://news.example.com/2026/note",
			PublishedAt: day.Add(-2 * time.Hour),
		},
	}
	for _, a := range raw {
		if err := a.Prepare("https://news.example.com", day, herald.Limits{}); err != nil {
			t.Fatalf("Prepare(%q): %v", a.Title, err)
		}
		a.ContentHTML = clean.HTML(a.ContentHTML, a.URL)
	}
	return raw
}

// TestValidatorChecks renders every kind of feed from realistic data and
// fails on any message the W3C validator's checks (feedlint_test.go) would
// give: an error or a warning. The "markup in names" cases put "&", "<"
// and ">" in every plain-text element that has no other test here (the
// managingEditor and an item's author, which carry a name beside the
// address, and the title of a show's artwork), which RSS must write as
// hexadecimal references.
func TestValidatorChecks(t *testing.T) {
	for _, f := range []herald.Format{herald.FormatRSS, herald.FormatAtom} {
		markedSite := siteChannel(f)
		markedSite.Author.Name = "Ed <Chief> & Co"
		markedShow := showChannel(f)
		markedShow.Title = "Tom & Jerry <Radio>"
		markedShow.Podcast.Title = markedShow.Title
		marked := realisticArticles(t)[1:2]
		marked[0].Authors = []herald.Author{{Name: "A & B <x>", Email: "ab@example.com"}}
		withHubs := siteChannel(f)
		withHubs.Hubs = []string{"https://hub.example.com/", "https://push.example.net/hub?x=1&y=2"}
		markedEpisodes := showArticles()[:1]
		markedEpisodes[0].Authors = marked[0].Authors
		// Parentheses and backslashes end or break the comment that
		// carries the name in RSS unless written as quoted pairs.
		commentSite := siteChannel(f)
		commentSite.Author.Name = `Ed (Chief) \ Co :)`
		commented := realisticArticles(t)[1:2]
		commented[0].Authors = []herald.Author{{Name: `Back\slash (open`, Email: "bs@example.com"}}
		cases := []struct {
			name     string
			ch       herald.Channel
			articles []*herald.Article
		}{
			{"site", siteChannel(f), realisticArticles(t)},
			{"category", categoryChannel(f), realisticArticles(t)[:1]},
			{"show", showChannel(f), showArticles()},
			{"archive page", pagedChannel(f), realisticArticles(t)},
			{"the only archive", onlyArchiveChannel(f), realisticArticles(t)},
			{"empty", siteChannel(f), nil},
			{"websub hubs", withHubs, realisticArticles(t)},
			{"markup in names/site", markedSite, marked},
			{"markup in names/show", markedShow, markedEpisodes},
			{"comment characters in names", commentSite, commented},
		}
		for _, tc := range cases {
			t.Run(string(f)+"/"+tc.name, func(t *testing.T) {
				out := mustRender(t, f, tc.ch, tc.articles)
				for _, p := range lint(out) {
					t.Errorf("%s", p)
				}
				if t.Failed() {
					t.Logf("document:\n%s", out)
				}
			})
		}
	}
}

// TestHygieneRules checks each output hygiene rule on the rendered bytes,
// so that breaking any one of them fails here.
func TestHygieneRules(t *testing.T) {
	articles := realisticArticles(t)
	for _, f := range herald.Formats {
		out := string(mustRender(t, f, siteChannel(f), articles))
		for _, bad := range []string{"\v", "\x1b", "<script", "onclick", "javascript:", `src="../`, `href="/notes`} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output contains %q", f, bad)
			}
		}
		for _, good := range []string{"https://news.example.com/img/poster.png", "https://news.example.com/notes/video", "https://news.example.com/2026/brief-2"} {
			if !strings.Contains(out, good) {
				t.Errorf("%s output lacks the absolute URL %q", f, good)
			}
		}
	}
}

// TestLintCatches proves each check of the stand-in validator can fail.
func TestLintCatches(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:fh="http://purl.org/syndication/history/1.0"><channel><title>T</title><link>https://e.com/</link><description>D</description><language>en</language>`
	const self = `<atom:link rel="self" href="https://e.com/f" type="application/rss+xml"/>`
	const tail = `</channel></rss>`
	item := func(body string) string { return `<item><guid isPermaLink="false">urn:x:1</guid>` + body + `</item>` }
	itunesChannel := `<itunes:category text="News"/><itunes:explicit>false</itunes:explicit><itunes:owner><itunes:email>a@e.com</itunes:email></itunes:owner>`
	tests := []struct{ want, doc string }{
		{"MissingAtomSelfLink", head + tail},
		{"DuplicateItemSemantics", head + self + item(`<title>x</title><author>a@e.com (A)</author><dc:creator>A</dc:creator>`) + tail},
		{"CharacterData", head + self + item(`<title>a &amp; b &lt;c</title>`) + tail},
		{"CharacterData", head + `<managingEditor>e@e.com (E &lt;Chief&gt;)</managingEditor>` + self + tail},
		{"CharacterData", head + `<image><url>https://e.com/i.png</url><title>Tom &amp; Jerry</title><link>https://e.com/</link></image>` + self + tail},
		{"CharacterData", head + self + item(`<title>x</title><author>a@e.com (A &amp; B)</author>`) + tail},
		{"ContainsHTML", head + self + item(`<title>a &#x3C;b&#x3E;x&#x3C;/b&#x3E;</title>`) + tail},
		{"BadCharacters", head + self + item("<title>a\u0085b</title>") + tail},
		{"ContainsRelRef", head + self + item(`<description>&lt;img src="../a.png"&gt;</description>`) + tail},
		{"SecurityRisk", head + self + item(`<description>&lt;script&gt;x()&lt;/script&gt;</description>`) + tail},
		{"SecurityRiskAttr", head + self + item(`<description>&lt;p onclick="x()"&gt;t&lt;/p&gt;</description>`) + tail},
		{"NeedDescriptionBeforeContent", head + self + item(`<content:encoded>c</content:encoded><description>d</description>`) + tail},
		{"MissingGuid", head + self + `<item><title>x</title></item>` + tail},
		{"IncorrectDOW", head + self + item(`<title>x</title><pubDate>Mon, 14 Mar 2026 09:26:53 +0000</pubDate>`) + tail},
		{"MissingRealName", head + self + item(`<title>x</title><author>a@e.com</author>`) + tail},
		{"InvalidContact", head + self + item(`<title>x</title><author>smiley@example.com (Smiley :))</author>`) + tail},
		{"InvalidContact", head + `<managingEditor>bs@example.com (Back\slash (open)</managingEditor>` + self + tail},
		{"InvalidContact", head + self + item(`<title>x</title><author>A &#x3C;a@e.com&#x3E;</author>`) + tail},
		{"InvalidContact", head + self + item(`<title>x</title><author>a@@e.com (A)</author>`) + tail},
		{"MissingItunesEmail", head + self + `<itunes:category text="News"/><itunes:explicit>false</itunes:explicit>` + tail},
		{"InvalidTrueFalse", head + self + `<itunes:category text="News"/><itunes:explicit>yes</itunes:explicit><itunes:owner><itunes:email>a@e.com</itunes:email></itunes:owner>` + tail},
		{"UnsupportedItunesFormat", head + self + itunesChannel + item(`<title>x</title><enclosure url="https://e.com/a.ogg" length="1" type="audio/ogg"/>`) + tail},
		{"InvalidPositiveInteger", head + self + itunesChannel + item(`<title>x</title><itunes:episode>0</itunes:episode>`) + tail},
		{"LinkPastEnd", head + self + `<atom:link rel="first" href="https://e.com/f"/><atom:link rel="previous" href="https://e.com/f?page=9"/>` + tail},
		{"MissingCurrentInArchive", head + self + `<atom:link rel="prev-archive" href="https://e.com/f?page=1"/><fh:archive/>` + tail},
		{"ArchiveIncomplete", head + self + `<atom:link rel="current" href="https://e.com/f"/><atom:link rel="next" href="https://e.com/f?page=1"/><fh:archive/>` + tail},
		{"MissingTextualContent", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x:f</id><updated>2026-01-01T00:00:00Z</updated><link rel="self" href="https://e.com/f.atom"/><author><name>A</name></author><entry><title>x</title><id>urn:x:1</id><updated>2026-01-01T00:00:00Z</updated><link href="https://e.com/x"/></entry></feed>`},
		{"MissingSelf", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x:f</id><updated>2026-01-01T00:00:00Z</updated></feed>`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := lint([]byte(tt.doc))
			for _, p := range got {
				if strings.HasPrefix(p, tt.want+":") {
					return
				}
			}
			t.Fatalf("lint=%q, want a %s message", got, tt.want)
		})
	}
}
