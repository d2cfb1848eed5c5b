package render

import (
	"strconv"
	"time"
	"unicode/utf8"

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
			Authors:     jsonFeedAuthors(c.feedAuthor()),
		},
		Items: make([]*jsonItem, len(entries)),
	}
	if c.paging != nil {
		f.NextUrl = c.paging.Next // JSON Feed pages only towards older items
	}
	for _, h := range c.hubs {
		f.Hubs = append(f.Hubs, &feeds.JSONHub{Type: "WebSub", Url: h}) // the topic is feed_url
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

// write appends it as a JSON object, the bytes encoding/json gives for it
// with HTML escaping off (writeJSON), without its reflection: keys in the
// order of the struct's fields, gorilla's first, the empty ones tagged
// omitempty left out. A field added to jsonItem, to gorilla's JSONItem or
// to jsonAttachment must be written here too, in its place:
// TestItemWritersMatchEncodingJSON sets every field and fails otherwise.
// It fails, as encoding/json does, on a date whose year has more than four
// digits.
func (it *jsonItem) write(b []byte) ([]byte, error) {
	g := &it.JSONItem
	b = append(b, `{"id":`...)
	b = appendJSONString(b, g.Id)
	b = appendJSONMember(b, "url", g.Url)
	b = appendJSONMember(b, "external_url", g.ExternalUrl)
	b = appendJSONMember(b, "title", g.Title)
	b = appendJSONMember(b, "content_html", g.ContentHTML)
	b = appendJSONMember(b, "content_text", g.ContentText)
	b = appendJSONMember(b, "summary", g.Summary)
	b = appendJSONMember(b, "image", g.Image)
	b = appendJSONMember(b, "banner_", g.BannerImage)
	var err error
	for _, d := range [...]struct {
		key string
		t   *time.Time
	}{{"date_published", g.PublishedDate}, {"date_modified", g.ModifiedDate}} {
		if d.t == nil {
			continue
		}
		b = append(b, `,"`...)
		b = append(b, d.key...)
		b = append(b, `":"`...)
		if b, err = d.t.AppendText(b); err != nil {
			return nil, err
		}
		b = append(b, '"')
	}
	if g.Author != nil {
		b = append(b, `,"author":`...)
		b = appendJSONAuthor(b, g.Author)
	}
	b = appendJSONArray(b, "authors", g.Authors, appendJSONAuthor)
	b = appendJSONArray(b, "tags", g.Tags, appendJSONString)
	b = appendJSONMember(b, "language", it.Language)
	if len(it.Attachments) > 0 {
		b = append(b, `,"attachments":[`...)
		for i := range it.Attachments {
			a := &it.Attachments[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"url":`...)
			b = appendJSONString(b, a.URL)
			b = append(b, `,"mime_type":`...)
			b = appendJSONString(b, a.MIMEType)
			if a.SizeInBytes != 0 {
				b = append(b, `,"size_in_bytes":`...)
				b = strconv.AppendInt(b, a.SizeInBytes, 10)
			}
			if a.DurationInSeconds != 0 {
				b = append(b, `,"duration_in_seconds":`...)
				b = strconv.AppendInt(b, a.DurationInSeconds, 10)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendJSONArray appends ,"key":[…] with each element of list as
// appendOne writes it, for a member tagged omitempty: nothing when list
// is empty.
func appendJSONArray[T any](b []byte, key string, list []T, appendOne func([]byte, T) []byte) []byte {
	if len(list) == 0 {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":[`...)
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendOne(b, v)
	}
	return append(b, ']')
}

// appendJSONAuthor appends a, whose members are all omitempty, or null.
func appendJSONAuthor(b []byte, a *feeds.JSONAuthor) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	first := true
	for _, m := range [...][2]string{{"name", a.Name}, {"url", a.Url}, {"avatar", a.Avatar}} {
		if m[1] == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, m[0]...)
		b = append(b, `":`...)
		b = appendJSONString(b, m[1])
	}
	return append(b, '}')
}

// appendJSONMember appends ,"key":"value" for a string member tagged
// omitempty: nothing when value is empty.
func appendJSONMember(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return appendJSONString(b, value)
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it with HTML escaping off: the quote, the backslash and the C0
// controls (\b \f \n \r \t by name, the others as \u00XX), every byte that
// is not UTF-8 as \ufffd, and U+2028 and U+2029, which JavaScript does not
// allow in a string literal.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainASCII(s[i:i+8]) {
			if w := word8(s[i:]); !hasByte(w, '"') && !hasByte(w, '\\') {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[last:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[last:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		last = i
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}
