package render

import (
	"errors"
	"fmt"
	"strings"
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
	paging      *herald.Paging // cleaned; nil without paging
	podcast     *herald.Show   // cleaned; nil unless the scope is a show
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
	if ch.Paging != nil {
		p := cleanPaging(*ch.Paging)
		c.paging = &p
	}
	if ch.Podcast != nil {
		show := cleanShow(*ch.Podcast)
		c.podcast = &show
		if show.Language != "" {
			c.language = show.Language
		}
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
	language   string // empty when the feed's language applies
	image      string
	authors    []herald.Author
	terms      []string // categories then tags, one per slug
	enclosures []herald.Enclosure
	published  time.Time // may be zero
	updated    time.Time // UpdatedAt, else PublishedAt; may be zero

	episode, season              int
	episodeType                  string
	transcriptURL, transcriptTyp string
	chaptersURL                  string
}

// newEntries prepares every article, refusing any without an ID: a feed
// reader recognises an item by its id, so inventing one (as gorilla/feeds
// does for Atom) would make every render look like new items. The ids are
// made in tx.
func newEntries(articles []*herald.Article, tx *texts) ([]entry, error) {
	out := make([]entry, len(articles))
	for i, a := range articles {
		if a == nil {
			return nil, fmt.Errorf("article %d is nil", i)
		}
		if a.ID == "" {
			return nil, fmt.Errorf("article %d (%q) has no id", i, a.Slug)
		}
		e := &out[i]
		e.id = tx.add("urn:uuid:", clean(a.ID))
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
		e.episode, e.season = max(a.Episode, 0), max(a.Season, 0)
		e.episodeType = clean(a.EpisodeType)
		e.transcriptURL, e.transcriptTyp = clean(a.TranscriptURL), clean(a.TranscriptType)
		e.chaptersURL = clean(a.ChaptersURL)
	}
	return out, nil
}

// inheritLanguage blanks the language of entries written in the feed's
// own language: every format applies the feed's language to its items, so
// repeating it on each one only adds bytes.
func inheritLanguage(feedLang string, entries []entry) {
	for i := range entries {
		if strings.EqualFold(entries[i].language, feedLang) {
			entries[i].language = ""
		}
	}
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
