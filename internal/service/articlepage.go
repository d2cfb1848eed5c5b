package service

import (
	"context"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// ArticlePageMaker reads the article whose page is served at /slug and
// makes that page. It gives herald.ENotFound when no page is served there
// (no such article, one not published yet, or one whose URL is its own).
// Its result is cached and shared, as a PageMaker's is: it must depend on
// nothing but the article and the site's settings.
type ArticlePageMaker func(ctx context.Context, slug string) ([]byte, error)

// GetArticlePage returns the page of the article at /slug (a valid slug:
// letters and digits, the combining marks that follow them, and hyphens,
// in NFC), made by page and cached as a
// feed's HTML view is (GetView): in the feed cache under its own key
// (articlePageKey), made once per key and revision however many requests
// wait for it (across replicas with a shared cache), and compressed once
// per rendering after its miss was answered. A hit reads nothing from the
// store and makes nothing; when cond (If-None-Match alone) holds for it,
// its bytes may be left out (herald.Lookup.NotModified), and the caller
// answers 304 by evaluating cond itself.
//
// The page is kept under the site scope's revision, which every write of
// any article moves: an edit, a delete or a new article makes every page
// again at its next request. That costs a miss per page after each write
// and spares the write path from naming the pages it changes. Only a page
// that exists is kept: a slug with no page stays herald.ENotFound and is
// asked of the store at every request, as before; a failing store or
// template fails the request (nothing is stored) and the page is not
// served stale: the stale record is kept for feeds, whose readers poll,
// and a page per article would crowd their renderings out of its bounds.
//
// Counted in FeedStats as a view is: a hit, or a miss and one render per
// rendering.
func (f *Feeds) GetArticlePage(ctx context.Context, slug string, cond *herald.Condition, c herald.Coding, page ArticlePageMaker) (FeedResult, error) {
	return f.getPage(ctx, articlePageKey(slug), cond, c, "an article's page", func(rctx context.Context) (herald.Entry, time.Duration, error) {
		return f.renderArticlePage(rctx, slug, page)
	})
}

// renderArticlePage makes the page of the article at /slug, kept for the
// site's cache TTL: it changes only with a write, which moves the site's
// revision, and a scheduled article has no page until it is published,
// so nothing kept is due to change on its own (Due stays zero).
func (f *Feeds) renderArticlePage(ctx context.Context, slug string, page ArticlePageMaker) (herald.Entry, time.Duration, error) {
	body, err := page(ctx, slug)
	if err != nil {
		if herald.IsNotFound(err) {
			// A slug with no page, in the site's scope, which exists.
			return herald.Entry{}, 0, absent{err}
		}
		return herald.Entry{}, 0, err
	}
	f.stats.Renders.Add(1)
	f.log.Debug("article page made", "slug", slug, "bytes", len(body))
	return herald.Entry{Body: body, ETag: StrongETag(body), ContentType: ViewContentType}, f.site.CacheTTL, nil
}

// articlePagePrefix begins the format of an article page's cache key.
const articlePagePrefix = "page/"

// articlePageKey is the cache key of the page of the article at /slug:
// the site scope, so that every write invalidates it (see
// GetArticlePage), with the format "page/" + slug and no offset or limit.
//
// It cannot be a feed's or a view's key, nor another slug's: feeds'
// formats are rss, atom and json, views' the same with ".html" after
// them, and none holds a "/", which no slug holds either (Slugify keeps
// letters, digits and the combining marks after them, and puts hyphens
// between runs of them), so each slug names one format of its own; a
// feed's limit is never 0 besides.
// In Redis (cache.Redis.entryKey, lockKey) the key becomes
// {prefix}:feed:{site}[:variant]:page/<slug>:0:0: the hash tag is the
// site's, so a page sits in the slot of the revision key the get, put
// and lock scripts read with it; and a slug has no ':', '{', '}' or '|'
// (the separators of those keys and of the in-process ones, keyString),
// so its key reads back one way. Redis keys are bytes, so a non-ASCII
// slug goes in as its UTF-8, as it came in the path.
func articlePageKey(slug string) herald.FeedKey {
	return herald.FeedKey{Scope: herald.SiteScope, Format: herald.Format(articlePagePrefix + slug)}
}
