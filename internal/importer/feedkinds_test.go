package importer

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	jsonFeedHead = `{"version": "https://jsonfeed.org/version/1.1", "title": "J", "home_page_url": "https://example.org/", "items": [`
	atomHead     = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2026-01-01T00:00:00Z</updated>`
	rssHead      = `<?xml version="1.0"?><rss version="2.0"><channel><title>R</title><link>https://example.org/</link>`
)

// TestParseFeedTextKinds: each feed text is read as the kind its format
// says it is. Plain text is escaped into paragraphs, never parsed as
// markup (which lost "<stdio.h>" and mangled "a<b and b>c"); a plain-text
// summary is kept as written; HTML stays HTML.
func TestParseFeedTextKinds(t *testing.T) {
	tests := []struct {
		name, path, in        string
		wantContent, wantSumm string
	}{
		{"json content_text and summary", "f.feed.json",
			jsonFeedHead + `{"id": "1", "title": "T", "content_text": "if a<b and b>c then a<c; use <stdio.h> & co\n\nnext", "summary": "sum <b>bold?</b>"}]}`,
			"<p>if a&lt;b and b&gt;c then a&lt;c; use &lt;stdio.h&gt; &amp; co</p>\n<p>next</p>\n", "sum <b>bold?</b>"},
		{"json content_html beside content_text", "f.feed.json",
			jsonFeedHead + `{"id": "1", "title": "T", "content_html": "<p>H</p>", "content_text": "H", "summary": "a < b"}]}`,
			"<p>H</p>", "a < b"},
		{"json summary alone", "f.feed.json",
			jsonFeedHead + `{"id": "1", "title": "T", "summary": "x <y> z"}]}`,
			"<p>x &lt;y&gt; z</p>\n", ""},
		{"atom text content, html summary", "f.atom",
			atomHead + `<entry><title>E</title><id>urn:e</id><summary type="html">&lt;p&gt;S &amp;amp; &lt;i&gt;s&lt;/i&gt;&lt;/p&gt;</summary><content type="text">if a &lt; b … &lt;stdio.h&gt; &amp; co</content></entry></feed>`,
			"<p>if a &lt; b … &lt;stdio.h&gt; &amp; co</p>\n", "S & s"},
		{"atom default content type is text, text summary kept", "f.atom",
			atomHead + `<entry><title>E</title><id>urn:e</id><summary>a &lt;b&gt; c</summary><content>x &amp; y</content></entry></feed>`,
			"<p>x &amp; y</p>\n", "a <b> c"},
		{"atom html content", "f.atom",
			atomHead + `<entry><title>E</title><id>urn:e</id><content type="html">&lt;p&gt;E &lt;b&gt;b&lt;/b&gt;&lt;/p&gt;</content></entry></feed>`,
			"<p>E <b>b</b></p>", ""},
		{"atom xhtml content", "f.atom",
			atomHead + `<entry><title>E</title><id>urn:e</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>X</p></div></content></entry></feed>`,
			"<p>X</p>", ""},
		{"atom html summary alone is the content", "f.atom",
			atomHead + `<entry><title>E</title><id>urn:e</id><summary type="html">&lt;p&gt;S&lt;/p&gt;</summary></entry></feed>`,
			"<p>S</p>", ""},
		{"rss description is html", "f.rss",
			rssHead + `<item><title>T</title><description>&lt;p&gt;a &lt;b&gt;b&lt;/b&gt;&lt;/p&gt;</description></item></channel></rss>`,
			"<p>a <b>b</b></p>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustParseOne(t, tt.path, tt.in)
			if a.ContentHTML != tt.wantContent || a.Summary != tt.wantSumm {
				t.Fatalf("content_html=%q summary=%q, want %q and %q", a.ContentHTML, a.Summary, tt.wantContent, tt.wantSumm)
			}
		})
	}
}

// TestParseFeedHTMLTitle: an Atom title of type html or xhtml is reduced
// to its text (RFC 4287 3.1.1.2) rather than kept as markup, which gave
// "<b>Bold</b> &amp; Co" and the slug b-bold-b-amp-co. Text titles, and
// RSS titles, are kept as written.
func TestParseFeedHTMLTitle(t *testing.T) {
	tests := []struct{ name, path, in, want string }{
		{"atom html", "f.atom", atomHead + `<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; Co</title><id>urn:e</id></entry></feed>`, "Bold & Co"},
		{"atom xhtml", "f.atom", atomHead + `<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Bold</b> &amp; Co</div></title><id>urn:e</id></entry></feed>`, "Bold & Co"},
		{"atom html with a stray <", "f.atom", atomHead + `<entry><title type="html">a &lt; b &amp;amp; c</title><id>urn:e</id></entry></feed>`, "a < b & c"},
		{"atom text", "f.atom", atomHead + `<entry><title type="text">Using &lt;stdio.h&gt; &amp; co</title><id>urn:e</id></entry></feed>`, "Using <stdio.h> & co"},
		{"atom default type", "f.atom", atomHead + `<entry><title>a &lt;b&gt;</title><id>urn:e</id></entry></feed>`, "a <b>"},
		{"rss", "f.rss", rssHead + `<item><title>Using &lt;stdio.h&gt;</title><description>d</description></item></channel></rss>`, "Using <stdio.h>"},
		{"json", "f.feed.json", jsonFeedHead + `{"id": "1", "title": "a <b> c", "content_html": "x"}]}`, "a <b> c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := mustParseOne(t, tt.path, tt.in); a.Title != tt.want {
				t.Fatalf("title=%q, want %q", a.Title, tt.want)
			}
		})
	}
	// Entries are matched by position: an html title in the second entry
	// is not applied to the first.
	got := mustParse(t, "f.atom", atomHead+`<entry><title>&lt;i&gt;</title><id>urn:1</id></entry><entry><title type="html">&lt;i&gt;x&lt;/i&gt;</title><id>urn:2</id></entry></feed>`)
	if len(got) != 2 || got[0].Title != "<i>" || got[1].Title != "x" {
		t.Fatalf("titles of two entries: %q, %q, want %q and %q", got[0].Title, got[1].Title, "<i>", "x")
	}
}

// TestParseFeedUntitledItem: an item without a title is named from its
// text, else its link, instead of failing with "title is required".
func TestParseFeedUntitledItem(t *testing.T) {
	tests := []struct{ name, path, in, want string }{
		{"rss description", "f.rss", rssHead + `<item><link>https://example.org/1</link><description>&lt;p&gt;Went to the market this morning and bought far too many apples, then walked home in the rain.&lt;/p&gt;</description></item></channel></rss>`,
			"Went to the market this morning and bought far too many apples, then walked home…"},
		{"rss first sentence", "f.rss", rssHead + `<item><description>The harbour froze over last night. Nobody remembers the last time it did, and the ferries stayed in.</description></item></channel></rss>`,
			"The harbour froze over last night."},
		{"json content_text", "f.feed.json", jsonFeedHead + `{"id": "1", "content_text": "Short note <3"}]}`, "Short note <3"},
		{"json summary first", "f.feed.json", jsonFeedHead + `{"id": "1", "summary": "The summary", "content_html": "<p>The content</p>"}]}`, "The summary"},
		{"json link only", "f.feed.json", jsonFeedHead + `{"id": "1", "url": "https://example.org/posts/42/"}]}`, "example.org/posts/42"},
		{"rss enclosure only", "f.rss", rssHead + `<item><enclosure url="https://example.org/ep%201.mp3" type="audio/mpeg" length="1"/></item></channel></rss>`, "example.org/ep 1.mp3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := mustParseOne(t, tt.path, tt.in); a.Title != tt.want {
				t.Fatalf("title=%q, want %q", a.Title, tt.want)
			}
		})
	}
}

func TestDerivedTitle(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct{ text, link, want string }{
		{"", "", ""},
		{"  Just   this  ", "https://x.org/", "Just this"},
		{"Dr. Smith went to Washington and stayed for a very long time, longer than anyone expected of him.", "",
			"Dr. Smith went to Washington and stayed for a very long time, longer than anyone…"},
		{"Is it spring already? The crocuses think so.", "", "Is it spring already?"},
		{long, "", strings.TrimSpace(strings.Repeat("word ", 16)) + "…"},
		{strings.Repeat("x", 100), "", strings.Repeat("x", 80) + "…"},
		{"", "https://example.org/?p=12", "example.org?p=12"},
		{"", "not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := derivedTitle(tt.text, tt.link); got != tt.want {
			t.Errorf("derivedTitle(%q, %q)=%q, want %q", tt.text, tt.link, got, tt.want)
		}
	}
}

// TestParseFeedAttachmentDuration: a JSON Feed attachment's
// duration_in_seconds becomes its enclosure's duration, rounded; it was
// dropped.
func TestParseFeedAttachmentDuration(t *testing.T) {
	a := mustParseOne(t, "f.feed.json", jsonFeedHead+`{"id": "1", "title": "T", "content_html": "x", "attachments": [
  {"url": "https://example.org/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 10, "duration_in_seconds": 754},
  {"url": "https://example.org/b.mp3", "mime_type": "audio/mpeg", "duration_in_seconds": 12.6},
  {"url": "https://example.org/c.mp3", "mime_type": "audio/mpeg", "duration_in_seconds": "90"},
  {"url": "https://example.org/d.mp3", "mime_type": "audio/mpeg"}]}]}`)
	var got []int64
	for _, e := range a.Enclosures {
		got = append(got, e.Duration)
	}
	if want := []int64{754, 13, 90, 0}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("durations=%v, want %v", got, want)
	}
	if a.Enclosures[0].Length != 10 {
		t.Errorf("length=%d, want 10", a.Enclosures[0].Length)
	}
}

// TestParseFeedBadDate: an item whose date cannot be read fails alone,
// named by index and field, instead of being dated at the time of the
// import; the other items are returned in place.
func TestParseFeedBadDate(t *testing.T) {
	tests := []struct{ name, path, in, wantText string }{
		{"rss pubDate", "f.rss", rssHead + `<item><title>Good</title><pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate></item><item><title>Bad</title><pubDate>sometime next week</pubDate></item></channel></rss>`,
			`pubDate "sometime next week" is not an RFC 822 date`},
		{"atom published", "f.atom", atomHead + `<entry><title>Good</title><id>urn:1</id><published>2026-02-02T10:00:00Z</published></entry><entry><title>Bad</title><id>urn:2</id><published>soon</published></entry></feed>`,
			`published "soon" is not an RFC 3339 date`},
		{"json date_published", "f.feed.json", jsonFeedHead + `{"id": "1", "title": "Good", "content_html": "x", "date_published": "2026-02-02T10:00:00Z"}, {"id": "2", "title": "Bad", "content_html": "x", "date_published": "soon"}]}`,
			`date_published "soon" is not an RFC 3339 date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arts, err := ParseFile(tt.path, []byte(tt.in))
			var failed ArticleErrors
			if !errors.As(err, &failed) || len(failed) != 1 || failed[0].Index != 1 {
				t.Fatalf("err=%v, want ArticleErrors for item 1", err)
			}
			var pe *ParseError
			if !errors.As(failed[0].Err, &pe) || pe.Field != "[1].published_at" || !strings.Contains(pe.Msg, tt.wantText) || !strings.Contains(pe.Msg, `"Bad"`) {
				t.Fatalf("error %v, want field [1].published_at and a message naming the item and containing %q", failed[0].Err, tt.wantText)
			}
			if len(arts) != 2 || arts[1] != nil || arts[0] == nil || !arts[0].PublishedAt.Equal(time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)) {
				t.Fatalf("articles %v, want the good item dated 2026-02-02T10:00Z and nil for the bad one", arts)
			}
		})
	}
}

// TestImportFeedItems runs an import of a feed holding an untitled item
// (imported under a derived title, not failed with "title is required")
// and one with an unreadable date (reported as a failure naming it, not
// imported as of now).
func TestImportFeedItems(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"old.rss": rssHead +
		`<item><link>https://example.org/note</link><description>A note without a title.</description><pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate></item>` +
		`<item><title>Dated badly</title><link>https://example.org/bad</link><pubDate>32/13/2026</pubDate></item></channel></rss>`})
	sink := newMemSink()
	out, sum, err := runImport(t, sink, dir, []string{dir}, Options{})
	if !errors.Is(err, ErrFailed) || sum.Created != 1 || sum.Failed != 1 {
		t.Fatalf("summary %+v, err %v, want 1 created and 1 failed\n%s", sum, err, out)
	}
	want := "created   DIR/old.rss (a-note-without-a-title)\n" +
		`failed    DIR/old.rss: [1].published_at: pubDate "32/13/2026" is not an RFC 822 date such as "Mon, 02 Feb 2026 10:00:00 GMT" (item "Dated badly")` + "\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("output\n%s\nwant it to start with\n%s", out, want)
	}
	if a := sink.articles["a-note-without-a-title"]; a == nil || a.Title != "A note without a title." {
		t.Fatalf("stored %+v, want the note titled by its text", a)
	}
}
