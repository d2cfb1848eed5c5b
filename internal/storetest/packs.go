package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
)

// PackStores are what the pack tests work with, all on one fresh database:
// Store, opened as `herald serve` opens it (with an article cache);
// Packless, writing as a build before packs does; and two views of the
// article_packs table, which the suite cannot reach otherwise.
type PackStores struct {
	Store    herald.Store
	Packless herald.Store
	// Pack returns the stored pack of the article id, the version it was
	// made from and its format column; ok is false when there is none.
	Pack func(id string) (version int64, format int, pack []byte, ok bool)
	// SetPack overwrites the format column and the bytes of the article
	// id's pack, keeping the version it names.
	SetPack func(id string, format int, pack []byte)
}

// PacksOpener opens a fresh, empty database and the stores of PackStores
// on it. The suite closes both stores.
type PacksOpener func(t *testing.T, now func() time.Time) PackStores

// RunPacks checks what a store does with article packs: every write stores
// the pack of what it wrote, which a read of an article no process has in
// memory takes instead of the rows, but only at the version it was made
// from; a pack that does not unpack, or a stale one left by an older build,
// is passed over for the rows; PackArticles fills in what is missing.
func RunPacks(t *testing.T, open PacksOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h, old *harness, ps PackStores)
	}{
		{"PacksAreWhatWasWritten", testPacksAreWhatWasWritten},
		{"ColdReadsTakePacks", testColdReadsTakePacks},
		{"StalePacksArePassedOver", testStalePacksArePassedOver},
		{"PackArticlesInBatches", testPackArticlesInBatches},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &clock{t: t0}
			ps := open(t, clock.Now)
			for _, s := range []herald.Store{ps.Store, ps.Packless} {
				t.Cleanup(func() {
					if err := s.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
			}
			ctx := context.Background()
			tc.fn(t, &harness{s: ps.Store, clock: clock, ctx: ctx}, &harness{s: ps.Packless, clock: clock, ctx: ctx}, ps)
		})
	}
}

// coldFeed reads the site feed with the store's article cache emptied
// first, as the first miss after a start does.
func (h *harness) coldFeed(t *testing.T) []*herald.Article {
	t.Helper()
	c, ok := h.s.(interface{ ArticleCache() *artcache.Cache })
	if !ok || c.ArticleCache() == nil {
		t.Fatalf("store %T has no article cache", h.s)
	}
	c.ArticleCache().Purge()
	return h.feed(t, herald.SiteScope, h.clock.Now(), 0, 100).Articles
}

// rowReads returns the store's count of articles read from rows for its
// article cache.
func (h *harness) rowReads(t *testing.T) uint64 {
	t.Helper()
	r, ok := h.s.(interface{ ArticleRowReads() uint64 })
	if !ok {
		t.Fatalf("store %T does not count the articles it reads from rows", h.s)
	}
	return r.ArticleRowReads()
}

// wantPack fails the test unless the article id has a pack of its current
// version that unpacks to what its rows hold.
func (h *harness) wantPack(t *testing.T, ps PackStores, op, id string) {
	t.Helper()
	v, format, pack, ok := ps.Pack(id)
	if !ok {
		t.Fatalf("%s: article %s has no pack", op, id)
	}
	if format != herald.PackFormat {
		t.Fatalf("%s: pack of format %d, want %d", op, format, herald.PackFormat)
	}
	if cur := h.version(t, id); v != cur {
		t.Fatalf("%s: pack of version %d, the article is at %d", op, v, cur)
	}
	got, err := herald.UnpackArticle(pack)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	wantArticle(t, op+": unpacked", got, h.get(t, id))
	if rows := h.get(t, id); !reflect.DeepEqual(got, rows) {
		t.Fatalf("%s: unpacked %+v, rows %+v", op, got, rows)
	}
}

// testPacksAreWhatWasWritten: each kind of write leaves a pack of the new
// version equal, to the last field, to the article its rows hold, and a
// delete leaves none.
func testPacksAreWhatWasWritten(t *testing.T, h, _ *harness, ps PackStores) {
	// A clock with a sub-second part: UpdatedAt is stored truncated.
	h.clock.Advance(750 * time.Millisecond)
	rich := h.create(t, h.richArticle(t))
	h.wantPack(t, ps, "create", rich.ID)
	bare := h.create(t, h.article(t, "Bare", t0.Add(-2*time.Hour)))
	h.wantPack(t, ps, "create without lists", bare.ID)

	h.clock.Advance(time.Minute)
	edit := rich.Clone()
	edit.Tags = []string{"only one"}
	edit.Enclosures, edit.Episode = nil, 0
	if _, err := h.s.ReplaceArticle(h.ctx, edit); err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	h.wantPack(t, ps, "replace", rich.ID)

	put := bare.Clone()
	put.Title, put.UpdatedAt = "Put", t0.Add(-time.Hour+300*time.Millisecond)
	target, ok := h.s.(interface {
		PutArticle(context.Context, *herald.Article) (*herald.Article, error)
	})
	if !ok {
		t.Fatalf("store %T cannot put articles", h.s)
	}
	if _, err := target.PutArticle(h.ctx, put); err != nil {
		t.Fatalf("PutArticle: %v", err)
	}
	h.wantPack(t, ps, "put over an article", bare.ID)

	// What a cold read serves is what the rows hold.
	got := h.coldFeed(t)
	wantArticles(t, "cold feed", got, []*herald.Article{h.get(t, rich.ID), h.get(t, bare.ID)})

	if _, err := h.s.DeleteArticle(h.ctx, bare.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	if _, _, _, ok := ps.Pack(bare.ID); ok {
		t.Error("a deleted article's pack is still there")
	}
}

// testColdReadsTakePacks: a cold read serves the pack, not the rows (a
// pack altered in place shows), and serves the rows when the pack does
// not unpack; a warm read serves what it has.
func testColdReadsTakePacks(t *testing.T, h, _ *harness, ps PackStores) {
	a := h.create(t, h.article(t, "From the rows", t0.Add(-time.Hour), inCategory("News")))
	altered := h.get(t, a.ID)
	altered.Title = "From the pack"
	ps.SetPack(a.ID, herald.PackFormat, herald.PackArticle(altered))
	if got := h.coldFeed(t); len(got) != 1 || got[0].Title != "From the pack" {
		t.Fatalf("cold read: %v, want the pack's title", titles(got))
	}

	for name, bad := range map[string]struct {
		format int
		pack   []byte
	}{
		"another format":          {herald.PackFormat + 1, herald.PackArticle(altered)},
		"bytes of another format": {herald.PackFormat, append([]byte{herald.PackFormat + 1}, herald.PackArticle(altered)[1:]...)},
		"cut short":               {herald.PackFormat, herald.PackArticle(altered)[:20]},
		"another id's":            {herald.PackFormat, herald.PackArticle(&herald.Article{ID: "someone-else", Title: "From the pack"})},
	} {
		ps.SetPack(a.ID, bad.format, bad.pack)
		got := h.coldFeed(t)
		if len(got) != 1 {
			t.Fatalf("%s: cold read gave %d articles", name, len(got))
		}
		wantArticle(t, name+": cold read", got[0], h.get(t, a.ID))
	}
}

// testStalePacksArePassedOver: an article last written by a build that
// does not make packs keeps a pack of its older version, or none; reads
// serve its rows, and PackArticles packs it (and only what needs it).
func testStalePacksArePassedOver(t *testing.T, h, old *harness, ps PackStores) {
	a := h.create(t, h.article(t, "Packed", t0.Add(-time.Hour), withTags("x")))
	before, _, _, _ := ps.Pack(a.ID)

	edit := h.get(t, a.ID)
	edit.Title, edit.Tags = "Rewritten by an older build", []string{"y", "z"}
	if _, err := old.s.ReplaceArticle(old.ctx, edit); err != nil {
		t.Fatalf("ReplaceArticle by the older build: %v", err)
	}
	fresh := old.create(t, old.article(t, "Created by an older build", t0.Add(-2*time.Hour)))
	if v, _, _, _ := ps.Pack(a.ID); v != before {
		t.Fatalf("the older build's write moved the pack from version %d to %d", before, v)
	}
	if _, _, _, ok := ps.Pack(fresh.ID); ok {
		t.Fatal("the older build's create left a pack")
	}
	rows := h.rowReads(t)
	got := h.coldFeed(t)
	wantArticles(t, "cold feed after the older build's writes", got, []*herald.Article{h.get(t, a.ID), h.get(t, fresh.ID)})
	if n := h.rowReads(t) - rows; n != 2 {
		t.Errorf("cold feed after the older build's writes: %d articles counted as read from rows, want 2", n)
	}

	p, ok := h.s.(herald.Packer)
	if !ok {
		t.Fatalf("store %T: every store must implement herald.Packer", h.s)
	}
	n, err := p.PackArticles(h.ctx)
	if err != nil || n != 2 {
		t.Fatalf("PackArticles: %d packed, err %v; want 2", n, err)
	}
	h.wantPack(t, ps, "packed after the older build's replace", a.ID)
	h.wantPack(t, ps, "packed after the older build's create", fresh.ID)
	rows = h.rowReads(t)
	h.coldFeed(t)
	if n := h.rowReads(t) - rows; n != 0 {
		t.Errorf("cold feed after PackArticles: %d articles counted as read from rows, want 0", n)
	}
	if n, err := p.PackArticles(h.ctx); err != nil || n != 0 {
		t.Errorf("PackArticles again: %d packed, err %v; want 0", n, err)
	}

	// A pack of an older format is packed again; one of a newer format,
	// written by a newer build, is left alone.
	older := herald.PackArticle(h.get(t, a.ID))
	older[0] = herald.PackFormat - 1
	ps.SetPack(a.ID, herald.PackFormat-1, older)
	newer := append([]byte{herald.PackFormat + 1}, older[1:]...)
	ps.SetPack(fresh.ID, herald.PackFormat+1, newer)
	if n, err := p.PackArticles(h.ctx); err != nil || n != 1 {
		t.Fatalf("PackArticles over an older and a newer format: %d packed, err %v; want 1", n, err)
	}
	h.wantPack(t, ps, "packed again over an older format", a.ID)
	if _, _, pack, _ := ps.Pack(fresh.ID); !reflect.DeepEqual(pack, newer) {
		t.Error("PackArticles replaced a pack of a newer format")
	}
}

// testPackArticlesInBatches: PackArticles goes through more articles than
// one batch reads, and packs an article whose pack alone exceeds what one
// of its transactions writes.
func testPackArticlesInBatches(t *testing.T, h, old *harness, ps PackStores) {
	var ids []string
	for i := range 2*herald.PackBatch + 1 {
		a := old.create(t, old.article(t, fmt.Sprintf("Unpacked %d", i), t0.Add(-time.Duration(i+1)*time.Minute)))
		ids = append(ids, a.ID)
	}
	// Text that S2 cannot shrink much: a pack above PackWriteBytes.
	rnd := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, herald.PackWriteBytes+herald.PackWriteBytes/4)
	for i := range big {
		big[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rnd.IntN(62)]
	}
	large := old.create(t, old.article(t, "Large", t0.Add(-time.Second), func(a *herald.Article) {
		a.ContentHTML = "<p>" + string(big) + "</p>"
	}))
	ids = append(ids, large.ID)

	n, err := h.s.(herald.Packer).PackArticles(h.ctx)
	if err != nil || n != len(ids) {
		t.Fatalf("PackArticles: %d packed, err %v; want %d", n, err, len(ids))
	}
	for _, id := range ids {
		v, format, pack, ok := ps.Pack(id)
		if !ok || format != herald.PackFormat || v != h.version(t, id) {
			t.Fatalf("article %s: pack present %v, format %d, version %d of %d", id, ok, format, v, h.version(t, id))
		}
		if id == large.ID && len(pack) <= herald.PackWriteBytes {
			t.Fatalf("the large article's pack is %d bytes, not above %d: the test does not test", len(pack), herald.PackWriteBytes)
		}
	}
	h.wantPack(t, ps, "the large article", large.ID)
}
