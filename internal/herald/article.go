package herald

import (
	"reflect"
	"time"
)

// Article is one piece of published content: a blog post, a news story or a
// podcast episode. The store owns ID and UpdatedAt; everything else comes
// from the publisher.
type Article struct {
	ID          string      `json:"id"`
	Slug        string      `json:"slug"`
	Title       string      `json:"title"`
	URL         string      `json:"url"`
	Summary     string      `json:"summary"`
	ContentHTML string      `json:"content_html"`
	Authors     []Author    `json:"authors"`
	Categories  []string    `json:"categories"`
	Tags        []string    `json:"tags"`
	Language    string      `json:"language"`
	Image       string      `json:"image"`
	Enclosures  []Enclosure `json:"enclosures"`
	PublishedAt time.Time   `json:"published_at"`
	UpdatedAt   time.Time   `json:"updated_at"`

	// Episode data, used by podcast feeds and ignored elsewhere. Zero and
	// empty mean "not given".
	Episode        int    `json:"episode"`         // episode number, 1 or more
	Season         int    `json:"season"`          // season number, 1 or more
	EpisodeType    string `json:"episode_type"`    // "full", "trailer" or "bonus"
	TranscriptURL  string `json:"transcript_url"`  // a transcript or captions file
	TranscriptType string `json:"transcript_type"` // its MIME type, derived from the URL when empty
	ChaptersURL    string `json:"chapters_url"`    // a JSON chapters file (Podcasting 2.0)
}

// Author names a person credited with an article. Name is required; Email
// and URL are optional.
type Author struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Enclosure is a media file attached to an article, typically a podcast
// episode's audio. Length is in bytes and Duration in seconds; zero means
// unknown.
type Enclosure struct {
	URL      string `json:"url"`
	Type     string `json:"type"`
	Length   int64  `json:"length"`
	Duration int64  `json:"duration,omitempty"`
}

// Scopes lists every feed scope the article belongs to: the site, and each
// of its categories, tags and authors (deduplicated by slug, in that order).
// A write to the article changes the feeds of exactly these scopes.
func (a *Article) Scopes() []Scope {
	out := []Scope{SiteScope}
	a.eachScope(func(s Scope, _ string) { out = append(out, s) })
	return out
}

// ScopeKeys is Scopes as their Key strings, the form stores keep.
func (a *Article) ScopeKeys() []string { return Keys(a.Scopes()) }

// Keys is scopes as their Key strings.
func Keys(scopes []Scope) []string {
	keys := make([]string, len(scopes))
	for i, s := range scopes {
		keys[i] = s.Key()
	}
	return keys
}

// ScopeNames maps each category, tag and author scope of the article to the
// display name the article gives it: the first name in its lists with that
// slug, the one Scopes kept.
func (a *Article) ScopeNames() map[Scope]string {
	names := map[Scope]string{}
	a.eachScope(func(s Scope, name string) { names[s] = name })
	return names
}

// eachScope calls fn for each category, tag and author scope of the
// article, once per slug, with the first name that gave it.
func (a *Article) eachScope(fn func(s Scope, name string)) {
	seen := map[Scope]bool{}
	add := func(kind ScopeKind, name string) {
		s := Scope{Kind: kind, Slug: Slugify(name)}
		if s.Slug == "" || seen[s] {
			return
		}
		seen[s] = true
		fn(s, name)
	}
	for _, c := range a.Categories {
		add(ScopeCategory, c)
	}
	for _, t := range a.Tags {
		add(ScopeTag, t)
	}
	for _, au := range a.Authors {
		add(ScopeAuthor, au.Name)
	}
}

// Visible reports whether the article is published at now: an article whose
// PublishedAt lies in the future is scheduled and appears in no feed yet.
func (a *Article) Visible(now time.Time) bool {
	return !a.PublishedAt.After(now)
}

// LastChanged is when the article last changed as readers see it: the
// later of UpdatedAt and PublishedAt. An article written while scheduled
// changed for readers when it appeared; every feed format dates its item,
// and a page of items, by this.
func (a *Article) LastChanged() time.Time {
	if a.PublishedAt.After(a.UpdatedAt) {
		return a.PublishedAt
	}
	return a.UpdatedAt
}

// ShowsChange reports whether replacing old with new at now changes what
// feeds show: it does unless both are scheduled. Either may be nil (a
// create or a delete). A write that shows nothing leaves its scopes'
// change time alone, so feeds rendered again keep their bytes and ETags.
func ShowsChange(old, new *Article, now time.Time) bool {
	return (old != nil && old.Visible(now)) || (new != nil && new.Visible(now))
}

// Clone returns a deep copy, so that a caller may change the copy without
// touching an article another goroutine holds.
func (a *Article) Clone() *Article {
	c := *a
	c.Authors = append([]Author(nil), a.Authors...)
	c.Categories = append([]string(nil), a.Categories...)
	c.Tags = append([]string(nil), a.Tags...)
	c.Enclosures = append([]Enclosure(nil), a.Enclosures...)
	return &c
}

// Upserted says what writing an article by its slug did.
type Upserted int

const (
	UpsertCreated   Upserted = iota + 1 // no article had the slug
	UpsertUpdated                       // the article with the slug changed
	UpsertUnchanged                     // it already was as given: nothing written
)

// SameAs reports whether a and b hold the same article, whatever their
// UpdatedAt, with an empty list equal to none.
func (a *Article) SameAs(b *Article) bool {
	if a == nil || b == nil {
		return a == b
	}
	norm := func(x *Article) Article {
		c := *x
		c.UpdatedAt = time.Time{}
		c.PublishedAt = c.PublishedAt.UTC().Round(0)
		if len(c.Authors) == 0 {
			c.Authors = nil
		}
		if len(c.Categories) == 0 {
			c.Categories = nil
		}
		if len(c.Tags) == 0 {
			c.Tags = nil
		}
		if len(c.Enclosures) == 0 {
			c.Enclosures = nil
		}
		return c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
