package storetest

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storecopy"
)

// testPutArticle: PutArticle (what `herald copy` writes with) keeps
// UpdatedAt as given, creates or overwrites by id, and does the scope
// bookkeeping of an ordinary write at the store's clock.
func testPutArticle(t *testing.T, h *harness) {
	target, err := storecopy.AsTarget(h.s)
	if err != nil {
		t.Fatalf("store %T: %v; every store must implement storecopy.Target", h.s, err)
	}
	h.create(t, h.article(t, "Resident", t0.Add(-3*time.Hour), inCategory("Old Home")))
	before := h.feed(t, herald.SiteScope, t0, 0, 10)

	putAt := h.clock.Advance(time.Hour)
	// Every field set, so that a column PutArticle forgets shows.
	a := h.richArticle(t)
	a.Categories = append(a.Categories, "Old Home")
	a.Tags = append(a.Tags, "moved")
	a.UpdatedAt = time.Date(2025, 12, 24, 18, 30, 5, 0, time.UTC)
	want := a.Clone()
	old, err := target.PutArticle(h.ctx, a)
	if err != nil || old != nil {
		t.Fatalf("PutArticle(new)=%v, %v; want nil, nil", old, err)
	}
	wantArticle(t, "Article after PutArticle(new)", h.get(t, a.ID), want)
	site := h.feed(t, herald.SiteScope, putAt, 0, 10)
	if site.Revision != before.Revision+1 || site.Total != 2 {
		t.Fatalf("site revision=%d total=%d, want %d 2", site.Revision, site.Total, before.Revision+1)
	}
	wantTime(t, "site ChangedAt after PutArticle", site.ChangedAt, putAt)

	moveAt := h.clock.Advance(time.Hour)
	next := want.Clone()
	next.Title = "Copied, edited at the source"
	next.Categories = []string{"New Home"}
	next.UpdatedAt = a.UpdatedAt.Add(time.Hour)
	oldHome := h.feed(t, category("Old Home"), moveAt, 0, 10)
	old, err = target.PutArticle(h.ctx, next.Clone())
	if err != nil {
		t.Fatalf("PutArticle(existing): %v", err)
	}
	wantArticle(t, "PutArticle returned old", old, want)
	wantArticle(t, "Article after PutArticle(existing)", h.get(t, a.ID), next)
	for _, sc := range []herald.Scope{category("Old Home"), category("New Home"), tag("moved")} {
		wantTime(t, sc.Key()+" ChangedAt after the move", h.feed(t, sc, moveAt, 0, 10).ChangedAt, moveAt)
	}
	if p := h.feed(t, category("Old Home"), moveAt, 0, 10); p.Revision != oldHome.Revision+1 || p.Total != 1 {
		t.Fatalf("old category revision=%d total=%d, want %d 1", p.Revision, p.Total, oldHome.Revision+1)
	}

	clash := h.article(t, "Resident", t0, inCategory("Elsewhere"))
	_, err = target.PutArticle(h.ctx, clash)
	wantCode(t, "PutArticle(taken slug)", err, herald.EConflict, "slug")
	if _, err := h.s.Article(h.ctx, clash.ID); !herald.IsNotFound(err) {
		t.Fatalf("Article(rejected put): err=%v, want not found", err)
	}
}
