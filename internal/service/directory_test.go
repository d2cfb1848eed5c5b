package service

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
)

func TestDirectoryAndShow(t *testing.T) {
	fx := newFixture(t, nil)
	site := testSite()
	site.Shows = map[string]herald.Show{"podcast": {Title: "The Show", Description: "Talk.", ImageURL: "https://example.com/art.jpg",
		Category: "Technology", OwnerEmail: "o@example.com", Language: "fr"}}
	fx.feeds = NewFeeds(fx.store, fx.cache, render.New(), site, FeedsOptions{Now: fx.clock.Now})
	ctx := context.Background()
	for _, a := range []*herald.Article{
		{Title: "Ep 1", Categories: []string{"Podcast"}, Authors: []herald.Author{{Name: "Ada"}}, PublishedAt: fx.clock.Now().Add(-time.Hour)},
		{Title: "Note", Tags: []string{"Go"}, PublishedAt: fx.clock.Now().Add(-2 * time.Hour)},
		{Title: "Later", Categories: []string{"Hidden"}, PublishedAt: fx.clock.Now().Add(time.Hour)},
	} {
		if err := fx.articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := fx.feeds.Directory(ctx)
	if err != nil {
		t.Fatalf("Directory: %v", err)
	}
	var got []string
	for _, d := range dir {
		got = append(got, d.Scope.Key()+"="+d.Title)
	}
	want := []string{"site=Test Site", "category:podcast=The Show", "tag:go=Test Site — tagged Go", "author:ada=Test Site — by Ada"}
	if len(got) != len(want) {
		t.Fatalf("Directory=%q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Directory[%d]=%q, want %q", i, got[i], want[i])
		}
	}
	if !dir[1].Podcast || dir[2].Podcast {
		t.Errorf("Podcast flags=%v %v, want only the show marked", dir[1].Podcast, dir[2].Podcast)
	}

	page, ch, err := fx.feeds.readChannel(ctx, herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "podcast"}, Format: herald.FormatRSS, Limit: 20}, fx.clock.Now())
	if err != nil {
		t.Fatalf("readChannel: %v", err)
	}
	arts := page.Articles
	if ch.Podcast == nil || ch.Title != "The Show" || ch.Description != "Talk." || ch.Language != "fr" || len(arts) != 1 {
		t.Fatalf("show channel=%+v with %d articles, want the show's metadata and 1 episode", ch, len(arts))
	}
}
