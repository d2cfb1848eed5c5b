package service

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// readChannel reads the document k names and builds its channel: the
// site's metadata, the scope's show when it has one, and the paging links.
func (f *Feeds) readChannel(ctx context.Context, k herald.FeedKey, now time.Time) (*herald.FeedPage, herald.Channel, error) {
	page, d, err := f.readDocument(ctx, k, now)
	if err != nil {
		if herald.IsNotFound(err) {
			return nil, herald.Channel{}, herald.Errorf(herald.ENotFound, "no feed for %s %q", k.Scope.Kind, k.Scope.Slug)
		}
		if herald.ErrorCode(err) == herald.EBadRequest {
			return nil, herald.Channel{}, err
		}
		return nil, herald.Channel{}, fmt.Errorf("feed: read %s: %w", k.Scope.Key(), err)
	}
	return page, f.channelOf(k, page, d), nil
}

// channelOf builds the channel of the document k names, read as page and
// located as d.
func (f *Feeds) channelOf(k herald.FeedKey, page *herald.FeedPage, d document) herald.Channel {
	ch := f.site.channel(k, page)
	ch.Paging = f.site.paging(k, d, page.Total)
	if k.Offset > 0 {
		// A history page's date is its newest article's: the scope's last
		// change (a write anywhere in the scope) would alter an archive's
		// bytes at every publication. The Last-Modified header still uses
		// the scope's change time, which never goes backwards.
		ch.Updated = newestUpdate(page.Articles)
	}
	return ch
}

// newestUpdate is the latest UpdatedAt (or PublishedAt) among articles, in
// whole seconds; zero for none.
func newestUpdate(articles []*herald.Article) time.Time {
	var t time.Time
	for _, a := range articles {
		if u := a.LastChanged(); u.After(t) {
			t = u
		}
	}
	return t.UTC().Truncate(time.Second)
}

// View returns the channel and articles of the document k names, and
// when the scope's next scheduled article appears (zero for none), read
// from the store without the cache: the HTML rendering browsers get is
// rare next to feed polling and not worth a cache entry of its own.
func (f *Feeds) View(ctx context.Context, k herald.FeedKey) (herald.Channel, []*herald.Article, time.Time, error) {
	page, ch, err := f.readChannel(ctx, k, f.now())
	if err != nil {
		return herald.Channel{}, nil, time.Time{}, err
	}
	return ch, page.Articles, page.NextPublish, nil
}

// FeedInfo is one scope's entry in the directory of feeds.
type FeedInfo struct {
	Scope    herald.Scope
	Name     string // display name; the site's title for the site
	Title    string // the title its feeds carry
	Articles int    // visible articles
	Podcast  bool   // the scope is a podcast show
}

// LanguageOf is the language scope's feeds declare: its show's when the
// scope is a podcast show that names one, else the site's.
func (s *Site) LanguageOf(scope herald.Scope) string {
	if show, ok := s.Shows[scope.Slug]; ok && scope.Kind == herald.ScopeCategory && show.Language != "" {
		return show.Language
	}
	return s.Language
}

// URL is the absolute URL of the scope's subscription document in f.
func (s *Site) URL(scope herald.Scope, f herald.Format) string {
	return s.FeedURL(herald.FeedKey{Scope: scope, Format: f, Limit: s.DefaultLimit})
}

// DirectoryVersion names what the directory lists: the site's revision,
// which every write of any article bumps, and when its next scheduled
// article shows (zero for none). Two directories read at one version list
// the same feeds, so documents made from one may be kept until it changes.
type DirectoryVersion struct {
	Revision int64
	Due      time.Time
}

// DirectoryVersion reads the directory's current version from the store
// (one read of the site's first article, which the store's article cache
// usually holds), never from the feed cache: writes of other processes
// count too.
func (f *Feeds) DirectoryVersion(ctx context.Context) (DirectoryVersion, error) {
	page, err := f.store.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: f.now(), Limit: 1})
	if err != nil {
		return DirectoryVersion{}, fmt.Errorf("feed directory: %w", err)
	}
	return DirectoryVersion{Revision: page.Revision, Due: page.NextPublish}, nil
}

// Same reports whether v and o are one version.
func (v DirectoryVersion) Same(o DirectoryVersion) bool {
	return v.Revision == o.Revision && v.Due.Equal(o.Due)
}

// Directory lists every feed the site publishes: the site's own, then
// each category, tag and author with a visible article, in that order.
func (f *Feeds) Directory(ctx context.Context) ([]FeedInfo, error) {
	scopes, err := f.store.Scopes(ctx, f.now())
	if err != nil {
		return nil, fmt.Errorf("feed directory: %w", err)
	}
	out := make([]FeedInfo, 0, len(scopes)+1)
	out = append(out, FeedInfo{Scope: herald.SiteScope, Name: f.site.Title, Title: f.site.Title})
	for _, sc := range scopes {
		ch := f.site.channel(herald.FeedKey{Scope: sc.Scope}, &herald.FeedPage{Name: sc.Name})
		out = append(out, FeedInfo{Scope: sc.Scope, Name: sc.Name, Title: ch.Title, Articles: sc.Articles, Podcast: ch.Podcast != nil})
	}
	return out, nil
}
