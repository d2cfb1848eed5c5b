package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// testUndelivered: every write records the scopes it touched as owed,
// under their new revisions, in the write's own transaction (create,
// replace, delete and put alike); records are listed in key order, up to
// max, or for given scopes; a clear forgets only records still holding
// the mark it was given, so a scope written again after they were listed
// stays; clearing touches nothing else.
func testUndelivered(t *testing.T, h *harness) {
	list := func(max int) []herald.Undelivered {
		t.Helper()
		got, err := h.s.Undelivered(h.ctx, max)
		if err != nil {
			t.Fatalf("Undelivered: %v", err)
		}
		return got
	}
	clear := func(l []herald.Undelivered) {
		t.Helper()
		if err := h.s.ClearUndelivered(h.ctx, l); err != nil {
			t.Fatalf("ClearUndelivered: %v", err)
		}
	}
	if got := list(10); len(got) != 0 {
		t.Fatalf("fresh store: Undelivered=%v, want none", got)
	}
	a := h.create(t, h.article(t, "Subject", t0.Add(-time.Hour), inCategory("Busy"), withTags("Loud")))
	h.create(t, h.article(t, "Other", t0.Add(-time.Hour), inCategory("Busy")))
	site := h.feed(t, herald.SiteScope, t0, 0, 10).Revision
	busy := h.feed(t, category("Busy"), t0, 0, 10).Revision
	loud := h.feed(t, tag("Loud"), t0, 0, 10).Revision
	if busy < 2 || site < 2 || loud < 1 {
		t.Fatalf("revisions site %d, busy %d, loud %d after two writes", site, busy, loud)
	}
	want := []herald.Undelivered{
		{Scope: category("Busy"), Mark: busy}, {Scope: herald.SiteScope, Mark: site}, {Scope: tag("Loud"), Mark: loud}}
	if got := list(10); !reflect.DeepEqual(got, want) {
		t.Fatalf("after two creates: Undelivered=%v, want %v (every scope written, under its revision, in key order)", got, want)
	}
	if got := list(2); !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("Undelivered(max 2)=%v, want %v", got, want[:2])
	}
	never := herald.Scope{Kind: herald.ScopeTag, Slug: "never-written"}
	of, err := h.s.UndeliveredOf(h.ctx, []herald.Scope{tag("Loud"), never, category("Busy")})
	if err != nil {
		t.Fatalf("UndeliveredOf: %v", err)
	}
	if w := []herald.Undelivered{want[0], want[2]}; !reflect.DeepEqual(of, w) {
		t.Fatalf("UndeliveredOf(tag, never written, category)=%v, want %v", of, w)
	}
	if of, err := h.s.UndeliveredOf(h.ctx, nil); err != nil || len(of) != 0 {
		t.Fatalf("UndeliveredOf(nil)=%v, %v; want none", of, err)
	}
	listed := list(10)

	// A later write to the tag and the site records them again under new
	// revisions: they survive the clear of what was listed before it.
	next := a.Clone()
	next.Title = "Subject, edited"
	if _, err := h.s.ReplaceArticle(h.ctx, next); err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	clear(listed)
	got := list(10)
	if len(got) != 3 || got[0].Mark <= busy || got[1].Mark <= site || got[2].Mark <= loud {
		t.Fatalf("after the replace and the clear: Undelivered=%v, want the three scopes of the replaced article under higher revisions", got)
	}
	clear(got)
	if got := list(10); len(got) != 0 {
		t.Fatalf("after clearing everything: Undelivered=%v, want none", got)
	}
	clear(nil)

	// Delete and put (`herald copy`'s write) record their scopes too.
	if _, err := h.s.DeleteArticle(h.ctx, a.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	if got := list(10); len(got) != 3 {
		t.Fatalf("after a delete: Undelivered=%v, want the deleted article's three scopes", got)
	}
	clear(list(10))
	if p, ok := h.s.(interface {
		PutArticle(context.Context, *herald.Article) (*herald.Article, error)
	}); ok {
		put := h.article(t, "Put", t0.Add(-time.Hour), withTags("Quiet"))
		put.ID = "put-" + put.Slug
		if _, err := p.PutArticle(h.ctx, put); err != nil {
			t.Fatalf("PutArticle: %v", err)
		}
		if got := list(10); len(got) != 2 || got[0].Scope != herald.SiteScope || got[1].Scope != tag("Quiet") {
			t.Fatalf("after a put: Undelivered=%v, want the site and the new tag", got)
		}
	}

	// Records are bookkeeping: clearing them leaves feeds and revisions.
	before := h.feed(t, category("Busy"), t0, 0, 10)
	clear(list(10))
	if p := h.feed(t, category("Busy"), t0, 0, 10); p.Revision != before.Revision || len(p.Articles) != 1 {
		t.Fatalf("category after the clear: revision %d, %d articles; want %d and 1", p.Revision, len(p.Articles), before.Revision)
	}
}

// testRevisions: Revisions reports each written scope's revision, every
// write bumps the site's, and a scope never written is absent.
func testRevisions(t *testing.T, h *harness) {
	revs := func(scopes []herald.Scope) map[herald.Scope]int64 {
		t.Helper()
		got, err := h.s.Revisions(h.ctx, scopes)
		if err != nil {
			t.Fatalf("Revisions(%v): %v", scopes, err)
		}
		return got
	}
	if got := revs(nil); len(got) != 0 {
		t.Fatalf("Revisions of an empty store = %v, want none", got)
	}
	a := h.create(t, h.article(t, "One", t0.Add(-time.Hour), inCategory("News")))
	h.create(t, h.article(t, "Two", t0.Add(-time.Hour), withTags("Solo")))
	want := map[herald.Scope]int64{herald.SiteScope: 2, category("News"): 1, tag("Solo"): 1}
	if got := revs(nil); !reflect.DeepEqual(got, want) {
		t.Fatalf("Revisions(nil) = %v, want %v", got, want)
	}
	if _, err := h.s.DeleteArticle(h.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	want = map[herald.Scope]int64{herald.SiteScope: 3, category("News"): 2}
	if got := revs([]herald.Scope{herald.SiteScope, category("News"), category("Never")}); !reflect.DeepEqual(got, want) {
		t.Fatalf("Revisions(site, news, never) = %v, want %v", got, want)
	}
	// Each revision is the one the feed reads report.
	if p := h.feed(t, herald.SiteScope, t0, 0, 10); p.Revision != 3 {
		t.Fatalf("site feed revision %d, want 3", p.Revision)
	}
}
