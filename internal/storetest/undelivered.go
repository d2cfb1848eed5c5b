package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// testUndelivered: recorded scopes are listed with their revision as the
// mark, in key order and up to max; a scope never written is ignored; a
// clear forgets only records still holding the mark it was given, so a
// scope recorded again after a later write stays; nothing else is touched.
func testUndelivered(t *testing.T, h *harness) {
	list := func(max int) []herald.Undelivered {
		t.Helper()
		got, err := h.s.Undelivered(h.ctx, max)
		if err != nil {
			t.Fatalf("Undelivered: %v", err)
		}
		return got
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
	never := herald.Scope{Kind: herald.ScopeTag, Slug: "never-written"}
	if err := h.s.MarkUndelivered(h.ctx, []herald.Scope{category("Busy"), never, tag("Loud"), herald.SiteScope}); err != nil {
		t.Fatalf("MarkUndelivered: %v", err)
	}
	want := []herald.Undelivered{
		{Scope: category("Busy"), Mark: busy}, {Scope: herald.SiteScope, Mark: site}, {Scope: tag("Loud"), Mark: loud}}
	if got := list(10); !reflect.DeepEqual(got, want) {
		t.Fatalf("Undelivered=%v, want %v (key order, the never-written scope ignored)", got, want)
	}
	if got := list(2); !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("Undelivered(max 2)=%v, want %v", got, want[:2])
	}
	listed := list(10)

	// A later write to the tag fails to invalidate it too: recorded again
	// under its new revision, it survives the clear of what was listed.
	next := a.Clone()
	next.Title = "Subject, edited"
	if _, err := h.s.ReplaceArticle(h.ctx, next); err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	if err := h.s.MarkUndelivered(h.ctx, []herald.Scope{tag("Loud")}); err != nil {
		t.Fatalf("MarkUndelivered again: %v", err)
	}
	if err := h.s.ClearUndelivered(h.ctx, listed); err != nil {
		t.Fatalf("ClearUndelivered: %v", err)
	}
	got := list(10)
	if len(got) != 1 || got[0].Scope != tag("Loud") || got[0].Mark <= loud {
		t.Fatalf("after the clear: Undelivered=%v, want only %s under a revision above %d", got, tag("Loud"), loud)
	}
	if err := h.s.ClearUndelivered(h.ctx, got); err != nil {
		t.Fatalf("ClearUndelivered of the rest: %v", err)
	}
	if got := list(10); len(got) != 0 {
		t.Fatalf("after clearing everything: Undelivered=%v, want none", got)
	}
	if err := h.s.ClearUndelivered(h.ctx, nil); err != nil {
		t.Fatalf("ClearUndelivered(nil): %v", err)
	}
	if err := h.s.MarkUndelivered(h.ctx, nil); err != nil {
		t.Fatalf("MarkUndelivered(nil): %v", err)
	}

	// Recording is bookkeeping: the feeds and their revisions are unchanged.
	if p := h.feed(t, category("Busy"), t0, 0, 10); p.Revision != busy+1 || len(p.Articles) != 2 {
		t.Fatalf("category after the records: revision %d, %d articles; want %d and 2", p.Revision, len(p.Articles), busy+1)
	}
}
