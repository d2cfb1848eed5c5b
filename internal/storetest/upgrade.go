package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// UpgradeOpener opens a fresh database at the schema before article
// versions (every migration up to 0002), and returns that store and a
// function that opens the same database again as `herald serve` does:
// every migration applied, with an article cache. The suite closes the
// first store before calling upgrade, and closes both.
type UpgradeOpener func(t *testing.T, now func() time.Time) (before herald.Store, upgrade func() herald.Store)

// RunUpgrade checks migration 0003 on a database that already holds
// articles, as every existing deployment does: the rows keep their content
// and get version 1, the feed reads them, and the first writes after the
// upgrade give versions above every existing one, which the next feed read
// serves (a cache must never mistake a pre-upgrade row for a newer one).
func RunUpgrade(t *testing.T, open UpgradeOpener) {
	t.Run("UpgradeToVersions", func(t *testing.T) {
		clock := &clock{t: t0}
		before, upgrade := open(t, clock.Now)
		h := &harness{s: before, clock: clock, ctx: context.Background()}
		old := []*herald.Article{
			h.create(t, h.article(t, "Before the upgrade A", t0.Add(-2*time.Hour), inCategory("Go"))),
			h.create(t, h.article(t, "Before the upgrade B", t0.Add(-time.Hour), withTags("Old"))),
		}
		if err := before.Close(); err != nil {
			t.Fatalf("Close before the upgrade: %v", err)
		}
		after := upgrade()
		t.Cleanup(func() { after.Close() })
		h.s = after
		for _, a := range old {
			if v := h.version(t, a.ID); v != 1 {
				t.Errorf("%q: version %d after the upgrade, want 1", a.Title, v)
			}
		}
		// Read twice: from the store, then from the cache.
		for range 2 {
			page := h.feed(t, herald.SiteScope, t0, 0, 10)
			if len(page.Articles) != 2 || page.Articles[0].Title != old[1].Title || page.Articles[1].Title != old[0].Title ||
				len(page.Articles[1].Categories) != 1 || len(page.Articles[0].Tags) != 1 {
				t.Fatalf("site feed after the upgrade: %v, want B then A with their lists", titles(page.Articles))
			}
		}
		// The scopes' totals, counted from the articles written before.
		for sc, want := range map[herald.Scope]int{herald.SiteScope: 2, category("Go"): 1, tag("Old"): 1} {
			if p := h.feed(t, sc, t0, 0, 10); p.Total != want {
				t.Errorf("%s after the upgrade: total %d, want %d", sc, p.Total, want)
			}
		}
		old[0].Title = "A, rewritten after the upgrade"
		if _, err := after.ReplaceArticle(h.ctx, old[0].Clone()); err != nil {
			t.Fatalf("ReplaceArticle: %v", err)
		}
		fresh := h.create(t, h.article(t, "After the upgrade C", t0.Add(-30*time.Minute)))
		vA, vB, vC := h.version(t, old[0].ID), h.version(t, old[1].ID), h.version(t, fresh.ID)
		if vA <= 1 || vC <= 1 || vA == vC || vB != 1 {
			t.Errorf("versions after writes: rewritten %d, untouched %d, new %d; want the written two above 1 and distinct, the untouched at 1", vA, vB, vC)
		}
		page := h.feed(t, herald.SiteScope, t0, 0, 10)
		if got := titles(page.Articles); len(got) != 3 || got[0] != fresh.Title || got[1] != old[1].Title || got[2] != old[0].Title {
			t.Errorf("site feed after writes: %v, want C, B and the rewritten A", got)
		}
		if page.Total != 3 {
			t.Errorf("site total after writes: %d, want 3", page.Total)
		}
	})
}

func titles(arts []*herald.Article) []string {
	var out []string
	for _, a := range arts {
		out = append(out, a.Title)
	}
	return out
}
