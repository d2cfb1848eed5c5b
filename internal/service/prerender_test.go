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
