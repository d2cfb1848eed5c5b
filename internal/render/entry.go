package render

import (
	"errors"
	"fmt"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// channel is herald.Channel with clean strings and the fallbacks every
// format shares already applied.
type channel struct {
	title       string
	description string // may be empty
	siteURL     string // may be empty
	link        string // never empty: the site, else the feed itself
	feedURL     string
	language    string
	author      herald.Author
	category    string // display name of a category scope, else empty
	updated     time.Time
	ttl         int
}

// newChannel checks and cleans ch. updated is ch.Updated, or when that is
// zero the newest time among the entries, or the Unix epoch: Atom requires
// a date and the clock is not an option.
func newChannel(ch herald.Channel, entries []entry) (channel, error) {
	c := channel{
		title:       clean(ch.Title),
		description: clean(ch.Description),
		siteURL:     clean(ch.SiteURL),
		feedURL:     clean(ch.FeedURL),
		language:    clean(ch.Language),
		author:      cleanAuthor(ch.Author),
		updated:     second(ch.Updated),
		ttl:         max(ch.TTL, 0),
	}
	if c.title == "" {
		return c, errors.New("channel has no title")
	}
	if c.feedURL == "" {
		return c, errors.New("channel has no feed URL")
	}
	c.link = c.siteURL
	if c.link == "" {
		c.link = c.feedURL
	}
	if ch.Scope.Kind == herald.ScopeCategory {
		c.category = clean(ch.ScopeName)
	}
	if c.updated.IsZero() {
		for i := range entries {
			if u := entries[i].updated; u.After(c.updated) {
				c.updated = u
			}
		}
	}
	if c.updated.IsZero() {
		c.updated = time.Unix(0, 0).UTC()
	}
	return c, nil
}

// entry is one article with clean strings and the fallbacks every format
// shares already applied.
type entry struct {
	id         string // "urn:uuid:" + the article ID
	title      string // never empty: the title, else the URL, else the id
	url        string
	summary    string // plain text
	content    string // HTML
	language   string
	image      string
	authors    []herald.Author
	terms      []string // categories then tags, one per slug
	enclosures []herald.Enclosure
	published  time.Time // may be zero
	updated    time.Time // UpdatedAt, else PublishedAt; may be zero
}

// newEntries prepares every article, refusing any without an ID: a feed
// reader recognises an item by its id, so inventing one (as gorilla/feeds
// does for Atom) would make every render look like new items.
func newEntries(articles []*herald.Article) ([]entry, error) {
	out := make([]entry, len(articles))
	for i, a := range articles {
		if a == nil {
			return nil, fmt.Errorf("article %d is nil", i)
		}
		if a.ID == "" {
			return nil, fmt.Errorf("article %d (%q) has no id", i, a.Slug)
		}
		e := &out[i]
		e.id = "urn:uuid:" + clean(a.ID)
		e.url = clean(a.URL)
		e.title = clean(a.Title)
		if e.title == "" {
			e.title = e.url
		}
		if e.title == "" {
			e.title = e.id
		}
		e.summary = clean(a.Summary)
		e.content = clean(a.ContentHTML)
		e.language = clean(a.Language)
		e.image = clean(a.Image)
		e.authors = cleanAuthors(a.Authors)
		e.terms = terms(cleanAll(a.Categories), cleanAll(a.Tags))
		e.enclosures = cleanEnclosures(a.Enclosures)
		e.published = second(a.PublishedAt)
		e.updated = second(a.UpdatedAt)
		if e.updated.IsZero() {
			e.updated = e.published
		}
	}
	return out, nil
}

// second normalises t to UTC and whole seconds, the precision all three
// formats share, so that a time read back from a database in another zone
// or with more digits still renders the same bytes.
func second(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Second)
}

// terms merges categories and tags into one list, categories first, keeping
// the first spelling of each slug: no format but RSS and Atom can tell the
// two apart, and a reader should not see "Go" and "go" side by side.
func terms(categories, tags []string) []string {
	if len(tags) == 0 {
		return categories
	}
	if len(categories) == 0 {
		return tags
	}
	out := make([]string, 0, len(categories)+len(tags))
	seen := make(map[string]bool, len(categories)+len(tags))
	for _, list := range [2][]string{categories, tags} {
		for _, n := range list {
			slug := herald.Slugify(n)
			if seen[slug] {
				continue
			}
			seen[slug] = true
			out = append(out, n)
		}
	}
	return out
}

func cleanAuthor(a herald.Author) herald.Author {
	return herald.Author{Name: clean(a.Name), Email: clean(a.Email), URL: clean(a.URL)}
}

// cleanAuthors cleans each author, dropping any left without a name, and
// returns list itself when nothing changes.
func cleanAuthors(list []herald.Author) []herald.Author {
	for i, a := range list {
		if c := cleanAuthor(a); c != a || c.Name == "" {
			out := make([]herald.Author, i, len(list))
			copy(out, list[:i])
			for _, a := range list[i:] {
				if c := cleanAuthor(a); c.Name != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return list
}

// cleanEnclosures cleans each enclosure, dropping any left without a URL,
// and returns list itself when nothing changes.
func cleanEnclosures(list []herald.Enclosure) []herald.Enclosure {
	for i, e := range list {
		if c := cleanEnclosure(e); c != e || c.URL == "" {
			out := make([]herald.Enclosure, i, len(list))
			copy(out, list[:i])
			for _, e := range list[i:] {
				if c := cleanEnclosure(e); c.URL != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return list
}

func cleanEnclosure(e herald.Enclosure) herald.Enclosure {
	e.URL, e.Type = clean(e.URL), clean(e.Type)
	e.Length, e.Duration = max(e.Length, 0), max(e.Duration, 0)
	return e
}
