package render

import (
	"strconv"
	"time"

	"github.com/gorilla/feeds"

	"github.com/herald-feeds/herald/internal/herald"
)

// atomFeed adds to gorilla's feed the xml:lang, several links (self and
// alternate), several authors, categories and the generator. Each slice
// shadows gorilla's single-valued field of the same element name.
type atomFeed struct {
	feeds.AtomFeed
	Lang           string             `xml:"xml:lang,attr,omitempty"`
	MediaNamespace string             `xml:"xmlns:media,attr,omitempty"`
	Links          []feeds.AtomLink   `xml:"link"`
	Categories     []atomCategory     `xml:"category"`
	Authors        []feeds.AtomAuthor `xml:"author"`
	Generator      *atomGenerator     `xml:"generator"`
	Entries        []*atomEntry       `xml:"entry"`
}

// atomEntry adds the entry's language, several authors and categories, and
// its image. Content shadows gorilla's to write HTML as CDATA.
type atomEntry struct {
	feeds.AtomEntry
	Lang       string             `xml:"xml:lang,attr,omitempty"`
	Content    *atomContent       `xml:"content"`
	Categories []atomCategory     `xml:"category"`
	Authors    []feeds.AtomAuthor `xml:"author"`
	Image      *mediaContent      `xml:"media:content"`
}

// atomContent is gorilla's AtomContent written as CDATA rather than
// escaped text: the same characters to a parser, but HTML goes out as one
// copy instead of an entity per angle bracket, which made escaping the
// largest cost of an Atom render. encoding/xml splits any "]]>" inside.
type atomContent struct {
	Type    string `xml:"type,attr"`
	Content string `xml:",cdata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomGenerator struct {
	Name string `xml:",chardata"`
}

func (r *Renderer) atom(c channel, entries []entry) *atomFeed {
	f := &atomFeed{
		AtomFeed: feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    c.title,
			Id:       c.feedURL,
			Updated:  c.updated.Format(time.RFC3339),
			Subtitle: c.description,
		},
		Lang:      c.language,
		Links:     []feeds.AtomLink{{Href: c.feedURL, Rel: "self", Type: "application/atom+xml"}},
		Generator: &atomGenerator{Name: r.generator},
		Entries:   make([]*atomEntry, len(entries)),
	}
	if c.siteURL != "" {
		f.Links = append(f.Links, feeds.AtomLink{Href: c.siteURL, Rel: "alternate", Type: "text/html"})
	}
	if c.category != "" {
		f.Categories = []atomCategory{{Term: c.category}}
	}
	// Atom wants an author on every entry or on the feed; the feed's
	// covers entries without one, and the channel title stands in for a
	// site that configured no author.
	author := c.author
	if author.Name == "" {
		author = herald.Author{Name: c.title, URL: c.siteURL}
	}
	f.Authors = atomAuthors([]herald.Author{author})
	for i := range entries {
		e := atomEntryOf(&entries[i], c.updated)
		if e.Image != nil {
			f.MediaNamespace = nsMedia
		}
		f.Entries[i] = e
	}
	return f
}

func atomEntryOf(e *entry, feedUpdated time.Time) *atomEntry {
	updated := e.updated
	if updated.IsZero() {
		updated = feedUpdated
	}
	x := &atomEntry{
		AtomEntry: feeds.AtomEntry{
			Title:   e.title,
			Updated: updated.Format(time.RFC3339),
			Id:      e.id,
		},
		Lang:    e.language,
		Authors: atomAuthors(e.authors),
	}
	if !e.published.IsZero() {
		x.Published = e.published.Format(time.RFC3339)
	}
	if e.summary != "" {
		x.Summary = &feeds.AtomSummary{Content: e.summary, Type: "text"}
	}
	n := len(e.enclosures)
	if e.url != "" {
		n++
	}
	x.Links = make([]feeds.AtomLink, 0, n)
	if e.url != "" {
		x.Links = append(x.Links, feeds.AtomLink{Href: e.url, Rel: "alternate", Type: "text/html"})
	}
	for _, enc := range e.enclosures {
		l := feeds.AtomLink{Href: enc.URL, Rel: "enclosure", Type: enc.Type}
		if enc.Length > 0 {
			l.Length = strconv.FormatInt(enc.Length, 10)
		}
		x.Links = append(x.Links, l)
	}
	switch {
	case e.content != "":
		x.Content = &atomContent{Content: e.content, Type: "html"}
	case e.url == "":
		// An entry without an alternate link must have content.
		text := e.summary
		if text == "" {
			text = e.title
		}
		x.Content = &atomContent{Content: text, Type: "text"}
	}
	if len(e.terms) > 0 {
		x.Categories = make([]atomCategory, len(e.terms))
		for i, t := range e.terms {
			x.Categories[i] = atomCategory{Term: t}
		}
	}
	if e.image != "" {
		x.Image = &mediaContent{URL: e.image, Medium: "image"}
	}
	return x
}

func atomAuthors(list []herald.Author) []feeds.AtomAuthor {
	if len(list) == 0 {
		return nil
	}
	out := make([]feeds.AtomAuthor, len(list))
	for i, a := range list {
		out[i].AtomPerson = feeds.AtomPerson{Name: a.Name, Uri: a.URL, Email: a.Email}
	}
	return out
}
