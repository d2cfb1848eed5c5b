package render

import (
	"time"

	"github.com/gorilla/feeds"

	"github.com/herald-feeds/herald/internal/herald"
)

// jsonFeedVersion is the version URL of JSON Feed 1.1.
const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed is gorilla's JSON feed with an items array that is always
// present, as JSON Feed requires even when it is empty (gorilla omits an
// empty one).
type jsonFeed struct {
	feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem adds the 1.1 item language and replaces gorilla's attachments,
// whose size is a 32-bit number under a key JSON Feed does not define.
type jsonItem struct {
	feeds.JSONItem
	Language    string           `json:"language,omitempty"`
	Attachments []jsonAttachment `json:"attachments,omitempty"`
}

// jsonAttachment is a JSON Feed 1.1 attachment.
type jsonAttachment struct {
	URL               string `json:"url"`
	MIMEType          string `json:"mime_type"`
	SizeInBytes       int64  `json:"size_in_bytes,omitempty"`
	DurationInSeconds int64  `json:"duration_in_seconds,omitempty"`
}

// jsonFeedOf builds the document of c and entries, leaving out (as nil)
// the items s already holds encoded.
func jsonFeedOf(c channel, entries []entry, s *itemSet) *jsonFeed {
	f := &jsonFeed{
		JSONFeed: feeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       c.title,
			Language:    c.language,
			HomePageUrl: c.siteURL,
			FeedUrl:     c.feedID(),
			Description: c.description,
			Authors:     jsonFeedAuthors(c.author),
		},
		Items: make([]*jsonItem, len(entries)),
	}
	if c.paging != nil {
		f.NextUrl = c.paging.Next // JSON Feed pages only towards older items
	}
	if c.podcast != nil {
		f.Icon = c.podcast.ImageURL
	}
	// One allocation for all items and one for all their authors, rather
	// than several small objects per item. Items already encoded (s.bytes;
	// their entries are empty) are not built again.
	var nParts, nAuthors int
	for i := range entries {
		if s.bytes[i] == nil {
			nParts++
			nAuthors += len(entries[i].authors)
		}
	}
	parts := make([]jsonParts, nParts)
	authors := make([]feeds.JSONAuthor, nAuthors)
	for i := range entries {
		if s.bytes[i] != nil {
			continue
		}
		e := &entries[i]
		it := parts[0].fill(e)
		parts = parts[1:]
		if n := len(e.authors); n > 0 {
			own := authors[:n:n]
			authors = authors[n:]
			it.Authors = make([]*feeds.JSONAuthor, n)
			for j, a := range e.authors {
				own[j] = feeds.JSONAuthor{Name: a.Name, Url: a.URL}
				it.Authors[j] = &own[j]
			}
		}
		f.Items[i] = it
	}
	return f
}

// jsonParts is an item together with the values its pointer fields point
// to, so that they share one allocation.
type jsonParts struct {
	item                jsonItem
	published, modified time.Time
}

// fill sets p.item from e, except the authors, and returns it.
func (p *jsonParts) fill(e *entry) *jsonItem {
	it := &p.item
	it.Id = e.id
	it.Url = e.url
	it.Title = e.title
	it.ContentHTML = e.content
	it.Summary = e.summary
	it.Image = e.image
	it.Tags = e.terms
	it.Language = e.language
	// Every item needs content_html or content_text.
	if it.ContentHTML == "" {
		it.ContentText = or(e.summary, e.title)
	}
	if !e.published.IsZero() {
		p.published = e.published
		it.PublishedDate = &p.published
	}
	if !e.updated.IsZero() {
		p.modified = e.updated
		it.ModifiedDate = &p.modified
	}
	if len(e.enclosures) > 0 {
		it.Attachments = make([]jsonAttachment, len(e.enclosures))
		for i, enc := range e.enclosures {
			it.Attachments[i] = jsonAttachment{URL: enc.URL, MIMEType: enc.Type, SizeInBytes: enc.Length, DurationInSeconds: enc.Duration}
		}
	}
	return it
}

// jsonFeedAuthors is the feed's authors array: the site's author, or
// none (the key is then omitted) when the site configured no name.
func jsonFeedAuthors(a herald.Author) []*feeds.JSONAuthor {
	if a.Name == "" {
		return nil
	}
	return []*feeds.JSONAuthor{{Name: a.Name, Url: a.URL}}
}
