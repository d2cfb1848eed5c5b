package importer

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/sanitize"
)

// parseFeed reads an existing RSS, Atom or JSON Feed document, one article
// per item, so that a site moving to Herald can bring its archive along.
//
// The mapping: title, link (resolved against the feed's link when
// relative), content (else the description) as content_html and then the
// description as a plain-text summary, authors (the feed's when the item
// names none; an email that is no bare address is dropped, feedAuthor),
// categories, the feed's language (dropped when it is no valid language
// tag, feedLanguage), the item image, enclosures (with a JSON Feed
// attachment's duration, or the iTunes duration on the first), and the
// published (else updated) time. The slug is left empty so the Sink
// derives it from the title, which is stable across re-imports of the
// same feed.
//
// Each text is read as what its format says it is. HTML (RSS description
// and content:encoded, Atom type="html" or "xhtml", JSON Feed
// content_html) is taken as the feed's publisher wrote it, as content_html
// posted through the API is: importing a feed is a publisher's decision.
// Plain text (Atom's default type="text", JSON Feed content_text) becomes
// escaped paragraphs as a .txt file's body does, and a plain-text summary
// (Atom text, JSON Feed summary) is kept as written, since Herald's summary
// is plain text; an HTML summary is reduced to its text. An Atom HTML
// title is reduced to its text (RFC 4287 3.1.1.2). RSS titles are kept as
// written: RSS says nothing of markup in titles, and a title such as
// "Including <stdio.h>" is far more common in RSS than one escaping tags
// it means as markup, and losing words silently is worse than showing a
// tag.
//
// An item without a title (RSS needs only a title or a description, and
// JSON Feed titles are optional) is named by derivedTitle. An item whose
// date is present but unreadable fails alone, named by its index and
// published_at, as an element of a JSON array with a bad date does,
// rather than being dated at the time of the import.
func parseFeed(path string, data []byte) ([]*herald.Article, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, &ParseError{Path: path, Msg: "not a readable RSS, Atom or JSON feed", Err: err}
	}
	kinds := readItemKinds(feed.FeedType, data)
	base, _ := url.Parse(feed.Link)
	out := make([]*herald.Article, len(feed.Items))
	var failed ArticleErrors
	for i, it := range feed.Items {
		var k itemKinds
		if i < len(kinds) {
			k = kinds[i]
		}
		a := feedArticle(feed, base, it, k)
		date, msg := itemDate(feed.FeedType, it)
		if msg != "" {
			if a.Title != "" {
				msg += fmt.Sprintf(" (item %q)", a.Title)
			}
			failed = append(failed, ArticleError{Index: i, Err: &ParseError{Path: path, Field: joinField(index(i), "published_at"), Msg: msg}})
			continue
		}
		a.PublishedAt = date
		out[i] = a
	}
	if failed != nil {
		return out, failed
	}
	return out, nil
}

// feedArticle maps one item, all but its date.
func feedArticle(feed *gofeed.Feed, base *url.URL, it *gofeed.Item, k itemKinds) *herald.Article {
	a := &herald.Article{
		URL:        resolveLink(base, it.Link),
		Categories: append([]string(nil), it.Categories...),
		Language:   feedLanguage(feed.Language),
	}
	if it.Content != "" {
		a.ContentHTML = asHTML(it.Content, k.contentText)
		if k.summaryText {
			a.Summary = strings.TrimSpace(it.Description)
		} else {
			a.Summary = sanitize.Text(it.Description)
		}
	} else {
		a.ContentHTML = asHTML(it.Description, k.summaryText)
	}
	people := it.Authors
	if len(people) == 0 {
		people = feed.Authors
	}
	for _, p := range people {
		if au, ok := feedAuthor(p, feed.FeedType == "rss"); ok {
			a.Authors = append(a.Authors, au)
		}
	}
	if it.Image != nil {
		a.Image = resolveLink(base, it.Image.URL)
	}
	for j, e := range it.Enclosures {
		if e == nil {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(e.Length), 10, 64) // an unknown or malformed length is 0, "unknown"
		enc := herald.Enclosure{URL: resolveLink(base, e.URL), Type: e.Type, Length: n}
		if j < len(k.durations) {
			enc.Duration = k.durations[j]
		}
		a.Enclosures = append(a.Enclosures, enc)
	}
	if it.ITunesExt != nil && len(a.Enclosures) > 0 {
		if d, err := parseDuration(strings.TrimSpace(it.ITunesExt.Duration)); err == nil {
			a.Enclosures[0].Duration = d
		}
	}

	title := it.Title
	if k.titleHTML {
		title = sanitize.Text(title)
	}
	a.Title = strings.TrimSpace(title)
	if a.Title == "" {
		text := a.Summary
		if text == "" {
			text = sanitize.Text(a.ContentHTML)
		}
		links := []string{a.URL}
		for _, e := range a.Enclosures {
			links = append(links, e.URL)
		}
		a.Title = derivedTitle(text, links...)
	}
	return a
}

// asHTML returns a feed text as HTML: as it is when it is HTML, as escaped
// paragraphs when it is plain text.
func asHTML(s string, isText bool) string {
	if isText {
		return textHTML(s)
	}
	return s
}

// itemDate is the item's published time, else its updated time, else zero
// (the Sink then decides, as for a text file). A date the item gives but
// gofeed cannot read is reported by the message rather than replaced by
// the time of the import, which would misdate the article for good.
func itemDate(feedType string, it *gofeed.Item) (time.Time, string) {
	switch {
	case it.PublishedParsed != nil:
		return *it.PublishedParsed, ""
	case strings.TrimSpace(it.Published) != "":
		return time.Time{}, badDate(feedType, dateElement(feedType, it, true), it.Published)
	case it.UpdatedParsed != nil:
		return *it.UpdatedParsed, ""
	case strings.TrimSpace(it.Updated) != "":
		return time.Time{}, badDate(feedType, dateElement(feedType, it, false), it.Updated)
	}
	return time.Time{}, ""
}

// dateElement names the element or field an item's date text came from,
// as the publisher will find it in the feed.
func dateElement(feedType string, it *gofeed.Item, published bool) string {
	switch feedType {
	case "rss":
		if published && it.Published != "" && (it.DublinCoreExt == nil || len(it.DublinCoreExt.Date) == 0 || it.DublinCoreExt.Date[0] != it.Published) {
			return "pubDate"
		}
		return "dc:date"
	case "json":
		if published {
			return "date_published"
		}
		return "date_modified"
	}
	// gofeed gives an Atom entry without <published> its <updated>.
	if published && it.Published != it.Updated {
		return "published"
	}
	return "updated"
}

func badDate(feedType, element, text string) string {
	example := `an RFC 3339 date such as "2026-02-02T10:00:00Z"`
	if feedType == "rss" && element == "pubDate" {
		example = `an RFC 822 date such as "Mon, 02 Feb 2026 10:00:00 GMT"`
	}
	return fmt.Sprintf("%s %q is not %s", element, strings.TrimSpace(text), example)
}

// resolveLink makes a link absolute against the feed's own link, since a
// stored article's URL must be absolute. Links that cannot be resolved are
// returned unchanged for the Sink to reject with a clear message.
func resolveLink(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.IsAbs() || base == nil || !base.IsAbs() || link == "" {
		return link
	}
	return base.ResolveReference(u).String()
}
