package service

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sync/singleflight"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/logthrottle"
)

// Feeds answers feed requests: from the cache when it holds a rendering of
// the scope's current revision, otherwise by rendering from the store once
// per key however many requests are waiting for it.
type Feeds struct {
	store  herald.Store
	cache  herald.Cache
	coded  herald.CodedGetter      // cache, when it can fetch one coding; asserted once, not per request
	forget herald.MissingForgetter // cache (or what it decorates), when it can drop a missing scope's revision
	render herald.Renderer
	site   Site
	now    func() time.Time
	log    *slog.Logger

	// RenderTimeout bounds a render that callers share, since it runs
	// detached from the request that started it.
	renderTimeout time.Duration
	flight        singleflight.Group
	stats         FeedStats
	stale         *staleRecord         // last good renderings, for stale-if-error; nil when off
	cacheLog      logthrottle.Throttle // cache failures: one line per interval, not per request
	storeLog      logthrottle.Throttle // store failures on the read path, likewise
	variants      variantMaker
	stores        chan struct{} // a slot per background store to the shared tier
}

// FeedStats counts what the read path did since start. Tests use it to prove
// that a burst renders once; metrics export it.
type FeedStats struct {
	Hits, Misses, CacheErrors, Renders, NotModified atomic.Int64
	// StaleServed counts answers given from the stale record because the
	// store failed.
	StaleServed atomic.Int64

	// Compressions counts renderings whose compressed variants were made
	// and stored (once per rendering, after the miss was answered).
	Compressions atomic.Int64

	// SyncStores counts renderings stored in the shared tier before their
	// miss was answered because every background store slot was taken.
	SyncStores atomic.Int64

	// SharedFills counts misses (once per key and revision, like Renders)
	// answered with the entry the render lock found in the shared tier,
	// without rendering: stored by another replica, or by this one before
	// its local tier dropped it.
	SharedFills atomic.Int64
}

// FeedsOptions are the optional dependencies of NewFeeds.
type FeedsOptions struct {
	Now           func() time.Time
	Logger        *slog.Logger
	RenderTimeout time.Duration
	// MaxStale is how old a rendering may be and still be served when the
	// store fails (stale-if-error); zero turns that off.
	MaxStale time.Duration
	// StaleEntries and StaleBytes bound the renderings kept for it.
	StaleEntries, StaleBytes int
	// Compress makes the compressed variants of a rendered body (gzip, br,
	// zstd). It runs once per rendering, after the miss that rendered it
	// was answered, and its result is stored with the entry. Nil: feeds
	// are cached in identity only.
	Compress func(body []byte) (herald.Variants, error)
	// BackgroundStores bounds the renderings on their way to the shared
	// tier after their miss was answered (default 64); past it, a miss
	// stores its rendering before answering.
	BackgroundStores int
}

// NewFeeds returns the read path over the given adapters.
func NewFeeds(store herald.Store, cache herald.Cache, r herald.Renderer, site Site, opts FeedsOptions) *Feeds {
	f := &Feeds{store: store, cache: cache, render: r, site: site, now: opts.Now, log: opts.Logger, renderTimeout: opts.RenderTimeout,
		stale: newStaleRecord(opts.MaxStale, opts.StaleEntries, opts.StaleBytes), cacheLog: logthrottle.Throttle{Interval: 10 * time.Second}, storeLog: logthrottle.Throttle{Interval: 10 * time.Second}}
	f.coded, _ = cache.(herald.CodedGetter)
	f.forget, _ = herald.CacheAs[herald.MissingForgetter](cache)
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.renderTimeout <= 0 {
		f.renderTimeout = 10 * time.Second
	}
	f.variants = newVariantMaker(opts.Compress)
	if opts.BackgroundStores <= 0 {
		opts.BackgroundStores = 64
	}
	f.stores = make(chan struct{}, opts.BackgroundStores)
	return f
}

// Stats returns the live counters.
func (f *Feeds) Stats() *FeedStats { return &f.stats }

// Site returns the site metadata the feeds are rendered with.
func (f *Feeds) Site() Site { return f.site }

// FeedResult is the answer to one feed request.
type FeedResult struct {
	Entry herald.Entry
	// NotModified is set when the request's condition matched; Entry.Body
	// may then be nil.
	NotModified bool
	// Cached reports that the answer came from the cache.
	Cached bool
	// Stale reports that the store failed and this is the last good
	// rendering, Age old (stale-if-error).
	Stale bool
	Age   time.Duration
}

// Limit resolves a requested ?limit= (0 when absent) against the site's
// bounds, or returns an EBadRequest error naming the parameter.
func (f *Feeds) Limit(requested int, present bool) (int, error) {
	if !present {
		return f.site.DefaultLimit, nil
	}
	if requested < 1 || requested > f.site.MaxLimit {
		return 0, herald.FieldError(herald.EBadRequest, "limit", "limit must be between 1 and %d", f.site.MaxLimit)
	}
	return requested, nil
}

// Get returns the feed named by k with every coding the cache holds,
// evaluating cond against its validators. A cache that fails is logged and
// bypassed: the feed is then rendered from the store, never refused
// because of the cache.
func (f *Feeds) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (FeedResult, error) {
	return f.GetCoded(ctx, k, cond, allCodings)
}

// GetCoded is Get for a request that will be answered in coding c: a cache
// that can (herald.CodedGetter) fetches only those bytes. The entry may
// still lack that coding (a miss, or variants not made yet); the identity
// body is then in it.
func (f *Feeds) GetCoded(ctx context.Context, k herald.FeedKey, cond *herald.Condition, c herald.Coding) (FeedResult, error) {
	cacheOK := true
	look, err := f.lookup(ctx, k, cond, c)
	if err != nil {
		cacheOK = false
		f.stats.CacheErrors.Add(1)
		f.cacheLog.Warn(f.log, f.now(), "cache get failed; rendering from the store", "cache", f.cache.Name(), "scope", k.Scope.Key(), "err", err)
	}
	if look.Hit {
		f.stats.Hits.Add(1)
		now := f.now() // once: a clock read is a measurable part of a hit
		res := FeedResult{Entry: look.Entry, Cached: true}
		res.NotModified = look.NotModified || cond.NotModified(look.Entry.ETag, look.Entry.LastModified, now)
		if res.NotModified {
			f.stats.NotModified.Add(1)
		}
		f.recordGoodAt(k, look.Entry, look.Revision, now)
		return res, nil
	}
	f.stats.Misses.Add(1)
	// The closures below take the revision, not look: a captured look
	// would be moved to the heap on every call, hits included.
	rev := look.Revision

	e, err := f.renderOnce(ctx, k, rev, cacheOK, func(rctx context.Context) (herald.Entry, time.Duration, error) {
		return f.renderEntry(rctx, k)
	}, func(rctx context.Context, rev string, e herald.Entry, ttl time.Duration, release func()) {
		done := f.now()
		lp, ok := f.cache.(herald.LocalPutter)
		if !ok {
			f.storeRendering(rctx, f.cache.Put, k, rev, e, ttl, done, release)
			return
		}
		// This process's requests find the entry at once; the trip of the
		// body to the shared tier (0.7 ms for 234 KiB to a local Redis),
		// the unlock and the compression come after the answer, and touch
		// only the shared tier: by then this process may hold a newer
		// rendering of the same revision (a scheduled article came due).
		lp.PutLocal(k, rev, e, ttl)
		select {
		case f.stores <- struct{}{}:
			f.variants.started()
			go func() {
				defer func() { <-f.stores; f.variants.pending.Done() }()
				ctx, cancel := context.WithTimeout(context.Background(), f.renderTimeout)
				defer cancel()
				f.storeRendering(ctx, lp.PutShared, k, rev, e, ttl, done, release)
			}()
		default:
			// As many stores as allowed are under way (a slow Redis, or
			// many feeds invalidated at once): this one is made before the
			// answer, which holds the answer back instead of piling up
			// renderings waiting for Redis in memory.
			f.stats.SyncStores.Add(1)
			f.storeRendering(rctx, lp.PutShared, k, rev, e, ttl, done, release)
		}
	})
	if err != nil {
		return f.staleOrError(k, cond, rev, look.Minted, err)
	}
	f.recordGood(k, e, rev)
	res := FeedResult{Entry: e, NotModified: cond.NotModified(e.ETag, e.LastModified, f.now())}
	if res.NotModified {
		f.stats.NotModified.Add(1)
	}
	return res, nil
}

// renderOnce renders the entry of k under revision rev once for all the
// requests that miss it at the same time: in this process (a flight keyed
// by k and rev) and across replicas sharing Redis (peerRender). The render
// runs detached from any one request, so that a client hanging up does
// not fail the others waiting on it, and bounded by the render timeout.
// When the cache has no render lock (which looks as it locks), the cache
// is looked at once more first: a request that missed just as the last
// flight for k ended would otherwise render again. A render that finds no
// such scope forgets the revision it minted (forgetMissing). A rendering
// to keep (the cache answered, and its TTL is positive) goes to store with
// the render lock's release, which store must call.
func (f *Feeds) renderOnce(ctx context.Context, k herald.FeedKey, rev string, cacheOK bool,
	render func(context.Context) (herald.Entry, time.Duration, error),
	store func(ctx context.Context, rev string, e herald.Entry, ttl time.Duration, release func())) (herald.Entry, error) {
	v, err, _ := f.flight.Do(keyString(k)+"\x00"+rev, func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.renderTimeout)
		defer cancel()
		if _, locks := f.cache.(herald.RenderLocker); cacheOK && !locks {
			if again, err := f.cache.Get(rctx, k, nil); err == nil && again.Hit && again.Revision == rev {
				return again.Entry, nil
			}
		}
		release, rev, peer, fromPeer := f.peerRender(rctx, k, rev, cacheOK)
		if fromPeer {
			return peer, nil
		}
		released := false
		defer func() {
			if !released {
				release()
			}
		}()
		e, ttl, err := render(rctx)
		if err != nil {
			if cacheOK && herald.IsNotFound(err) {
				released = true
				release()
				f.forgetMissing(rctx, k, rev)
			}
			return e, err
		}
		if !cacheOK || ttl <= 0 {
			return e, nil
		}
		released = true
		store(rctx, rev, e, ttl, release)
		return e, nil
	})
	var a absent
	if errors.As(err, &a) {
		return herald.Entry{}, a.err
	}
	if err != nil {
		return herald.Entry{}, err
	}
	return v.(herald.Entry), nil
}

// absent is how a render tells renderOnce of a herald.ENotFound about
// something within a scope that exists (an article's page, a history
// page past the last), so that it does not look like a scope that does
// not: renderOnce forgets such a scope's revision (forgetMissing), which
// would drop every cached document of the scope at each request for a
// slug or a page nobody has. renderOnce returns the error it carries.
type absent struct{ err error }

func (e absent) Error() string { return e.err.Error() }

// forgetMissing is called when the render of k under rev ended in
// herald.ENotFound: a category, tag or author no visible article has. The
// lookup or the render lock minted the scope's revision before the store
// was asked (it must be in the cache before the data is read), and anyone
// can ask for any scope, so it is removed again at once rather than left
// in the shared Redis for its day-long TTL; the render lock was just
// released. Removing a revision is safe whenever it happens: it costs the
// next reader a miss and never makes an older rendering current (see
// internal/cache/missing.go). A feed that exists never comes here, so the
// hit and the miss of an existing feed send Redis nothing more; a 404 sends
// one round trip more.
func (f *Feeds) forgetMissing(ctx context.Context, k herald.FeedKey, rev string) {
	if f.forget == nil || rev == "" {
		return
	}
	if err := f.forget.ForgetMissing(ctx, k, rev); err != nil {
		f.stats.CacheErrors.Add(1)
		f.cacheLog.Warn(f.log, f.now(), "cache: removing a missing scope's revision failed; it expires by its TTL", "cache", f.cache.Name(), "scope", k.Scope.Key(), "err", err)
	}
}

// renderEntry reads the scope's page from the store and renders it. The
// returned TTL ends when the next scheduled article is due, so the cached
// feed never outlives the moment it should change.
func (f *Feeds) renderEntry(ctx context.Context, k herald.FeedKey) (herald.Entry, time.Duration, error) {
	now := f.now()
	page, ch, err := f.readChannel(ctx, k, now)
	if err != nil {
		return herald.Entry{}, 0, err
	}
	body, err := f.render.Render(k.Format, ch, page.Articles)
	if err != nil {
		return herald.Entry{}, 0, fmt.Errorf("feed: render %s %s: %w", k.Scope.Key(), k.Format, err)
	}
	f.stats.Renders.Add(1)
	f.log.Debug("feed rendered", "scope", k.Scope.Key(), "format", string(k.Format), "offset", k.Offset, "limit", k.Limit, "bytes", len(body))
	e := herald.Entry{
		Body:         body,
		ETag:         StrongETag(body),
		LastModified: page.LastModified(),
		ContentType:  k.Format.ContentType(),
		// Only a sealed archive is cached as one: the newest full page
		// is an archive too, but its links change when a newer page
		// appears (by a write or a scheduled article coming due), so it
		// expires at the next due article like any open document.
		Archive: sealed(k, page.Total),
	}
	if !e.Archive {
		e.Due = page.NextPublish
	}
	return e, f.cacheTTL(page, now), nil
}

// cacheTTL is how long a rendering of page made at now may be kept: the
// site's cache TTL, ended early when the next scheduled article is due.
func (f *Feeds) cacheTTL(page *herald.FeedPage, now time.Time) time.Duration {
	if page.NextPublish.IsZero() {
		return f.site.CacheTTL
	}
	return min(f.site.CacheTTL, page.NextPublish.Sub(now))
}

// Prerender reads the site feed of the newest limit articles once and
// renders it in every format, keeping none of the documents: what it
// leaves behind is the store's decoded articles and the renderer's encoded
// items, which the next render of any feed listing those articles (the
// site feed at any limit, its categories, tags and authors) takes instead
// of reading and encoding them again. A podcast show's RSS items differ
// from the site's (they carry the show's elements), so each show's RSS feed
// of the newest limit articles is rendered too; its Atom and JSON items
// are the site's. Nothing is cached as a feed, nor counted as a feed
// render (the renderer's own metrics count the renders); an empty site
// renders nothing. It returns how many articles of the site feed it read.
func (f *Feeds) Prerender(ctx context.Context, limit int) (int, error) {
	n, err := f.prerender(ctx, herald.FeedKey{Scope: herald.SiteScope, Limit: limit}, herald.Formats)
	if err != nil || n == 0 {
		return n, err
	}
	for _, slug := range slices.Sorted(maps.Keys(f.site.Shows)) {
		k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: slug}, Limit: limit}
		if _, err := f.prerender(ctx, k, []herald.Format{herald.FormatRSS}); err != nil && !herald.IsNotFound(err) {
			return n, err
		}
	}
	return n, nil
}

// prerender reads the document k names (whatever its format) and renders
// it in each of formats, keeping nothing; it returns how many articles it
// read. A scope without articles gives ENotFound.
func (f *Feeds) prerender(ctx context.Context, k herald.FeedKey, formats []herald.Format) (int, error) {
	page, d, err := f.readDocument(ctx, k, f.now())
	if err != nil {
		return 0, fmt.Errorf("feed: prerender %s: %w", k.Scope.Key(), err) // still IsNotFound for a scope without articles
	}
	if len(page.Articles) == 0 {
		return 0, nil
	}
	for _, format := range formats {
		if err := ctx.Err(); err != nil {
			return len(page.Articles), err
		}
		k.Format = format
		if _, err := f.render.Render(format, f.channelOf(k, page, d), page.Articles); err != nil {
			return len(page.Articles), fmt.Errorf("feed: prerender %s %s: %w", k.Scope.Key(), format, err)
		}
	}
	return len(page.Articles), nil
}

// Preread reads the site's visible articles after the newest skip, newest
// first, page articles at a time, so that the store's article cache holds
// them when a feed of a category, tag or author (or a history page) first
// lists them: such a miss then encodes those articles but reads none in
// full. Before each page it asks room whether that many more articles fit;
// it stops when they do not, at the last article, or when ctx ends. It
// renders and caches nothing, and returns how many articles it read.
func (f *Feeds) Preread(ctx context.Context, skip, page int, room func(n int) bool) (int, error) {
	if page <= 0 {
		return 0, nil
	}
	now := f.now()
	read := 0
	for room(page) {
		if err := ctx.Err(); err != nil {
			return read, err
		}
		p, err := f.store.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: now, Limit: page, Offset: skip + read})
		if err != nil {
			return read, fmt.Errorf("feed: preread: %w", err)
		}
		read += len(p.Articles)
		if len(p.Articles) < page {
			break
		}
	}
	return read, nil
}

// StrongETag is the entity tag of exact bytes: their 64-bit xxHash in hex,
// so the same bytes give the same tag on every replica. A tag only has to
// tell the versions of one URL apart, which 64 bits do with a chance of
// 2⁻⁶⁴ per pair; it needs no resistance to a forger, since whoever could
// craft a colliding feed can write its articles anyway. xxHash reads a
// 234 KiB feed in about 15 µs where SHA-256 took 126 µs, an eighth of
// gorilla/feeds' own ToRss on every miss (docs/PERFORMANCE.md).
func StrongETag(body []byte) string {
	var b [18]byte
	b[0], b[17] = '"', '"'
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxhash.Sum64(body))
	hex.Encode(b[1:17], sum[:])
	return string(b[:])
}

func keyString(k herald.FeedKey) string {
	return k.Scope.Key() + "|" + string(k.Format) + "|" + strconv.Itoa(k.Offset) + "|" + strconv.Itoa(k.Limit)
}
