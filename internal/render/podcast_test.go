package render

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	ext "github.com/mmcdole/gofeed/extensions"
	gofeedjson "github.com/mmcdole/gofeed/json"

	"github.com/herald-feeds/herald/internal/herald"
)

// extValue returns the text and attributes of the first element name of
// namespace prefix ns among exts.
func extValue(exts ext.Extensions, ns, name string) (string, map[string]string) {
	if list := exts[ns][name]; len(list) > 0 {
		return list[0].Value, list[0].Attrs
	}
	return "", nil
}

// TestRoundTripPodcastRSS reads a show's RSS back with gofeed, through its
// iTunes extension and its generic extension map for the podcast
// namespace, and checks every show and episode field came through.
func TestRoundTripPodcastRSS(t *testing.T) {
	ch, articles := showChannel(herald.FormatRSS), showArticles()
	show := ch.Podcast
	feed := parse(t, mustRender(t, herald.FormatRSS, ch, articles))
	checkFeed(t, feed, ch, len(articles))
	if feed.Image == nil || feed.Image.URL != show.ImageURL {
		t.Errorf("channel image=%+v, want %q", feed.Image, show.ImageURL)
	}
	it := feed.ITunesExt
	if it == nil {
		t.Fatalf("no iTunes channel elements")
	}
	checkString(t, "itunes:author", it.Author, show.Author)
	checkString(t, "itunes:image", it.Image, show.ImageURL)
	checkString(t, "itunes:explicit", it.Explicit, "false")
	checkString(t, "itunes:type", it.Type, show.Type)
	if it.Owner == nil || it.Owner.Name != show.OwnerName || it.Owner.Email != show.OwnerEmail {
		t.Errorf("itunes:owner=%+v, want %s <%s>", it.Owner, show.OwnerName, show.OwnerEmail)
	}
	if len(it.Categories) != 1 || it.Categories[0].Text != show.Category {
		t.Errorf("itunes:category=%+v, want %q", it.Categories, show.Category)
	}
	guid, _ := extValue(feed.Extensions, "podcast", "guid")
	checkString(t, "podcast:guid", guid, show.GUID)
	locked, attrs := extValue(feed.Extensions, "podcast", "locked")
	checkString(t, "podcast:locked", locked, "yes")
	checkString(t, "podcast:locked owner", attrs["owner"], show.OwnerEmail)
	funding, attrs := extValue(feed.Extensions, "podcast", "funding")
	checkString(t, "podcast:funding", funding, show.FundingText)
	checkString(t, "podcast:funding url", attrs["url"], show.FundingURL)

	for i, item := range feed.Items {
		a := articles[i]
		checkItem(t, item, wantOf(ch, a))
		ie := item.ITunesExt
		if ie == nil {
			t.Fatalf("item %d has no iTunes elements", i)
		}
		num := func(n int) string {
			if n == 0 {
				return ""
			}
			return strconv.Itoa(n)
		}
		checkString(t, "itunes:episode", ie.Episode, num(a.Episode))
		checkString(t, "itunes:season", ie.Season, num(a.Season))
		checkString(t, "itunes:episodeType", ie.EpisodeType, a.EpisodeType)
		checkString(t, "itunes:image", ie.Image, a.Image)
		var wantDuration string
		if enc, ok := rssEnclosure(a.Enclosures, true); ok {
			wantDuration = strconv.FormatInt(enc.Duration, 10)
			checkEnclosures(t, "enclosure", item.Enclosures, []herald.Enclosure{enc})
		}
		checkString(t, "itunes:duration", ie.Duration, wantDuration)
		_, tr := extValue(item.Extensions, "podcast", "transcript")
		checkString(t, "podcast:transcript url", tr["url"], a.TranscriptURL)
		checkString(t, "podcast:transcript type", tr["type"], a.TranscriptType)
		_, chap := extValue(item.Extensions, "podcast", "chapters")
		checkString(t, "podcast:chapters url", chap["url"], a.ChaptersURL)
		if a.ChaptersURL != "" {
			checkString(t, "podcast:chapters type", chap["type"], "application/json+chapters")
		}
	}
	// The episode offered as Ogg and MP3 is listed by its MP3, the one
	// Apple Podcasts plays.
	if got := feed.Items[0].Enclosures[0].URL; !strings.HasSuffix(got, ".mp3") {
		t.Errorf("enclosure=%q, want the .mp3", got)
	}
}

// TestPodcastNamespaces checks the exact namespace URIs Apple and
// podcastindex.org define; a typo would make apps ignore every element.
func TestPodcastNamespaces(t *testing.T) {
	out := mustRender(t, herald.FormatRSS, showChannel(herald.FormatRSS), showArticles())
	var root struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	if err := xml.Unmarshal(out, &root); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range root.Attrs {
		if a.Name.Space == "xmlns" {
			got[a.Name.Local] = a.Value
		}
	}
	for prefix, uri := range map[string]string{
		"itunes":  "http://www.itunes.com/dtds/podcast-1.0.dtd",
		"podcast": "https://podcastindex.org/namespace/1.0",
		"atom":    "http://www.w3.org/2005/Atom",
		"content": "http://purl.org/rss/1.0/modules/content/",
	} {
		if got[prefix] != uri {
			t.Errorf("xmlns:%s=%q, want %q", prefix, got[prefix], uri)
		}
	}
	// A feed that is not a show declares neither: the W3C validator
	// expects the whole set of iTunes channel elements once it sees one.
	plain := string(mustRender(t, herald.FormatRSS, siteChannel(herald.FormatRSS), sampleArticles()))
	if strings.Contains(plain, "itunes") || strings.Contains(plain, "podcast:") {
		t.Errorf("site feed mentions itunes or podcast elements:\n%s", plain)
	}
}

// TestPodcastSubcategoryNested checks Apple's nesting of a subcategory
// inside its category.
func TestPodcastSubcategoryNested(t *testing.T) {
	ch := showChannel(herald.FormatRSS)
	ch.Podcast.Category, ch.Podcast.Subcategory = "Society & Culture", "Documentary"
	feed := parse(t, mustRender(t, herald.FormatRSS, ch, showArticles()))
	cats := feed.ITunesExt.Categories
	if len(cats) != 1 || cats[0].Text != "Society & Culture" || cats[0].Subcategory == nil || cats[0].Subcategory.Text != "Documentary" {
		t.Fatalf("itunes:category=%+v, want Society & Culture > Documentary", cats)
	}
}

// TestPodcastEpisodesInAtomAndJSON checks that episodes reach Atom as
// rel="enclosure" links and JSON Feed as attachments, all of them.
func TestPodcastEpisodesInAtomAndJSON(t *testing.T) {
	for _, f := range []herald.Format{herald.FormatAtom, herald.FormatJSON} {
		ch, articles := showChannel(f), showArticles()
		feed := parse(t, mustRender(t, f, ch, articles))
		for i, it := range feed.Items {
			checkEnclosures(t, string(f)+" enclosures", it.Enclosures, articles[i].Enclosures)
		}
		if feed.Image == nil || feed.Image.URL != ch.Podcast.ImageURL {
			t.Errorf("%s image=%+v, want the show artwork as icon", f, feed.Image)
		}
		// The show's author, as RSS's itunes:author names it, not the
		// site's.
		if len(feed.Authors) != 1 || feed.Authors[0].Name != ch.Podcast.Author {
			t.Errorf("%s feed authors %+v, want the show's author %q", f, feed.Authors, ch.Podcast.Author)
		}
	}
}

// TestRoundTripPaging reads the RFC 5005 links of an archive page back in
// every format.
func TestRoundTripPaging(t *testing.T) {
	for _, f := range herald.Formats {
		t.Run(string(f), func(t *testing.T) {
			ch := pagedChannel(f)
			p := ch.Paging
			out := mustRender(t, f, ch, sampleArticles())
			feed := parse(t, out)
			if f == herald.FormatJSON {
				checkString(t, "next_url", feed.OriginalFeed().(*gofeedjson.Feed).NextURL, p.Next)
				checkString(t, "feed_url", feed.FeedLink, p.Current)
				return
			}
			got := linkRels(t, out)
			want := map[string]string{
				"self": ch.FeedURL, "first": p.First, "last": p.Last, "next": p.Next, "previous": p.Previous,
				"current": p.Current, "prev-archive": p.PrevArchive,
			}
			for rel, href := range want {
				checkString(t, "link rel="+rel, got[rel], href)
			}
			if _, ok := got["next-archive"]; ok {
				t.Errorf("next-archive link present, want none (empty in the channel)")
			}
			if !strings.Contains(string(out), "<fh:archive></fh:archive>") {
				t.Errorf("archive page lacks fh:archive")
			}
		})
	}
}

// linkRels maps the rel of every feed-level Atom link (atom:link in an RSS
// channel, link in an Atom feed) to its href.
func linkRels(t *testing.T, out []byte) map[string]string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	got := map[string]string{}
	var stack []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if tok.Name.Space == nsAtom && tok.Name.Local == "link" && (parent == "channel" || parent == "feed") {
				var rel, href string
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "rel":
						rel = a.Value
					case "href":
						href = a.Value
					}
				}
				if _, dup := got[rel]; dup && rel != "alternate" {
					t.Errorf("two links with rel=%q", rel)
				}
				got[rel] = href
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return got
}

// TestPodcastEnclosureAndArtChoice: a show's RSS item carries the first
// enclosure Apple Podcasts plays, known by its extension or, when its URL
// has none, by its media type (with that enclosure's duration); and an
// episode image only when it is JPEG or PNG, as Apple requires of art.
func TestPodcastEnclosureAndArtChoice(t *testing.T) {
	ch := showChannel(herald.FormatRSS)
	base := showArticles()[0]
	played, other := *base, *base
	played.Enclosures = []herald.Enclosure{
		{URL: "https://cdn.example.com/e2.ogg", Type: "audio/ogg", Length: 100},
		{URL: "https://cdn.example.com/play/e2", Type: "audio/mpeg", Length: 200, Duration: 60},
	}
	played.Image = "https://news.example.com/img/ep2.webp"
	out := string(mustRender(t, herald.FormatRSS, ch, []*herald.Article{&played}))
	if !strings.Contains(out, `url="https://cdn.example.com/play/e2"`) || strings.Contains(out, "e2.ogg") {
		t.Errorf("enclosure: want the audio/mpeg one without an extension, got:\n%s", between(out, "<enclosure", "/>"))
	}
	if !strings.Contains(out, "<itunes:duration>60</itunes:duration>") {
		t.Errorf("no itunes:duration of the chosen enclosure")
	}
	if strings.Contains(out, `<itunes:image href="https://news.example.com/img/ep2.webp"`) {
		t.Errorf("a WebP episode image is given as itunes:image")
	}
	other.Image = "https://news.example.com/img/ep2.PNG?v=2"
	if out := string(mustRender(t, herald.FormatRSS, ch, []*herald.Article{&other})); !strings.Contains(out, `<itunes:image href="https://news.example.com/img/ep2.PNG?v=2"`) {
		t.Errorf("a PNG episode image is missing from itunes:image")
	}
}

// between is the part of s from the first start to the next end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(end)]
}
