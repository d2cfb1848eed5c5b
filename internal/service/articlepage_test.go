package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestArticlePageKeyIsItsOwn: an article page's cache key is under the
// site scope (every write invalidates it), names its slug, and is no
// feed's or view's key, nor another slug's; its format holds none of the
// separators of the caches' key strings.
func TestArticlePageKeyIsItsOwn(t *testing.T) {
	slugs := []string{"a", "rss", "atom-html", "html", "page", "café-notes", "日本語-1", "0"}
	seen := map[herald.FeedKey]string{}
	for _, f := range herald.Formats {
		for _, limit := range []int{0, 1, 20} {
			for offset := range 3 {
				k := herald.FeedKey{Scope: herald.SiteScope, Format: f, Offset: offset, Limit: limit}
				seen[k] = "feed " + string(f)
				seen[viewKey(k)] = "view " + string(f)
			}
		}
	}
	for _, slug := range slugs {
		if herald.Slugify(slug) != slug {
			t.Fatalf("test slug %q is no slug", slug)
		}
		k := articlePageKey(slug)
		if k.Scope != herald.SiteScope || !strings.Contains(string(k.Format), slug) {
			t.Errorf("articlePageKey(%q) = %+v: want the site scope and a format naming the slug", slug, k)
		}
		if other, ok := seen[k]; ok {
			t.Errorf("articlePageKey(%q) = %+v is also the key of %s", slug, k, other)
		}
		seen[k] = "page " + slug
		if strings.ContainsAny(string(k.Format), ":{}|") {
			t.Errorf("articlePageKey(%q) format %q holds a separator of the caches' keys", slug, k.Format)
		}
	}
}

// TestArticlePageMissNotKept: a page the maker cannot make (no page at
// that slug, or the store failing) is answered with the maker's error
// and not kept: the next request makes it again. A missing page leaves
// the site's revision alone (the site's feed stays cached), and a page
// made is kept and counted as a view is.
func TestArticlePageMissNotKept(t *testing.T) {
	fx := fixtureWithOne(t, nil)
	ctx := context.Background()
	if _, err := fx.feeds.Get(ctx, herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}, nil); err != nil {
		t.Fatal(err)
	}
	st := fx.feeds.Stats()
	calls := 0
	var fail error
	maker := func(_ context.Context, slug string) ([]byte, error) {
		calls++
		if fail != nil {
			return nil, fail
		}
		return []byte("<p>" + slug + "</p>"), nil
	}
	get := func() (FeedResult, error) {
		t.Helper()
		return fx.feeds.GetArticlePage(ctx, "one", nil, herald.CodingIdentity, maker)
	}

	fail = herald.Errorf(herald.ENotFound, "no page")
	for range 2 {
		if _, err := get(); !herald.IsNotFound(err) {
			t.Fatalf("a page the maker does not find: err %v, want ENotFound", err)
		}
	}
	fail = herald.Errorf(herald.EUnavailable, "store down")
	if _, err := get(); herald.ErrorCode(err) != herald.EUnavailable {
		t.Fatalf("a page whose store is down: err %v, want EUnavailable", err)
	}
	if calls != 3 {
		t.Fatalf("three requests of a page not made: %d calls of the maker, want 3", calls)
	}
	fail = nil
	hits, renders := st.Hits.Load(), st.Renders.Load()
	if _, err := fx.feeds.Get(ctx, herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}, nil); err != nil || st.Hits.Load() != hits+1 {
		t.Fatalf("the site's feed after pages not made: err %v, hit %v; want it still cached", err, st.Hits.Load() == hits+1)
	}
	res, err := get()
	if err != nil || string(res.Entry.Body) != "<p>one</p>" || res.Cached || res.Entry.ETag != StrongETag(res.Entry.Body) || res.Entry.ContentType != ViewContentType {
		t.Fatalf("the page made: %+v, %v", res, err)
	}
	fx.feeds.Wait()
	res, err = get()
	if err != nil || !res.Cached || string(res.Entry.Body) != "<p>one</p>" || calls != 4 || st.Renders.Load() != renders+1 {
		t.Fatalf("the page again: cached %v, %d calls of the maker (want 4), %d renders (want 1), err %v", res.Cached, calls, st.Renders.Load()-renders, err)
	}
	cond := &herald.Condition{HasIfNoneMatch: true, ETags: []string{res.Entry.ETag}}
	if res, err := fx.feeds.GetArticlePage(ctx, "one", cond, herald.CodingIdentity, maker); err != nil || !res.Cached || calls != 4 {
		t.Fatalf("the page with its ETag: cached %v, %d calls of the maker, err %v", res.Cached, calls, err)
	}
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Two", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if res, err := get(); err != nil || res.Cached || calls != 5 {
		t.Fatalf("the page after a write: cached %v, %d calls of the maker (want 5), err %v", res.Cached, calls, err)
	}
}
