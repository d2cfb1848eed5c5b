package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func testListArticles(t *testing.T, h *harness) {
	var all []*herald.Article
	for i, offset := range []time.Duration{-time.Hour, 3 * time.Hour, -2 * time.Hour, time.Hour, -time.Hour} {
		all = append(all, h.create(t, h.article(t, fmt.Sprintf("Listed %d", i), t0.Add(offset))))
	}
	want := feedOrder(all) // scheduled ones included, newest first
	tests := []struct{ offset, limit, from, to int }{
		{0, 2, 0, 2},
		{2, 2, 2, 4},
		{4, 2, 4, 5},
		{0, 50, 0, 5},
		{5, 2, 5, 5},
	}
	for _, tc := range tests {
		got, total, err := h.s.ListArticles(h.ctx, tc.offset, tc.limit)
		if err != nil {
			t.Fatalf("ListArticles(%d, %d): %v", tc.offset, tc.limit, err)
		}
		if total != len(all) {
			t.Fatalf("ListArticles(%d, %d) total=%d, want %d", tc.offset, tc.limit, total, len(all))
		}
		wantArticles(t, fmt.Sprintf("ListArticles(%d, %d)", tc.offset, tc.limit), got, want[tc.from:tc.to])
	}
}

func testConcurrentWriters(t *testing.T, h *harness) {
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		// Build before starting, so t.Fatalf stays on the test goroutine.
		arts := make([]*herald.Article, each)
		for i := range arts {
			arts[i] = h.article(t, fmt.Sprintf("Writer %d article %d", w, i), t0.Add(-time.Duration(w*each+i)*time.Minute),
				inCategory(fmt.Sprintf("Writer %d", w)), withTags("Shared"))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range arts {
				if err := h.s.CreateArticle(h.ctx, a); err != nil {
					errs <- fmt.Errorf("CreateArticle(%s): %w", a.Slug, err)
				}
			}
		}()
	}
	wg.Wait()
	failOnAny(t, errs)

	const n = writers * each
	list, total, err := h.s.ListArticles(h.ctx, 0, 2*n)
	if err != nil {
		t.Fatalf("ListArticles: %v", err)
	}
	if total != n || len(list) != n {
		t.Fatalf("ListArticles: %d articles, total %d, want %d", len(list), total, n)
	}
	site := h.feed(t, herald.SiteScope, t0, 0, 1)
	if site.Total != n || site.Revision != n {
		t.Fatalf("site total=%d revision=%d, want %d %d", site.Total, site.Revision, n, n)
	}
	if p := h.feed(t, tag("Shared"), t0, 0, 1); p.Total != n || p.Revision != n {
		t.Fatalf("shared tag total=%d revision=%d, want %d %d", p.Total, p.Revision, n, n)
	}
	for w := range writers {
		sc := category(fmt.Sprintf("Writer %d", w))
		if p := h.feed(t, sc, t0, 0, 1); p.Total != each || p.Revision != each {
			t.Fatalf("%s total=%d revision=%d, want %d %d", sc, p.Total, p.Revision, each, each)
		}
	}
}

func testRevisionsIncrease(t *testing.T, h *harness) {
	bystander := h.create(t, h.article(t, "Bystander", t0.Add(-time.Hour), inCategory("Quiet")))
	quiet := h.feed(t, category("Quiet"), t0, 0, 10)

	a := h.article(t, "Subject", t0.Add(-time.Hour), inCategory("Busy"), withTags("busy-tag"), byAuthors("Busy Author"))
	touched := []herald.Scope{herald.SiteScope, category("Busy"), tag("busy-tag"), author("Busy Author")}
	last := map[herald.Scope]int64{}
	check := func(op string, at time.Time, scopes []herald.Scope) {
		t.Helper()
		for _, sc := range scopes {
			p := h.feed(t, sc, at, 0, 10)
			if p.Revision <= last[sc] {
				t.Fatalf("after %s: %s revision=%d, want more than %d", op, sc, p.Revision, last[sc])
			}
			last[sc] = p.Revision
			wantTime(t, "after "+op+": "+sc.Key()+" ChangedAt", p.ChangedAt, at)
		}
	}

	h.create(t, a)
	check("create", h.clock.Now(), touched)
	for i := range 3 {
		at := h.clock.Advance(time.Minute)
		next := a.Clone()
		next.Title = fmt.Sprintf("Subject, edit %d", i)
		if _, err := h.s.ReplaceArticle(h.ctx, next); err != nil {
			t.Fatalf("ReplaceArticle %d: %v", i, err)
		}
		check(fmt.Sprintf("replace %d", i), at, touched)
	}
	at := h.clock.Advance(time.Minute)
	if _, err := h.s.DeleteArticle(h.ctx, a.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	check("delete", at, touched[:1]) // the other scopes are gone with the article
	// A scope that comes back keeps counting from where it was.
	at = h.clock.Advance(time.Minute)
	again := h.article(t, "Subject again", t0.Add(-time.Hour), inCategory("Busy"), withTags("busy-tag"), byAuthors("Busy Author"))
	h.create(t, again)
	check("create again", at, touched)
	at = h.clock.Advance(time.Minute)
	if _, err := h.s.DeleteArticle(h.ctx, again.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}

	// None of it touched the bystander's category.
	p := h.feed(t, category("Quiet"), at, 0, 10)
	if p.Revision != quiet.Revision || !p.ChangedAt.Equal(quiet.ChangedAt) {
		t.Fatalf("untouched category revision=%d changed=%v, want %d %v", p.Revision, p.ChangedAt, quiet.Revision, quiet.ChangedAt)
	}
	if got := ids(p.Articles); !reflect.DeepEqual(got, []string{bystander.ID}) {
		t.Fatalf("untouched category articles=%q, want %q", got, bystander.ID)
	}
}

// failOnAny closes errs, which concurrent writers filled, reports every
// error in it and stops the test when there was one.
func failOnAny(t *testing.T, errs chan error) {
	t.Helper()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
}
