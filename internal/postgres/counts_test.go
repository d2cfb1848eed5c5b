package postgres

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/storetest"
)

// TestTotalsWhileFolding runs the conformance tests of the scopes' totals
// on a store that folds its count changes every millisecond, so that
// folds land between and during their writes and reads.
func TestTotalsWhileFolding(t *testing.T) {
	storetest.RunTotals(t, func(t *testing.T, now func() time.Time) herald.Store {
		return mustOpenURL(t, pgtest.NewDatabase(t), Options{Now: now, ArticleCache: artcache.DefaultMaxArticles, FoldEvery: time.Millisecond})
	})
}

// countArticle is a valid article published at pub in categories.
func countArticle(t *testing.T, pub, now time.Time, categories ...string) *herald.Article {
	t.Helper()
	id := uuid.NewString()
	a := &herald.Article{ID: id, Title: "Article " + id, PublishedAt: pub, Categories: categories}
	if err := a.Prepare("https://example.com", now, herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestScopeCountsFold: a scope's total is its kept total plus its changes
// not folded yet, less its scheduled articles, before and after a fold;
// a fold moves every change into the totals, and does nothing while
// another fold holds the lock.
func TestScopeCountsFold(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustOpenURL(t, pgtest.NewDatabase(t), Options{Now: func() time.Time { return now }, FoldEvery: -1})
	changes := func() int {
		t.Helper()
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM scope_count_changes").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	kept := func(key string) int64 {
		t.Helper()
		var n int64
		err := s.pool.QueryRow(ctx, "SELECT articles FROM scope_counts WHERE key = $1", key).Scan(&n)
		if err != nil && !isNoRows(err) {
			t.Fatal(err)
		}
		return n
	}
	totals := func(when string, want map[herald.Scope]int) {
		t.Helper()
		for sc, n := range want {
			p, err := s.Feed(ctx, herald.FeedQuery{Scope: sc, Now: now, Limit: 1000})
			if err != nil {
				t.Fatalf("%s: Feed(%s): %v", when, sc, err)
			}
			if p.Total != n || len(p.Articles) != n {
				t.Errorf("%s: %s total %d, %d articles; want %d", when, sc, p.Total, len(p.Articles), n)
			}
		}
	}
	news, sport := herald.Scope{Kind: herald.ScopeCategory, Slug: "news"}, herald.Scope{Kind: herald.ScopeCategory, Slug: "sport"}

	var arts []*herald.Article
	for i := range 10 {
		pub := now.Add(-time.Duration(i+1) * time.Hour)
		if i < 2 {
			pub = now.Add(time.Duration(i+1) * time.Hour) // scheduled
		}
		a := countArticle(t, pub, now, "News")
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	totals("unfolded", map[herald.Scope]int{herald.SiteScope: 8, news: 8})
	if n := changes(); n != 20 {
		t.Errorf("%d count changes before a fold, want 20 (one per scope of each article)", n)
	}
	if n, err := s.FoldCounts(ctx); err != nil || n != 20 {
		t.Fatalf("FoldCounts = %d, %v; want the 20 changes", n, err)
	}
	if n := changes(); n != 0 {
		t.Errorf("%d count changes after a fold, want none", n)
	}
	if k := kept(herald.SiteScope.Key()); k != 10 {
		t.Errorf("kept total of the site %d, want 10 (scheduled articles included)", k)
	}
	totals("folded", map[herald.Scope]int{herald.SiteScope: 8, news: 8})

	// Deletes (one of a scheduled article) and a move to another category.
	for _, a := range []*herald.Article{arts[0], arts[5], arts[6]} {
		if _, err := s.DeleteArticle(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	moved := *arts[7]
	moved.Categories = []string{"Sport"}
	if _, err := s.ReplaceArticle(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	want := map[herald.Scope]int{herald.SiteScope: 6, news: 5, sport: 1}
	totals("unfolded after deletes", want)

	// A fold while another holds the lock leaves the changes for later.
	other, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", foldLock); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FoldCounts(ctx); err != nil || n != 0 {
		t.Fatalf("FoldCounts during another fold = %d, %v; want 0, nil", n, err)
	}
	// Three deletes of an article in two scopes, and a move out of one
	// scope into another (its rows deleted and written again).
	if n := changes(); n != 3*2+4 {
		t.Fatalf("%d changes after a fold that did not get the lock, want the 10 made since the last fold", n)
	}
	if err := other.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FoldCounts(ctx); err != nil || n != 10 {
		t.Fatalf("FoldCounts = %d, %v; want the 10 changes", n, err)
	}
	if k := kept(news.Key()); k != 6 {
		t.Errorf("kept total of news %d, want 6", k)
	}
	totals("folded after deletes", want)

	// A backlog of more than a transaction's batch is folded whole.
	backlog := 2*foldBatch + 10
	if _, err := s.pool.Exec(ctx, `INSERT INTO scope_count_changes (scope_key, change)
		SELECT 'site', CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END FROM generate_series(1, $1) i`, backlog); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FoldCounts(ctx); err != nil || n != int64(backlog) {
		t.Fatalf("FoldCounts of a backlog = %d, %v; want all %d changes", n, err, backlog)
	}
	if n := changes(); n != 0 {
		t.Errorf("%d changes after folding a backlog, want none", n)
	}
	totals("folded after a backlog", want)
}

// TestScopeCountsConsistentWhileFolding: readers see, at every moment, a
// total that agrees with the page read in the same snapshot, while
// writers create and delete articles and folds run back to back.
func TestScopeCountsConsistentWhileFolding(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dbURL := pgtest.NewDatabase(t)
	s := mustOpenURL(t, dbURL, Options{Now: func() time.Time { return now }, FoldEvery: -1, ArticleCache: artcache.DefaultMaxArticles})
	plain := mustOpenURL(t, dbURL, Options{Now: func() time.Time { return now }, FoldEvery: -1})

	const writers, each = 3, 30
	var done atomic.Bool
	var wg, bg sync.WaitGroup
	errs := make(chan error, 1000)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				a := countArticle(t, now.Add(-time.Duration(w*each+i+1)*time.Minute), now, "News")
				if err := s.CreateArticle(ctx, a); err != nil {
					report(err)
					continue
				}
				if i%3 == 2 {
					if _, err := s.DeleteArticle(ctx, a.ID); err != nil {
						report(err)
					}
				}
			}
		}()
	}
	folds := atomic.Int64{}
	bg.Add(1)
	go func() {
		defer bg.Done()
		for !done.Load() {
			if n, err := s.FoldCounts(ctx); err != nil {
				report(err)
			} else if n > 0 {
				folds.Add(1)
			}
		}
	}()
	reads := atomic.Int64{}
	for _, r := range []*Store{s, plain} {
		bg.Add(1)
		go func() {
			defer bg.Done()
			for !done.Load() {
				p, err := r.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: now, Limit: 1000})
				if herald.IsNotFound(err) {
					continue
				}
				if err != nil {
					report(err)
					continue
				}
				reads.Add(1)
				if p.Total != len(p.Articles) {
					report(fmt.Errorf("a read saw total %d beside %d articles", p.Total, len(p.Articles)))
				}
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	bg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if folds.Load() == 0 || reads.Load() == 0 {
		t.Fatalf("%d folds that moved changes and %d reads during the writes; want some of each", folds.Load(), reads.Load())
	}
	p, err := s.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: now, Limit: 1000})
	if want := writers * each * 2 / 3; err != nil || p.Total != want {
		t.Fatalf("site total after the writes %v (err %v), want %d", p, err, want)
	}
	t.Logf("%d folds, %d reads", folds.Load(), reads.Load())
}

// TestScopeCountsFoldInTheBackground: a store folds on its own, as it
// opens, every FoldEvery and after foldAfterWrites writes of its own.
func TestScopeCountsFoldInTheBackground(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	changes := func(s *Store) int {
		t.Helper()
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM scope_count_changes").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFolded := func(s *Store, why string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); changes(s) > 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d count changes still unfolded after 10 s; want them folded %s", changes(s), why)
			}
		}
	}

	ticking := mustOpenURL(t, pgtest.NewDatabase(t), Options{Now: func() time.Time { return now }, FoldEvery: 20 * time.Millisecond})
	if err := ticking.CreateArticle(ctx, countArticle(t, now.Add(-time.Hour), now, "News")); err != nil {
		t.Fatal(err)
	}
	waitFolded(ticking, "every 20 ms")

	// Changes left by a store that did not fold are folded as soon as
	// the next store opens.
	dbURL := pgtest.NewDatabase(t)
	idle := mustOpenURL(t, dbURL, Options{Now: func() time.Time { return now }, FoldEvery: -1})
	if err := idle.CreateArticle(ctx, countArticle(t, now.Add(-time.Hour), now, "News")); err != nil {
		t.Fatal(err)
	}
	idle.Close()
	kicked := mustOpenURL(t, dbURL, Options{Now: func() time.Time { return now }, FoldEvery: time.Hour})
	waitFolded(kicked, "as the store opens")
	for i := range foldAfterWrites - 1 {
		if err := kicked.CreateArticle(ctx, countArticle(t, now.Add(-time.Duration(i+1)*time.Minute), now)); err != nil {
			t.Fatal(err)
		}
	}
	if n := changes(kicked); n != foldAfterWrites-1 {
		t.Fatalf("%d count changes after %d writes and no fold due, want as many", n, foldAfterWrites-1)
	}
	if err := kicked.CreateArticle(ctx, countArticle(t, now.Add(-time.Hour), now)); err != nil {
		t.Fatal(err)
	}
	waitFolded(kicked, fmt.Sprintf("after %d writes", foldAfterWrites))
}

// TestPackingIsNotCountedTowardAFold: packing articles at start writes
// packs only, which change no scope, so it does not bring the next fold
// forward; an article write does.
func TestPackingIsNotCountedTowardAFold(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dbURL := pgtest.NewDatabase(t)
	old := mustOpenURL(t, dbURL, Options{Now: func() time.Time { return now }, FoldEvery: -1})
	old.packless = true // as a build before packs writes
	for i := range 3 {
		if err := old.CreateArticle(ctx, countArticle(t, now.Add(-time.Duration(i+1)*time.Minute), now, "News")); err != nil {
			t.Fatal(err)
		}
	}
	s := mustOpenURL(t, dbURL, Options{Now: func() time.Time { return now }, FoldEvery: time.Hour})
	if n, err := s.PackArticles(ctx); err != nil || n != 3 {
		t.Fatalf("PackArticles: %d, %v; want 3 packed", n, err)
	}
	if n := s.writes.Load(); n != 0 {
		t.Errorf("%d writes counted toward a fold after packing, want 0", n)
	}
	if err := s.CreateArticle(ctx, countArticle(t, now.Add(-time.Hour), now, "News")); err != nil {
		t.Fatal(err)
	}
	if n := s.writes.Load(); n != 1 {
		t.Errorf("%d writes counted toward a fold after one article write, want 1", n)
	}
}
