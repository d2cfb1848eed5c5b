package service

import (
	"strconv"
	"strings"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Site is the publication's metadata and feed policy, from configuration.
type Site struct {
	Title       string
	Description string
	BaseURL     string // public URL, without a trailing slash
	Language    string
	Author      herald.Author

	DefaultLimit int           // items per feed when the request names none
	MaxLimit     int           // upper bound of ?limit=
	CacheTTL     time.Duration // lifetime of a cached rendering
	TTLMinutes   int           // RSS <ttl> hint

	// Shows are the podcast shows, by category slug.
	Shows map[string]herald.Show

	// Hubs are the WebSub hubs (websub.hubs): the subscription documents
	// name them, and a change of a feed is sent to them (Topics).
	Hubs []string
}

// FeedURL is the absolute URL of a feed, as its self link names it. A
// non-default limit is part of the URL because it changes the document,
// and so is the page of a history page.
func (s *Site) FeedURL(k herald.FeedKey) string {
	u := strings.TrimRight(s.BaseURL, "/") + k.Scope.FeedPath(k.Format)
	if k.Limit != s.DefaultLimit && k.Limit > 0 {
		u += "?limit=" + strconv.Itoa(k.Limit)
	}
	if k.Offset > 0 {
		u = pageURL(u, k.Offset)
	}
	return u
}

// channel builds the feed-level metadata of a page of a scope.
func (s *Site) channel(k herald.FeedKey, page *herald.FeedPage) herald.Channel {
	ch := herald.Channel{
		Title:       s.Title,
		Description: s.Description,
		SiteURL:     strings.TrimRight(s.BaseURL, "/") + "/",
		FeedURL:     s.FeedURL(k),
		Language:    s.LanguageOf(k.Scope),
		Author:      s.Author,
		Updated:     page.LastModified(),
		Scope:       k.Scope,
		ScopeName:   page.Name,
		TTL:         s.TTLMinutes,
	}
	if s.IsTopic(k) {
		ch.Hubs = s.Hubs
	}
	name := page.Name
	if name == "" {
		name = k.Scope.Slug
	}
	switch k.Scope.Kind {
	case herald.ScopeCategory:
		ch.Title = s.Title + " — " + name
		ch.Description = "Articles in the category " + name + " of " + s.Title
	case herald.ScopeTag:
		ch.Title = s.Title + " — tagged " + name
		ch.Description = "Articles tagged " + name + " on " + s.Title
	case herald.ScopeAuthor:
		ch.Title = s.Title + " — by " + name
		ch.Description = "Articles by " + name + " on " + s.Title
	}
	if show, ok := s.Shows[k.Scope.Slug]; ok && k.Scope.Kind == herald.ScopeCategory {
		ch.Podcast = &show
		if show.Title != "" {
			ch.Title = show.Title
		}
		if show.Description != "" {
			ch.Description = show.Description
		}
	}
	if ch.Description == "" {
		ch.Description = ch.Title
	}
	return ch
}

// IsTopic reports whether the document k names is a WebSub topic: a
// subscription document at its default size, the URL Topics lists and
// the hubs are told of. A history page, whose articles do not change, and
// a ?limit= variant are not: a subscription to them would never hear of
// a change, so they name no hub.
func (s *Site) IsTopic(k herald.FeedKey) bool {
	return len(s.Hubs) > 0 && k.Offset == 0 && k.Limit == s.DefaultLimit
}

// Topics are the WebSub topics a change of the scopes changes: each
// scope's subscription document in every format, as its self link names
// it. Nil when no hub is configured.
func (s *Site) Topics(scopes []herald.Scope) []string {
	if len(s.Hubs) == 0 {
		return nil
	}
	out := make([]string, 0, len(herald.Formats)*len(scopes))
	for _, sc := range scopes {
		for _, f := range herald.Formats {
			out = append(out, s.FeedURL(herald.FeedKey{Scope: sc, Format: f, Limit: s.DefaultLimit}))
		}
	}
	return out
}
