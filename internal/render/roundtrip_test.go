package render

import (
	"html"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	gofeedjson "github.com/mmcdole/gofeed/json"

	"github.com/herald-feeds/herald/internal/herald"
)

// parse reads out with gofeed, keeping the format's own feed value for the
// fields the universal one does not expose.
func parse(tb testing.TB, out []byte) *gofeed.Feed {
	tb.Helper()
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	feed, err := p.ParseString(string(out))
	if err != nil {
		tb.Fatalf("gofeed cannot parse the output: %v\n%s", err, out)
	}
	return feed
}

// want is what a reader should get back for an article: its values after
// cleaning and with the renderer's documented merges. language is the
// item's own, written only where it differs from the feed's.
type want struct {
	id, title, url, summary, content, language, image string
	authors                                           []herald.Author
	terms                                             []string
	enclosures                                        []herald.Enclosure
	published, updated                                time.Time
}

func wantOf(ch herald.Channel, a *herald.Article) want {
	w := want{
		id: "urn:uuid:" + a.ID, title: clean(a.Title), url: a.URL, summary: clean(a.Summary),
		content: clean(a.ContentHTML), language: a.Language, image: a.Image,
		authors: a.Authors, enclosures: a.Enclosures,
		published: a.PublishedAt, updated: a.UpdatedAt,
	}
	if w.updated.IsZero() {
		w.updated = w.published
	}
	if w.language == ch.Language {
		w.language = ""
	}
	seen := map[string]bool{}
	for _, n := range append(slices.Clone(a.Categories), a.Tags...) {
		if s := herald.Slugify(n); !seen[s] {
			seen[s] = true
			w.terms = append(w.terms, n)
		}
	}
	return w
}

func checkString(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s=%q, want %q", what, got, want)
	}
}

func checkTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Errorf("%s=%v, want %v", what, got, want)
	}
}

func checkStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s=%q, want %q", what, got, want)
	}
}

func checkEnclosures(t *testing.T, what string, got []*gofeed.Enclosure, want []herald.Enclosure) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d enclosures, want %d", what, len(got), len(want))
		return
	}
	for i, g := range got {
		w := want[i]
		if g.URL != w.URL || g.Type != w.Type || g.Length != strconv.FormatInt(w.Length, 10) {
			t.Errorf("%s[%d]=%+v, want %+v", what, i, *g, w)
		}
	}
}

// checkFeed checks what every format carries at the feed level.
func checkFeed(t *testing.T, feed *gofeed.Feed, ch herald.Channel, n int) {
	t.Helper()
	checkString(t, "feed title", feed.Title, ch.Title)
	checkString(t, "feed link", feed.Link, ch.SiteURL)
	checkString(t, "feed self link", feed.FeedLink, ch.FeedURL)
	checkString(t, "feed language", feed.Language, ch.Language)
	if len(feed.Items) != n {
		t.Fatalf("%d items, want %d", len(feed.Items), n)
	}
}

// checkItem checks what every format carries for an item.
func checkItem(t *testing.T, it *gofeed.Item, w want) {
	t.Helper()
	checkString(t, "guid", it.GUID, w.id)
	checkString(t, "title", it.Title, w.title)
	checkString(t, "link", it.Link, w.url)
	checkTime(t, "published", it.PublishedParsed, w.published)
	checkTime(t, "updated", it.UpdatedParsed, w.updated)
	checkStrings(t, "categories", it.Categories, w.terms)
}

func TestRoundTripRSS(t *testing.T) {
	ch, articles := siteChannel(herald.FormatRSS), sampleArticles()
	feed := parse(t, mustRender(t, herald.FormatRSS, ch, articles))
	checkFeed(t, feed, ch, len(articles))
	checkTime(t, "lastBuildDate", feed.UpdatedParsed, ch.Updated)
	checkString(t, "generator", feed.Generator, DefaultGenerator)
	checkString(t, "description", feed.Description, ch.Description)
	if feed.Author == nil || feed.Author.Email != ch.Author.Email || feed.Author.Name != ch.Author.Name {
		t.Errorf("managingEditor=%+v, want %+v", feed.Author, ch.Author)
	}
	for i, it := range feed.Items {
		w := wantOf(ch, articles[i])
		checkItem(t, it, w)
		desc := w.summary
		if desc == "" {
			desc = w.title
		}
		checkString(t, "description (HTML)", html.UnescapeString(it.Description), desc)
		checkString(t, "content:encoded", it.Content, w.content)
		var names, langs []string
		if it.DublinCoreExt != nil {
			names, langs = it.DublinCoreExt.Creator, it.DublinCoreExt.Language
		}
		// One author with an email goes to <author>; otherwise every name
		// goes to dc:creator and no <author> is written. An article
		// without authors names the site's.
		authors := w.authors
		if len(authors) == 0 && ch.Author.Name != "" {
			authors = []herald.Author{ch.Author}
		}
		var wantNames []string
		var wantAuthor *herald.Author
		if len(authors) == 1 && authors[0].Email != "" {
			wantAuthor = &authors[0]
		} else {
			for _, a := range authors {
				wantNames = append(wantNames, clean(a.Name))
			}
		}
		checkStrings(t, "dc:creator", names, wantNames)
		rawAuthor := it.Author
		if it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0 {
			rawAuthor = nil // gofeed fills Author from dc:creator too
		}
		switch {
		case wantAuthor == nil && rawAuthor != nil:
			t.Errorf("author=%+v, want none", rawAuthor)
		case wantAuthor != nil && (rawAuthor == nil || rawAuthor.Email != wantAuthor.Email || rawAuthor.Name != clean(wantAuthor.Name)):
			t.Errorf("author=%+v, want %+v", rawAuthor, wantAuthor)
		}
		var wantLangs []string
		if w.language != "" {
			wantLangs = []string{w.language}
		}
		checkStrings(t, "dc:language", langs, wantLangs)
		checkEnclosures(t, "enclosures", it.Enclosures, w.enclosures[:min(len(w.enclosures), 1)])
		if it.ITunesExt != nil {
			t.Errorf("itunes elements %+v in a feed that is not a podcast show", it.ITunesExt)
		}
		if w.image != "" && (it.Image == nil || it.Image.URL != w.image) {
			t.Errorf("image=%+v, want %q", it.Image, w.image)
		}
	}
}

func TestRoundTripAtom(t *testing.T) {
	ch, articles := siteChannel(herald.FormatAtom), sampleArticles()
	feed := parse(t, mustRender(t, herald.FormatAtom, ch, articles))
	checkFeed(t, feed, ch, len(articles))
	checkTime(t, "updated", feed.UpdatedParsed, ch.Updated)
	checkString(t, "generator", feed.Generator, DefaultGenerator)
	checkString(t, "subtitle", feed.Description, ch.Description)
	orig := feed.OriginalFeed().(*atom.Feed)
	checkString(t, "id", orig.ID, ch.FeedURL)
	if len(orig.Authors) != 1 || *orig.Authors[0] != (atom.Person{Name: ch.Author.Name, Email: ch.Author.Email, URI: ch.Author.URL}) {
		t.Errorf("feed authors=%+v, want %+v", orig.Authors, ch.Author)
	}
	for i, it := range feed.Items {
		w := wantOf(ch, articles[i])
		checkItem(t, it, w)
		summary := w.summary
		if summary == "" && w.content == "" {
			summary = w.title // the fallback that keeps an entry from being empty
		}
		checkString(t, "summary", it.Description, summary)
		checkString(t, "content", it.Content, w.content)
		entry := orig.Entries[i]
		if len(entry.Authors) != len(w.authors) {
			t.Errorf("%d authors, want %d", len(entry.Authors), len(w.authors))
		} else {
			for j, a := range w.authors {
				wa := atom.Person{Name: clean(a.Name), Email: a.Email, URI: a.URL}
				if *entry.Authors[j] != wa {
					t.Errorf("author %d=%+v, want %+v", j, *entry.Authors[j], wa)
				}
			}
		}
		checkEnclosures(t, "enclosures", it.Enclosures, w.enclosures)
		var image string
		if m := entry.Extensions["media"]["content"]; len(m) > 0 {
			image = m[0].Attrs["url"]
		}
		checkString(t, "media:content", image, w.image)
	}
}

func TestRoundTripJSON(t *testing.T) {
	ch, articles := siteChannel(herald.FormatJSON), sampleArticles()
	feed := parse(t, mustRender(t, herald.FormatJSON, ch, articles))
	checkFeed(t, feed, ch, len(articles))
	checkString(t, "version", feed.FeedVersion, "https://jsonfeed.org/version/1.1")
	checkString(t, "description", feed.Description, ch.Description)
	if len(feed.Authors) != 1 || feed.Authors[0].Name != ch.Author.Name {
		t.Errorf("feed authors=%+v, want [%s]", feed.Authors, ch.Author.Name)
	}
	orig := feed.OriginalFeed().(*gofeedjson.Feed)
	for i, it := range feed.Items {
		w := wantOf(ch, articles[i])
		checkItem(t, it, w)
		checkString(t, "summary", it.Description, w.summary)
		content := w.content
		if content == "" {
			content = w.title // content_text fallback for a bare article
		}
		checkString(t, "content", it.Content, content)
		var names []string
		for _, a := range it.Authors {
			names = append(names, a.Name)
		}
		var wantNames []string
		for _, a := range w.authors {
			wantNames = append(wantNames, clean(a.Name))
		}
		checkStrings(t, "authors", names, wantNames)
		checkEnclosures(t, "attachments", it.Enclosures, w.enclosures)
		item := orig.Items[i]
		checkString(t, "language", item.Language, w.language)
		if len(w.enclosures) > 0 {
			if got := (*item.Attachments)[0].DurationInSeconds; got != w.enclosures[0].Duration {
				t.Errorf("duration_in_seconds=%d, want %d", got, w.enclosures[0].Duration)
			}
		}
		var image string
		if it.Image != nil {
			image = it.Image.URL
		}
		checkString(t, "image", image, w.image)
	}
}
