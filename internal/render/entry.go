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
	undated     bool // updated is the epoch, for want of any date
	ttl         int
	paging      *herald.Paging // cleaned; nil without paging
	podcast     *herald.Show   // cleaned; nil unless the scope is a show
	hubs        []string       // WebSub hubs, cleaned; nil for none
}

// feedAuthor is the author a feed names for itself: for a show's feeds
// the show's author, as its itunes:author says, so that every format
// credits the show alike; else the site's.
func (c *channel) feedAuthor() herald.Author {
	if c.podcast != nil && c.podcast.Author != "" {
		return herald.Author{Name: c.podcast.Author}
	}
	return c.author
}

// newChannel checks and cleans ch. updated is ch.Updated, or when that is
// zero the newest time among the articles (as their entries will have it),
// or the Unix epoch: Atom requires a date and the clock is not an option.
func newChannel(ch herald.Channel, articles []*herald.Article) (channel, error) {
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
	for _, h := range ch.Hubs {
		if h = clean(h); h != "" {
			c.hubs = append(c.hubs, h)
		}
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
		for _, a := range articles {
			if u := entryUpdated(a); u.After(c.updated) {
				c.updated = u
			}
		}
	}
	if c.updated.IsZero() {
		c.updated = time.Unix(0, 0).UTC()
		c.undated = true
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

// checkArticles refuses a nil article or one without an ID: a feed reader
// recognises an item by its id, so inventing one (as gorilla/feeds does for
// Atom) would make every render look like new items.
func checkArticles(articles []*herald.Article) error {
	for i, a := range articles {
		if a == nil {
			return fmt.Errorf("article %d is nil", i)
		}
		if a.ID == "" {
			return fmt.Errorf("article %d (%q) has no id", i, a.Slug)
		}
	}
	return nil
}

// channelEntries prepares the entries of articles in format f within
// channel c (newEntries), with what they take from the channel: its
// language, and in RSS its author.
func channelEntries(f herald.Format, c channel, articles []*herald.Article, tx *texts, kept [][]byte) []entry {
	entries := newEntries(articles, tx, kept)
	inheritLanguage(c.language, entries)
	if f == herald.FormatRSS {
		creditFeedAuthor(c.feedAuthor(), entries, kept)
	}
	return entries
}

// creditFeedAuthor names the feed's author (the site's, or a show's) on
// the entries to encode that name no author of their own. Atom and JSON
// Feed do this themselves (an entry without an author has the feed's);
// an RSS item has no such rule, and the channel's managingEditor is an
// email address that a site without one leaves out, so the item carries
// the name itself.
func creditFeedAuthor(a herald.Author, entries []entry, kept [][]byte) {
	if a.Name == "" {
		return
	}
	credit := []herald.Author{a}
	for i := range entries {
		if (kept == nil || kept[i] == nil) && len(entries[i].authors) == 0 {
			entries[i].authors = credit
		}
	}
}

// newEntries prepares the articles checkArticles passed, except those
// whose item kept holds already encoded (kept may be nil: all of them);
// the entries of those stay empty. The ids are made in tx.
func newEntries(articles []*herald.Article, tx *texts, kept [][]byte) []entry {
	out := make([]entry, len(articles))
	for i, a := range articles {
		if kept != nil && kept[i] != nil {
			continue
		}
		e := &out[i]
		e.id = tx.add("urn:uuid:", clean(a.ID))
		e.url = cleanURL(a.URL)
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
		e.image = cleanURL(a.Image)
		e.authors = cleanAuthors(a.Authors)
		e.terms = terms(cleanAll(a.Categories), cleanAll(a.Tags))
		e.enclosures = cleanEnclosures(a.Enclosures)
		e.published = second(a.PublishedAt)
		e.updated = entryUpdated(a)
		e.episode, e.season = max(a.Episode, 0), max(a.Season, 0)
		e.episodeType = clean(a.EpisodeType)
		e.transcriptURL, e.transcriptTyp = cleanURL(a.TranscriptURL), clean(a.TranscriptType)
		e.chaptersURL = cleanURL(a.ChaptersURL)
	}
	return out
}

// entryUpdated is the date an entry of a carries as updated: the later of
// UpdatedAt and PublishedAt, in whole seconds; zero when it has neither.
// An article written while scheduled (or given a later publication date)
// was last changed, as readers see it, when it appeared: an updated date
// before the published one would file it at the moment it was drafted.
func entryUpdated(a *herald.Article) time.Time {
	return second(a.LastChanged())
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
