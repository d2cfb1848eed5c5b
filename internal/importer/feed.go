package importer

import (
	"bytes"
	"html"
	"net/url"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"

	"github.com/herald-feeds/herald/internal/herald"
)

// parseFeed reads an existing RSS, Atom or JSON Feed document, one article
// per item, so that a site moving to Herald can bring its archive along.
//
// The mapping: title, link (resolved against the feed's link when
// relative), content (else the description) as content_html and then the
// description as a plain-text summary, authors (the feed's when the item
// names none), categories, the feed's language, the item image, enclosures
// with the iTunes duration on the first, and the published (else updated)
// time. The slug is left empty so the Sink derives it from the title, which
// is stable across re-imports of the same feed.
//
// Item HTML is taken as the feed's publisher wrote it, as content_html
// posted through the API is: importing a feed is a publisher's decision.
func parseFeed(path string, data []byte) ([]*herald.Article, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, &ParseError{Path: path, Msg: "not a readable RSS, Atom or JSON feed", Err: err}
	}
	base, _ := url.Parse(feed.Link)
	out := make([]*herald.Article, 0, len(feed.Items))
	for _, it := range feed.Items {
		a := &herald.Article{
			Title:      strings.TrimSpace(it.Title),
			URL:        resolveLink(base, it.Link),
			Categories: append([]string(nil), it.Categories...),
			Language:   feed.Language,
		}
		if it.Content != "" {
			a.ContentHTML = it.Content
			a.Summary = plainText(it.Description)
		} else {
			a.ContentHTML = it.Description
		}
		people := it.Authors
		if len(people) == 0 {
			people = feed.Authors
		}
		for _, p := range people {
			if p == nil {
				continue
			}
			// RSS often gives only an address; it stands in for the name,
			// which the API requires.
			name := p.Name
			if name == "" {
				name = p.Email
			}
			if name != "" {
				a.Authors = append(a.Authors, herald.Author{Name: name, Email: p.Email})
			}
		}
		if it.Image != nil {
			a.Image = resolveLink(base, it.Image.URL)
		}
		for _, e := range it.Enclosures {
			if e == nil {
				continue
			}
			n, _ := strconv.ParseInt(strings.TrimSpace(e.Length), 10, 64) // an unknown or malformed length is 0, "unknown"
			a.Enclosures = append(a.Enclosures, herald.Enclosure{URL: resolveLink(base, e.URL), Type: e.Type, Length: n})
		}
		if it.ITunesExt != nil && len(a.Enclosures) > 0 {
			if d, err := parseDuration(strings.TrimSpace(it.ITunesExt.Duration)); err == nil {
				a.Enclosures[0].Duration = d
			}
		}
		switch {
		case it.PublishedParsed != nil:
			a.PublishedAt = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			a.PublishedAt = *it.UpdatedParsed
		}
		out = append(out, a)
	}
	return out, nil
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

// plainText reduces an HTML fragment to its text with whitespace collapsed.
func plainText(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(stripTags(s))), " ")
}
