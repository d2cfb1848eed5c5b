package storetest

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// testScopes checks the listing behind the index page and OPML: every
// category, tag and author with a visible article, its newest name and its
// count, in the documented order; scheduled-only and emptied scopes are
// absent.
func testScopes(t *testing.T, h *harness) {
	empty, err := h.s.Scopes(h.ctx, t0)
	if err != nil {
		t.Fatalf("Scopes on an empty store: %v", err)
	}
	if len(empty) != 0 {
		t.Fatalf("Scopes on an empty store=%v, want none", empty)
	}
	h.create(t, h.article(t, "Old", t0.Add(-2*time.Hour), inCategory("go"), withTags("RSS"), byAuthors("Ada Lovelace")))
	h.create(t, h.article(t, "New", t0.Add(-time.Hour), inCategory("Go"), withTags("Atom"), byAuthors("Ada Lovelace", "Émile Zola")))
	// Scheduled: its tag and category must not show before it is published.
	h.create(t, h.article(t, "Later", t0.Add(time.Hour), inCategory("Secret Plans"), withTags("Surprise")))
	// Scheduled in a scope that has visible articles: neither counted nor
	// naming it before it is published.
	h.create(t, h.article(t, "Later in Go", t0.Add(time.Hour), inCategory("GO")))
	gone := h.create(t, h.article(t, "Gone", t0.Add(-3*time.Hour), inCategory("Deleted")))
	if _, err := h.s.DeleteArticle(h.ctx, gone.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}

	got, err := h.s.Scopes(h.ctx, t0)
	if err != nil {
		t.Fatalf("Scopes: %v", err)
	}
	want := []herald.ScopeInfo{
		{Scope: category("Go"), Name: "Go", Articles: 2},
		{Scope: tag("Atom"), Name: "Atom", Articles: 1},
		{Scope: tag("RSS"), Name: "RSS", Articles: 1},
		{Scope: author("Ada Lovelace"), Name: "Ada Lovelace", Articles: 2},
		{Scope: author("Émile Zola"), Name: "Émile Zola", Articles: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Scopes=%+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Scopes[%d]=%+v, want %+v", i, got[i], want[i])
		}
	}

	// Once the scheduled article is due, its scopes appear.
	later, err := h.s.Scopes(h.ctx, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatalf("Scopes later: %v", err)
	}
	if !hasScope(later, category("Secret Plans")) || !hasScope(later, tag("Surprise")) {
		t.Fatalf("Scopes after publication=%+v, want the scheduled article's category and tag", later)
	}
	for _, info := range later {
		if info.Scope == category("Go") && (info.Name != "GO" || info.Articles != 3) {
			t.Errorf("Scopes after publication: %+v, want the category named GO by its newest article, with 3", info)
		}
	}
}

func hasScope(list []herald.ScopeInfo, s herald.Scope) bool {
	for _, info := range list {
		if info.Scope == s {
			return true
		}
	}
	return false
}

// testEpisodeFieldsReplaced checks that a replace overwrites the episode
// fields, including back to "not given".
func testEpisodeFieldsReplaced(t *testing.T, h *harness) {
	a := h.create(t, h.richArticle(t))
	b := a.Clone()
	b.Episode, b.Season, b.EpisodeType = 0, 0, ""
	b.TranscriptURL, b.TranscriptType, b.ChaptersURL = "", "", ""
	if _, err := h.s.ReplaceArticle(h.ctx, b); err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	wantArticle(t, "Article after replace", h.get(t, a.ID), b)
}
