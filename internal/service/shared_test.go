package service

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/sample"
)

// TestReadPathLeavesStoreArticlesAlone: with an article cache, the store
// hands the very same *herald.Article to every feed read, in every
// goroutine. So nothing on the read path (every format, podcast shows,
// history pages, the browser view's read) may modify one. The test reads
// the articles, keeps deep copies, renders everything concurrently (run
// with -race, which also catches a write racing a read), and then wants
// the shared articles unchanged.
func TestReadPathLeavesStoreArticlesAlone(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	for _, a := range sample.Articles(30, 3) {
		a.PublishedAt = fx.clock.Now().Add(a.PublishedAt.Sub(sample.Base) - time.Hour)
		a.Categories = append(a.Categories, "Show")
		a.Enclosures = []herald.Enclosure{{URL: "https://cdn.example.com/" + herald.Slugify(a.Title) + ".mp3", Type: "audio/mpeg", Length: 1234, Duration: 61}}
		a.Episode, a.Season, a.EpisodeType = 3, 1, herald.EpisodeFull
		a.TranscriptURL, a.ChaptersURL = "https://cdn.example.com/t.vtt", "https://cdn.example.com/c.json"
		if err := fx.articles.Create(ctx, a); err != nil {
			t.Fatalf("create: %v", err)
		}
	}
	// One without authors, categories or tags: the site's author stands in.
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Bare", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	site := testSite()
	site.Author = herald.Author{Name: "Site Author", Email: "site@example.com"}
	site.Shows = map[string]herald.Show{"show": {Title: "The Show", Author: "Host", ImageURL: "https://cdn.example.com/art.jpg",
		Category: "Technology", OwnerName: "Owner", OwnerEmail: "owner@example.com", Type: "episodic"}}
	feeds := NewFeeds(fx.store, fx.cache, render.New(), site, FeedsOptions{Now: fx.clock.Now})

	q := herald.FeedQuery{Scope: herald.SiteScope, Now: fx.clock.Now(), Limit: 100}
	first, err := fx.store.Feed(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	again, err := fx.store.Feed(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]*herald.Article, len(first.Articles))
	for i, a := range first.Articles {
		if again.Articles[i] != a {
			t.Fatalf("article %d: a second read gave another pointer; the store's article cache is off, so this test proves nothing", i)
		}
		want[i] = a.Clone()
	}

	var keys []herald.FeedKey
	for _, f := range herald.Formats {
		for _, sc := range []herald.Scope{herald.SiteScope, {Kind: herald.ScopeCategory, Slug: "show"},
			{Kind: herald.ScopeTag, Slug: "feeds"}, {Kind: herald.ScopeAuthor, Slug: "ada-lovelace"}} {
			for _, page := range []int{0, 1, 2} {
				keys = append(keys, herald.FeedKey{Scope: sc, Format: f, Limit: 10, Offset: page})
			}
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range keys {
				// Pages past the last are 404s naming page (readChannel's
				// still wrapped for renderOnce: absent).
				if _, err := feeds.Get(ctx, k, nil); err != nil && herald.ErrorField(err) != "page" {
					t.Errorf("Get(%+v): %v", k, err)
				}
				var past absent
				if _, _, err := feeds.readChannel(ctx, k, feeds.now()); err != nil && !errors.As(err, &past) {
					t.Errorf("readChannel(%+v): %v", k, err)
				}
			}
			// Uncached renders of the same shared articles, side by side.
			for _, f := range herald.Formats {
				ch := site.channel(herald.FeedKey{Scope: herald.SiteScope, Format: f, Limit: 100}, first)
				if _, err := render.New().Render(f, ch, first.Articles); err != nil {
					t.Errorf("Render(%s): %v", f, err)
				}
			}
		}()
	}
	wg.Wait()
	feeds.Wait()
	if st := feeds.Stats(); st.Renders.Load() == 0 {
		t.Fatal("no feed was rendered")
	}
	for i, a := range first.Articles {
		if !reflect.DeepEqual(a, want[i]) {
			t.Errorf("article %d (%s) changed on the read path:\n got %+v\nwant %+v", i, a.Title, *a, *want[i])
		}
	}
}
