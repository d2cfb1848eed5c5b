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
		// bytes at every publication. The Last-Modified header is the
		// page's (herald.FeedPage.LastModified), which moves with whatever
		// can change the page's bytes and never goes backwards.
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

// PageMaker makes the HTML page of a feed document from its channel and
// articles. Its result is cached and shared: it must depend on nothing
// else that changes (the site's settings are fixed for the process, and
// a change of them or of the build changes the shared cache's variant).
type PageMaker func(ch herald.Channel, articles []*herald.Article) ([]byte, error)

// ViewContentType is the media type of a feed's HTML view.
const ViewContentType = "text/html; charset=utf-8"

// GetView returns the HTML view of the feed document k names (what a
// browser opening a feed URL gets), made by page from the document's
// channel and articles, cached as feeds are: in the feed cache, under a
// key of its own beside its feed's (viewKey), so the write that
// invalidates the feed invalidates its view; made once per key and
// revision however many requests wait for it (with a shared cache, once
// across replicas: the render lock), and compressed once per rendering,
// after its miss was answered. Until the variants are made, or when the
// cache could not keep the page, the entry has the identity body alone.
//
// The entry's ETag is its bytes' (StrongETag), so it differs from the
// feed's; its LastModified is the feed's, and Due when the next scheduled
// article shows. When cond (If-None-Match alone: the view has no date
// validator) holds for a cached entry, its bytes may be left out
// (herald.Lookup.NotModified); the caller answers 304 by evaluating cond
// itself, which it must do in any case. A view is counted in FeedStats as
// its feed would be: a hit, or a miss and one render per rendering.
func (f *Feeds) GetView(ctx context.Context, k herald.FeedKey, cond *herald.Condition, c herald.Coding, page PageMaker) (FeedResult, error) {
	return f.getPage(ctx, viewKey(k), cond, c, "the feed's HTML view", func(rctx context.Context) (herald.Entry, time.Duration, error) {
		return f.renderView(rctx, k, page)
	})
}

// getPage answers a request for the HTML page cached under key (a feed's
// view, an article's page), made by render on a miss: a hit as the cache
// gives it, else one rendering per key and revision (renderOnce), stored
// in every tier before the answer and compressed in the background. what
// names the page in the log line of a failed cache read.
func (f *Feeds) getPage(ctx context.Context, key herald.FeedKey, cond *herald.Condition, c herald.Coding, what string,
	render func(context.Context) (herald.Entry, time.Duration, error)) (FeedResult, error) {
	cacheOK := true
	look, err := f.lookup(ctx, key, cond, c)
	if err != nil {
		cacheOK = false
		f.stats.CacheErrors.Add(1)
		f.cacheLog.Warn(f.log, f.now(), "cache get failed; making "+what+" from the store", "cache", f.cache.Name(), "scope", key.Scope.Key(), "err", err)
	}
	if look.Hit {
		f.stats.Hits.Add(1)
		return FeedResult{Entry: look.Entry, NotModified: look.NotModified, Cached: true}, nil
	}
	f.stats.Misses.Add(1)
	e, err := f.renderOnce(ctx, key, look.Revision, cacheOK, render, func(rctx context.Context, rev string, e herald.Entry, ttl time.Duration, release func()) {
		// Stored before the answer (in every tier; then the lock is
		// released), and compressed in the background: a page is rare
		// next to a feed's polls, and this keeps its miss path the
		// simplest.
		f.storeRendering(rctx, f.cache.Put, key, rev, e, ttl, f.now(), release)
	})
	if err != nil {
		return FeedResult{}, err
	}
	return FeedResult{Entry: e}, nil
}

// renderView reads the document k names and makes its HTML view with
// page, kept as long as its feed would be (cacheTTL).
func (f *Feeds) renderView(ctx context.Context, k herald.FeedKey, page PageMaker) (herald.Entry, time.Duration, error) {
	now := f.now()
	doc, ch, err := f.readChannel(ctx, k, now)
	if err != nil {
		return herald.Entry{}, 0, err
	}
	body, err := page(ch, doc.Articles)
	if err != nil {
		return herald.Entry{}, 0, fmt.Errorf("feed: HTML view of %s %s: %w", k.Scope.Key(), k.Format, err)
	}
	f.stats.Renders.Add(1)
	f.log.Debug("feed HTML view made", "scope", k.Scope.Key(), "format", string(k.Format), "offset", k.Offset, "limit", k.Limit, "bytes", len(body))
	// Due even on an archive page, whose view (unlike the feed) has no
	// long lifetime: Cache-Control ends with the next publication.
	e := herald.Entry{Body: body, ETag: StrongETag(body), LastModified: doc.LastModified(), ContentType: ViewContentType, Due: doc.NextPublish}
	return e, f.cacheTTL(doc, now), nil
}

// viewKey is the cache key of the HTML view of the feed k names: k with
// a format no feed has, the feed's own with ".html" after it (a view
// links to the document in its format, so each format has its own). The
// scope is k's, so the revision that invalidates the feed invalidates
// its view; the shared cache's variant (the build and the settings)
// covers the page's template as it covers the renderer.
func viewKey(k herald.FeedKey) herald.FeedKey {
	switch k.Format {
	case herald.FormatRSS:
		k.Format = "rss.html"
	case herald.FormatAtom:
		k.Format = "atom.html"
	case herald.FormatJSON:
		k.Format = "json.html"
	default:
		k.Format += ".html"
	}
	return k
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
