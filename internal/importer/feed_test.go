package importer

import (
	"reflect"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestParseFeed(t *testing.T) {
	rss := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Old Site</title><link>https://example.org/</link><language>en</language>
  <item>
    <title>Episode &amp; One</title>
    <link>https://example.org/ep1</link>
    <description>&lt;p&gt;Short &lt;b&gt;notes&lt;/b&gt;&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Full notes</p>]]></content:encoded>
    <author>host@example.org (Sam Host)</author>
    <category>Podcast</category>
    <enclosure url="https://example.org/ep1.mp3" length="1000" type="audio/mpeg"/>
    <itunes:duration>12:34</itunes:duration>
    <pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate>
  </item>
  <item><title>Second</title><link>/second</link><description>Plain</description></item>
</channel></rss>`
	got := mustParse(t, "old.rss", rss)
	if len(got) != 2 {
		t.Fatalf("got %d articles, want 2", len(got))
	}
	want := &herald.Article{
		Title: "Episode & One", URL: "https://example.org/ep1",
		Summary: "Short notes", ContentHTML: "<p>Full notes</p>",
		Authors:     []herald.Author{{Name: "Sam Host", Email: "host@example.org"}},
		Categories:  []string{"Podcast"},
		Language:    "en",
		Enclosures:  []herald.Enclosure{{URL: "https://example.org/ep1.mp3", Type: "audio/mpeg", Length: 1000, Duration: 754}},
		PublishedAt: time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC),
	}
	if !got[0].PublishedAt.Equal(want.PublishedAt) {
		t.Errorf("published_at=%v, want %v", got[0].PublishedAt, want.PublishedAt)
	}
	got[0].PublishedAt = want.PublishedAt
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("got  %+v\nwant %+v", got[0], want)
	}
	if got[1].URL != "https://example.org/second" || got[1].ContentHTML != "Plain" {
		t.Errorf("second item url=%q content=%q, want the link resolved and the description as content", got[1].URL, got[1].ContentHTML)
	}

	atom := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated>
<author><name>Feed Author</name></author>
<entry><title>Entry</title><id>urn:e</id><link href="https://example.org/e"/><updated>2026-01-05T00:00:00Z</updated><content type="html">&lt;p&gt;E&lt;/p&gt;</content></entry>
</feed>`
	e := mustParseOne(t, "x.atom", atom)
	if e.Title != "Entry" || e.ContentHTML != "<p>E</p>" || len(e.Authors) != 1 || e.Authors[0].Name != "Feed Author" || !e.PublishedAt.Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("atom entry=%+v", e)
	}

	jf := `{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "title": "JSON item", "url": "https://example.org/j", "content_html": "<p>J</p>", "tags": ["t"]}]}`
	j := mustParseOne(t, "site.feed.json", jf)
	if j.Title != "JSON item" || j.URL != "https://example.org/j" || j.ContentHTML != "<p>J</p>" {
		t.Errorf("json feed item=%+v", j)
	}
	// Saved as plain .json (a downloaded feed.json), it is still a feed.
	if j := mustParseOne(t, "feed.json", jf); j.Title != "JSON item" || j.ContentHTML != "<p>J</p>" {
		t.Errorf("json feed as feed.json: item=%+v", j)
	}
}

func TestParseFeedError(t *testing.T) {
	pe := mustParseError(t, "bad.xml", "<html><body>not a feed</body></html>")
	if pe.Msg == "" {
		t.Fatalf("error %v has no message", pe)
	}
}
