package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storecopy"
)

// Versioner is what a store offers the suite to check its row versions:
// the version of the article with id, which every write of the article
// must change to one never used before for that id. Stores that keep
// decoded articles in memory (internal/artcache) rely on it to never serve
// a stale article.
type Versioner interface {
	ArticleVersion(ctx context.Context, id string) (int64, error)
}

// PairOpener opens a fresh, empty database and two stores on it, as two
// processes would have them, each with its own article cache. The suite
// closes both stores.
type PairOpener func(t *testing.T, now func() time.Time) (a, b herald.Store)

// version reads the version of the article with id, failing the test when
// the store keeps none.
func (h *harness) version(t *testing.T, id string) int64 {
	t.Helper()
	v, ok := h.s.(Versioner)
	if !ok {
		t.Fatalf("store %T: every store must implement storetest.Versioner", h.s)
	}
	n, err := v.ArticleVersion(h.ctx, id)
	if err != nil {
		t.Fatalf("ArticleVersion(%s): %v", id, err)
	}
	return n
}

// testVersionBumps: every kind of write gives the article a version it
// never had before, including one that changes only a list, a put of the
// same content, and an article deleted and put back under its id; a
// replace with the same content writes nothing, so the version stays.
func testVersionBumps(t *testing.T, h *harness) {
	target, err := storecopy.AsTarget(h.s)
	if err != nil {
		t.Fatalf("store %T: %v", h.s, err)
	}
	a := h.create(t, h.article(t, "Versioned", t0.Add(-time.Hour), inCategory("One")))
	seen := map[int64]string{}
	check := func(op string) {
		t.Helper()
		v := h.version(t, a.ID)
		if prev, ok := seen[v]; ok {
			t.Fatalf("after %s: version %d, the same as after %s", op, v, prev)
		}
		for old := range seen {
			if v < old {
				t.Fatalf("after %s: version %d, below an earlier %d", op, v, old)
			}
		}
		seen[v] = op
	}
	check("create")
	before, updated := h.version(t, a.ID), h.get(t, a.ID).UpdatedAt
	same := a.Clone()
	if _, err := h.s.ReplaceArticle(h.ctx, same); err != nil {
		t.Fatalf("replace with the same content: %v", err)
	}
	if v := h.version(t, a.ID); v != before || !same.UpdatedAt.Equal(updated) || !h.get(t, a.ID).UpdatedAt.Equal(updated) {
		t.Fatalf("replace with the same content: version %d (was %d), updated_at %v (was %v)", v, before, same.UpdatedAt, updated)
	}
	steps := []struct {
		op    string
		write func() error
	}{
		{"replace changing the title", func() error {
			a.Title = "Versioned, retitled"
			_, err := h.s.ReplaceArticle(h.ctx, a.Clone())
			return err
		}},
		{"replace changing only a list", func() error {
			a.Tags = []string{"late-tag"}
			_, err := h.s.ReplaceArticle(h.ctx, a.Clone())
			return err
		}},
		{"put over it", func() error { _, err := target.PutArticle(h.ctx, a.Clone()); return err }},
		{"delete and put back", func() error {
			if _, err := h.s.DeleteArticle(h.ctx, a.ID); err != nil {
				return err
			}
			_, err := target.PutArticle(h.ctx, a.Clone())
			return err
		}},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.op, err)
		}
		check(s.op)
	}
	if _, err := h.s.(Versioner).ArticleVersion(h.ctx, "no-such-article"); !herald.IsNotFound(err) {
		t.Fatalf("ArticleVersion(missing) err=%v, want not found", err)
	}
}

// testFeedSeesEveryWrite: a store that caches decoded articles serves, in
// the feed read right after any write, exactly what the write stored. Each
// step reads the feed first, so the article is cached before it changes.
func testFeedSeesEveryWrite(t *testing.T, h *harness) {
	target, err := storecopy.AsTarget(h.s)
	if err != nil {
		t.Fatalf("store %T: %v", h.s, err)
	}
	var arts []*herald.Article
	for i, title := range []string{"First", "Second", "Third"} {
		arts = append(arts, h.create(t, h.article(t, title, t0.Add(-time.Duration(3-i)*time.Hour), inCategory("Cached"))))
	}
	// wantFresh reads the site and category feeds twice (the second read
	// comes from the cache when there is one) and compares every article
	// with the store's own uncached Article.
	wantFresh := func(op string, present ...*herald.Article) {
		t.Helper()
		for range 2 {
			for _, sc := range []herald.Scope{herald.SiteScope, category("Cached")} {
				page := h.feed(t, sc, h.clock.Now(), 0, 10)
				var want []*herald.Article
				for i := len(present) - 1; i >= 0; i-- { // newest first
					want = append(want, h.get(t, present[i].ID))
				}
				wantArticles(t, op+": "+sc.Key(), page.Articles, want)
			}
		}
	}
	wantFresh("before any write", arts...)

	edited := arts[1].Clone()
	edited.Title, edited.ContentHTML = "Second, edited", "<p>new body</p>"
	edited.Authors = []herald.Author{{Name: "New Author", Email: "new@example.com"}}
	edited.Tags = []string{"added"}
	if _, err := h.s.ReplaceArticle(h.ctx, edited); err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	wantFresh("after ReplaceArticle", arts...)
	if got := h.feed(t, herald.SiteScope, h.clock.Now(), 0, 10).Articles[1]; got.Title != edited.Title || len(got.Tags) != 1 {
		t.Fatalf("site feed after ReplaceArticle: title %q tags %q, want %q [added]", got.Title, got.Tags, edited.Title)
	}

	// A patch is a read, a change and a replace; PutArticle is the copy.
	patched := h.get(t, arts[2].ID)
	patched.Summary = "patched summary"
	if _, err := h.s.ReplaceArticle(h.ctx, patched); err != nil {
		t.Fatalf("ReplaceArticle (patch): %v", err)
	}
	wantFresh("after a patch", arts...)
	put := h.get(t, arts[0].ID)
	put.Enclosures = []herald.Enclosure{{URL: "https://example.com/a.mp3", Type: "audio/mpeg", Length: 1}}
	put.UpdatedAt = t0.Add(-30 * time.Minute)
	if _, err := target.PutArticle(h.ctx, put); err != nil {
		t.Fatalf("PutArticle: %v", err)
	}
	wantFresh("after PutArticle", arts...)

	if _, err := h.s.DeleteArticle(h.ctx, arts[1].ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	wantFresh("after DeleteArticle", arts[0], arts[2])

	// The same id again, with other content: no cached copy of the
	// deleted article may stand in for it.
	back := edited.Clone()
	back.Title, back.ContentHTML = "Second, back again", "<p>other body</p>"
	if _, err := target.PutArticle(h.ctx, back); err != nil {
		t.Fatalf("PutArticle (after delete): %v", err)
	}
	wantFresh("after putting a deleted id back", arts...)
}

// RunWriteThrough checks a store that caches, at its new version, every
// article it writes (PostgreSQL: there the read it spares is a round trip
// to the database). Each kind of write that leaves an article behind must
// leave the writer's next feed read with no row to fetch, and that read
// must serve what was written (testFeedSeesEveryWrite compares every
// field). open must give a store with an article cache.
func RunWriteThrough(t *testing.T, open Opener) {
	t.Run("WriterCachesItsWrites", func(t *testing.T) {
		clock := &clock{t: t0}
		s := open(t, clock.Now)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		testWriterCachesItsWrites(t, &harness{s: s, clock: clock, ctx: context.Background()})
	})
}

func testWriterCachesItsWrites(t *testing.T, h *harness) {
	cs, ok := h.s.(interface{ ArticleCache() *artcache.Cache })
	if !ok || cs.ArticleCache() == nil {
		t.Fatalf("store %T: RunWriteThrough needs a store with an article cache", h.s)
	}
	ac := cs.ArticleCache()
	target, err := storecopy.AsTarget(h.s)
	if err != nil {
		t.Fatalf("store %T: %v", h.s, err)
	}
	a := h.article(t, "Written here", t0.Add(-2*time.Hour), inCategory("Cached"))
	wantNoFetch := func(op, newestTitle string) {
		t.Helper()
		_, before := ac.Stats()
		page := h.feed(t, herald.SiteScope, h.clock.Now(), 0, 10)
		if _, after := ac.Stats(); after != before {
			t.Fatalf("%s: the next feed read fetched %d articles, want none", op, after-before)
		}
		if len(page.Articles) == 0 || page.Articles[0].Title != newestTitle {
			t.Fatalf("%s: newest article %v, want %q", op, titles(page.Articles), newestTitle)
		}
	}
	if err := h.s.CreateArticle(h.ctx, a); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	wantNoFetch("create", a.Title)
	a.Title, a.Tags = "Written here, replaced", []string{"new-tag"}
	if _, err := h.s.ReplaceArticle(h.ctx, a.Clone()); err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	wantNoFetch("replace", a.Title)
	b := h.article(t, "Put here", t0.Add(-time.Hour))
	if _, err := target.PutArticle(h.ctx, b); err != nil {
		t.Fatalf("PutArticle (new): %v", err)
	}
	wantNoFetch("put of a new id", b.Title)
	b.Title = "Put here, again"
	if _, err := target.PutArticle(h.ctx, b.Clone()); err != nil {
		t.Fatalf("PutArticle (over): %v", err)
	}
	wantNoFetch("put over an article", b.Title)
}

// RunPair runs the tests that need two stores on one database: what one
// writes, the other's next feed read serves, whatever either has cached.
func RunPair(t *testing.T, open PairOpener) {
	t.Run("TwoStoresNeverStale", func(t *testing.T) {
		clock := &clock{t: t0}
		a, b := open(t, clock.Now)
		for _, s := range []herald.Store{a, b} {
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
		testTwoStores(t, &harness{s: a, clock: clock, ctx: context.Background()},
			&harness{s: b, clock: clock, ctx: context.Background()})
	})
}

func testTwoStores(t *testing.T, ha, hb *harness) {
	var arts []*herald.Article
	for i := range 4 {
		arts = append(arts, ha.create(t, ha.article(t, "Shared "+string(rune('A'+i)), t0.Add(-time.Duration(4-i)*time.Hour))))
	}
	// wantSame reads the site feed from both stores, twice each, and
	// compares it with what the writer's uncached Article returns.
	wantSame := func(op string) {
		t.Helper()
		total := ha.feed(t, herald.SiteScope, t0, 0, 10).Total
		var want []*herald.Article
		for _, a := range ha.feed(t, herald.SiteScope, t0, 0, 10).Articles {
			want = append(want, ha.get(t, a.ID))
		}
		if len(want) != total {
			t.Fatalf("%s: %d articles, want %d", op, len(want), total)
		}
		for range 2 {
			for name, h := range map[string]*harness{"store A": ha, "store B": hb} {
				wantArticles(t, op+": "+name, h.feed(t, herald.SiteScope, t0, 0, 10).Articles, want)
			}
		}
	}
	wantSame("both caches filled")

	replace := func(h *harness, a *herald.Article, title string) {
		t.Helper()
		c := h.get(t, a.ID)
		c.Title = title
		c.Categories = append(c.Categories, title)
		if _, err := h.s.ReplaceArticle(h.ctx, c); err != nil {
			t.Fatalf("ReplaceArticle: %v", err)
		}
	}
	put := func(h *harness, a *herald.Article, title string) {
		t.Helper()
		target, err := storecopy.AsTarget(h.s)
		if err != nil {
			t.Fatal(err)
		}
		c := a.Clone()
		c.Title, c.ContentHTML = title, "<p>"+title+"</p>"
		if _, err := target.PutArticle(h.ctx, c); err != nil {
			t.Fatalf("PutArticle: %v", err)
		}
	}
	replace(ha, arts[0], "Replaced by A")
	wantSame("A replaced")
	replace(hb, arts[1], "Replaced by B")
	wantSame("B replaced")
	put(ha, arts[2], "Put by A")
	wantSame("A put")
	put(hb, arts[2], "Put again by B")
	wantSame("B put")
	if _, err := ha.s.DeleteArticle(ha.ctx, arts[3].ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	wantSame("A deleted")
	// B still holds the deleted article in its cache; A puts the id back
	// with other content.
	put(ha, arts[3], "Back under the same id")
	wantSame("A put a deleted id back")
	if got := hb.feed(t, herald.SiteScope, t0, 0, 10).Articles[0].Title; got != "Back under the same id" {
		t.Fatalf("store B's newest title %q, want %q", got, "Back under the same id")
	}
}
