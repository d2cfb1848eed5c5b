package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
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

// failingFeeds fails the store's feed reads of more than one article (the
// look for articles that came due, not the version read) while fail is set,
// and counts the failures.
type failingFeeds struct {
	herald.Store
	fail          atomic.Bool
	failed, looks atomic.Int64
}

func (s *failingFeeds) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	if q.Limit > 1 && s.fail.Load() {
		s.failed.Add(1)
		return nil, errors.New("store unavailable")
	}
	if q.Limit > 1 {
		s.looks.Add(1)
	}
	return s.Store.Feed(ctx, q)
}

// TestWatchDueAfterAFailedLook: a look that fails after a publication
// date passed is made again once the store answers, although the date no
// longer shows in the site's version (the article is published) and no
// write moved its revision.
func TestWatchDueAfterAFailedLook(t *testing.T) {
	defer func(d time.Duration) { dueCheck = d }(dueCheck)
	dueCheck = 20 * time.Millisecond
	fx := newFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	due := fx.clock.Now().Add(time.Hour)
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Scheduled", Tags: []string{"later"}, PublishedAt: due}); err != nil {
		t.Fatal(err)
	}
	st := &failingFeeds{Store: fx.feeds.store}
	fx.feeds.store = st
	told := make(chan []herald.Scope, 10)
	done := make(chan struct{})
	poke := make(chan struct{}, 1)
	go func() { defer close(done); fx.feeds.WatchDue(ctx, poke, func(s []herald.Scope) { told <- s }) }()
	// Its first look succeeds (nothing due): the version it saw is kept.
	for deadline := time.Now().Add(10 * time.Second); st.looks.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no first look within 10 s")
		}
	}

	st.fail.Store(true)
	fx.clock.Set(due.Add(time.Second)) // the date passes
	// A look now (a write of this process would make one), which fails.
	// The version the watch reads from now on shows no date to come (the
	// article is published) and the revision it saw: only the failure
	// tells it to look again.
	poke <- struct{}{}
	for deadline := time.Now().Add(10 * time.Second); st.failed.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no look was made within 10 s of the poke")
		}
	}
	st.fail.Store(false)
	select {
	case got := <-told:
		if !slices.Contains(got, herald.Scope{Kind: herald.ScopeTag, Slug: "later"}) {
			t.Errorf("told %v, want the scheduled article's tag", got)
		}
	case <-time.After(10 * time.Second):
		t.Error("the article that came due was not told of within 10 s of the store answering again")
	}
	cancel()
	<-done
}
