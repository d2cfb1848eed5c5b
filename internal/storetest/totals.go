package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storecopy"
)

// testTotalsFollowEveryWrite: after any mix of creates, replaces that move
// an article between categories, tags and authors or across now, puts and
// deletes, every scope's Total is the number of its visible articles,
// counted by reading the whole scope, both before and after its scheduled
// articles come due. A store that keeps each scope's count of articles
// rather than counting at every read (both do) shows here a write its
// count forgets.
func testTotalsFollowEveryWrite(t *testing.T, h *harness) {
	target, err := storecopy.AsTarget(h.s)
	if err != nil {
		t.Fatalf("store %T: %v", h.s, err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	names := []string{"Alpha", "Beta", "Gamma"}
	pick := func() []string {
		var out []string
		for _, n := range names {
			if rng.IntN(2) == 0 {
				out = append(out, n)
			}
		}
		return out
	}
	edit := func(a *herald.Article) {
		a.Categories, a.Tags = pick(), pick()
		a.Authors = nil
		for _, n := range pick() {
			a.Authors = append(a.Authors, herald.Author{Name: n})
		}
	}
	// Published in the past or up to three hours ahead (scheduled).
	when := func() time.Time { return t0.Add(time.Duration(rng.IntN(10)-6) * 30 * time.Minute) }
	var live []*herald.Article
	for i := range 120 {
		switch op := rng.IntN(10); {
		case op < 5 || len(live) == 0:
			a := h.article(t, fmt.Sprintf("Article %d", i), when(), edit)
			live = append(live, h.create(t, a))
		case op < 7:
			j := rng.IntN(len(live))
			a := h.article(t, live[j].Title, when(), edit)
			a.ID, a.Slug = live[j].ID, live[j].Slug
			if _, err := h.s.ReplaceArticle(h.ctx, a); err != nil {
				t.Fatalf("ReplaceArticle: %v", err)
			}
			live[j] = a
		case op < 8:
			j := rng.IntN(len(live))
			a := h.article(t, live[j].Title, when(), edit)
			a.ID, a.Slug = live[j].ID, live[j].Slug
			if _, err := target.PutArticle(h.ctx, a); err != nil {
				t.Fatalf("PutArticle: %v", err)
			}
			live[j] = a
		default:
			j := rng.IntN(len(live))
			if _, err := h.s.DeleteArticle(h.ctx, live[j].ID); err != nil {
				t.Fatalf("DeleteArticle: %v", err)
			}
			live = append(live[:j], live[j+1:]...)
		}
	}
	// The write API's listing counts every article, scheduled ones too.
	if list, total, err := h.s.ListArticles(h.ctx, 0, 0); err != nil || total != len(live) || len(list) != len(live) {
		t.Errorf("ListArticles: %d articles, total %d, err %v; want %d", len(list), total, err, len(live))
	}
	scopes := []herald.Scope{herald.SiteScope}
	for _, n := range names {
		scopes = append(scopes, category(n), tag(n), author(n))
	}
	for _, now := range []time.Time{t0, t0.Add(2 * time.Hour), t0.Add(4 * time.Hour)} {
		// The directory's listing counts the same (the site aside).
		listed, err := h.s.Scopes(h.ctx, now)
		if err != nil {
			t.Fatalf("Scopes at %s: %v", now.Format(time.TimeOnly), err)
		}
		counts := map[herald.Scope]int{}
		for _, info := range listed {
			counts[info.Scope] = info.Articles
		}
		for _, sc := range scopes {
			want := 0
			for _, a := range live {
				if !a.PublishedAt.After(now) && inScope(a, sc) {
					want++
				}
			}
			if n, ok := counts[sc]; sc != herald.SiteScope && (n != want || ok != (want > 0)) {
				t.Errorf("Scopes at %s: %s listed %v with %d articles; want %d", now.Format(time.TimeOnly), sc, ok, n, want)
			}
			p, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: sc, Now: now, Limit: 1000})
			if herald.IsNotFound(err) && want == 0 {
				continue
			}
			if err != nil {
				t.Fatalf("Feed(%s) at %s: %v", sc, now.Format(time.TimeOnly), err)
			}
			if p.Total != want || len(p.Articles) != want {
				t.Errorf("Feed(%s) at %s: total %d, %d articles; want %d", sc, now.Format(time.TimeOnly), p.Total, len(p.Articles), want)
			}
		}
	}
}

// inScope reports whether a, as written, belongs to sc.
func inScope(a *herald.Article, sc herald.Scope) bool {
	var names []string
	switch sc.Kind {
	case herald.ScopeSite:
		return true
	case herald.ScopeCategory:
		names = a.Categories
	case herald.ScopeTag:
		names = a.Tags
	case herald.ScopeAuthor:
		for _, au := range a.Authors {
			names = append(names, au.Name)
		}
	}
	for _, n := range names {
		if herald.Slugify(n) == sc.Slug {
			return true
		}
	}
	return false
}

// testTotalsUnderConcurrentWrites: writers creating, moving and deleting
// articles in the same scopes at once leave every scope's total equal to
// the number of its articles, as a store's kept counts must under
// concurrent transactions.
func testTotalsUnderConcurrentWrites(t *testing.T, h *harness) {
	const writers, each = 6, 12
	names := []string{"Alpha", "Beta"}
	type plan struct {
		create []*herald.Article
		moved  []*herald.Article // replacements of create[i], in the other category
	}
	plans := make([]plan, writers)
	for w := range plans {
		for i := range each {
			a := h.article(t, fmt.Sprintf("Writer %d article %d", w, i), t0.Add(-time.Duration(w*each+i)*time.Minute),
				inCategory(names[i%2]), withTags(names...))
			m := h.article(t, a.Title, a.PublishedAt, inCategory(names[(i+1)%2]))
			m.ID, m.Slug = a.ID, a.Slug
			plans[w].create, plans[w].moved = append(plans[w].create, a), append(plans[w].moved, m)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*3)
	for _, p := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, a := range p.create {
				if err := h.s.CreateArticle(h.ctx, a); err != nil {
					errs <- fmt.Errorf("CreateArticle: %w", err)
					continue
				}
				switch i % 3 {
				case 1: // moved to the other category, its tags dropped
					if _, err := h.s.ReplaceArticle(h.ctx, p.moved[i]); err != nil {
						errs <- fmt.Errorf("ReplaceArticle: %w", err)
					}
				case 2:
					if _, err := h.s.DeleteArticle(h.ctx, a.ID); err != nil {
						errs <- fmt.Errorf("DeleteArticle: %w", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	failOnAny(t, errs)
	want := map[herald.Scope]int{}
	for _, p := range plans {
		for i, a := range p.create {
			switch i % 3 {
			case 0:
				want[herald.SiteScope]++
				want[category(a.Categories[0])]++
				for _, n := range names {
					want[tag(n)]++
				}
			case 1:
				want[herald.SiteScope]++
				want[category(p.moved[i].Categories[0])]++
			}
		}
	}
	for sc, n := range want {
		p := h.feed(t, sc, t0, 0, 1000)
		if p.Total != n || len(p.Articles) != n {
			t.Errorf("%s: total %d, %d articles; want %d", sc, p.Total, len(p.Articles), n)
		}
	}
}
