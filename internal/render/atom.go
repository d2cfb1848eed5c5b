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
	Lang             string             `xml:"xml:lang,attr,omitempty"`
	MediaNamespace   string             `xml:"xmlns:media,attr,omitempty"`
	HistoryNamespace string             `xml:"xmlns:fh,attr,omitempty"`
	Links            []feeds.AtomLink   `xml:"link"`
	Archive          *struct{}          `xml:"fh:archive"`
	Categories       []atomCategory     `xml:"category"`
	Authors          []feeds.AtomAuthor `xml:"author"`
	Generator        *atomGenerator     `xml:"generator"`
	Entries          []*atomEntry       `xml:"entry"`
}

// atomEntry adds the entry's language, several authors and categories, and
// its image. Content shadows gorilla's to write HTML as CDATA, Summary
// gorilla's own (the last of its elements not shadowed here, so it keeps
// its place) to keep the content before the type attribute as ever.
type atomEntry struct {
	feeds.AtomEntry
	Lang       string             `xml:"xml:lang,attr,omitempty"`
	Summary    *atomSummary       `xml:"summary"`
	Content    *atomContent       `xml:"content"`
	Categories []atomCategory     `xml:"category"`
	Authors    []feeds.AtomAuthor `xml:"author"`
	Image      *mediaContent      `xml:"media:content"`
}

// atomContent is gorilla's AtomContent written as CDATA rather than
// escaped text: the same characters to a parser, but HTML goes out as one
// copy instead of an entity per angle bracket, which made escaping the
// largest cost of an Atom render. Any "]]>" inside is split across two
// sections.
type atomContent struct {
	Type    string `xml:"type,attr"`
	Content string `xml:",cdata"`
}

// atomSummary is gorilla's AtomSummary without its XMLName.
type atomSummary struct {
	Content string `xml:",chardata"`
	Type    string `xml:"type,attr"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomGenerator struct {
	Name string `xml:",chardata"`
}

// atom builds the document of c and entries, leaving out (as nil) the
// entries s already holds encoded.
func (r *Renderer) atom(c channel, entries []entry, s *itemSet, tx *texts) *atomFeed {
	f := &atomFeed{
		AtomFeed: feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    c.title,
			Id:       c.feedID(),
			Updated:  c.updated.Format(time.RFC3339),
			Subtitle: c.description,
		},
		Lang:      c.language,
		Links:     []feeds.AtomLink{{Href: c.feedURL, Rel: "self", Type: "application/atom+xml"}},
		Generator: &atomGenerator{Name: r.generatorName()},
		Entries:   make([]*atomEntry, len(entries)),
	}
	if c.siteURL != "" {
		f.Links = append(f.Links, feeds.AtomLink{Href: c.siteURL, Rel: "alternate", Type: "text/html"})
	}
	for _, h := range c.hubs {
		f.Links = append(f.Links, feeds.AtomLink{Href: h, Rel: "hub"}) // WebSub; the topic is the self link
	}
	for _, l := range pagingLinks(c.paging) {
		f.Links = append(f.Links, feeds.AtomLink{Href: l.href, Rel: l.rel, Type: "application/atom+xml"})
	}
	if c.paging != nil && c.paging.Archive {
		f.Archive = &struct{}{}
		f.HistoryNamespace = nsHistory
	}
	if c.podcast != nil {
		f.Icon = c.podcast.ImageURL // square artwork, as Atom's icon should be
	}
	if c.category != "" {
		f.Categories = []atomCategory{{Term: c.category}}
	}
	// Atom wants an author on every entry or on the feed; the feed's
	// covers entries without one, and the channel title stands in for a
	// site that configured no author.
	author := c.feedAuthor()
	if author.Name == "" {
		author = herald.Author{Name: c.title, URL: c.siteURL}
	}
	f.Authors, _ = atomAuthors([]herald.Author{author}, nil)
	// One allocation for all entries, one for all their categories and one
	// for all their authors, rather than several small objects per entry.
	// Entries already encoded (s.bytes; their entries are empty) are not
	// built again, but still declare their namespace (s.flags).
	var nParts, nTerms, nAuthors int
	for i := range entries {
		if s.bytes[i] == nil {
			nParts++
			nTerms += len(entries[i].terms)
			nAuthors += len(entries[i].authors)
		}
	}
	parts := make([]atomParts, nParts)
	cats := make([]atomCategory, nTerms)
	authors := make([]feeds.AtomAuthor, nAuthors)
	for i := range entries {
		if s.flags[i]&usesMedia != 0 {
			f.MediaNamespace = nsMedia
		}
		if s.bytes[i] != nil {
			continue
		}
		e := &entries[i]
		x := parts[0].fill(e, c.updated, tx)
		parts = parts[1:]
		x.Categories, cats = atomCategories(e.terms, cats)
		x.Authors, authors = atomAuthors(e.authors, authors)
		f.Entries[i] = x
	}
	return f
}

// atomParts is an entry together with the values its pointer fields point
// to, so that they share one allocation.
type atomParts struct {
	entry     atomEntry
	summary   atomSummary
	content   atomContent
	image     mediaContent
	alternate [1]feeds.AtomLink
}

// fill sets p.entry from e and returns it; feedUpdated stands in for an
// entry without any date, since Atom requires <updated>. Dates are made
// in tx.
func (p *atomParts) fill(e *entry, feedUpdated time.Time, tx *texts) *atomEntry {
	updated := e.updated
	if updated.IsZero() {
		updated = feedUpdated
	}
	x := &p.entry
	x.Title = e.title
	x.Updated = tx.time(updated, time.RFC3339)
	x.Id = e.id
	x.Lang = e.language
	if !e.published.IsZero() {
		x.Published = tx.time(e.published, time.RFC3339)
	}
	if e.summary != "" {
		p.summary = atomSummary{Content: e.summary, Type: "text"}
		x.Summary = &p.summary
	}
	x.Links = p.alternate[:0]
	if len(e.enclosures) > 0 {
		x.Links = make([]feeds.AtomLink, 0, len(e.enclosures)+1)
	}
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
		p.content = atomContent{Content: e.content, Type: "html"}
		x.Content = &p.content
	case e.url == "":
		// An entry without an alternate link must have content.
		p.content = atomContent{Content: or(e.summary, e.title), Type: "text"}
		x.Content = &p.content
	case e.summary == "":
		// Neither content nor summary: validators warn that readers get
		// nothing to show, so the title stands in as the summary.
		p.summary = atomSummary{Content: e.title, Type: "text"}
		x.Summary = &p.summary
	}
	if e.image != "" {
		p.image = mediaContent{URL: e.image, Medium: "image"}
		x.Image = &p.image
	}
	return x
}

// atomCategories fills the start of slab with terms and returns that part
// and the rest of slab.
func atomCategories(terms []string, slab []atomCategory) (own, rest []atomCategory) {
	if len(terms) == 0 {
		return nil, slab
	}
	own, rest = slab[:len(terms):len(terms)], slab[len(terms):]
	for i, t := range terms {
		own[i].Term = t
	}
	return own, rest
}

// atomAuthors fills the start of slab (allocating when slab is too short)
// with list and returns that part and the rest of slab.
func atomAuthors(list []herald.Author, slab []feeds.AtomAuthor) (own, rest []feeds.AtomAuthor) {
	if len(list) == 0 {
		return nil, slab
	}
	if len(slab) < len(list) {
		slab = make([]feeds.AtomAuthor, len(list))
	}
	own, rest = slab[:len(list):len(list)], slab[len(list):]
	for i, a := range list {
		own[i].AtomPerson = feeds.AtomPerson{Name: a.Name, Uri: a.URL, Email: a.Email}
	}
	return own, rest
}

// write appends x as an <entry>, the bytes encoding/xml gives for it
// (xmlPrinter). A field added to atomEntry or to gorilla's AtomEntry must
// be written here too, in its place: TestItemWritersMatchEncodingXML sets
// every field and fails otherwise.
func (x *atomEntry) write(p *xmlPrinter) {
	g := &x.AtomEntry
	p.start("entry")
	p.attrOmit("xmlns", g.Xmlns)
	p.attrOmit("xml:lang", x.Lang)
	p.open()
	// gorilla's entry, less the fields ours shadow (category, content,
	// summary, author).
	p.text("title", g.Title)
	p.text("updated", g.Updated)
	p.text("id", g.Id)
	p.textOmit("rights", g.Rights)
	p.textOmit("source", g.Source)
	p.textOmit("published", g.Published)
	if c := g.Contributor; c != nil {
		p.start("contributor")
		p.open()
		writeAtomPerson(p, &c.AtomPerson)
		p.end("contributor")
	}
	for i := range g.Links {
		l := &g.Links[i]
		p.start("link")
		p.attr("href", l.Href)
		p.attrOmit("rel", l.Rel)
		p.attrOmit("type", l.Type)
		p.attrOmit("length", l.Length)
		p.open()
		p.end("link")
	}
	if s := x.Summary; s != nil {
		p.start("summary")
		p.attr("type", s.Type)
		p.open()
		p.b = appendEscaped(p.b, s.Content)
		p.end("summary")
	}
	if c := x.Content; c != nil {
		p.start("content")
		p.attr("type", c.Type)
		p.open()
		p.cdata(c.Content)
		p.end("content")
	}
	for _, c := range x.Categories {
		p.empty("category", "term", c.Term)
	}
	for i := range x.Authors {
		p.start("author")
		p.open()
		writeAtomPerson(p, &x.Authors[i].AtomPerson)
		p.end("author")
	}
	if m := x.Image; m != nil {
		p.empty("media:content", "url", m.URL, "medium", m.Medium)
	}
	p.end("entry")
}

// writeAtomPerson appends the elements of a person construct.
func writeAtomPerson(p *xmlPrinter, a *feeds.AtomPerson) {
	p.textOmit("name", a.Name)
	p.textOmit("uri", a.Uri)
	p.textOmit("email", a.Email)
}
