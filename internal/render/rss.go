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
			Generator:      r.generator,
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
	for i := range entries {
		it := rssItemOf(&entries[i])
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

func rssItemOf(e *entry) *rssItem {
	it := &rssItem{
		RssItem: feeds.RssItem{
			Title:       e.title,
			Description: rssDescription(e),
			Guid:        &feeds.RssGuid{Id: e.id, IsPermaLink: "false"},
		},
		Link:       e.url,
		Categories: e.terms,
		Language:   e.language,
	}
	if e.content != "" {
		it.Content = &feeds.RssContent{Content: e.content}
	}
	if !e.published.IsZero() {
		it.PubDate = e.published.Format(time.RFC1123Z)
	} else if !e.updated.IsZero() {
		it.PubDate = e.updated.Format(time.RFC1123Z)
	}
	if !e.updated.IsZero() {
		it.Updated = e.updated.Format(time.RFC3339)
	}
	if len(e.authors) > 0 {
		it.Creators = make([]string, len(e.authors))
		for i, a := range e.authors {
			it.Creators[i] = a.Name
			if it.Author == "" {
				it.Author = rssPerson(a)
			}
		}
	}
	// RSS readers disagree on several enclosures per item, so only the
	// first goes out here; Atom and JSON Feed carry them all.
	if len(e.enclosures) > 0 {
		enc := e.enclosures[0]
		it.Enclosure = &feeds.RssEnclosure{Url: enc.URL, Type: enc.Type, Length: strconv.FormatInt(enc.Length, 10)}
		if enc.Duration > 0 {
			it.Duration = strconv.FormatInt(enc.Duration, 10)
		}
	}
	if e.image != "" {
		it.Image = &mediaContent{URL: e.image, Medium: "image"}
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
