package service

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
)

// TestPrerender: prerendering the site feed leaves every format's items
// kept by the renderer and the articles decoded in the store's cache, and
// caches no feed: the next request is still a miss, and it encodes
// nothing. On an empty store it does nothing and fails nothing.
func TestPrerender(t *testing.T) {
	ctx := context.Background()
	r := render.New()
	fx := newFixture(t, r)
	if n, err := fx.feeds.Prerender(ctx, 100); err != nil || n != 0 {
		t.Fatalf("Prerender on an empty store: %d articles, err %v; want 0 and none", n, err)
	}
	for i := range 3 {
		if err := fx.articles.Create(ctx, &herald.Article{Title: fmt.Sprintf("Pre %d", i), PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := fx.feeds.Prerender(ctx, 2); err != nil || n != 2 {
		t.Fatalf("Prerender(2): %d articles, err %v; want 2", n, err)
	}
	if hits, misses := r.FragmentStats(); hits != 0 || misses != 6 {
		t.Fatalf("after Prerender(2): %d items kept and %d encoded, want 0 and 6 (two articles, three formats)", hits, misses)
	}
	if hits, misses := fx.store.ArticleCache().Stats(); hits != 0 || misses != 2 {
		t.Fatalf("after Prerender(2): article cache hits %d misses %d, want 0 and 2 (one store read for the three formats)", hits, misses)
	}
	for _, f := range herald.Formats {
		res, err := fx.feeds.Get(ctx, herald.FeedKey{Scope: herald.SiteScope, Format: f, Limit: 2}, nil)
		if err != nil || res.Cached {
			t.Fatalf("%s after Prerender: cached %v, err %v; want a miss (nothing cached as a feed)", f, res.Cached, err)
		}
	}
	if hits, misses := r.FragmentStats(); hits != 6 || misses != 6 {
		t.Fatalf("after the first requests: %d items kept and %d encoded, want 6 and 6 (nothing encoded again)", hits, misses)
	}
	if renders := fx.feeds.Stats().Renders.Load(); renders != 3 {
		t.Errorf("%d feed renders counted, want the 3 requests only", renders)
	}
}

// TestPrerenderShows: a podcast show's RSS items carry the show's
// elements, so Prerender also renders each show's RSS feed, and the
// show's first request encodes nothing; a show whose category has no
// article yet is passed over without an error.
func TestPrerenderShows(t *testing.T) {
	ctx := context.Background()
	r := render.New()
	fx := newFixture(t, r)
	site := testSite()
	show := herald.Show{Title: "The Show", Author: "Host", ImageURL: "https://cdn.example.com/art.jpg", Category: "Technology"}
	site.Shows = map[string]herald.Show{"show": show, "silent": show}
	feeds := NewFeeds(fx.store, fx.cache, r, site, FeedsOptions{Now: fx.clock.Now})
	for i, cats := range [][]string{{"show"}, {"other"}, {"show"}} {
		a := &herald.Article{Title: fmt.Sprintf("Episode %d", i), Categories: cats, PublishedAt: fx.clock.Now().Add(-time.Hour)}
		if err := fx.articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := feeds.Prerender(ctx, 100); err != nil || n != 3 {
		t.Fatalf("Prerender: %d articles, err %v; want 3", n, err)
	}
	if hits, misses := r.FragmentStats(); hits != 0 || misses != 3*3+2 {
		t.Fatalf("after Prerender: %d items kept and %d encoded, want 0 and 11 (three articles in three formats, two show items)", hits, misses)
	}
	for _, f := range herald.Formats {
		k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "show"}, Format: f, Limit: 20}
		if _, err := feeds.Get(ctx, k, nil); err != nil {
			t.Fatalf("show feed %s: %v", f, err)
		}
	}
	if hits, misses := r.FragmentStats(); hits != 6 || misses != 11 {
		t.Errorf("after the show's first requests: %d items kept and %d encoded, want 6 and 11 (nothing encoded again)", hits, misses)
	}
}

// TestPreread: Preread fills the store's article cache with the articles
// after the newest skip, page by page while room says they fit, so a
// category feed listing older articles reads none of them in full; it
// renders nothing and stops at the last article or when room says no.
func TestPreread(t *testing.T) {
	ctx := context.Background()
	r := render.New()
	fx := newFixture(t, r)
	for i := range 10 {
		a := &herald.Article{Title: fmt.Sprintf("Old %d", i), Categories: []string{"old"},
			PublishedAt: fx.clock.Now().Add(-time.Duration(i+1) * time.Hour)}
		if err := fx.articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	ac := fx.store.ArticleCache()
	pages := 0
	if n, err := fx.feeds.Preread(ctx, 3, 4, func(n int) bool { pages++; return pages <= 1 }); err != nil || n != 4 {
		t.Fatalf("Preread stopped by room after a page: %d articles, err %v; want 4", n, err)
	}
	if ac.Len() != 4 {
		t.Fatalf("article cache holds %d, want the 4 read", ac.Len())
	}
	ac.Purge()
	if n, err := fx.feeds.Prerender(ctx, 3); err != nil || n != 3 {
		t.Fatalf("Prerender(3): %d, err %v", n, err)
	}
	if n, err := fx.feeds.Preread(ctx, 3, 4, ac.Room); err != nil || n != 7 {
		t.Fatalf("Preread after the newest 3: %d articles, err %v; want 7 (pages of 4 and 3)", n, err)
	}
	if ac.Len() != 10 {
		t.Fatalf("article cache holds %d, want all 10", ac.Len())
	}
	if hits, misses := r.FragmentStats(); hits != 0 || misses != 9 {
		t.Fatalf("Preread encoded items: %d kept, %d encoded; want 0 and 9 (Prerender's only)", hits, misses)
	}
	hits0, misses0 := ac.Stats()
	k := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "old"}, Format: herald.FormatAtom, Limit: 10}
	if res, err := fx.feeds.Get(ctx, k, nil); err != nil || res.Cached {
		t.Fatalf("category feed: cached %v, err %v; want a miss", res.Cached, err)
	}
	if hits, misses := ac.Stats(); hits-hits0 != 10 || misses != misses0 {
		t.Errorf("category feed of 10: %d article cache hits and %d misses, want 10 and 0", hits-hits0, misses-misses0)
	}
	if renders := fx.feeds.Stats().Renders.Load(); renders != 1 {
		t.Errorf("%d feed renders counted, want the one request's", renders)
	}
}
