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

func jsonFeedOf(c channel, entries []entry) *jsonFeed {
	f := &jsonFeed{
		JSONFeed: feeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       c.title,
			Language:    c.language,
			HomePageUrl: c.siteURL,
			FeedUrl:     c.feedURL,
			Description: c.description,
			Authors:     jsonAuthors([]herald.Author{c.author}),
		},
		Items: make([]*jsonItem, len(entries)),
	}
	for i := range entries {
		f.Items[i] = jsonItemOf(&entries[i])
	}
	return f
}

func jsonItemOf(e *entry) *jsonItem {
	it := &jsonItem{
		JSONItem: feeds.JSONItem{
			Id:          e.id,
			Url:         e.url,
			Title:       e.title,
			ContentHTML: e.content,
			Summary:     e.summary,
			Image:       e.image,
			Authors:     jsonAuthors(e.authors),
			Tags:        e.terms,
		},
		Language: e.language,
	}
	// Every item needs content_html or content_text.
	if it.ContentHTML == "" {
		it.ContentText = e.summary
		if it.ContentText == "" {
			it.ContentText = e.title
		}
	}
	it.PublishedDate = timePtr(e.published)
	it.ModifiedDate = timePtr(e.updated)
	if len(e.enclosures) > 0 {
		it.Attachments = make([]jsonAttachment, len(e.enclosures))
		for i, enc := range e.enclosures {
			it.Attachments[i] = jsonAttachment{URL: enc.URL, MIMEType: enc.Type, SizeInBytes: enc.Length, DurationInSeconds: enc.Duration}
		}
	}
	return it
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// jsonAuthors converts authors, skipping nameless ones (a site without a
// configured author); nil when none remain, so the key is omitted.
func jsonAuthors(list []herald.Author) []*feeds.JSONAuthor {
	var out []*feeds.JSONAuthor
	for _, a := range list {
		if a.Name == "" {
			continue
		}
		if out == nil {
			out = make([]*feeds.JSONAuthor, 0, len(list))
		}
		out = append(out, &feeds.JSONAuthor{Name: a.Name, Url: a.URL})
	}
	return out
}
