package service

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestHistoryPageDatedByItsNewestEntry: a history page is dated by the
// latest LastChanged of its articles, as its entries are, so no entry of
// a page written while scheduled is dated after the page.
func TestHistoryPageDatedByItsNewestEntry(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	t0 := fx.clock.Now()
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Old", PublishedAt: t0.Add(-48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Written now, scheduled for tomorrow: UpdatedAt = t0 < PublishedAt.
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Scheduled", PublishedAt: t0.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Later", PublishedAt: t0.Add(23 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	fx.clock.Set(t0.Add(48 * time.Hour))
	k := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 1, Offset: 3} // newest page: "Scheduled"
	res, err := fx.feeds.Get(ctx, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := string(res.Entry.Body)
	ups := regexp.MustCompile(`<updated>([^<]+)</updated>`).FindAllStringSubmatch(body, -1)
	if len(ups) < 2 {
		t.Fatalf("want the feed's and an entry's <updated> in:\n%s", body)
	}
	feed, _ := time.Parse(time.RFC3339, ups[0][1])
	for _, u := range ups[1:] {
		e, _ := time.Parse(time.RFC3339, u[1])
		if e.After(feed) {
			t.Errorf("history page: feed <updated> %s is before an entry's <updated> %s", ups[0][1], u[1])
		}
	}
}
