package service

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestMarkSlugsOfOlderBuilds: builds before Slugify kept combining marks
// gave a Hindi title the slug of its consonants alone ("ह-न-द-सम-च-र" for
// "हिन्दी समाचार"). Re-importing such an article without a slug finds it by
// that slug and keeps it, its permalink, instead of creating a second
// article at "हिन्दी-समाचार"; a title no older build stored is created at
// the slug with its marks.
func TestMarkSlugsOfOlderBuilds(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	title, oldSlug := "हिन्दी समाचार", "ह-न-द-सम-च-र"
	if got := herald.LegacyTitleSlug(title); got != oldSlug {
		t.Fatalf("LegacyTitleSlug(%q)=%q, want %q", title, got, oldSlug)
	}
	old := &herald.Article{ID: "00000000-0000-4000-8000-0000000000ab", Title: "x", PublishedAt: fx.clock.Now().Add(-time.Hour)}
	if err := old.Prepare("https://example.com", fx.clock.Now(), herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	// As an older build stored it: the slug without the marks, and the
	// url derived from that slug.
	old.Title, old.Slug, old.URL = title, oldSlug, herald.DerivedURL("https://example.com", oldSlug)
	if err := fx.store.CreateArticle(ctx, old); err != nil {
		t.Fatal(err)
	}
	did, err := fx.articles.Upsert(ctx, &herald.Article{Title: title, Summary: "again", PublishedAt: old.PublishedAt})
	if err != nil || did != herald.UpsertUpdated {
		t.Fatalf("re-import: %v, %v; want an update of the stored article", did, err)
	}
	list, total, err := fx.articles.List(ctx, 0, 10)
	if err != nil || total != 1 || list[0].ID != old.ID || list[0].Slug != oldSlug || list[0].Summary != "again" {
		t.Fatalf("after the re-import: %d articles (err %v), %+v; want the one article updated, its slug kept", total, err, list)
	}
	// Once more: the same article, nothing to write.
	if did, err := fx.articles.Upsert(ctx, &herald.Article{Title: title, Summary: "again", PublishedAt: old.PublishedAt}); err != nil || did != herald.UpsertUnchanged {
		t.Fatalf("second re-import: %v, %v; want unchanged", did, err)
	}

	// A title no older build stored gets the slug with its marks.
	fresh := &herald.Article{Title: "ताज़ा ख़बर", PublishedAt: old.PublishedAt}
	if did, err := fx.articles.Upsert(ctx, fresh); err != nil || did != herald.UpsertCreated {
		t.Fatalf("new title: %v, %v; want created", did, err)
	}
	if want := herald.TitleSlug(fresh.Title); fresh.Slug != want || fresh.Slug == herald.LegacyTitleSlug(fresh.Title) {
		t.Errorf("new title's slug %q, want %q (with its marks)", fresh.Slug, want)
	}
	if _, total, err := fx.articles.List(ctx, 0, 10); err != nil || total != 2 {
		t.Fatalf("list: total %d err %v, want 2 articles", total, err)
	}
}
