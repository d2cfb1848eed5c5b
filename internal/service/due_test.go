package service

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestCameDue: the scopes of the articles published in the window that
// were scheduled when written, however many came due at once; not those
// of articles written already published (their write told of them), nor
// of those due before or after the window.
func TestCameDue(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	start := fx.clock.Now()
	due := start.Add(time.Hour)
	// More than one look reads (dueScan), each in a tag of its own.
	const n = dueScan + 25
	for i := range n {
		a := &herald.Article{Title: fmt.Sprintf("Scheduled %d", i), Tags: []string{fmt.Sprintf("t%d", i)}, PublishedAt: due}
		if err := fx.articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	later := &herald.Article{Title: "Later", Tags: []string{"later"}, PublishedAt: due.Add(time.Hour)}
	if err := fx.articles.Create(ctx, later); err != nil {
		t.Fatal(err)
	}
	fx.clock.Set(due.Add(time.Minute))
	// Written at a time past the window's start, already published.
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Now", Tags: []string{"now"}, PublishedAt: due.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}

	got, err := fx.feeds.cameDue(ctx, due.Add(-time.Second*2), due.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+1 || !slices.Contains(got, herald.SiteScope) {
		t.Errorf("came due: %d scopes (site: %v), want the site and %d tags", len(got), slices.Contains(got, herald.SiteScope), n)
	}
	for _, tag := range []string{"t0", fmt.Sprintf("t%d", n-1)} {
		if !slices.Contains(got, herald.Scope{Kind: herald.ScopeTag, Slug: tag}) {
			t.Errorf("came due lacks tag %s", tag)
		}
	}
	for _, tag := range []string{"later", "now"} {
		if slices.Contains(got, herald.Scope{Kind: herald.ScopeTag, Slug: tag}) {
			t.Errorf("came due holds tag %s", tag)
		}
	}
	// A window that ends before the due date, and one after it.
	for _, w := range [][2]time.Time{{start, due.Add(-time.Second)}, {due, due.Add(time.Minute)}} {
		if got, err := fx.feeds.cameDue(ctx, w[0], w[1]); err != nil || len(got) != 0 {
			t.Errorf("came due in (%s, %s]: %v (err %v), want nothing", w[0].Format(time.TimeOnly), w[1].Format(time.TimeOnly), got, err)
		}
	}
}
