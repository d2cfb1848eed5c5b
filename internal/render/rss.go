package render

import (
	"strconv"
	"strings"
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
	nsPodcast = "https://podcastindex.org/namespace/1.0"
	nsHistory = "http://purl.org/syndication/history/1.0"
)

// rssDoc is gorilla's <rss> root declaring the extra namespaces. Dublin
// Core, Media RSS and the feed history namespace are declared only when an
// element uses them; iTunes and Podcasting 2.0 only in a show's feed, where
// the W3C validator then expects the whole set of iTunes channel elements.
type rssDoc struct {
	feeds.RssFeedXml
	DCNamespace      string      `xml:"xmlns:dc,attr,omitempty"`
	AtomNamespace    string      `xml:"xmlns:atom,attr"`
	MediaNamespace   string      `xml:"xmlns:media,attr,omitempty"`
	ITunesNamespace  string      `xml:"xmlns:itunes,attr,omitempty"`
	PodcastNamespace string      `xml:"xmlns:podcast,attr,omitempty"`
	HistoryNamespace string      `xml:"xmlns:fh,attr,omitempty"`
	Channel          *rssChannel `xml:"channel"`
}

// rssChannel adds to gorilla's channel the plain-text elements escaped as
// the RSS profile asks (declared first, so they keep their usual place;
// Language only to keep its place before managingEditor), the artwork
// with its title escaped likewise, the Atom links (self and paging), the
// archive flag, the podcast elements and our items.
type rssChannel struct {
	Title          rssText  `xml:"title"`
	Link           string   `xml:"link"`
	Description    rssText  `xml:"description"`
	Category       *rssText `xml:"category"`
	Language       string   `xml:"language,omitempty"`
	ManagingEditor *rssText `xml:"managingEditor"`
	feeds.RssFeed
	Image   *rssImage     `xml:"image"`
	Links   []rssAtomLink `xml:"atom:link"`
	Archive *struct{}     `xml:"fh:archive"`
	*rssShow
	Items []*rssItem `xml:"item"`
}

// rssImage is gorilla's RssImage (the channel's artwork) with its title
// escaped as plain text, as the channel's own.
type rssImage struct {
	URL   string  `xml:"url"`
	Title rssText `xml:"title"`
	Link  string  `xml:"link"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// rssItem adds to gorilla's item what RSS 2.0 can only say through
// extensions or repeated elements. Title, Author and Categories shadow
// gorilla's to escape them as plain text, Description to escape it in one
// pass, Content to write the HTML as CDATA, Link to omit an empty one.
// Title, Description, Content and Author are declared before gorilla's
// item so that they keep their place in the output.
type rssItem struct {
	Title       rssText     `xml:"title"`
	Description rssHTML     `xml:"description"`
	Content     *rssContent `xml:"content:encoded"`
	Author      *rssText    `xml:"author"`
	feeds.RssItem
	Link       string        `xml:"link,omitempty"`
	Categories []rssText     `xml:"category"`
	Creators   []rssText     `xml:"dc:creator"`
	Language   string        `xml:"dc:language,omitempty"`
	Updated    string        `xml:"atom:updated,omitempty"`
	Image      *mediaContent `xml:"media:content"`
	*rssEpisode
}

// rssContent is gorilla's RssContent (the content module's
// <content:encoded>, written as CDATA) without its XMLName.
type rssContent struct {
	HTML string `xml:",cdata"`
}

// mediaContent is a Media RSS image, the way RSS and Atom items name their
// picture most readers understand.
type mediaContent struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
}

// rss builds the document of c and entries, leaving out (as nil) the items
// s already holds encoded.
func (r *Renderer) rss(c channel, entries []entry, s *itemSet, tx *texts) *rssDoc {
	ch := &rssChannel{
		Title:       newRSSText(c.title),
		Link:        c.link,
		Description: newRSSText(or(c.description, c.title)), // required, never empty
		Language:    c.language,
		RssFeed: feeds.RssFeed{
			LastBuildDate: c.lastBuildDate(),
			Generator:     r.generatorName(),
			Ttl:           c.ttl,
		},
		Links: rssLinks(c),
		Items: make([]*rssItem, len(entries)),
	}
	if c.category != "" {
		t := newRSSText(c.category)
		ch.Category = &t
	}
	if s := rssPerson(c.author, tx); s != "" {
		ch.ManagingEditor = &rssText{Inner: s}
	}
	doc := &rssDoc{
		RssFeedXml:    feeds.RssFeedXml{Version: "2.0", ContentNamespace: nsContent},
		AtomNamespace: nsAtom,
		Channel:       ch,
	}
	if c.paging != nil && c.paging.Archive {
		ch.Archive = &struct{}{}
		doc.HistoryNamespace = nsHistory
	}
	if c.podcast != nil {
		ch.rssShow = newRSSShow(c)
		ch.Image = &rssImage{URL: c.podcast.ImageURL, Title: newRSSText(c.title), Link: c.link}
		doc.ITunesNamespace, doc.PodcastNamespace = nsITunes, nsPodcast
	}
	// One allocation for all items and one for all their categories,
	// rather than several small objects per item. Items already encoded
	// (s.bytes; their entries are empty) are not built again, but still
	// declare their namespaces (s.flags).
	var nParts, nTerms int
	for i := range entries {
		if s.bytes[i] == nil {
			nParts++
			nTerms += len(entries[i].terms)
		}
	}
	parts := make([]rssParts, nParts)
	cats := make([]rssText, nTerms)
	for i := range entries {
		if s.flags[i]&usesMedia != 0 {
			doc.MediaNamespace = nsMedia
		}
		if s.flags[i]&usesDC != 0 {
			doc.DCNamespace = nsDC
		}
		if s.bytes[i] != nil {
			continue
		}
		e := &entries[i]
		it := parts[0].fill(e, c.podcast, tx)
		parts = parts[1:]
		it.Categories, cats = rssTexts(e.terms, cats)
		ch.Items[i] = it
	}
	return doc
}

// rssLinks are the channel's Atom links: the self link readers use to find
// the feed's canonical address, the WebSub hubs (whose topic is that
// address), then the RFC 5005 paging links.
func rssLinks(c channel) []rssAtomLink {
	const t = "application/rss+xml"
	links := []rssAtomLink{{Href: c.feedURL, Rel: "self", Type: t}}
	for _, h := range c.hubs {
		links = append(links, rssAtomLink{Href: h, Rel: "hub"})
	}
	for _, l := range pagingLinks(c.paging) {
		links = append(links, rssAtomLink{Href: l.href, Rel: l.rel, Type: t})
	}
	return links
}

// rssParts is an item together with the values its pointer fields point
// to, so that they share one allocation.
type rssParts struct {
	item      rssItem
	author    rssText
	guid      feeds.RssGuid
	content   rssContent
	enclosure feeds.RssEnclosure
	image     mediaContent
}

// fill sets p.item from e, except its categories, and returns it; show
// is the channel's podcast show or nil. Dates and addresses are made in
// tx.
func (p *rssParts) fill(e *entry, show *herald.Show, tx *texts) *rssItem {
	it := &p.item
	it.Title = newRSSText(e.title)
	it.Description = rssDescription(e, show != nil)
	p.guid = feeds.RssGuid{Id: e.id, IsPermaLink: "false"}
	it.Guid = &p.guid
	it.Link = e.url
	it.Language = e.language
	if e.content != "" {
		p.content.HTML = e.content
		it.Content = &p.content
	}
	if !e.published.IsZero() {
		it.PubDate = tx.time(e.published, time.RFC1123Z)
	} else if !e.updated.IsZero() {
		it.PubDate = tx.time(e.updated, time.RFC1123Z)
	}
	if !e.updated.IsZero() {
		it.Updated = tx.time(e.updated, time.RFC3339)
	}
	// <author> holds one email address and dc:creator names; an item that
	// carries both is flagged by validators as saying the same thing twice.
	// A single author with an email goes to <author>, anything else to
	// dc:creator (Atom and JSON Feed keep every address).
	if len(e.authors) > 0 && !rssCreators(e) {
		p.author = rssText{Inner: rssPerson(e.authors[0], tx)}
		it.Author = &p.author
	} else if rssCreators(e) {
		it.Creators = make([]rssText, len(e.authors))
		for j, a := range e.authors {
			it.Creators[j] = newRSSText(a.Name)
		}
	}
	// RSS readers disagree on several enclosures per item, so only one goes
	// out here; Atom and JSON Feed carry them all.
	if enc, ok := rssEnclosure(e.enclosures, show != nil); ok {
		p.enclosure = feeds.RssEnclosure{Url: enc.URL, Type: enc.Type, Length: strconv.FormatInt(enc.Length, 10)}
		it.Enclosure = &p.enclosure
	}
	if e.image != "" {
		p.image = mediaContent{URL: e.image, Medium: "image"}
		it.Image = &p.image
	}
	if show != nil {
		it.rssEpisode = newRSSEpisode(e)
	}
	return it
}

// rssCreators reports whether e's authors go out as dc:creator names
// rather than as the one <author> address.
func rssCreators(e *entry) bool {
	return len(e.authors) > 1 || len(e.authors) == 1 && e.authors[0].Email == ""
}

// rssDescription is the item's HTML description, never empty: the
// plain-text summary escaped as HTML; else, in a podcast show, the whole
// content (the show notes, which several podcast apps read only from
// here) and elsewhere an excerpt of its text (the content itself is in
// content:encoded, which feed readers prefer); else the title escaped as
// HTML. Escaped as XML text in the same pass.
func rssDescription(e *entry, show bool) rssHTML {
	switch {
	case e.summary != "":
		return rssHTML{Inner: textAsHTMLEscaper.Replace(e.summary)}
	case e.content != "" && show:
		return rssHTML{Inner: xmlEscaper.Replace(e.content)}
	case e.content != "":
		if t := excerpt(e.content); t != "" {
			return rssHTML{Inner: textAsHTMLEscaper.Replace(t)}
		}
	}
	return rssHTML{Inner: textAsHTMLEscaper.Replace(e.title)}
}

// rssPerson formats a for <author> and <managingEditor>, which RSS defines
// as an email address: "email (Name)", escaped as plain text (newRSSText),
// or "" without an email (names alone go to dc:creator). The name is an
// RFC 5322 comment there, so each backslash and parenthesis in it is
// written as a quoted pair (commentEscaper): unescaped, the ")" of a name
// such as "Smiley :)" would end the comment early, and a reader would
// find text after the address it cannot parse. The unescaped text is
// made in tx.
func rssPerson(a herald.Author, tx *texts) string {
	switch {
	case a.Email == "":
		return ""
	case a.Name == "":
		return hexEscaper.Replace(a.Email)
	}
	return hexEscaper.Replace(tx.add(a.Email, " (", commentEscaper.Replace(a.Name), ")"))
}

// commentEscaper puts a backslash before each backslash and parenthesis,
// the characters an RFC 5322 comment holds only as quoted pairs. A name
// without them comes back as it is, not copied.
var commentEscaper = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)

// or returns s, or fallback when s is empty.
func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// lastBuildDate is the channel's date, or nothing for a channel without
// one (no article, no write): RSS makes the element optional, and the
// epoch that Atom's required <updated> falls back to would only mislead.
func (c *channel) lastBuildDate() string {
	if c.undated {
		return ""
	}
	return c.updated.Format(time.RFC1123Z)
}

// write appends it as an <item>, the bytes encoding/xml gives for it
// (xmlPrinter). A field added to rssItem, to gorilla's RssItem or to
// rssEpisode must be written here too, in its place:
// TestItemWritersMatchEncodingXML sets every field and fails otherwise.
func (it *rssItem) write(p *xmlPrinter) {
	p.start("item")
	p.open()
	p.raw("title", it.Title.Inner)
	p.raw("description", it.Description.Inner)
	if it.Content != nil {
		p.start("content:encoded")
		p.open()
		p.cdata(it.Content.HTML)
		p.end("content:encoded")
	}
	// gorilla's item, less the fields ours shadow (title, link,
	// description, content, author, category).
	if it.Author != nil {
		p.raw("author", it.Author.Inner)
	}
	g := &it.RssItem
	p.textOmit("comments", g.Comments)
	if enc := g.Enclosure; enc != nil {
		p.empty("enclosure", "url", enc.Url, "length", enc.Length, "type", enc.Type)
	}
	if guid := g.Guid; guid != nil {
		p.start("guid")
		p.attrOmit("isPermaLink", guid.IsPermaLink)
		p.open()
		p.b = appendEscaped(p.b, guid.Id)
		p.end("guid")
	}
	p.textOmit("pubDate", g.PubDate)
	p.textOmit("source", g.Source)
	p.textOmit("link", it.Link)
	for _, c := range it.Categories {
		p.raw("category", c.Inner)
	}
	for _, c := range it.Creators {
		p.raw("dc:creator", c.Inner)
	}
	p.textOmit("dc:language", it.Language)
	p.textOmit("atom:updated", it.Updated)
	if m := it.Image; m != nil {
		p.empty("media:content", "url", m.URL, "medium", m.Medium)
	}
	if ep := it.rssEpisode; ep != nil {
		if ep.Image != nil {
			p.empty("itunes:image", "href", ep.Image.Href)
		}
		p.textOmit("itunes:duration", ep.Duration)
		p.intOmit("itunes:episode", ep.Episode)
		p.intOmit("itunes:season", ep.Season)
		p.textOmit("itunes:episodeType", ep.EpisodeType)
		if t := ep.Transcript; t != nil {
			p.empty("podcast:transcript", "url", t.URL, "type", t.Type)
		}
		if c := ep.Chapters; c != nil {
			p.empty("podcast:chapters", "url", c.URL, "type", c.Type)
		}
	}
	p.end("item")
}
