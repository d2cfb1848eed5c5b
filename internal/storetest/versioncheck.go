package storetest

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// testVersionCheck: with a herald.VersionCheck in the context, a store
// reports the version of the article it reads, creates or replaces (the
// one ArticleVersion gives), and replaces or deletes an article only at
// the version the check expects: at another one it answers EPrecondition
// and writes nothing.
func testVersionCheck(t *testing.T, h *harness) {
	a := h.article(t, "Checked", t0.Add(-time.Hour), inCategory("News"))
	created := &herald.VersionCheck{}
	if err := h.s.CreateArticle(herald.WithVersionCheck(h.ctx, created), a); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	read := &herald.VersionCheck{}
	if _, err := h.s.Article(herald.WithVersionCheck(h.ctx, read), a.ID); err != nil {
		t.Fatalf("Article: %v", err)
	}
	if created.Version == 0 || read.Version != created.Version || read.Version != h.version(t, a.ID) {
		t.Fatalf("versions: created %d, read %d, stored %d", created.Version, read.Version, h.version(t, a.ID))
	}

	// A stale expectation: nothing is written.
	stale := a.Clone()
	stale.Title = "Stale write"
	err := func() error {
		_, err := h.s.ReplaceArticle(herald.WithVersionCheck(h.ctx, &herald.VersionCheck{Expect: read.Version + 1000}), stale)
		return err
	}()
	if herald.ErrorCode(err) != herald.EPrecondition {
		t.Fatalf("ReplaceArticle at a stale version: %v, want EPrecondition", err)
	}
	if _, err := h.s.DeleteArticle(herald.WithVersionCheck(h.ctx, &herald.VersionCheck{Expect: read.Version + 1000}), a.ID); herald.ErrorCode(err) != herald.EPrecondition {
		t.Fatalf("DeleteArticle at a stale version: %v, want EPrecondition", err)
	}
	if got := h.get(t, a.ID); got.Title != "Checked" || h.version(t, a.ID) != read.Version {
		t.Fatalf("after the refused writes: title %q, version %d (was %d)", got.Title, h.version(t, a.ID), read.Version)
	}

	// The current expectation: written, and the new version reported.
	next := a.Clone()
	next.Title = "Checked again"
	replaced := &herald.VersionCheck{Expect: read.Version}
	if _, err := h.s.ReplaceArticle(herald.WithVersionCheck(h.ctx, replaced), next); err != nil {
		t.Fatalf("ReplaceArticle at the current version: %v", err)
	}
	if replaced.Version == read.Version || replaced.Version != h.version(t, a.ID) || h.get(t, a.ID).Title != "Checked again" {
		t.Fatalf("after the replace: reported %d, stored %d, was %d", replaced.Version, h.version(t, a.ID), read.Version)
	}
	// The version read before the replace no longer deletes it.
	if _, err := h.s.DeleteArticle(herald.WithVersionCheck(h.ctx, &herald.VersionCheck{Expect: read.Version}), a.ID); herald.ErrorCode(err) != herald.EPrecondition {
		t.Fatalf("DeleteArticle at the replaced version: %v, want EPrecondition", err)
	}
	if _, err := h.s.DeleteArticle(herald.WithVersionCheck(h.ctx, &herald.VersionCheck{Expect: replaced.Version}), a.ID); err != nil {
		t.Fatalf("DeleteArticle at the current version: %v", err)
	}
	if _, err := h.s.Article(h.ctx, a.ID); !herald.IsNotFound(err) {
		t.Fatalf("after the delete: %v", err)
	}
}
