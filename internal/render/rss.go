package render

import (
	"html"
	"strconv"
	"time"

	"github.com/gorilla/feeds"

	"github.com/herald-feeds/herald/internal/herald"
)

// Namespaces of the extensions our feeds use.
const (
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsMedia   = "http://search.yahoo.com/mrss/"
	nsITunes  = "http://www.itunes.com/dtds/podcast-1.0.dtd"
)

// rssDoc is gorilla's <rss> root declaring the extra namespaces. Media and
// iTunes are declared only when an item uses them.
type rssDoc struct {
	feeds.RssFeedXml
	DCNamespace     string      `xml:"xmlns:dc,attr"`
	AtomNamespace   string      `xml:"xmlns:atom,attr"`
	MediaNamespace  string      `xml:"xmlns:media,attr,omitempty"`
	ITunesNamespace string      `xml:"xmlns:itunes,attr,omitempty"`
	Channel         *rssChannel `xml:"channel"`
}

// rssChannel adds the self link, which feed readers use to find the feed's
// canonical address, and our items.
type rssChannel struct {
	feeds.RssFeed
	SelfLink rssAtomLink `xml:"atom:link"`
	Items    []*rssItem  `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// rssItem adds to gorilla's item what RSS 2.0 can only say through
// extensions or repeated elements. Link shadows gorilla's to omit an empty
// one; Categories shadows its single category.
type rssItem struct {
	feeds.RssItem
	Link       string        `xml:"link,omitempty"`
	Categories []string      `xml:"category"`
	Creators   []string      `xml:"dc:creator"`
	Language   string        `xml:"dc:language,omitempty"`
	Updated    string        `xml:"atom:updated,omitempty"`
	Duration   string        `xml:"itunes:duration,omitempty"`
	Image      *mediaContent `xml:"media:content"`
}

// mediaContent is a Media RSS image, the way RSS and Atom items name their
// picture most readers understand.
type mediaContent struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
}

func (r *Renderer) rss(c channel, entries []entry) *rssDoc {
	ch := &rssChannel{
		RssFeed: feeds.RssFeed{
			Title:          c.title,
			Link:           c.link,
			Description:    or(c.description, c.title), // required, never empty
			Language:       c.language,
			ManagingEditor: rssPerson(c.author),
			LastBuildDate:  c.updated.Format(time.RFC1123Z),
			Category:       c.category,
			Generator:      r.generatorName(),
			Ttl:            c.ttl,
		},
		SelfLink: rssAtomLink{Href: c.feedURL, Rel: "self", Type: "application/rss+xml"},
		Items:    make([]*rssItem, len(entries)),
	}
	doc := &rssDoc{
		RssFeedXml:    feeds.RssFeedXml{Version: "2.0", ContentNamespace: nsContent},
		DCNamespace:   nsDC,
		AtomNamespace: nsAtom,
		Channel:       ch,
	}
	// One allocation for all items and one for all their creators, rather
	// than several small objects per item.
	parts := make([]rssParts, len(entries))
	var nAuthors int
	for i := range entries {
		nAuthors += len(entries[i].authors)
	}
	creators := make([]string, nAuthors)
	for i := range entries {
		e := &entries[i]
		it := parts[i].fill(e)
		if n := len(e.authors); n > 0 {
			it.Creators, creators = creators[:n:n], creators[n:]
			for j, a := range e.authors {
				it.Creators[j] = a.Name
			}
		}
		if it.Image != nil {
			doc.MediaNamespace = nsMedia
		}
		if it.Duration != "" {
			doc.ITunesNamespace = nsITunes
		}
		ch.Items[i] = it
	}
	return doc
}

// rssParts is an item together with the values its pointer fields point
// to, so that they share one allocation.
type rssParts struct {
	item      rssItem
	guid      feeds.RssGuid
	content   feeds.RssContent
	enclosure feeds.RssEnclosure
	image     mediaContent
}

// fill sets p.item from e, except the creators, and returns it.
func (p *rssParts) fill(e *entry) *rssItem {
	it := &p.item
	it.Title = e.title
	it.Description = rssDescription(e)
	p.guid = feeds.RssGuid{Id: e.id, IsPermaLink: "false"}
	it.Guid = &p.guid
	it.Link = e.url
	it.Categories = e.terms
	it.Language = e.language
	if e.content != "" {
		p.content.Content = e.content
		it.Content = &p.content
	}
	if !e.published.IsZero() {
		it.PubDate = e.published.Format(time.RFC1123Z)
	} else if !e.updated.IsZero() {
		it.PubDate = e.updated.Format(time.RFC1123Z)
	}
	if !e.updated.IsZero() {
		it.Updated = e.updated.Format(time.RFC3339)
	}
	// <author> holds one address; the first author with an email gets it,
	// and dc:creator names them all.
	for _, a := range e.authors {
		if it.Author = rssPerson(a); it.Author != "" {
			break
		}
	}
	// RSS readers disagree on several enclosures per item, so only the
	// first goes out here; Atom and JSON Feed carry them all.
	if len(e.enclosures) > 0 {
		enc := e.enclosures[0]
		p.enclosure = feeds.RssEnclosure{Url: enc.URL, Type: enc.Type, Length: strconv.FormatInt(enc.Length, 10)}
		it.Enclosure = &p.enclosure
		if enc.Duration > 0 {
			it.Duration = strconv.FormatInt(enc.Duration, 10)
		}
	}
	if e.image != "" {
		p.image = mediaContent{URL: e.image, Medium: "image"}
		it.Image = &p.image
	}
	return it
}

// rssDescription is the item's HTML description: the plain-text summary
// escaped, else the content, else the escaped title, so the element is
// never empty.
func rssDescription(e *entry) string {
	switch {
	case e.summary != "":
		return html.EscapeString(e.summary)
	case e.content != "":
		return e.content
	}
	return html.EscapeString(e.title)
}

// rssPerson formats a for <author> and <managingEditor>, which RSS defines
// as an email address: "email (Name)", or nothing without an email (names
// alone go to dc:creator).
func rssPerson(a herald.Author) string {
	switch {
	case a.Email == "":
		return ""
	case a.Name == "":
		return a.Email
	}
	return a.Email + " (" + a.Name + ")"
}

// or returns s, or fallback when s is empty.
func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
