package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// SlugUpgrade is a database as a build before Slugify kept combining
// marks left it, for RunSlugUpgrade.
type SlugUpgrade struct {
	// Before is a store on a fresh database with every migration before
	// the one that owes the slug_marks rewrite.
	Before herald.Store
	// Age rewrites, with SQL, the rows of the article with id as a build
	// before marks were kept wrote them: each slug of its lists and each
	// key of article_scopes is the one herald.LegacyTitleSlug gives the
	// name, and the scopes rows of keys no article is filed under any
	// more are gone.
	Age func(id string)
	// Reopen opens another store on the same database as Open does, every
	// migration applied; the suite closes it. It may be called from
	// several goroutines at once.
	Reopen func() herald.Store
}

// SlugUpgradeOpener sets up a SlugUpgrade on a fresh database whose
// stores read the clock now. The suite closes Before before it reopens.
type SlugUpgradeOpener func(t *testing.T, now func() time.Time) SlugUpgrade

// RunSlugUpgrade checks the slug_marks rewrite on a database an older
// build filled: once the store opens, the articles filed under slugs
// without marks ("category:ह-न-द" for "हिन्दी") are in the scopes their
// names give now, with their counts, the old scopes are gone, a new write
// of the same name joins them, the articles keep their permalinks and
// UpdatedAt, the articles with nothing to change are not written, caches
// are told of every scope that moved, and opening again (two processes at
// once the first time) rewrites nothing more.
func RunSlugUpgrade(t *testing.T, open SlugUpgradeOpener) {
	t.Run("SlugMarksRewrite", func(t *testing.T) {
		clock := &clock{t: t0}
		up := open(t, clock.Now)
		h := &harness{s: up.Before, clock: clock, ctx: context.Background()}

		hindi, thai, arabic := "हिन्दी", "ไทย ข่าว", "العَرَبِيَّة"
		a := h.create(t, h.article(t, "हिन्दी समाचार", t0.Add(-3*time.Hour), inCategory(hindi), withTags("किम", "Go"), byAuthors("अमित शर्मा")))
		b := h.create(t, h.article(t, "Second", t0.Add(-2*time.Hour), inCategory(hindi, thai), withTags("कुम")))
		c := h.create(t, h.article(t, "Untouched", t0.Add(-time.Hour), inCategory("English"), withTags("Go"), byAuthors("Ann")))
		d := h.create(t, h.article(t, "Scheduled", t0.Add(time.Hour), inCategory(hindi), withTags(arabic)))
		f := h.create(t, h.article(t, "Its author alone", t0.Add(-4*time.Hour), byAuthors("सुनीता")))
		aged := []*herald.Article{a, b, d, f}
		for _, x := range aged {
			up.Age(x.ID)
		}
		old := func(kind herald.ScopeKind, name string) herald.Scope {
			return herald.Scope{Kind: kind, Slug: herald.LegacyTitleSlug(name)}
		}
		oldHindi := old(herald.ScopeCategory, hindi)
		if oldHindi.Slug != "ह-न-द" {
			t.Fatalf("old slug of %q: %q, want ह-न-द", hindi, oldHindi.Slug)
		}
		// As the older build left it: both articles (the scheduled one
		// not yet) under the old slug, the two tags under one.
		if p := h.feed(t, oldHindi, t0, 0, 10); p.Total != 2 {
			t.Fatalf("before the upgrade: %s holds %d articles, want 2", oldHindi, p.Total)
		}
		if p := h.feed(t, old(herald.ScopeTag, "किम"), t0, 0, 10); p.Total != 2 {
			t.Fatalf("before the upgrade: tag क-म holds %d articles, want both", p.Total)
		}
		before := map[string]int64{}
		for _, x := range []*herald.Article{a, b, c, d, f} {
			before[x.ID] = h.version(t, x.ID)
		}
		revs, err := up.Before.Revisions(h.ctx, nil)
		if err != nil {
			t.Fatalf("Revisions: %v", err)
		}
		siteChanged := h.feed(t, herald.SiteScope, t0, 0, 10).ChangedAt
		// The older build delivered its invalidations.
		if owed, err := up.Before.Undelivered(h.ctx, 1000); err != nil || up.Before.ClearUndelivered(h.ctx, owed) != nil {
			t.Fatalf("clearing the invalidations on record before the upgrade: %v", err)
		}
		if err := up.Before.Close(); err != nil {
			t.Fatalf("Close before the upgrade: %v", err)
		}

		// Two processes open the old database at once.
		upgraded := clock.Advance(time.Minute)
		var stores [2]herald.Store
		var wg sync.WaitGroup
		for i := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stores[i] = up.Reopen()
			}()
		}
		wg.Wait()
		for _, s := range stores {
			t.Cleanup(func() { s.Close() })
		}
		h.s = stores[0]

		wantFeed := func(sc herald.Scope, at time.Time, want ...*herald.Article) {
			t.Helper()
			p := h.feed(t, sc, at, 0, 10)
			if got := ids(p.Articles); !slices.Equal(got, ids(want)) || p.Total != len(want) {
				t.Errorf("%s after the upgrade: %q (total %d), want %q", sc, titles(p.Articles), p.Total, titles(want))
			}
		}
		wantGone := func(sc herald.Scope) {
			t.Helper()
			if p, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: sc, Now: t0.Add(2 * time.Hour), Limit: 10}); !herald.IsNotFound(err) {
				t.Errorf("%s after the upgrade: err %v (%d articles), want ENotFound", sc, err, len(p.Articles))
			}
		}
		wantFeed(category(hindi), t0, b, a)
		wantFeed(category(hindi), t0.Add(2*time.Hour), d, b, a)
		wantFeed(category(thai), t0, b)
		wantFeed(tag("किम"), t0, a)
		wantFeed(tag("कुम"), t0, b)
		wantFeed(tag(arabic), t0.Add(2*time.Hour), d)
		wantFeed(author("अमित शर्मा"), t0, a)
		wantFeed(author("सुनीता"), t0, f)
		wantFeed(tag("Go"), t0, c, a)
		wantFeed(herald.SiteScope, t0, c, b, a, f)
		for _, sc := range []herald.Scope{oldHindi, old(herald.ScopeCategory, thai), old(herald.ScopeTag, "किम"),
			old(herald.ScopeTag, arabic), old(herald.ScopeAuthor, "अमित शर्मा"), old(herald.ScopeAuthor, "सुनीता")} {
			wantGone(sc)
		}
		if got, want := category(hindi).Slug, "हिन्दी"; got != want {
			t.Fatalf("the new slug of %q: %q, want %q", hindi, got, want)
		}

		// The directory lists the new scopes only, with their counts.
		list, err := h.s.Scopes(h.ctx, t0)
		if err != nil {
			t.Fatalf("Scopes: %v", err)
		}
		counts := map[herald.Scope]int{}
		for _, info := range list {
			counts[info.Scope] = info.Articles
		}
		for sc, want := range map[herald.Scope]int{category(hindi): 2, category(thai): 1, tag("किम"): 1, tag("कुम"): 1,
			author("अमित शर्मा"): 1, author("सुनीता"): 1, category("English"): 1, tag("Go"): 2, author("Ann"): 1} {
			if counts[sc] != want {
				t.Errorf("directory: %s has %d articles, want %d", sc, counts[sc], want)
			}
		}
		if len(counts) != 9 {
			t.Errorf("directory after the upgrade: %v, want the 9 scopes of the new slugs", counts)
		}

		// The articles are as they were, permalinks and dates included;
		// those rewritten have a new version, the other is untouched.
		for _, x := range []*herald.Article{a, b, c, d, f} {
			got := h.get(t, x.ID)
			if !got.SameAs(x) || got.Slug != x.Slug || !got.UpdatedAt.Equal(x.UpdatedAt) {
				t.Errorf("%q after the upgrade: %+v, want it unchanged (slug %q, updated %v)", x.Title, got, x.Slug, x.UpdatedAt)
			}
			v := h.version(t, x.ID)
			if x == c && v != before[x.ID] {
				t.Errorf("%q has nothing to rewrite, but its version moved %d -> %d", x.Title, before[x.ID], v)
			}
			if x != c && v <= before[x.ID] {
				t.Errorf("%q was rewritten, but its version stayed %d", x.Title, v)
			}
		}

		// Caches are told: every scope that moved, old and new, has a new
		// revision and an invalidation on record; scopes that did not
		// move keep their Last-Modified, those that did have a new one.
		after, err := h.s.Revisions(h.ctx, nil)
		if err != nil {
			t.Fatalf("Revisions: %v", err)
		}
		owed, err := h.s.Undelivered(h.ctx, 1000)
		if err != nil {
			t.Fatalf("Undelivered: %v", err)
		}
		recorded := map[herald.Scope]int64{}
		for _, u := range owed {
			recorded[u.Scope] = u.Mark
		}
		for _, sc := range []herald.Scope{oldHindi, category(hindi), old(herald.ScopeTag, "किम"), tag("किम"), tag("कुम"),
			old(herald.ScopeTag, arabic), tag(arabic), old(herald.ScopeAuthor, "सुनीता"), author("सुनीता"), herald.SiteScope} {
			if after[sc] <= revs[sc] || recorded[sc] != after[sc] {
				t.Errorf("%s: revision %d -> %d, recorded %d; want a new revision on record", sc, revs[sc], after[sc], recorded[sc])
			}
		}
		if _, ok := recorded[category("English")]; ok || after[category("English")] != revs[category("English")] {
			t.Errorf("category English, of no rewritten article: revision %d -> %d, recorded %v", revs[category("English")], after[category("English")], ok)
		}
		if p := h.feed(t, herald.SiteScope, t0, 0, 10); !p.ChangedAt.Equal(siteChanged) {
			t.Errorf("site ChangedAt %v after the upgrade, want it kept at %v", p.ChangedAt, siteChanged)
		}
		if p := h.feed(t, category(hindi), t0, 0, 10); !p.ChangedAt.Equal(upgraded) {
			t.Errorf("%s ChangedAt %v, want the upgrade's %v", category(hindi), p.ChangedAt, upgraded)
		}
		// A new write of the same name joins the articles already there.
		e := h.create(t, h.article(t, "After the upgrade", t0.Add(-30*time.Minute), inCategory(hindi), withTags("किम")))
		wantFeed(category(hindi), t0, e, b, a)
		wantFeed(tag("किम"), t0, e, a)

		// Opening again rewrites nothing.
		written := map[string]int64{}
		for _, x := range []*herald.Article{a, b, c, d, e, f} {
			written[x.ID] = h.version(t, x.ID)
		}
		if owed, err = h.s.Undelivered(h.ctx, 1000); err != nil {
			t.Fatalf("Undelivered: %v", err)
		}
		if err := h.s.ClearUndelivered(h.ctx, owed); err != nil {
			t.Fatalf("ClearUndelivered: %v", err)
		}
		for _, s := range stores {
			s.Close()
		}
		again := up.Reopen()
		t.Cleanup(func() { again.Close() })
		h.s = again
		for _, x := range []*herald.Article{a, b, c, d, e, f} {
			if v := h.version(t, x.ID); v != written[x.ID] {
				t.Errorf("%q: version %d -> %d when the store opened again, want it kept", x.Title, written[x.ID], v)
			}
		}
		if owed, err := again.Undelivered(h.ctx, 1000); err != nil || len(owed) != 0 {
			t.Errorf("opening again recorded invalidations %v (err %v), want none", owed, err)
		}
		wantFeed(category(hindi), t0, e, b, a)
	})
}
